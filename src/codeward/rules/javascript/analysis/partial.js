// Syntax errors: tree-sitter recovers, the rest is still analysed.
const ok = 1;
// ruleid: javascript.analysis.partial
const broken = (;
// ok: javascript.analysis.partial
const fine = 2;
