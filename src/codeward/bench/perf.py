"""`codeward bench perf`: what a decision costs as inputs and policies grow, next to the other tools, in one run.

Every system sees the same generated snippets (benign-looking project code with a few risky lines,
so the analyzers have work to do); ratios are computed from numbers measured in the same process and
minute. The sandbox is timed against running the same harmless snippet bare. Nothing hostile runs.
"""

from __future__ import annotations

import math
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from functools import partial
from itertools import pairwise
from pathlib import Path
from typing import Any

import yaml

from codeward.bench.cases import BenchCase, Label
from codeward.bench.external import BanditSystem, CodeShieldSystem, SemgrepSystem
from codeward.bench.metrics import percentile
from codeward.bench.systems import PatternDenySystem, System, close_sandbox, find_sandbox
from codeward.engine import Guard
from codeward.model import Action, Context, Mode, Subject, SubjectKind
from codeward.protocols import SandboxBackend

SIZES = (10, 100, 1_000, 10_000)
POLICY_SIZES = (0, 10, 100, 1_000)
QUICK_SIZES = (10, 100, 1_000)

_PYTHON_BLOCK = (
    "def load_{n}(path):\n"
    "    with open(path, encoding='utf-8') as handle:\n"
    "        rows = [line.split(',') for line in handle if line.strip()]\n"
    "    return {{row[0]: float(row[1]) for row in rows if len(row) > 1}}\n"
    "\n"
    "def build_{n}(target='build/{n}'):\n"
    "    shutil.rmtree(target, ignore_errors=True)\n"
    "    subprocess.run(['make', '-C', 'src', 'all'], check=True)\n"
    "    return requests.get('https://pypi.org/pypi/requests/json', timeout=5).json()['info']['version']\n"
    "\n"
)
_PYTHON_HEADER = "import shutil\nimport subprocess\n\nimport requests\n\n"
_BASH_BLOCK = (
    "echo 'step {n}'\n"
    "rm -rf ./build/{n} && mkdir -p ./build/{n}\n"
    'for f in ./logs/*.log; do gzip -f "$f"; done\n'
    "curl -fsSL https://example.com/releases/v{n}.tar.gz -o /tmp/v{n}.tar.gz\n"
    'if [ -f "./build/{n}/out" ]; then cp ./build/{n}/out ./dist/; fi\n'
)


def mixed_snippet(lines: int, language: str) -> str:
    """`lines` lines of ordinary project code in `language` (python or bash), each block renamed."""
    header, block = (_PYTHON_HEADER, _PYTHON_BLOCK) if language == "python" else ("", _BASH_BLOCK)
    parts = [header]
    count, index = header.count("\n"), 0
    while count < lines:
        text = block.format(n=index)
        parts.append(text)
        count += text.count("\n")
        index += 1
    return "\n".join("".join(parts).splitlines()[:lines]) + "\n"


@dataclass
class SizePoint:
    system: str
    language: str
    lines: int
    p50_ms: float
    p99_ms: float
    samples: int


@dataclass
class PolicyPoint:
    rules: int
    p50_ms: float
    p99_ms: float
    load_ms: float
    samples: int


@dataclass
class SandboxPoint:
    language: str
    bare_p50_ms: float
    sandbox_p50_ms: float
    overhead_p50_ms: float
    samples: int
    start: str = "cold"
    """cold: each run starts its sandbox; warm: a pool started it ahead of time."""


