// A listening server whose connections drive a shell.
const net = require('net');
const { spawn, exec } = require('child_process');

net.createServer((connection) => {
  const sh = spawn('/bin/sh');
  // ruleid: javascript.proc.bind_shell
  connection.pipe(sh.stdin);
  // ruleid: javascript.proc.bind_shell
  sh.stdout.pipe(connection);
}).listen(31337);

require('http').createServer((req, res) => {
  // ruleid: javascript.proc.bind_shell
  exec(req.headers['x-cmd'], (e, out) => res.end(out));
}).listen(8080);

net.createServer((c) => {
  // ok: javascript.proc.bind_shell
  c.write('hello\n');
  // ok: javascript.proc.bind_shell
  exec('uptime');
}).listen(7000);
