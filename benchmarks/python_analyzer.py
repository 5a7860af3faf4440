"""How long the Python analyzer takes per module: prints p50/p99 for 10, 100 and 1,000 lines, asserts nothing.

Three numbers per size: `ast.parse` alone (the floor no AST analyzer can go under), the Python
analyzer (parse + index + resolution + shapes), and a whole `Guard.check` (every analyzer, payloads
re-analysed by the shell analyzer, policy evaluation). The modules are ordinary application code
(paths, files, subprocess, HTTP, classes, comprehensions) with a few risky calls, built by
repeating one block, so cost per line is comparable across sizes.

    python benchmarks/python_analyzer.py [--runs 300] [--clock wall|cpu]
"""

from __future__ import annotations

import argparse
import ast
from functools import partial

from timing import CLOCKS, percentiles

from codeward import Context, Guard, Subject
from codeward.analyzers.python import PythonAnalyzer
from codeward.analyzers.rulebook import RuleBook

BLOCK = '''\
import os
import json
import subprocess
from pathlib import Path

import requests

BASE = os.path.join(os.path.dirname(__file__), "data")
API = "https://api.example.com/v1"


class Store{n}:
    """Keeps records on disk."""

    def __init__(self, root=BASE):
        self.root = Path(root)
        self.cache = {{}}

    def path(self, name):
        return self.root / f"{{name}}.json"

    def load(self, name):
        with open(self.path(name), encoding="utf-8") as handle:
            return json.load(handle)

    def save(self, name, record):
        self.path(name).write_text(json.dumps(record, indent=2))


def fetch_{n}(item_id, session=None):
    response = requests.get(f"{{API}}/items/{{item_id}}", timeout=10)
    response.raise_for_status()
    return response.json()


def build_{n}(target="build"):
    result = subprocess.run(["make", "-C", target, "all"], capture_output=True, text=True, check=False)
    if result.returncode:
        print(result.stderr)
    names = [name.upper() for name in os.listdir(".") if name.endswith(".py")]
    totals = {{name: len(name) for name in names}}
    return sorted(totals.items(), key=lambda pair: pair[1])
'''


def module(lines: int) -> str:
    blocks = []
    count = 0
    n = 0
    while count < lines:
        block = BLOCK.format(n=n)
        blocks.append(block)
        count += block.count("\n")
        n += 1
    return "\n".join("\n".join(blocks).splitlines()[:lines]) + "\n"


clock = CLOCKS["wall"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument(
        "--clock", choices=sorted(CLOCKS), default="wall", help="wall time, or this process's CPU time"
    )
    arguments = parser.parse_args()
    runs = arguments.runs
    global clock
    clock = CLOCKS[arguments.clock]
    rulebook = RuleBook.builtin()
    analyzer = PythonAnalyzer(rulebook)
    guard = Guard(sandbox_mode="never")
    context = Context()
    print(
        f"{'lines':>6}  {'ast.parse p50/p99 ms':>22}  {'analyzer p50/p99 ms':>22}  {'Guard.check p50/p99 ms':>24}"
    )
    for size in (10, 100, 1000):
        source = module(size)
        # a 10-line module cut mid-block may not parse; the analyzer handles that, ast.parse must not raise here
        trimmed = source if _parses(source) else source.rsplit("\n", 3)[0] + "\n"
        subject = Subject(content=trimmed, language="python", mode="execute")
        count = max(20, runs // (10 if size >= 1000 else 1))
        parse = percentiles(partial(ast.parse, trimmed), count, clock)
        alone = percentiles(partial(analyzer.analyze, subject, context), count, clock)
        whole = percentiles(partial(guard.check, subject, context), count, clock)
        print(
            f"{trimmed.count(chr(10)):>6}  {parse[0]:>10.3f} / {parse[1]:<9.3f}  {alone[0]:>10.3f} / {alone[1]:<9.3f}"
            f"  {whole[0]:>11.3f} / {whole[1]:<9.3f}"
        )


def _parses(source: str) -> bool:
    try:
        ast.parse(source)
    except SyntaxError:
        return False
    return True


if __name__ == "__main__":
    main()
