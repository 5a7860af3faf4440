"""How long the JavaScript analyzer takes, and what it says about real code: prints numbers, asserts nothing.

Per size (10, 100 and 1,000 lines of ordinary Node code built by repeating one block): tree-sitter's
parse alone, the JavaScript analyzer (parse + walk + data flow), and a whole `Guard.check`, as p50/p99.
With `--corpus DIR`, every .js/.mjs/.cjs/.ts file under DIR is decided in execute mode (read, never
run) and the actions are counted: on code nobody wrote to be harmful, review and block are false
positives.

    python benchmarks/javascript_analyzer.py [--runs 300] [--clock wall|cpu] [--corpus /usr/lib/node_modules]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter
from functools import partial
from pathlib import Path

from timing import CLOCKS, percentiles

from codeward import Context, Guard, Subject
from codeward.analyzers.javascript import JavaScriptAnalyzer
from codeward.analyzers.rulebook import RuleBook

BLOCK = """\
const fs = require('fs');
const path = require('path');
const {{ execFileSync }} = require('child_process');

const ROOT_{n} = path.join(__dirname, 'data');
const API_{n} = 'https://api.example.com/v1';

class Store{n} {{
  constructor(root = ROOT_{n}) {{
    this.root = root;
    this.cache = new Map();
  }}

  file(name) {{
    return path.join(this.root, `${{name}}.json`);
  }}

  load(name) {{
    if (!this.cache.has(name)) {{
      this.cache.set(name, JSON.parse(fs.readFileSync(this.file(name), 'utf8')));
    }}
    return this.cache.get(name);
  }}

  save(name, record) {{
    fs.writeFileSync(this.file(name), JSON.stringify(record, null, 2));
  }}
}}

async function fetchItem{n}(id) {{
  const response = await fetch(`${{API_{n}}}/items/${{id}}`, {{ headers: {{ accept: 'application/json' }} }});
  if (!response.ok) throw new Error(`HTTP ${{response.status}}`);
  return response.json();
}}

function build{n}(target = 'dist') {{
  fs.rmSync(path.join(__dirname, target), {{ recursive: true, force: true }});
  return execFileSync('npx', ['tsc', '-p', '.'], {{ encoding: 'utf8' }});
}}
"""
CODE_SUFFIXES = (".js", ".mjs", ".cjs", ".ts")


def module(lines: int) -> str:
    """About `lines` lines of whole statements: cut after the last top-level statement that fits."""
    blocks: list[str] = []
    count = 0
    while count < lines:
        block = BLOCK.format(n=len(blocks))
        blocks.append(block)
        count += block.count("\n")
    text = "\n".join(blocks).splitlines()
    ends = [
        i + 1 for i, line in enumerate(text[:lines]) if line == "}" or (line.endswith(";") and line[0] != " ")
    ]
    return "\n".join(text[: ends[-1]]) + "\n"


clock = CLOCKS["wall"]


def sizes(runs: int, analyzer: JavaScriptAnalyzer, guard: Guard) -> None:
    parser = analyzer.parser("javascript")
    context = Context()
    print(
        f"{'lines':>6}  {'parse p50/p99 ms':>20}  {'analyzer p50/p99 ms':>22}  {'Guard.check p50/p99 ms':>24}"
    )
    for size in (10, 100, 1000):
        source = module(size)
        encoded = source.encode()
        subject = Subject(content=source, language="javascript", mode="execute")
        count = max(20, runs // (10 if size >= 1000 else 1))
        parse = percentiles(partial(parser.parse, encoded), count, clock)
        alone = percentiles(partial(analyzer.analyze, subject, context), count, clock)
        whole = percentiles(partial(guard.check, subject, context), count, clock)
        print(
            f"{source.count(chr(10)):>6}  {parse[0]:>9.3f} / {parse[1]:<8.3f}  {alone[0]:>10.3f} / {alone[1]:<9.3f}"
            f"  {whole[0]:>11.3f} / {whole[1]:<9.3f}"
        )


def corpus(root: Path, guard: Guard) -> None:
    files = sorted(p for p in root.rglob("*") if p.suffix in CODE_SUFFIXES and p.is_file())
    actions: Counter[str] = Counter()
    held: list[str] = []
    times: list[float] = []
    for file in files:
        text = file.read_text(encoding="utf-8", errors="replace")
        language = "typescript" if file.suffix == ".ts" else "javascript"
        started = time.perf_counter()
        decision = guard.check(
            Subject(content=text, language=language, mode="execute", path=str(file)), Context()
        )
        times.append((time.perf_counter() - started) * 1000)
        actions[decision.action.value] += 1
        if decision.action.value in ("review", "block"):
            held.append(
                f"  {decision.action.value}: {file} ({', '.join(sorted({f.rule_id for f in decision.findings}))})"
            )
    if not files:
        print(f"{root}: no JavaScript or TypeScript files")
        return
    times.sort()
    print(f"{len(files)} files under {root}: " + ", ".join(f"{a} {actions[a]}" for a in sorted(actions)))
    print(
        f"per file: p50 {statistics.median(times):.2f} ms, p99 {times[int(len(times) * 0.99)]:.2f} ms, max {times[-1]:.0f} ms"
    )
    print("\n".join(held) if held else "no file held for review or blocked")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument(
        "--clock", choices=sorted(CLOCKS), default="wall", help="wall time, or this process's CPU time"
    )
    parser.add_argument("--corpus", type=Path, help="also decide every JS/TS file under this folder")
    arguments = parser.parse_args()
    global clock
    clock = CLOCKS[arguments.clock]
    analyzer = JavaScriptAnalyzer(RuleBook.builtin())
    guard = Guard(sandbox_mode="never")
    sizes(arguments.runs, analyzer, guard)
    if arguments.corpus is not None:
        corpus(arguments.corpus, guard)


if __name__ == "__main__":
    main()
