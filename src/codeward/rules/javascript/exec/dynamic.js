// Code built at run time and evaluated.
const vm = require('vm');

function calc(expression) {
  // ruleid: javascript.exec.dynamic
  return eval(expression);
}
// ruleid: javascript.exec.dynamic
const f = new Function('a', 'b', userBody);
// ruleid: javascript.exec.dynamic
vm.runInNewContext(template + suffix, sandbox);
// ruleid: javascript.exec.dynamic
setTimeout('tick(' + n + ')', 100);

// ok: javascript.exec.dynamic
setTimeout(() => tick(n), 100);
// ok: javascript.exec.dynamic
eval('2 * 21');
// ok: javascript.exec.dynamic
JSON.parse(userBody);
function later(callback, delay) {
  // ok: javascript.exec.dynamic
  return setTimeout(callback, delay);
}
later(() => tick(n), 10);
