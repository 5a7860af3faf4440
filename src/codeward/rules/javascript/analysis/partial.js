// Syntax errors: tree-sitter recovers, the rest is still analysed.
const ok = 1;
// ruleid: javascript.analysis.partial
const broken = (;
// ok: javascript.analysis.partial
const fine = 2;
const cp = require('child_process');
// ruleid: javascript.analysis.partial
function broken( {
// ok: javascript.analysis.partial
cp.execFileSync('ls', ['-l']);
