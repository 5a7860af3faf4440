// Hidden code: decoded before it runs, and module names hidden the same way.
const zlib = require('zlib');

// ruleid: javascript.exec.obfuscated
eval(Buffer.from('Y29uc29sZS5sb2coInB3bmVkIik=', 'base64').toString());
// ruleid: javascript.exec.obfuscated
eval(atob('Y29uc29sZS5sb2coInB3bmVkIik='));
// ruleid: javascript.exec.obfuscated
new Function(String.fromCharCode(97, 108, 101, 114, 116, 40, 49, 41))();
// ruleid: javascript.exec.obfuscated
const cp = require(Buffer.from('Y2hpbGRfcHJvY2Vzcw==', 'base64').toString());
// ruleid: javascript.exec.obfuscated
require('child_process').execSync(')" niwp"(gol.elosnoc'.split('').reverse().join(''));
// ruleid: javascript.exec.obfuscated
eval(zlib.inflateSync(Buffer.from('eJxLzs8rzs9J1cvJT9dQSsrPz1EEAFJsBss=', 'base64')).toString());
// ruleid: javascript.exec.obfuscated
eval('\x63\x6f\x6e\x73\x6f\x6c\x65\x2e\x6c\x6f\x67\x28\x31\x29');
// ruleid: javascript.exec.obfuscated
eval(Buffer.from(payload, 'base64').toString());

// ok: javascript.exec.obfuscated
const logo = Buffer.from('aGVsbG8=', 'base64').toString();
// ok: javascript.exec.obfuscated
const fs = require('fs');
// ok: javascript.exec.obfuscated
eval('console.log(1)');
