// Commands built from what a client sent.
const express = require('express');
const { exec } = require('child_process');
const app = express();

app.get('/ls', (req, res) => {
  // ruleid: javascript.code.command_injection
  exec('ls ' + req.query.dir, (err, out) => res.send(out));
});

app.post('/ping', (req, res) => {
  // ruleid: javascript.code.command_injection
  exec(`ping -c 1 ${req.body.host}`);
  // ok: javascript.code.command_injection
  exec('uptime');
});
