// Command lines run through a shell, however the API is reached. The shell analyzer judges the line.
const cp = require('child_process');
const { exec: run, execSync } = require('child_' + 'process');
import * as child from 'node:child_process';
import { execSync as sync } from 'child_process';
const shelljs = require('shelljs');
const { $ } = require('zx');

// ruleid: javascript.proc.shell_command
cp.exec('ls -la /tmp');
// ruleid: javascript.proc.shell_command
run(`git status`);
// ruleid: javascript.proc.shell_command
execSync('make ' + 'build');
// ruleid: javascript.proc.shell_command
child.execSync('npm test');
// ruleid: javascript.proc.shell_command
sync('echo hi');
// ruleid: javascript.proc.shell_command
cp.spawn('ls', ['-la'], { shell: true });
// ruleid: javascript.proc.shell_command
cp.spawn('/bin/bash', ['-c', 'whoami']);
// ruleid: javascript.proc.shell_command
cp.execFile('sh', ['-c', 'date']);
// ruleid: javascript.proc.shell_command
shelljs.exec('npm run lint');
// ruleid: javascript.proc.shell_command
await $`ls ${dir}`;
// ruleid: javascript.proc.shell_command
require('child_process')['ex' + 'ec']('uname -a');

function runIt(command) {
  // ruleid: javascript.proc.shell_command
  cp.exec(command);
}
// ruleid: javascript.proc.shell_command
runIt('id');

// ok: javascript.proc.shell_command
cp.execFile('git', ['status']);
// ok: javascript.proc.shell_command
console.log("cp.exec('rm -rf /')");
// ok: javascript.proc.shell_command
const exec = (x) => x; exec('not a process');
