// Deleting credentials or system files.
const fs = require('fs');
const os = require('os');
const path = require('path');

// ruleid: javascript.fs.delete_sensitive
fs.unlinkSync(path.join(os.homedir(), '.ssh', 'id_ed25519'));
// ruleid: javascript.fs.delete_sensitive
fs.rmSync('/etc/passwd');
// ruleid: javascript.fs.delete_sensitive
fs.rmSync(`${os.homedir()}/.aws`, { recursive: true });

// ok: javascript.fs.delete_sensitive
fs.unlinkSync(path.join(os.homedir(), '.ssh', 'id_ed25519.pub'));
// ok: javascript.fs.delete_sensitive
fs.unlinkSync('/tmp/passwd');
