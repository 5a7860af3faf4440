"""How much the sandbox adds over running the same snippet bare: median and p95, per language and tracer.

    .venv/bin/python benchmarks/sandbox_overhead.py [--runs 40] [--clock wall|cpu] [--breakdown | --paired]

Rows: bare runs of the snippet (python3 -c, bash -c); cold sandbox runs (start, run, report) for
Python with the audit hook, with strace too, bash with strace and without; the project view as an
overlay and as a copy; and the warm pool, from snippet to report. Overhead = sandbox - bare median.
Benign snippets only; needs bubblewrap (and root for the per-run cgroups, as in production).
`--clock cpu` prints the CPU time one run costs (this process and every process it waited for,
teardown included), which a busy shared machine inflates far less than wall time; the warm pool's
rows are wall time only (its refills run in the background). Each warm sample starts 0.3 s after
the previous run was torn down and the pool refilled (the new sandbox has finished starting), as
for an agent's commands, which come seconds apart.

`--breakdown` prints instead where a cold run's wall time goes (median ms per phase, as seen by
the supervisor, for Python with the audit hook and bash with and without strace), and what
moving a process into a v1 cgroup costs (by pid, right after another move or 50 ms after
the last; a process moving itself as a thread, as the launcher does).

`--paired` alternates one bare run and one cold sandbox run (its teardown finished before the next
bare run) and prints the median and p95 of the pairs' differences: on a machine whose load
drifts, both sides of each difference see the same load.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from codeward.sandbox import Sandbox

PYTHON_SNIPPET = "import os\nprint(len(os.listdir('.')))\n"
BASH_SNIPPET = "ls -a . | wc -l"
Row = tuple[str, list[float], float | None]


def cpu_now() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def timed(action: Callable[[], object], runs: int, clock: str, box: Sandbox | None = None) -> list[float]:
    """Milliseconds per run: wall time of each, or (cpu) the mean CPU time of all, teardown included."""
    if clock == "cpu":
        started = cpu_now()
        for _ in range(runs):
            action()
        if box is not None:
            box.close()  # waits for every run's teardown, so that its processes are reaped and counted
        return [(cpu_now() - started) * 1000 / runs] * runs
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def bare(argv: list[str]) -> Callable[[], object]:
    empty = tempfile.mkdtemp(prefix="codeward-bench-bare-")  # the sandbox's working folder is small too
    return lambda: subprocess.run(argv, capture_output=True, check=True, cwd=empty)


def sandboxed(box: Sandbox, code: str, language: str, project: str | None = None) -> Callable[[], object]:
    def run() -> None:
        report = box.run_code(code, language, project=project)
        if report.exit_code != 0:
            raise SystemExit(f"the benchmark snippet failed in the sandbox: {report.stderr[:300]}")

    return run


def make_project() -> str:
    root = Path(tempfile.mkdtemp(prefix="codeward-bench-project-"))
    (root / "build").mkdir()
    for number in range(300):
        (root / "build" / f"part{number}.o").write_bytes(b"\x7fELF" + bytes(2000))
    (root / "src").mkdir()
    (root / "src" / "app.py").write_text("print('app')\n")
    (root / ".env").write_text("API_KEY=sk_live_0123456789abcdef0123\n")
    return str(root)


def cold_rows(runs: int, clock: str, base: dict[str, float], project: str) -> list[Row]:
    cases = [
        ("sandbox python, audit hook (cold)", {}, "python", None),
        ("sandbox python, audit hook + strace (cold)", {"trace": "always"}, "python", None),
        ("sandbox bash, strace (cold)", {}, "bash", None),
        ("sandbox bash, no tracer (cold)", {"trace": "never"}, "bash", None),
        ("sandbox bash, strace, project overlay (cold)", {"project_view": "overlay"}, "bash", project),
        ("sandbox bash, strace, project copy (cold)", {"project_view": "copy"}, "bash", project),
    ]
    rows: list[Row] = []
    for name, options, language, where in cases:
        box = Sandbox(**options)
        code = PYTHON_SNIPPET if language == "python" else BASH_SNIPPET
        sandboxed(box, code, language, where)()  # the first run precompiles the audit hook's files
        rows.append((name, timed(sandboxed(box, code, language, where), runs, clock, box), base[language]))
        box.close()
    return rows


def warm_rows(runs: int) -> list[Row]:
    rows: list[Row] = []
    with Sandbox(warm=1) as box:
        for language, code in (("python", PYTHON_SNIPPET), ("bash", BASH_SNIPPET)):
            box.warm_up(language, code=code)
            samples = []
            for _ in range(runs):
                box.settle()  # the last run torn down, the pool refilled ...
                time.sleep(0.3)  # ... and its sandbox done starting: an agent's commands come seconds apart
                samples += timed(sandboxed(box, code, language), 1, "wall")
            tracer = "audit hook" if language == "python" else "strace"
            rows.append((f"warm pool {language}, {tracer}: snippet -> report", samples, None))
    return rows


PHASES = (
    # (label, module, attribute): the supervisor's steps of one cold run, in order
    ("per-run cgroup: mkdir + limits", "codeward.sandbox.cgroups", "RunCgroup.__init__"),
    ("launcher: fork, view, fork, exec bwrap", "codeward.sandbox.launcher", "start"),
    ("decoy home snapshot", "codeward.sandbox.bubblewrap", "snapshot"),
    (
        "go -> sandbox gone (bwrap set-up left, start, snippet, exit)",
        "codeward.sandbox.bubblewrap",
        "_collect",
    ),
    ("read strace's files", "codeward.sandbox.tracers.strace", "read_traces"),
    ("diffs after the run", "codeward.sandbox.bubblewrap", "snapshot_changes"),
    ("cgroup usage", "codeward.sandbox.cgroups", "RunCgroup.usage"),
    ("findings and report", "codeward.sandbox.bubblewrap", "interpret"),
)


def breakdown(runs: int) -> None:
    """Median wall ms per phase of cold runs (teardown is after the report, in the background)."""
    import importlib

    spent: dict[str, list[float]] = {}
    for label, module_name, attribute in PHASES:
        owner: object = importlib.import_module(module_name)
        *path, name = attribute.split(".")
        for part in path:
            owner = getattr(owner, part)
        original = getattr(owner, name)

        def timed_phase(
            *args: object, _original: Callable[..., object] = original, _label: str = label, **kw: object
        ) -> object:
            started = time.perf_counter()
            try:
                return _original(*args, **kw)
            finally:
                spent.setdefault(_label, []).append((time.perf_counter() - started) * 1000)

        setattr(owner, name, timed_phase)
    for language, code, options in (
        ("python", PYTHON_SNIPPET, {}),
        ("bash", BASH_SNIPPET, {}),
        ("bash", BASH_SNIPPET, {"trace": "never"}),
    ):
        box = Sandbox(**options)
        sandboxed(box, code, language)()
        box.settle()
        spent.clear()
        totals = []
        for _ in range(runs):
            started = time.perf_counter()
            sandboxed(box, code, language)()
            totals.append((time.perf_counter() - started) * 1000)
            box.settle()
        box.close()
        tracer = "audit hook" if language == "python" else "strace" if not options else "no tracer"
        print(f"cold {language}, {tracer}: {statistics.median(totals):.1f} ms median from call to report")
        for label, _, _ in PHASES:
            if label in spent:
                print(f"  {label:62} {statistics.median(spent[label]):6.2f}")
    print("moving a process into a v1 pids cgroup:", cgroup_move_costs(runs))


def cgroup_move_costs(runs: int) -> str:
    """A pid written to cgroup.procs takes the kernel's global threadgroup lock, whose write side
    waits for an RCU grace period unless another move came just before; a process writing 0 to
    `tasks` moves its calling thread without that lock (how the launcher joins its run's cgroup)."""
    from codeward.sandbox.cgroups import controller_roots

    roots = controller_roots()
    if roots is None:
        return "no writable v1 cgroups here (not root)"
    costs: dict[str, list[float]] = {}
    ways = (
        ("pid to cgroup.procs, right after another move", "again"),
        ("pid to cgroup.procs, 50 ms after the last", "pid"),
        ("0 to tasks, 50 ms after the last", "thread"),
    )
    for number in range(runs):
        for way, how in ways:
            time.sleep(0.05)
            group = roots["pids"] / f"codeward-bench-{os.getpid()}-{number}"
            group.mkdir()
            try:
                costs.setdefault(way, []).append(_move_once(group, how))
            finally:
                group.rmdir()
    return "; ".join(f"{way}: {statistics.median(ms):.2f} ms" for way, ms in costs.items())


def _move_once(group: Path, how: str) -> float:
    """Milliseconds one move takes: a waiting child moved by pid (`again`: the second of two
    moves in a row), or (`thread`) a child moving itself by writing 0 to `tasks`."""
    read, write = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(read)
        if how == "thread":
            started = time.perf_counter()
            (group / "tasks").write_text("0")
            os.write(write, f"{(time.perf_counter() - started) * 1000}".encode())
        else:
            os.write(write, b"-")
            time.sleep(5)
        os._exit(0)
    os.close(write)
    answer = os.read(read, 64).decode()
    os.close(read)
    try:
        if how == "thread":
            return float(answer)
        procs = group / "cgroup.procs"
        if how == "again":
            (group.parent / "cgroup.procs").write_text(str(child))
        started = time.perf_counter()
        procs.write_text(str(child))
        return (time.perf_counter() - started) * 1000
    finally:
        if how != "thread":
            os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)


