"""`voc-synth bench` / `python -m voc_synth.bench`: the benchmark's command line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ..errors import VocSynthError


def _console() -> Console:
    # Wide enough for the step tables when the output goes to a file.
    return Console(width=None if sys.stdout.isatty() else 200)


def bench_command(
    sizes: Annotated[str, typer.Option(
        "--sizes", help="Synthetic corpus sizes in pipeline segments, comma-separated: 1k,10k,100k "
                        "(add 1m for a million; an empty string for none).")] = "1k,10k,100k",
    demo: Annotated[bool, typer.Option("--demo/--no-demo", help="Also run on the demo corpus (corpora/demo_shop).")] = True,
    demo_path: Annotated[Path | None, typer.Option("--demo-path", help="Another corpus folder with an ANSWER_KEY.yaml to run as 'demo'.")] = None,
    json_path: Annotated[Path | None, typer.Option("--json", help="Results file (default: runs/bench/bench-<timestamp>.json).")] = None,
    compare: Annotated[Path | None, typer.Option("--compare", help="An earlier results file: print the changes against it.")] = None,
    show: Annotated[list[Path] | None, typer.Option("--show", help="Print saved results (repeat to merge several files; with --compare, the changes) without running anything.")] = None,
    work_dir: Annotated[Path, typer.Option("--work-dir", help="Where synthetic corpora (kept and reused), caches and run folders go.")] = Path("runs/bench"),
    seed: Annotated[int, typer.Option("--seed", help="Seed of the synthetic corpora.")] = 0,
    sentiment: Annotated[str | None, typer.Option("--sentiment", help="Sentiment backend to use instead of the corpus config's (e.g. vader).")] = None,
    bertopic: Annotated[bool, typer.Option("--bertopic/--no-bertopic", help="Run plain BERTopic beside the pipeline.")] = True,
    isolate: Annotated[bool, typer.Option("--isolate/--in-process", help="Run each measurement in its own process (default) or all in this one (quicker, memory figures then accumulate).")] = True,
    profile: Annotated[Path | None, typer.Option("--profile", help="Write a pyinstrument profile of every run into this folder.")] = None,
    timeout: Annotated[float | None, typer.Option("--timeout", help="Give up on a single run after this many seconds.")] = None,
    markdown: Annotated[Path | None, typer.Option("--markdown", help="Also write the headline figures as Markdown tables to this file.")] = None,
    threads: Annotated[int | None, typer.Option("--threads", min=1, help="Cap torch and numba threads in every run (both systems alike); default: the libraries' own.")] = None,
    keep: Annotated[bool, typer.Option("--keep", help="Keep the run folders, caches and assignments under --work-dir.")] = False,
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="Run the pipeline on Dask (local:N or tcp://HOST:8786); with local:N also on one worker, for the 1 vs N ratio and a projection to more machines.")] = None,
    partition_size: Annotated[int | None, typer.Option("--partition-size", min=64, help="Records per task with --scheduler (default: the config's execution.partition_size).")] = None,
) -> None:
    """Benchmark the pipeline step by step (time, throughput, peak memory, cache cold/warm) on
    synthetic corpora and the demo corpus, side by side with plain BERTopic."""
    from .corpora import parse_sizes
    from .results import deltas, load_json, merge_results
    from .runner import command_line, run_bench
    from .table import deltas_table, print_corpus, print_results, targets_table

    out = _console()
    err = Console(stderr=True)
    try:
        old = load_json(compare) if compare else None
        if show:
            results = merge_results([load_json(path) for path in show])
            print_results(results, out)
        else:
            if scheduler:
                from ..distributed.address import parse_scheduler

                parse_scheduler(scheduler)  # a bad address stops here, before any corpus is written
            try:
                size_list = parse_sizes(sizes)
            except ValueError as problem:
                raise typer.BadParameter(str(problem), param_hint="--sizes") from None
            if profile is not None:
                try:
                    import pyinstrument  # noqa: F401
                except ImportError:
                    raise typer.BadParameter("--profile needs pyinstrument (pip install pyinstrument)") from None
            results = run_bench(
                size_list, demo=demo, demo_path=demo_path, work_dir=work_dir, json_path=json_path,
                seed=seed, sentiment=sentiment, bertopic=bertopic, isolate=isolate, profile_dir=profile,
                timeout=timeout, threads=threads, keep=keep, scheduler=scheduler, partition_size=partition_size,
                command=command_line(), console=err,
                on_corpus=lambda corpus: print_corpus(corpus, out),
            )
            if results["targets"]:
                out.print(targets_table(results["targets"]))
            if results.get("startup_s"):
                out.print(f"Per-run figures start from a preloaded process; a fresh `voc-synth` process "
                          f"also spends {results['startup_s']:.1f} s importing its libraries.", highlight=False)
            out.print(f"Results: {results['json']}", highlight=False)
        if old is not None:
            out.print(deltas_table(deltas(old, results), str(compare)))
        if markdown is not None:
            from .table import markdown_summary

            markdown.parent.mkdir(parents=True, exist_ok=True)
            markdown.write_text(markdown_summary(results), encoding="utf-8")
            out.print(f"Markdown summary: {markdown}", highlight=False)
    except (ValueError, OSError) as problem:
        err.print(f"[bold red]error:[/] {problem}", highlight=False)
        raise typer.Exit(code=1) from None
    except VocSynthError as problem:
        err.print(f"[bold red]error:[/] {problem}", highlight=False)
        raise typer.Exit(code=problem.exit_code) from None
    failed = [f"{c['name']}/{name}" for c in results.get("corpora", [])
              for name, run in c.get("runs", {}).items() if run.get("error")]
    if failed and not show:
        err.print(f"[red]{len(failed)} run(s) failed: {', '.join(failed)}[/]")
        raise typer.Exit(code=1)


def main() -> None:
    """`python -m voc_synth.bench`."""
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    app.command()(bench_command)
    app()
