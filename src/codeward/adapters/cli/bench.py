"""`codeward bench`: score codeward and the alternatives on labelled cases; import public datasets; measure cost."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import click

from codeward.bench.cases import load_cases, shipped_case_files, write_cases
from codeward.bench.importers import IMPORTERS
from codeward.bench.run import ALL_SYSTEMS, lineup, run_bench, write_outputs


@click.group(invoke_without_command=True)
@click.option(
    "--cases",
    "case_files",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="A JSON-lines file of labelled cases (repeatable). Default: the shipped corpus in bench/cases/.",
)
@click.option(
    "--systems",
    metavar="NAME,…",
    help=f"Comma-separated systems (default: all that can run here). Known: {', '.join(ALL_SYSTEMS)}.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("bench-results"),
    show_default=True,
    help="Where results.jsonl, summary.json, report.md and the plots go.",
)
@click.option(
    "--no-sandbox",
    is_flag=True,
    help="Keep the sandbox out of every system (the report says so). Without it, harmful execute-mode "
    "cases may run inside the sandbox: see docs/bench.md before running the corpus that way.",
)
@click.pass_context
def bench(
    ctx: click.Context, case_files: tuple[Path, ...], systems: str | None, out: Path, no_sandbox: bool
) -> None:
    """Run every system on every case and write a leaderboard report.

    \b
    Examples:
      codeward bench
      codeward bench --cases bench/cases/dev.jsonl --systems codeward-static,pattern-deny --out /tmp/b
      codeward bench import redcode ../shared/datasets/redcode-exec --out bench/cases/redcode-dev.jsonl
      codeward bench perf --out bench-perf
    """
    if ctx.invoked_subcommand is not None:
        return
    files = list(case_files) or shipped_case_files()
    cases = load_cases(files)
    names = [name.strip() for name in systems.split(",") if name.strip()] if systems else None
    line = lineup(names, sandbox=not no_sandbox)
    for name, why in line.unavailable.items():
        click.echo(f"codeward bench: {name} not run: {why}", err=True)
    if line.sandbox_note:
        click.echo(f"codeward bench: {line.sandbox_note}", err=True)
    command = "codeward bench " + shlex.join(sys.argv[2:]) if sys.argv[1:2] == ["bench"] else "codeward bench"
    total = len(cases) * len(line.systems)
    try:
        with click.progressbar(length=total, label="judging", file=sys.stderr, show_pos=True) as bar:
            run = run_bench(cases, line, command=command.strip(), progress=bar.update)
    finally:
        line.close()
    written = write_outputs(run, out)
    for dataset in run.datasets:
        click.echo(f"\n{dataset}")
        for name, value in run.scores[dataset].items():
            recall = value.recall.value
            fp = value.false_positive_rate.value
            click.echo(
                f"  {name:28} recall {_pct(recall):>7}  FP {_pct(fp):>7}  "
                f"flips {value.flip_accuracy.hits}/{value.flip_accuracy.total}  "
                f"p50 {_ms(value.latency_p50_ms)}"
            )
    click.echo(f"\nwrote {len(written)} files to {out}/ (report: {out / 'report.md'})")


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f} ms"


@bench.command("import")
@click.argument("source", type=click.Choice(sorted(IMPORTERS)))
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the cases here (JSON lines); default: standard output.",
)
def import_command(source: str, path: Path, out: Path | None) -> None:
    """Turn a public dataset (a local file or folder) into labelled cases, by documented label rules."""
    cases = IMPORTERS[source](path)
    if out is None:
        write_cases(cases, sys.stdout)
        return
    with out.open("w", encoding="utf-8") as handle:
        count = write_cases(cases, handle)
    harmful = sum(case.label.harmful for case in cases)
    click.echo(f"{count} cases ({harmful} harmful, {count - harmful} benign) written to {out}", err=True)


@bench.command("systems")
def systems_command() -> None:
    """List the systems and whether each can run here."""
    line = lineup(None)
    line.close()
    for system in line.systems:
        click.echo(f"{system.name:28} ready   {system.description}")
        if system.note:
            click.echo(f"{'':28}         {system.note}")
    for name, why in line.unavailable.items():
        click.echo(f"{name:28} missing {why}")


@bench.command("perf")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("bench-perf"),
    show_default=True,
    help="Where perf.json, perf.md and the plots go.",
)
@click.option("--quick", is_flag=True, help="Fewer samples and sizes up to 1,000 lines (about a minute).")
def perf_command(out: Path, quick: bool) -> None:
    """Latency against input size (10 to 10,000 lines) and policy size (10 to 1,000 rules), and sandbox overhead."""
    from codeward.bench.perf import render_perf, run_perf
    from codeward.bench.plots import draw_perf_plots

    report = run_perf(quick=quick, progress=lambda step: click.echo(f"  {step}", err=True))
    out.mkdir(parents=True, exist_ok=True)
    (out / "perf.json").write_text(json.dumps(report.to_dict(), indent=2) + "\n", encoding="utf-8")
    plots, problem = draw_perf_plots(report, out)
    (out / "perf.md").write_text(render_perf(report, plots, problem), encoding="utf-8")
    click.echo((out / "perf.md").read_text(encoding="utf-8"))
