"""In-process decision latency (issue 2): p50/p99 for 10, 100 and 1,000-line snippets, and one 10 MB input.

Snippets are ordinary project code in Python and bash, alternating, with a few risky lines so the
analyzers have work (the same generator `codeward bench perf` uses). Prints numbers; asserts nothing.

    python benchmarks/decision_latency.py [--samples 200] [--big-mb 10]
"""

from __future__ import annotations

import argparse
import statistics
import time

from codeward import Context, Guard, Subject
from codeward.bench.metrics import percentile
from codeward.bench.perf import mixed_snippet
from codeward.model import Mode, SubjectKind

TARGETS = "issue 2 targets: p50 < 1 ms and p99 < 5 ms at 100 lines; cost linear in size; 10 MB in < 2 s"


def measure(guard: Guard, lines: int, samples: int) -> dict[str, list[float]]:
    subjects = {
        language: Subject(
            kind=SubjectKind.CODE,
            content=mixed_snippet(lines, language),
            language=language,
            mode=Mode.EXECUTE,
        )
        for language in ("python", "bash")
    }
    for subject in subjects.values():
        guard.check(subject, Context())  # warm-up
    times: dict[str, list[float]] = {"python": [], "bash": []}
    for index in range(samples):
        language = "python" if index % 2 == 0 else "bash"
        started = time.perf_counter()
        guard.check(subjects[language], Context())
        times[language].append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--samples", type=int, default=200, help="decisions per size (half Python, half bash)"
    )
    parser.add_argument("--big-mb", type=float, default=10.0, help="size of the large input in MB")
    args = parser.parse_args()

    started = time.perf_counter()
    guard = Guard(sandbox_mode="never")
    print(
        f"Guard built in {(time.perf_counter() - started) * 1000:.0f} ms (policy, rules and parsers compiled once)"
    )
    print(TARGETS)
    print()
    print(f"{'lines':>6} {'language':>8} {'p50 ms':>9} {'p99 ms':>9} {'mean ms':>9} {'ms/line':>8}")
    for lines, samples in ((10, args.samples), (100, args.samples), (1_000, max(20, args.samples // 5))):
        times = measure(guard, lines, samples)
        for language in ("mixed", "python", "bash"):
            values = times["python"] + times["bash"] if language == "mixed" else times[language]
            p50 = percentile(values, 50) or 0.0
            print(
                f"{lines:>6} {language:>8} {p50:>9.3f} {percentile(values, 99) or 0.0:>9.3f} "
                f"{statistics.fmean(values):>9.3f} {p50 / lines:>8.4f}"
            )

    block = mixed_snippet(1_000, "python")
    repeats = int(args.big_mb * 1024 * 1024 / len(block.encode())) + 1
    big = (block * repeats)[: int(args.big_mb * 1024 * 1024)]
    subject = Subject(kind=SubjectKind.CODE, content=big, language="python", mode=Mode.EXECUTE)
    started = time.perf_counter()
    decision = guard.check(subject, Context())
    seconds = time.perf_counter() - started
    partial = [f.message for f in decision.findings if f.capability == "analysis.incomplete"]
    print()
    print(
        f"{len(big.encode()) / 1024 / 1024:.1f} MB input: decided in {seconds:.2f} s -> {decision.action.value}"
        f" ({len(decision.findings)} findings)"
    )
    for message in partial[:2]:
        print(f"  {message}")


if __name__ == "__main__":
    main()
