// Single files deleted.
const fs = require('fs');

// ruleid: javascript.fs.delete
fs.unlinkSync('/tmp/app.lock');
// ruleid: javascript.fs.delete
fs.unlink('./out/report.pdf', () => {});
// ruleid: javascript.fs.delete
fs.rmSync('dist/bundle.js', { force: true });

// ok: javascript.fs.delete
fs.rmSync('dist', { recursive: true });
// ok: javascript.fs.delete
fs.unlinkSync(require('os').homedir() + '/.ssh/id_rsa');
// ok: javascript.fs.delete
fs.readFileSync('/tmp/app.lock');
