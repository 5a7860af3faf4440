// Raw TCP connections.
const net = require('net');
const tls = require('tls');

// ruleid: javascript.net.raw_connect
const a = net.connect(4444, '203.0.113.9');
// ruleid: javascript.net.raw_connect
const b = net.createConnection({ host: 'db.internal', port: 5432 });
// ruleid: javascript.net.raw_connect
const c = tls.connect(443, 'example.com');
const s = new net.Socket();
// ruleid: javascript.net.raw_connect
s.connect(6379, '127.0.0.1');

// ok: javascript.net.raw_connect
const server = net.createServer(() => {});
// ok: javascript.net.raw_connect
fetch('https://example.com');
