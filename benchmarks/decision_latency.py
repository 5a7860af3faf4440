"""In-process decision latency (issue 2): p50/p99 for 10, 100 and 1,000-line snippets, and one 10 MB input.

Snippets are ordinary project code in Python and bash, alternating, with a few risky lines so the
analyzers have work (the same generator `codeward bench perf` uses). Wall-clock and CPU time are both
printed, with the machine's load: on a shared machine the wall clock includes waiting for a core.
The large inputs end in `rm -rf /`, which only the pattern tier reads. Prints numbers; asserts nothing.

`--gc frozen` calls `gc.freeze()` once the Guard is built and warm, as codeward's long-running hosts
do (the service's start-up): the engine's ~40,000 long-lived objects then leave the cyclic
collector's generations, and a full collection no longer lands inside a decision. `--gc default`
keeps the interpreter's settings, as a program that embeds `Guard` without doing that sees.

    python benchmarks/decision_latency.py [--samples 200] [--big-mb 10] [--gc default|frozen]
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import time

from codeward import Context, Guard, Subject
from codeward.bench.metrics import percentile
from codeward.bench.perf import mixed_snippet
from codeward.model import Mode, SubjectKind

TARGETS = "issue 2 targets: p50 < 1 ms and p99 < 5 ms at 100 lines; cost linear in size; 10 MB in < 2 s"


def measure(guard: Guard, lines: int, samples: int) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Wall-clock and CPU milliseconds per decision, by language. CPU time is what the decision cost this
    process; on a shared machine the wall clock also counts waiting for a core."""
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
    cpu: dict[str, list[float]] = {"python": [], "bash": []}
    for index in range(samples):
        language = "python" if index % 2 == 0 else "bash"
        started, started_cpu = time.perf_counter(), time.process_time()
        guard.check(subjects[language], Context())
        times[language].append((time.perf_counter() - started) * 1000)
        cpu[language].append((time.process_time() - started_cpu) * 1000)
    return times, cpu


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--samples", type=int, default=200, help="decisions per size (half Python, half bash)"
    )
    parser.add_argument("--big-mb", type=float, default=10.0, help="size of the large input in MB")
    parser.add_argument(
        "--gc",
        choices=("default", "frozen"),
        default="default",
        help="frozen: gc.freeze() after the Guard is built and warm, as the service does",
    )
    args = parser.parse_args()

    started = time.perf_counter()
    guard = Guard(sandbox_mode="never")
    print(
        f"Guard built in {(time.perf_counter() - started) * 1000:.0f} ms (policy, rules and parsers compiled once)"
    )
    for language in ("python", "bash"):
        for lines in (10, 100, 1_000):
            guard.check(
                Subject(
                    kind=SubjectKind.CODE,
                    content=mixed_snippet(lines, language),
                    language=language,
                    mode=Mode.EXECUTE,
                ),
                Context(),
            )
    if args.gc == "frozen":
        gc.collect()
        gc.freeze()
    print(f"garbage collector: {args.gc} ({gc.get_freeze_count()} objects frozen)")
    print(TARGETS)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {os.cpu_count()} CPUs, load average {load:.1f} when the run started")
    print()
    print(
        f"{'lines':>6} {'language':>8} {'p50 ms':>9} {'p99 ms':>9} {'mean ms':>9} {'cpu p50':>9} {'cpu p99':>9} {'cpu ms/line':>11}"
    )
    for lines, samples in ((10, args.samples), (100, args.samples), (1_000, max(20, args.samples // 5))):
        times, cpu = measure(guard, lines, samples)
        for language in ("mixed", "python", "bash"):
            values = times["python"] + times["bash"] if language == "mixed" else times[language]
            spent = cpu["python"] + cpu["bash"] if language == "mixed" else cpu[language]
            cpu_p50 = percentile(spent, 50) or 0.0
            print(
                f"{lines:>6} {language:>8} {percentile(values, 50) or 0.0:>9.3f} "
                f"{percentile(values, 99) or 0.0:>9.3f} {statistics.fmean(values):>9.3f} "
                f"{cpu_p50:>9.3f} {percentile(spent, 99) or 0.0:>9.3f} {cpu_p50 / lines:>11.4f}"
            )

    print()
    for language in ("python", "bash"):
        block = mixed_snippet(1_000, language)
        repeats = int(args.big_mb * 1024 * 1024 / len(block.encode())) + 1
        big = (block * repeats)[: int(args.big_mb * 1024 * 1024)] + "\nrm -rf /\n"
        subject = Subject(kind=SubjectKind.CODE, content=big, language=language, mode=Mode.EXECUTE)
        started = time.perf_counter()
        decision = guard.check(subject, Context())
        seconds = time.perf_counter() - started
        rules = sorted({f.rule_id for f in decision.findings})
        print(
            f"{len(big.encode()) / 1024 / 1024:.1f} MB of {language} ending in `rm -rf /`: decided in "
            f"{seconds:.2f} s -> {decision.action.value} ({', '.join(rules[:4])})"
        )


if __name__ == "__main__":
    main()