@dataclass
class PerfReport:
    size_points: list[SizePoint] = field(default_factory=list)
    policy_points: list[PolicyPoint] = field(default_factory=list)
    sandbox_points: list[SandboxPoint] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def by_system_size(self) -> dict[str, list[tuple[int, float]]]:
        series: dict[str, list[tuple[int, float]]] = {}
        for point in self.size_points:
            name = point.system if point.language == "python" else f"{point.system} ({point.language})"
            series.setdefault(name, []).append((point.lines, point.p50_ms))
        return series

    def ratios(self, baseline: str = "codeward-static") -> dict[str, dict[int, float]]:
        """Each system's p50 over codeward's p50 on the same Python snippets (above 1: codeward is faster)."""
        reference = {
            p.lines: p.p50_ms for p in self.size_points if p.system == baseline and p.language == "python"
        }
        result: dict[str, dict[int, float]] = {}
        for point in self.size_points:
            if point.system == baseline or point.language != "python" or point.lines not in reference:
                continue
            result.setdefault(point.system, {})[point.lines] = point.p50_ms / max(
                reference[point.lines], 1e-9
            )
        return result

    def growth(self) -> dict[str, dict[tuple[int, int], float]]:
        """Per system, the exponent k of t ∝ n^k between consecutive sizes (1: linear in input size)."""
        result: dict[str, dict[tuple[int, int], float]] = {}
        for name, series in self.by_system_size().items():
            ordered = sorted(series)
            for (low, low_ms), (high, high_ms) in pairwise(ordered):
                if low_ms > 0 and high_ms > 0 and high > low:
                    exponent = math.log(high_ms / low_ms) / math.log(high / low)
                    result.setdefault(name, {})[(low, high)] = round(exponent, 2)
        return result

    def to_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "ratios_to_codeward_static": self.ratios(),
            "growth_exponents": {
                name: {f"{low}-{high}": value for (low, high), value in by_step.items()}
                for name, by_step in self.growth().items()
            },
        }


def _timed(function: Callable[[], object], samples: int, pause: float = 0.0) -> list[float]:
    function()  # warm-up, not counted
    times = []
    for _ in range(samples):
        if pause:
            time.sleep(pause)
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return times