def paired(runs: int) -> None:
    cases: list[tuple[str, str, dict[str, str]]] = [
        ("python, audit hook", "python", {}),
        ("bash, strace", "bash", {}),
        ("bash, no tracer", "bash", {"trace": "never"}),
    ]
    print(
        f"{'cold run':20} {'bare':>6} {'sandbox':>8} {'over bare: median':>18} {'p95':>6}   (ms wall, {runs} pairs)"
    )
    for name, language, options in cases:
        code = PYTHON_SNIPPET if language == "python" else BASH_SNIPPET
        run_bare = bare(["/usr/bin/python3" if language == "python" else "/bin/bash", "-c", code])
        box = Sandbox(**options)
        sandboxed(box, code, language)()
        bare_ms, boxed_ms = [], []
        for _ in range(runs):
            bare_ms += timed(run_bare, 1, "wall")
            boxed_ms += timed(sandboxed(box, code, language), 1, "wall")
            box.settle()
        box.close()
        differences = [boxed - bare for bare, boxed in zip(bare_ms, boxed_ms, strict=True)]
        print(
            f"{name:20} {statistics.median(bare_ms):6.1f} {statistics.median(boxed_ms):8.1f} "
            f"{statistics.median(differences):18.1f} {p95(differences):6.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--clock", choices=["wall", "cpu"], default="wall")
    parser.add_argument("--breakdown", action="store_true", help="where a cold run's time goes, per phase")
    parser.add_argument(
        "--paired", action="store_true", help="cold overhead from alternating bare/sandbox runs"
    )
    args = parser.parse_args()
    ok, problem = Sandbox().available()
    if not ok:
        sys.exit(f"the sandbox cannot run here: {problem}")
    if args.paired:
        paired(args.runs)
        print(f"{os.cpu_count()} cpus, load average {os.getloadavg()[0]:.1f} at the end")
        return
    if args.breakdown:
        breakdown(args.runs)
        print(f"{os.cpu_count()} cpus, load average {os.getloadavg()[0]:.1f} at the end")
        return
    bare_python = timed(bare(["/usr/bin/python3", "-c", PYTHON_SNIPPET]), args.runs, args.clock)
    bare_bash = timed(bare(["/bin/bash", "-c", BASH_SNIPPET]), args.runs, args.clock)
    rows: list[Row] = [("bare python3 -c", bare_python, None), ("bare bash -c", bare_bash, None)]
    base = {"python": statistics.median(bare_python), "bash": statistics.median(bare_bash)}
    project = make_project()
    try:
        rows += cold_rows(args.runs, args.clock, base, project)
    finally:
        shutil.rmtree(project, ignore_errors=True)
    if args.clock == "wall":
        rows += warm_rows(args.runs)
    unit = "ms wall" if args.clock == "wall" else "ms CPU per run"
    print(f"{'':48} {'median':>8} {'p95':>8} {'overhead':>9} {'ovh p95':>8}   ({unit}, {args.runs} runs)")
    for name, samples, baseline in rows:
        line = f"{name:48} {statistics.median(samples):8.1f} {p95(samples):8.1f}"
        if baseline is not None:
            line += f" {statistics.median(samples) - baseline:9.1f} {p95(samples) - baseline:8.1f}"
        print(line)
    print(f"{os.cpu_count()} cpus, load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
