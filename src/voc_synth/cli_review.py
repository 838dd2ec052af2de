"""CLI commands for validation and workshops, registered by `cli.py`:

    voc-synth review init RUN_DIR [--out FILE] [--force]
    voc-synth review check RUN_DIR [--review FILE]
    voc-synth export RUN_DIR --workshop [--include-drafts] [--review FILE | --no-review]
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from .errors import VocSynthError

review_app = typer.Typer(help="Validate a run's themes in review.yaml.", no_args_is_help=True)
console = Console(stderr=True)
out = Console()


def _fail(err: VocSynthError) -> None:
    console.print(f"[bold red]error:[/] {err}", markup=True, highlight=False)
    raise typer.Exit(code=err.exit_code)


def print_review_report(report: Any, stream: Console | None = None) -> None:
    """Print what applying a review did: counts, orphaned decisions, problems."""
    stream = stream or console
    lines = report.summary_lines()
    stream.print(lines[0], highlight=False, markup=False, soft_wrap=True)
    for line in lines[1:]:
        stream.print(f"[yellow]{'warning' if 'orphaned' in line else 'note'}:[/] ", end="", highlight=False)
        stream.print(line, highlight=False, markup=False, soft_wrap=True)


@review_app.command("init")
def review_init(
    run_dir: Annotated[Path, typer.Argument(help="A run folder written by `voc-synth run`.")],
    out_file: Annotated[Path | None, typer.Option("--out", "-o", help="Where to write (default RUN_DIR/review.yaml).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Update an existing review file: add this run's new themes, keep every decision (old file saved as .bak).")] = False,
) -> None:
    """Write a commented review.yaml listing every theme of a run, for researchers to edit."""
    from .review import init_review

    try:
        result = init_review(run_dir, out_file, force=force)
    except VocSynthError as err:
        _fail(err)
        return
    for line in result.summary_lines():
        out.print(line, highlight=False, markup=False)
    out.print(f"Edit it, then: voc-synth export {run_dir} --workshop --review {result.path}", highlight=False,
              markup=False)


@review_app.command("check")
def review_check(
    run_dir: Annotated[Path, typer.Argument(help="A run folder written by `voc-synth run`.")],
    review_file: Annotated[Path | None, typer.Option("--review", help="The review file (default RUN_DIR/review.yaml).")] = None,
) -> None:
    """Validate a review file against a run: which decisions apply, which are orphaned. Writes nothing."""
    from .review import apply_review
    from .synthesis import Synthesis

    try:
        synthesis = Synthesis.load(run_dir)
        _, report = apply_review(synthesis, review_file or Path(run_dir) / "review.yaml", update_state=False)
    except VocSynthError as err:
        _fail(err)
        return
    print_review_report(report, out)


def export(
    run_dir: Annotated[Path, typer.Argument(help="A run folder written by `voc-synth run`.")],
    workshop: Annotated[bool, typer.Option("--workshop", help="Write the workshop kit (deck, stickies, cards, pre-read) into RUN_DIR/workshop/.")] = False,
    include_drafts: Annotated[bool, typer.Option("--include-drafts", help="Also export themes not yet validated, marked DRAFT.")] = False,
    review_file: Annotated[Path | None, typer.Option("--review", help="Apply this review file first (default: RUN_DIR/review.yaml when present).")] = None,
    no_review: Annotated[bool, typer.Option("--no-review", help="Do not apply RUN_DIR/review.yaml.")] = False,
    qdpx: Annotated[bool, typer.Option("--qdpx", help="Write RUN_DIR/project.qdpx, a REFI-QDA project for NVivo, ATLAS.ti, MAXQDA or QualCoder.")] = False,
) -> None:
    """Export a saved run for a workshop, from validated insights only (unless --include-drafts),
    or (--qdpx) as a REFI-QDA project: themes as codes, segments as coded selections."""
    if qdpx:
        from .report.qdpx import export_qdpx
        from .synthesis import Synthesis

        try:
            written_qdpx = export_qdpx(Synthesis.load(run_dir), Path(run_dir) / "project.qdpx")
        except VocSynthError as err:
            _fail(err)
            return
        out.print(f"REFI-QDA project (validated against Project.xsd): {written_qdpx}", highlight=False, markup=False)
        if not workshop:
            return
    from .review import REVIEW_FILE, apply_review
    from .synthesis import Synthesis
    from .workshop import export_workshop

    if not workshop:
        raise typer.BadParameter("say what to export: --workshop (deck.pptx, stickies.csv, cards.html, pre-read.md) "
                                 "or --qdpx (REFI-QDA project)")
    try:
        synthesis = Synthesis.load(run_dir)
        path = review_file
        if path is None and not no_review and (Path(run_dir) / REVIEW_FILE).is_file():
            path = Path(run_dir) / REVIEW_FILE
        if path is not None:
            synthesis, report = apply_review(synthesis, path)
            print_review_report(report)
        written = export_workshop(synthesis, run_dir, include_drafts=include_drafts)
    except VocSynthError as err:
        _fail(err)
        return
    out.print(f"Workshop kit in {written[0].parent}:", highlight=False, markup=False)
    for file in written:
        out.print(f"  {file.name}", highlight=False, markup=False)
