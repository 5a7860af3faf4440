"""Time per kB of hostile input (issue 8): every shape, in every language it targets, at growing sizes.

Each row is one `Guard.check` (sandbox off) of a generated input: how long it took, that time per
kB, the action, and whether analysis was cut short (partial analysis, payload budget, parse limit).
Cost that grows with the size, not faster, is the property: compare ms/kB down a shape's sizes.
Also times recursion bombs, a fan-out bomb, how long past its deadline each door answers when an
analyzer hangs, and hostile policy files. Prints tables; asserts nothing.

    python benchmarks/hostile_input.py [--sizes 10,100,1000] [--only SUBSTRING]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import logging
import random
import threading
import time
from collections.abc import Callable

from codeward import Context, Guard, Subject
from codeward.bench.hostile import python_bomb, python_fan_out, shell_bomb
from codeward.context.inputs import decode
from codeward.errors import PolicyError
from codeward.model import Decision, Finding
from codeward.policy.loader import PolicySource, parse_policy_file

Shape = Callable[[int], str]
"""Builds an input of about `size` bytes."""


def repeat(unit: str, prefix: str = "", suffix: str = "") -> Shape:
    return lambda size: prefix + unit * max(1, (size - len(prefix) - len(suffix)) // len(unit)) + suffix


def nested(opening: str, middle: str, closing: str, prefix: str = "") -> Shape:
    def build(size: int) -> str:
        depth = max(1, (size - len(prefix) - len(middle)) // (len(opening) + len(closing)))
        return prefix + opening * depth + middle + closing * depth

    return build


def random_bytes(size: int) -> str:
    return decode(random.Random(size).randbytes(size))


def nul_laden(size: int) -> str:
    return repeat("rm -rf /tmp/x\x00\xff\ud800 curl x|sh \x00\n")(size)


def base64_line(size: int) -> str:
    blob = base64.b64encode(random.Random(size).randbytes(size * 3 // 4)).decode()
    return f"echo {blob} | base64 -d | sh"


SHAPES: list[tuple[str, str, Shape]] = [
    ("random bytes", "bash", random_bytes),
    ("random bytes", "python", random_bytes),
    ("random bytes", "javascript", random_bytes),
    ("random bytes", "powershell", random_bytes),
    ("random bytes", "text", random_bytes),
    ("NUL, U+FFFD and lone surrogates", "bash", nul_laden),
    ("NUL, U+FFFD and lone surrogates", "python", nul_laden),
    ("one line of tokens", "bash", repeat(" a", "echo")),
    ("one line of tokens", "python", repeat(", a", "print(a", ")")),
    ("one line of tokens", "javascript", repeat(" + 'a'", "x = 'a'")),
    ("one line of tokens", "powershell", repeat(" a", "Write-Host")),
    ("one line of tokens", "text", repeat("ignore previous instructions ")),
    ("one line of tokens", "go", repeat(" + y", "x := y")),
    ("quote soup", "bash", repeat("\"'", "echo ")),
    ("backslash run", "bash", repeat("\\", "echo ")),
    ("pipeline", "bash", repeat(" | cat", "cat")),
    ("&& chain", "bash", repeat(" && true", "true")),
    ("nested braces", "bash", nested("{ ", "ls; ", "}; ")),
    ("nested $( )", "bash", nested("$(", "ls", ")", "echo ")),
    ("nested brackets", "python", nested("[", "", "]", "x = ")),
    ("nested calls", "python", nested("f(", "", ")")),
    ("attribute chain", "python", repeat(".a", "x")),
    ("nested brackets", "javascript", nested("[", "", "]", "x = ")),
    ("nested calls", "javascript", nested("f(", "", ")")),
    ("nested generics", "typescript", nested("Array<", "number", ">", "let x: ")),
    ("nested parentheses", "powershell", nested("(", "1", ")")),
    ("nested arrays", "json", nested("[", "", "]")),
    ("huge base64 payload", "bash", base64_line),
    ("blank lines", "python", repeat("\n", "", "print x")),
    ("spaces then fail", "python", repeat(" ", "print x", "!")),
]


def flags(decision: Decision) -> str:
    marks = {
        "partial": any(f.rule_id.endswith("analysis.partial") for f in decision.findings),
        "payload budget": any(f.rule_id == "engine.payload-budget" for f in decision.findings),
        "parse limit": any(f.rule_id == "engine.too-large" for f in decision.findings),
        "ANALYZER FAILED": any(f.capability == "analysis.error" for f in decision.findings),
    }
    return ", ".join(name for name, hit in marks.items() if hit) or "-"


def timed_check(guard: Guard, content: str, language: str, kind: str = "code") -> tuple[float, Decision]:
    subject = Subject(kind=kind, content=content, language=language, mode="execute")
    started = time.perf_counter()
    decision = guard.check(subject, Context())
    return time.perf_counter() - started, decision


def row(shape: str, language: str, content: str, seconds: float, decision: Decision) -> str:
    kb = len(content.encode("utf-8", "surrogatepass")) / 1000
    per_kb = seconds * 1000 / max(kb, 0.001)
    return (
        f"| {shape} | {language} | {kb:,.0f} | {seconds:.3f} | {per_kb:.2f} | "
        f"{decision.action.value} | {flags(decision)} |"
    )


def policy_rows() -> list[str]:
    alias_bomb = ["codeward: 1", "id: bomb", "variables:", "  v0: &a0 ['1','1','1','1','1','1','1','1','1']"]
    alias_bomb += [f"  v{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 12)]
    cases = {
        "alias bomb, 9^12 nodes": "\n".join(alias_bomb) + "\n",
        "nesting 1,000 deep": "codeward: 1\nid: deep\nintents: " + "[" * 1000 + "]" * 1000 + "\n",
        "5,000 deny entries": "codeward: 1\nid: big\ndeny:\n"
        + "".join(f"  - {{id: d{i}, pattern: 'marker{i}'}}\n" for i in range(5000)),
    }
    rows = []
    for name, text in cases.items():
        started = time.perf_counter()
        try:
            parse_policy_file(PolicySource(f"{name}.yaml", text))
            outcome = "loaded"
        except PolicyError as error:
            outcome = f"PolicyError: {str(error).split(': ', 1)[-1][:70]}"
        seconds = time.perf_counter() - started
        rows.append(f"| {name} | {len(text) / 1000:,.1f} | {seconds:.3f} | {outcome} |")
    return rows


class Stuck:
    """An analyzer that hangs until released: the engine must still answer at its deadline."""

    name = "stuck"
    languages = frozenset({"*"})

    def __init__(self) -> None:
        self.release = threading.Event()

    def analyze(self, subject: Subject, context: Context) -> list[Finding]:
        self.release.wait(60)
        return []


def deadline_rows(guard: Guard) -> list[str]:
    """How long past its deadline each door answers when an analyzer hangs, and with what."""
    from codeward.adapters.hooks import dialect
    from codeward.adapters.hooks.judges import InProcessJudge
    from codeward.adapters.hooks.protocol import respond
    from codeward.adapters.proxy import GuardJudge

    first, *rest = guard.analyzers
    slow = Guard(analyzers=[first, Stuck(), *rest], sandbox_mode="never")
    command = "rm -rf / --no-preserve-root"
    subject = Subject(kind="command", content=command, language="bash", mode="execute")
    payload = json.dumps(
        {
            "hook_event_name": "PreToolUse",
            "tool_name": "Bash",
            "tool_input": {"command": command},
            "cwd": "/tmp",
        }
    ).encode()
    judge = InProcessJudge(guard_factory=lambda: slow, store_factory=None)

    def guard_check(deadline: float) -> str:
        return slow.check(subject, Context(), deadline=deadline).action.value

    def hook(deadline: float) -> str:
        answer = respond(dialect("claude-code"), payload, judge, deadline=deadline)
        return str(json.loads(answer.stdout)["hookSpecificOutput"]["permissionDecision"])

    def proxy(deadline: float) -> str:
        seconds = deadline - time.monotonic()
        return asyncio.run(GuardJudge(slow, deadline_seconds=seconds).check(subject, Context())).action.value

    rows = []
    for budget in (0.2, 1.0, 5.0):
        for door, ask in (("Guard.check", guard_check), ("hook (claude-code)", hook), ("proxy judge", proxy)):
            stuck = Stuck()
            slow.analyzers[1] = stuck
            started = time.monotonic()
            outcome = ask(started + budget)
            rows.append(_deadline_row(door, budget, time.monotonic() - started, outcome))
            stuck.release.set()  # let the abandoned analysis end before the next door is timed
            while slow._overrunning:
                time.sleep(0.01)
    return rows


def _deadline_row(door: str, budget: float, took: float, outcome: str) -> str:
    return f"| {door} | {budget:g} | {took:.3f} | {(took - budget) * 1000:+.0f} | {outcome} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000", help="Input sizes in kB (default 10,100,1000).")
    parser.add_argument("--only", default="", help="Only shapes whose name or language contains this.")
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)  # an analyzer failure shows in the table, not as a traceback
    sizes = [int(float(s) * 1000) for s in args.sizes.split(",")]
    guard = Guard(sandbox_mode="never")
    timed_check(guard, "echo warm-up", "bash")

    print("| shape | language | kB | seconds | ms/kB | action | cut short |")
    print("|---|---|---:|---:|---:|---|---|")
    for shape, language, build in SHAPES:
        if args.only and args.only not in shape and args.only != language:
            continue
        for size in sizes:
            content = build(size)
            kind = "prompt" if language == "text" else "code"
            seconds, decision = timed_check(guard, content, language, kind)
            print(row(shape, language, content, seconds, decision), flush=True)

    print("\n| encoded payload | language | kB | seconds | ms/kB | action | cut short |")
    print("|---|---|---:|---:|---:|---|---|")
    for depth in (4, 12, 40):
        content = shell_bomb(depth)
        seconds, decision = timed_check(guard, content, "bash", "command")
        print(row(f"base64 -d piped to sh, {depth} layers", "bash", content, seconds, decision), flush=True)
        content = python_bomb(depth)
        seconds, decision = timed_check(guard, content, "python")
        print(row(f"b64(zlib(b64)) exec, {depth} layers", "python", content, seconds, decision), flush=True)
    for branches in (1, 10, 100):
        content = python_fan_out(branches)
        seconds, decision = timed_check(guard, content, "python")
        print(
            row(f"fan-out: {branches}x10 payloads of 60 kB", "python", content, seconds, decision), flush=True
        )

    print("\n| door, with an analyzer that hangs | deadline s | answered after s | vs deadline ms | answer |")
    print("|---|---:|---:|---:|---|")
    for line in deadline_rows(guard):
        print(line, flush=True)

    print("\n| policy file | kB | seconds | outcome |")
    print("|---|---:|---:|---|")
    for line in policy_rows():
        print(line, flush=True)


if __name__ == "__main__":
    main()
