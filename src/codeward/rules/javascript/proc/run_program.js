// Programs started without a shell: the argument vector is judged as the command it amounts to.
const { spawn, execFile, execFileSync, fork } = require('child_process');
import execa from 'execa';

// ruleid: javascript.proc.run_program
spawn('git', ['pull', '--rebase']);
// ruleid: javascript.proc.run_program
execFile('rm', ['-rf', '/tmp/cache']);
// ruleid: javascript.proc.run_program
execFileSync('/usr/bin/node', ['--version']);
// ruleid: javascript.proc.run_program
fork('./worker.js');
// ruleid: javascript.proc.run_program
execa('docker', ['ps']);

// ok: javascript.proc.run_program
spawn('sh', ['-c', 'ls']);
// ok: javascript.proc.run_program
spawn('ls', [], { shell: true });
// ok: javascript.proc.run_program
const spawned = 'spawn("rm")';
