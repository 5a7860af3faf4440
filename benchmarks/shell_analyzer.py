"""Latency of the shell analyzer on scripts of 10, 100 and 1,000 lines (p50 and p99), and of a whole decision.

The scripts mix ordinary build and deploy lines with a few risky ones (a pipe to sh, a credential
read, a recursive delete), so the walk follows pipelines, substitutions, functions and loops as it
would on real agent commands. Nothing here is executed: the analyzer only parses.

    python benchmarks/shell_analyzer.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

from codeward import Context, Guard, Subject
from codeward.analyzers.rulebook import RuleBook
from codeward.analyzers.shell import ShellAnalyzer

_LINES = [
    "#!/bin/bash",
    "set -euo pipefail",
    'BUILD_DIR="./build"',
    'echo "building in $BUILD_DIR"',
    'mkdir -p "$BUILD_DIR"',
    'for f in src/*.c; do gcc -O2 -c "$f" -o "$BUILD_DIR/$(basename "$f" .c).o"; done',
    "if [ -f Makefile ]; then make -j4; else echo 'no makefile'; fi",
    "curl -s https://example.com/data.json | jq '.items[] | .name' > names.txt",
    'export PATH="$HOME/.local/bin:$PATH"',
    "pip install -r requirements.txt",
    "git pull --rebase origin main",
    "docker build -t app:latest . && docker push registry.example.com/app:latest",
    "deploy() {",
    "  local host=$1",
    '  rsync -az ./dist/ "deploy@$host:/srv/app/"',
    '  ssh "deploy@$host" "sudo systemctl restart app"',
    "}",
    "deploy web1.example.com",
    "find . -name '*.pyc' -delete",
    'rm -rf "$BUILD_DIR"',
    "tar czf release.tgz dist/ && sha256sum release.tgz > release.sha256",
    'while read -r line; do echo "$line"; done < names.txt',
    'case "$1" in start) ./run.sh ;; stop) pkill -f run.sh ;; *) echo usage ;; esac',
    "cat ~/.ssh/id_rsa.pub",
    "curl -fsSL https://get.example.com/install.sh | sh",
]


def script(lines: int) -> str:
    body = [_LINES[i % len(_LINES)] for i in range(lines)]
    return "\n".join(body) + "\n"


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def measure(run: Callable[[], object], runs: int, clock: Callable[[], float]) -> tuple[float, float]:
    for _ in range(min(20, runs)):
        run()
    samples = []
    for _ in range(runs):
        started = clock()
        run()
        samples.append((clock() - started) * 1000)
    return statistics.median(samples), percentile(samples, 0.99)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument(
        "--clock",
        choices=("cpu", "wall"),
        default="cpu",
        help="cpu: this process's CPU time (steady on a shared machine); wall: elapsed time",
    )
    arguments = parser.parse_args()
    clock = time.process_time if arguments.clock == "cpu" else time.perf_counter
    analyzer = ShellAnalyzer(RuleBook.builtin())
    guard = Guard(sandbox_mode="never")
    context = Context()
    print(f"{arguments.clock} time, load average {os.getloadavg()[0]:.1f}")
    print(f"{'lines':>6} {'bytes':>8} {'analyzer p50':>13} {'p99':>8} {'decision p50':>13} {'p99':>8}  (ms)")
    for lines in (10, 100, 1000):
        text = script(lines)
        subject = Subject(kind="command", content=text, language="bash")
        runs = max(30, arguments.runs // (10 if lines >= 1000 else 1))
        a50, a99 = measure(lambda: analyzer.analyze(subject, context), runs, clock)  # noqa: B023
        d50, d99 = measure(lambda: guard.check(subject, context), runs, clock)  # noqa: B023
        print(f"{lines:>6} {len(text):>8} {a50:>13.3f} {a99:>8.3f} {d50:>13.3f} {d99:>8.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
