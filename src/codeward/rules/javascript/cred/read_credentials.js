// Reading credential files; the capability names which kind.
const fs = require('fs');
const os = require('os');
const path = require('path');
const home = os.homedir();

// ruleid: javascript.cred.read_credentials
const key = fs.readFileSync(path.join(home, '.ssh', 'id_rsa'), 'utf8');
// ruleid: javascript.cred.read_credentials
const aws = fs.readFileSync(`${home}/.aws/credentials`).toString();
// ruleid: javascript.cred.read_credentials
fs.readFile(path.join(os.homedir(), '.npmrc'), 'utf8', (err, data) => {});
// ruleid: javascript.cred.read_credentials
const env = await fs.promises.readFile('.env', 'utf8');
// ruleid: javascript.cred.read_credentials
const cookies = fs.createReadStream(path.join(home, '.config/google-chrome/Default/Cookies'));

// ok: javascript.cred.read_credentials
const pub = fs.readFileSync(path.join(home, '.ssh', 'id_rsa.pub'));
// ok: javascript.cred.read_credentials
const pkg = fs.readFileSync(path.join(__dirname, 'package.json'));
// ok: javascript.cred.read_credentials
const text = "fs.readFileSync('~/.ssh/id_rsa')";
