// Recursive deletes through fs, rimraf, fs-extra and shelljs; the folded target decides how bad.
const fs = require('fs');
const path = require('path');
const os = require('os');
const rimraf = require('rimraf');
const fse = require('fs-extra');
const { rm } = require('fs/promises');
import shell from 'shelljs';

// ruleid: javascript.fs.recursive_delete
fs.rmSync('/', { recursive: true, force: true });
// ruleid: javascript.fs.recursive_delete
fs.rmSync(os.homedir(), { recursive: true });
// ruleid: javascript.fs.recursive_delete
fs.rm(path.join(process.env.HOME, 'projects'), { recursive: true }, () => {});
// ruleid: javascript.fs.recursive_delete
fs.rmdirSync(`${os.homedir()}/Documents`, { recursive: true });
// ruleid: javascript.fs.recursive_delete
await rm('/etc', { recursive: true });
// ruleid: javascript.fs.recursive_delete
rimraf.sync(path.resolve(__dirname, 'dist'));
// ruleid: javascript.fs.recursive_delete
rimraf('/var/lib');
// ruleid: javascript.fs.recursive_delete
fse.removeSync(path.join(__dirname, '..', '..'));
// ruleid: javascript.fs.recursive_delete
shell.rm('-rf', '/usr/local');
// ruleid: javascript.fs.recursive_delete
fs.promises.rm(buildDir, { recursive: true, force: true });

// ok: javascript.fs.recursive_delete
fs.rmSync('./build/out.txt');
// ok: javascript.fs.recursive_delete
fs.unlinkSync('/tmp/lock');
// ok: javascript.fs.recursive_delete
fs.rmSync('/', { recursive: false });
