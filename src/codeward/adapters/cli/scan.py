"""`codeward scan DIR`: judge every source file of a tree, in generate mode, with the tree as the project."""

from __future__ import annotations

import json
import os
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

import click

from codeward.adapters.cli.check import EXIT_CODES, policy_option
from codeward.context.inputs import build_context, decode
from codeward.context.language import EXTENSIONS, FILENAMES
from codeward.context.project import SKIP_DIRS
from codeward.engine import Guard
from codeward.model import Action, Decision, Mode, Subject, SubjectKind
from codeward.render.sarif import render_sarif

MAX_FILE_BYTES = 1_000_000
NOT_CODE = frozenset({"markdown", "text", "json", "yaml", "toml"})


def source_files(root: Path) -> Iterator[Path]:
    """Files whose name says they are code, skipping vendored and generated folders; sorted."""
    for current, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
        for name in sorted(names):
            if _language(name) is not None:
                yield Path(current) / name


def _language(name: str) -> str | None:
    lowered = name.lower()
    language = FILENAMES.get(lowered) or EXTENSIONS.get(os.path.splitext(lowered)[1])
    return None if language is None or language in NOT_CODE else language


@click.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--format", "output", type=click.Choice(["text", "json", "sarif"]), default="text", show_default=True
)
@click.option("--intent", help="Declared intent (counts only if a verified role is cleared for it).")
@click.option(
    "--output-file", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the report here."
)
@policy_option
def scan(
    directory: Path, output: str, intent: str | None, output_file: Path | None, policies: tuple[str, ...]
) -> None:
    """Judge a tree of files: a progress bar, then a summary table (or JSON, or SARIF 2.1.0).

    \b
    Examples:
      codeward scan .
      codeward scan src --format sarif -o codeward.sarif
    """
    root = directory.resolve()
    guard = Guard(list(policies), sandbox_mode="never")
    context = build_context(project=str(root), intent=intent, tool="scan")
    files = list(source_files(root))
    started = time.perf_counter()
    judged: list[tuple[str, Decision]] = []
    skipped: list[str] = []
    show_progress = output == "text" and sys.stderr.isatty()
    bar: AbstractContextManager[Iterable[Path]] = (
        click.progressbar(files, label="judging", file=sys.stderr, show_pos=True, item_show_func=_item_label)
        if show_progress
        else nullcontext(files)
    )
    with bar as progress:
        for path in progress:
            relative = path.relative_to(root).as_posix()
            try:
                if path.stat().st_size > MAX_FILE_BYTES:
                    skipped.append(f"{relative} (above {MAX_FILE_BYTES:,} bytes)")
                    continue
                content = decode(path.read_bytes())
            except OSError as error:
                skipped.append(f"{relative} ({error.strerror or error})")
                continue
            subject = Subject(kind=SubjectKind.CODE, content=content, path=relative, mode=Mode.GENERATE)
            judged.append((relative, guard.check(subject, context, record_id=relative)))
    elapsed = time.perf_counter() - started
    report = _report(root, judged, skipped, elapsed, output)
    if output_file is not None:
        output_file.write_text(report + "\n", encoding="utf-8")
        click.echo(f"wrote {output_file}", err=True)
    else:
        click.echo(report)
    worst = max((EXIT_CODES[d.action] for _, d in judged), default=0)
    sys.exit(worst)


def _item_label(path: Path | None) -> str:
    return path.name if path is not None else ""


def _report(
    root: Path, judged: list[tuple[str, Decision]], skipped: list[str], elapsed: float, output: str
) -> str:
    if output == "sarif":
        from importlib.metadata import version

        return json.dumps(render_sarif(judged, version=version("codeward")), indent=2)
    counts = Counter(decision.action for _, decision in judged)
    if output == "json":
        return json.dumps(
            {
                "root": str(root),
                "summary": {action.value: counts.get(action, 0) for action in Action},
                "files": [{"path": path, "decision": decision.to_dict()} for path, decision in judged],
                "skipped": skipped,
                "seconds": round(elapsed, 3),
            },
            ensure_ascii=False,
        )
    return summary_table(root, judged, skipped, elapsed)


def summary_table(root: Path, judged: list[tuple[str, Decision]], skipped: list[str], elapsed: float) -> str:
    counts = Counter(decision.action for _, decision in judged)
    lines = [f"Scanned {len(judged)} file(s) under {root} in {elapsed:.1f} s", "", "  action    files"]
    lines += [f"  {action.value:<8}{counts.get(action, 0):>7}" for action in Action]
    flagged = sorted(
        ((path, d) for path, d in judged if d.action is not Action.ALLOW),
        key=lambda item: (-item[1].action.rank, -item[1].risk),
    )
    if flagged:
        width = min(60, max(len(_where(path, d)) for path, d in flagged))
        lines += ["", f"  {'where':<{width}}  action   risk  why"]
        for path, decision in flagged:
            why = decision.reasons[0] if decision.reasons else ""
            why = why if len(why) <= 90 else why[:89] + "…"
            lines.append(
                f"  {_where(path, decision):<{width}}  {decision.action.value:<7} {decision.risk:>4}  {why}"
            )
    if skipped:
        lines += [
            "",
            f"  skipped {len(skipped)} file(s): "
            + "; ".join(skipped[:5])
            + (" …" if len(skipped) > 5 else ""),
        ]
    return "\n".join(lines)


def _where(path: str, decision: Decision) -> str:
    lines = sorted({line for finding in decision.findings for line in finding.lines if line > 0})
    return f"{path}:{lines[0]}" if lines else path


@click.command()
@click.option("--strict", is_flag=True, help="Fail on review as well as on block.")
@policy_option
def precommit(strict: bool, policies: tuple[str, ...]) -> None:
    """Judge the staged additions of a commit (for pre-commit); fail the commit only on block.

    Added lines are judged per file, in the file's language, in generate mode, with the repository
    as the project. Add it with `.pre-commit-config.yaml`: `- repo: …codeward  hooks: [{id: codeward}]`.
    """
    from codeward.adapters.precommit import fails, judge, repository_root, staged_additions

    root = repository_root()
    additions = staged_additions(root)
    guard = Guard(list(policies), sandbox_mode="never")
    judged = judge(guard, root, additions)
    failed = False
    for addition, decision in judged:
        if decision.action is Action.ALLOW:
            continue
        failed = failed or fails(decision, strict=strict)
        mark = "✖" if fails(decision, strict=strict) else "·"
        click.echo(
            f"{mark} {_where(addition.path, decision)}: {decision.action.value} (risk {decision.risk})"
        )
        for reason in decision.reasons[:3]:
            click.echo(f"    {reason}")
        for remedy in decision.remedies[:2]:
            click.echo(f"    → {remedy}")
    if failed:
        click.echo("codeward: the commit adds code that is blocked in this repository (see above)", err=True)
        sys.exit(1)
