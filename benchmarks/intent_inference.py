"""How long intent inference takes once a project is read: prints numbers, asserts nothing.

Times `codeward.intent.infer.infer` on the largest project manifests in bench/projects (5,000 files,
the project reader's limit) and on a synthetic 5,000-file course repository, with a prompt and a
session history, after the one-time compilation of the matchers (also printed). The target is at
most 2 ms per inference. The file list's signals are remembered per list (a hook judges many
snippets in one project), so later inferences on the same manifest are cheaper: --cold measures the
first one every time. Reading a directory is cached by path and modification time: the second read
of the same tree is also shown.

    python benchmarks/intent_inference.py [--runs 300] [--cold]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

from codeward.context.project import ProjectReader
from codeward.intent import infer as inference
from codeward.model import Action, Context, Project, Session, SessionEvent

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument(
        "--cold",
        action="store_true",
        help="Forget the file list's signals before each run (the first inference on a manifest).",
    )
    arguments = parser.parse_args()

    started = time.perf_counter()
    inference.infer(Context(project=Project(files=["a.py"], readme="x"), prompt="x"))
    print(f"one-time matcher compilation: {(time.perf_counter() - started) * 1000:.1f} ms\n")

    history = [
        SessionEvent(decision_id=str(i), action=Action.ALLOW, intent="education", at=0.0) for i in range(20)
    ]
    prompt = "write a solution for exercise 3 of this week's lesson, explained for students"
    print(f"load average: {' '.join(f'{load:.1f}' for load in os.getloadavg())} on {os.cpu_count()} cores")
    print("wall: elapsed time; cpu: this thread's CPU time (what the machine's other load does not inflate)")
    header = f"{'project':32s} {'files':>6s} {'KB':>5s} {'wall med':>9s} {'wall p95':>9s} {'cpu med':>8s} {'cpu p95':>8s}"
    print(f"{header}   inferred")
    for name, project in projects():
        context = Context(project=project, prompt=prompt, session=Session(id="bench", history=history))
        wall, cpu = [], []
        for _ in range(arguments.runs):
            if arguments.cold:
                inference._file_signals_of.cache_clear()
            begin, begin_cpu = time.perf_counter(), time.thread_time()
            result = inference.infer(context)
            cpu.append((time.thread_time() - begin_cpu) * 1000)
            wall.append((time.perf_counter() - begin) * 1000)
        wall.sort()
        cpu.sort()
        size = sum(len(path) + 1 for path in project.files) // 1024
        chosen = f"{result.name} ({result.confidence:.0%})" if result else "-"
        print(
            f"{name:32s} {len(project.files):6d} {size:5d} {statistics.median(wall):7.2f}ms {percentile(wall):7.2f}ms "
            f"{statistics.median(cpu):6.2f}ms {percentile(cpu):6.2f}ms   {chosen}"
        )

    reader = ProjectReader()
    for attempt in ("first read", "cached read"):
        begin = time.perf_counter()
        project = reader.read(ROOT)
        print(
            f"\n{attempt} of this repository ({len(project.files)} files): {(time.perf_counter() - begin) * 1000:.1f} ms",
            end="",
        )
    print()
    return 0


def percentile(timings: list[float], share: float = 0.95) -> float:
    return timings[int(share * (len(timings) - 1))]


def projects() -> list[tuple[str, Project]]:
    chosen: list[tuple[str, Project]] = []
    manifests = sorted((ROOT / "bench" / "projects" / "manifests").glob("*.json"))
    loaded = []
    for path in manifests:
        data = json.loads(path.read_text(encoding="utf-8"))
        loaded.append(
            (
                path.stem,
                Project(files=data["files"], dependencies=data["dependencies"], readme=data["readme"]),
            )
        )
    loaded.sort(key=lambda item: -len(item[1].files))
    chosen += loaded[:4]
    course = [
        f"week{w:02d}/lesson{n}/{part}"
        for w in range(50)
        for n in range(20)
        for part in ("notes.md", "exercise.py", "solution.py", "test_exercise.py", "data.csv")
    ]
    chosen.append(
        (
            "synthetic course repository",
            Project(
                files=course[:5000],
                dependencies=["pytest", "numpy"],
                readme="Course material: lessons and exercises for students. " * 40,
            ),
        )
    )
    return chosen


if __name__ == "__main__":
    sys.exit(main())
