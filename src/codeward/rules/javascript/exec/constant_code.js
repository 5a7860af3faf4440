// Constant code evaluated: the string is analysed as JavaScript in turn.
// ruleid: javascript.exec.constant_code
eval('console.log("hello")');
// ruleid: javascript.exec.constant_code
const add = new Function('a', 'b', 'return a + b');
// ruleid: javascript.exec.constant_code
require('vm').runInNewContext('x = 40 + 2', {});
// ruleid: javascript.exec.constant_code
globalThis['ev' + 'al']('1 + 1');

// ok: javascript.exec.constant_code
eval(input);
// ok: javascript.exec.constant_code
const evaluation = 'eval("x")';