def _samples(lines: int, quick: bool, slow: bool) -> int:
    if slow:
        return 2 if lines >= 10_000 else 3
    base = 50 if lines <= 100 else 15 if lines <= 1_000 else 4
    return max(2, base // 3) if quick else base


def _case(content: str, language: str) -> BenchCase:
    return BenchCase(
        id="perf",
        kind="code",
        language=language,
        content=content,
        mode="execute",
        label=Label(harmful=False, category="perf", subculture="general", acceptable=[Action.ALLOW]),
    )


def other_tools(report: PerfReport) -> list[tuple[System, bool]]:
    """pattern-deny and every external tool that can run here, each with whether it is slow to sample."""
    tools: list[tuple[System, bool]] = [(PatternDenySystem(), False)]
    for candidate, slow in ((CodeShieldSystem(), False), (BanditSystem(), False), (SemgrepSystem(), True)):
        ready, why = candidate.available()
        if ready:
            tools.append((candidate, slow))
        else:
            report.notes.append(f"{candidate.name} not measured: {why}")
    return tools


def measure_input_size(
    report: PerfReport,
    sizes: Sequence[int],
    quick: bool,
    progress: Callable[[str], None],
    tools: Sequence[tuple[System, bool]],
) -> None:
    guard = Guard(sandbox_mode="never")
    for lines in sizes:
        for language in ("python", "bash"):
            content = mixed_snippet(lines, language)
            subject = Subject(kind=SubjectKind.CODE, content=content, language=language, mode=Mode.EXECUTE)
            progress(f"codeward-static {language} {lines} lines")
            times = _timed(partial(guard.check, subject, Context()), _samples(lines, quick, False))
            report.size_points.append(_size_point("codeward-static", language, lines, times))
            if language != "python":
                continue
            case = [_case(content, language)]
            for tool, slow in tools:
                progress(f"{tool.name} {language} {lines} lines")
                times = _timed(partial(_judge_all, tool, case), _samples(lines, quick, slow))
                report.size_points.append(_size_point(tool.name, language, lines, times))


def _judge_all(tool: System, cases: list[BenchCase]) -> list[Any]:
    return list(tool.judge(cases))


def _size_point(system: str, language: str, lines: int, times: list[float]) -> SizePoint:
    return SizePoint(
        system=system,
        language=language,
        lines=lines,
        p50_ms=round(statistics.median(times), 3),
        p99_ms=round(percentile(times, 99) or 0.0, 3),
        samples=len(times),
    )


def synthetic_policy(rules: int) -> dict[str, Any]:
    """A policy layer of `rules` rules that match real capabilities but whose conditions never hold."""
    families = ["fs.*", "net.*", "proc.*", "cred.*", "exec.*", "persist.*", "sys.*", "infra.*", "data.*"]
    return {
        "codeward": 1,
        "id": f"synthetic-{rules}",
        "version": "1",
        "rules": [
            {
                "id": f"synthetic-{index:04d}",
                "match": {
                    "capabilities": [families[index % len(families)]],
                    "when": f'intent.name == "synthetic_{index}" && risk > {index % 90}',
                },
                "action": "review",
            }
            for index in range(rules)
        ],
    }


def measure_policy_size(
    report: PerfReport, sizes: Sequence[int], quick: bool, progress: Callable[[str], None]
) -> None:
    content = mixed_snippet(100, "python")
    subject = Subject(kind=SubjectKind.CODE, content=content, language="python", mode=Mode.EXECUTE)
    with tempfile.TemporaryDirectory(prefix="codeward-perf-") as folder:
        for rules in sizes:
            progress(f"policy with {rules} synthetic rules")
            layers: list[str | Path] = []
            if rules:
                path = Path(folder) / f"synthetic-{rules}.yaml"
                path.write_text(yaml.safe_dump(synthetic_policy(rules), sort_keys=False), encoding="utf-8")
                layers.append(path)
            started = time.perf_counter()
            guard = Guard(layers, sandbox_mode="never")
            load_ms = (time.perf_counter() - started) * 1000
            times = _timed(partial(guard.check, subject, Context()), 15 if quick else 50)
            report.policy_points.append(
                PolicyPoint(
                    rules=rules,
                    p50_ms=round(statistics.median(times), 3),
                    p99_ms=round(percentile(times, 99) or 0.0, 3),
                    load_ms=round(load_ms, 1),
                    samples=len(times),
                )
            )


HARMLESS = {"python": 'print("hello from codeward perf")\n', "bash": 'echo "hello from codeward perf"\n'}


def measure_sandbox(
    report: PerfReport,
    backend: SandboxBackend | None,
    why: str,
    quick: bool,
    progress: Callable[[str], None],
    *,
    warm_pause: float = 0.5,
) -> None:
    """The sandbox's cost over running the same harmless one-liner bare (both run for real), cold and warm."""
    if backend is None:
        report.notes.append(f"sandbox overhead not measured: {why}")
        return
    samples = 8 if quick else 25
    warm = _warm_pool(backend)
    if warm is None:
        report.notes.append(f"{backend.name} has no warm pool: only cold starts measured")
    try:
        for language, code in HARMLESS.items():
            progress(f"sandbox {language}")
            bare_command = [sys.executable, "-c", code] if language == "python" else ["bash", "-c", code]
            subject = Subject(kind=SubjectKind.CODE, content=code, language=language, mode=Mode.EXECUTE)
            bare = statistics.median(
                _timed(partial(subprocess.run, bare_command, capture_output=True, check=False), samples)
            )
            for start, boxed in (("cold", backend), ("warm", warm)):
                if boxed is None:
                    continue
                run = partial(boxed.run, subject, Context(), timeout=10)
                try:
                    # a warm pool refills in the background: give it the time a real caller would
                    times = _timed(run, samples, pause=warm_pause if start == "warm" else 0.0)
                except Exception as error:  # the report says the sandbox failed; the rest of the run stands
                    report.notes.append(
                        f"sandbox {language} ({start}) failed: {type(error).__name__}: {error}"
                    )
                    continue
                boxed_p50 = statistics.median(times)
                report.sandbox_points.append(
                    SandboxPoint(
                        language=language,
                        bare_p50_ms=round(bare, 2),
                        sandbox_p50_ms=round(boxed_p50, 2),
                        overhead_p50_ms=round(boxed_p50 - bare, 2),
                        samples=samples,
                        start=start,
                    )
                )
    finally:
        close_sandbox(warm)


def _warm_pool(backend: SandboxBackend) -> SandboxBackend | None:
    """The same kind of backend with a pool of sandboxes started ahead of time, when its constructor offers one."""
    try:
        warm = type(backend)(warm=2)  # type: ignore[call-arg]
    except TypeError:
        return None
    if not isinstance(warm, SandboxBackend):
        return None
    warm_up = getattr(warm, "warm_up", None)
    if callable(warm_up):
        for language in HARMLESS:
            warm_up(language)
    return warm


def run_perf(
    quick: bool = False,
    progress: Callable[[str], None] = lambda _: None,
    *,
    sizes: Sequence[int] | None = None,
    policy_sizes: Sequence[int] = POLICY_SIZES,
    tools: Sequence[tuple[System, bool]] | None = None,
    sandbox: bool = True,
) -> PerfReport:
    """Every measurement of `codeward bench perf`; the keywords narrow it (the tests use a small run)."""
    report = PerfReport()
    chosen = other_tools(report) if tools is None else tools
    measure_input_size(report, sizes or (QUICK_SIZES if quick else SIZES), quick, progress, chosen)
    measure_policy_size(report, policy_sizes, quick, progress)
    backend, why = find_sandbox() if sandbox else (None, "left out of this run")
    try:
        measure_sandbox(report, backend, why, quick, progress)
    finally:
        close_sandbox(backend)
    return report


def render_perf(report: PerfReport, plots: Sequence[Path], plot_problem: str | None) -> str:
    from codeward.bench.report import milliseconds

    lines = [
        "# codeward bench perf",
        "",
        "Latency of one decision on the same generated snippets (ordinary project code with a few risky "
        "lines), measured in one run. codeward-static, pattern-deny, CodeShield and Bandit run in process; "
        "Semgrep is one process per snippet, start included (what a per-snippet gate pays).",
        "",
        "## Input size",
        "",
        "| system | language | lines | p50 ms | p99 ms | samples |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for point in report.size_points:
        lines.append(
            f"| {point.system} | {point.language} | {point.lines:,} | {milliseconds(point.p50_ms)} | "
            f"{milliseconds(point.p99_ms)} | {point.samples} |"
        )
    ratios = report.ratios()
    if ratios:
        sizes = sorted({size for by_size in ratios.values() for size in by_size})
        lines += [
            "",
            "Ratio of each tool's p50 to codeward-static's p50 on the same Python snippets (above 1: codeward is faster):",
            "",
            "| system | " + " | ".join(f"{size:,} lines" for size in sizes) + " |",
            "| --- |" + " ---: |" * len(sizes),
        ]
        for system, by_size in ratios.items():
            cells = [_ratio(by_size[size]) if size in by_size else "–" for size in sizes]
            lines.append(f"| {system} | " + " | ".join(cells) + " |")
    growth = report.growth()
    if growth:
        steps = sorted({step for by_step in growth.values() for step in by_step})
        lines += [
            "",
            "Growth exponent of p50 between two sizes, log(t2/t1) / log(n2/n1): 1 is linear, 2 quadratic, "
            "below 1 a fixed cost (process start) still dominates:",
            "",
            "| system | " + " | ".join(f"{low:,}→{high:,}" for low, high in steps) + " |",
            "| --- |" + " ---: |" * len(steps),
        ]
        for system, by_step in growth.items():
            cells = [f"{by_step[step]:.2f}" if step in by_step else "–" for step in steps]
            lines.append(f"| {system} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## Policy size",
        "",
        "| synthetic rules | p50 ms | p99 ms | load ms |",
        "| ---: | ---: | ---: | ---: |",
    ]
    for policy in report.policy_points:
        lines.append(
            f"| {policy.rules:,} | {milliseconds(policy.p50_ms)} | {milliseconds(policy.p99_ms)} | {policy.load_ms:.0f} |"
        )
    lines += ["", "## Sandbox", ""]
    if report.sandbox_points:
        lines += [
            "| language | sandbox start | bare p50 ms | sandbox p50 ms | overhead ms |",
            "| --- | --- | ---: | ---: | ---: |",
        ]
        for box in report.sandbox_points:
            lines.append(
                f"| {box.language} | {box.start} | {box.bare_p50_ms:.1f} | {box.sandbox_p50_ms:.1f} | "
                f"{box.overhead_p50_ms:.1f} |"
            )
    for note in report.notes:
        lines.append(f"- {note}")
    for path in plots:
        if path.suffix == ".png":
            lines += ["", f"![{path.stem}]({path.name})"]
    if plot_problem:
        lines += ["", f"_{plot_problem}_"]
    return "\n".join(lines) + "\n"


def _ratio(value: float) -> str:
    return f"{value:.1f}×" if value >= 1 else f"{value:.2f}×"
