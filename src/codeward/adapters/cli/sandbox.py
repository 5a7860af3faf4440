"""`codeward sandbox`: run a snippet in the sandbox and print what it did (no policy, no decision)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from codeward.context.inputs import decode, read_bytes
from codeward.context.language import detect
from codeward.errors import CodewardError
from codeward.model import SubjectKind
from codeward.sandbox import BehaviourReport, Sandbox, SandboxLimits


@click.group()
def sandbox() -> None:
    """Run code in codeward's sandbox (bubblewrap) and see its behaviour."""


@sandbox.command("run")
@click.argument("file", required=False, metavar="[FILE|-]")
@click.option("-c", "--command", "code", metavar="CODE", help="Run this text instead of a file.")
@click.option(
    "--lang",
    "--language",
    "language",
    type=click.Choice(["python", "bash", "sh"]),
    help="Detected from the file or the text when omitted.",
)
@click.option(
    "--project",
    type=click.Path(exists=True, file_okay=False),
    help="Show the snippet this project (copy-on-write: its changes are reported, then thrown away).",
)
@click.option("--timeout", type=click.FloatRange(0.1, 600), default=5.0, show_default=True, help="Seconds.")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
def run(
    file: str | None, code: str | None, language: str | None, project: str | None, timeout: float, output: str
) -> None:
    """Run FILE, `-` (standard input) or -c CODE in the sandbox and print the behaviour report.

    \b
    Examples:
      codeward sandbox run -c 'rm -rf ./build' --lang bash --project .
      codeward sandbox run suspicious.py --format json
    """
    if (file is None) == (code is None):
        raise click.UsageError("give exactly one of FILE, `-` or -c CODE")
    path = None
    if code is None:
        if file == "-":
            code = decode(sys.stdin.buffer.read())
        else:
            path = str(file)
            code = decode(read_bytes(Path(path)))
    kind = SubjectKind.COMMAND if path is None and file is None else SubjectKind.CODE
    language = language or detect(code, path=path, kind=kind)
    limits = SandboxLimits(wall_seconds=timeout)
    with Sandbox(limits) as box:
        ok, problem = box.available()
        if not ok:
            raise CodewardError(f"the sandbox cannot run here: {problem}")
        report = box.run_code(code, language, project=project, timeout=timeout)
    if output == "json":
        click.echo(report.model_dump_json(indent=2))
    else:
        click.echo(render(report))
    sys.exit(0 if report.exit_code == 0 else 1)


def render(report: BehaviourReport) -> str:
    """The report for a person: what happened, what it would change, the findings, and the caveats."""
    head = f"sandbox: {report.language} · {report.isolation.backend}"
    if report.ran:
        head += (
            f" · exit {report.exit_code if report.signal is None else report.signal}"
            f" · {report.duration_ms:.0f} ms · project view {report.isolation.project_view}"
            f" · traced by {', '.join(report.isolation.tracers)}"
        )
    out = [head]
    out += [f"  • {line}" for line in report.observations]
    if report.findings:
        out.append("Findings")
        out += [
            f"  {f.severity.value:<8} {f.rule_id} ({f.capability}"
            + (f" → {f.target}" if f.target else "")
            + f"): {f.evidence}"
            for f in report.findings
        ]
    for name, text in (("stdout", report.stdout), ("stderr", report.stderr)):
        if text.strip():
            lines = text.rstrip("\n").splitlines()
            out.append(f"{name} ({getattr(report, name + '_bytes')} bytes)")
            out += [f"  │ {line[:160]}" for line in lines[:8]]
            if len(lines) > 8:
                out.append(f"  │ … {len(lines) - 8} more lines")
    out.append("Not observed (this is evidence, not proof)")
    out += [f"  - {limit}" for limit in report.limits]
    return "\n".join(out)
