"""Printing bench results as rich tables: per step (cold and warm), against plain BERTopic, the
targets, and the deltas against an earlier result file."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .measure import ANALYSIS_STEPS, OUR_STEPS
from .results import RUNS, analysis_cpu_s, analysis_jit_s, analysis_peak_mb, analysis_seconds


def _s(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.1f}" if value >= 100 else f"{value:.2f}"


def _n(value: float | None, digits: int = 0) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def _x(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}×"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _cache(record: dict[str, Any]) -> str:
    state = record.get("cache", "-")
    if "cache_hits" in record:
        return f"{state} ({record['cache_hits']:,} hits, {record['encoded']:,} encoded)"
    return state


def steps_table(corpus: dict[str, Any]) -> Table:
    runs = corpus.get("runs", {})
    cold, warm = runs.get("ours_cold") or {}, runs.get("ours_warm") or {}
    n = corpus.get("segments")
    title = f"{corpus['name']}: voc_synth per step"
    if n:
        title += f" ({n:,} segments, {corpus.get('records') or 0:,} records)"
    table = Table(title=title, title_justify="left")
    table.add_column("step")
    for label in ("cold s", "cold CPU s", "cold seg/s", "cold peak RSS MB", "warm s", "warm seg/s", "warm peak RSS MB",
                  "JIT s (cold)", "embedding cache cold / warm"):
        table.add_column(label, justify="right" if "cache" not in label else "left")
    cold_steps, warm_steps = cold.get("steps", {}), warm.get("steps", {})
    names = [s for s in OUR_STEPS if s in cold_steps or s in warm_steps]
    names += [s for s in cold_steps if s not in names]
    for name in names:
        c, w = cold_steps.get(name, {}), warm_steps.get(name, {})
        table.add_row(name, _s(c.get("seconds")), _s(c.get("cpu_s")), _n(c.get("segments_per_s")), _n(c.get("rss_peak_mb")),
                      _s(w.get("seconds")), _n(w.get("segments_per_s")), _n(w.get("rss_peak_mb")),
                      _s(c.get("jit_s")), f"{_cache(c) if c else '-'} / {_cache(w) if w else '-'}")
    a_cold, a_warm = analysis_seconds(cold), analysis_seconds(warm)
    table.add_row(f"= analysis ({' + '.join(ANALYSIS_STEPS)})", _s(a_cold), _s(analysis_cpu_s(cold)),
                  _n(n / a_cold if n and a_cold else None), _n(analysis_peak_mb(cold)), _s(a_warm),
                  _n(n / a_warm if n and a_warm else None), _n(analysis_peak_mb(warm)),
                  _s(analysis_jit_s(cold)), "", style="bold")
    table.add_row("= end to end", _s(cold.get("total_s")), _s(cold.get("total_cpu_s")),
                  _n(n / cold["total_s"] if n and cold.get("total_s") else None), _n(cold.get("maxrss_mb")),
                  _s(warm.get("total_s")), _n(n / warm["total_s"] if n and warm.get("total_s") else None),
                  _n(warm.get("maxrss_mb")), _s(cold.get("jit_s")), "peak = getrusage max RSS", style="bold")
    return table


def bertopic_table(corpus: dict[str, Any]) -> Table:
    runs = corpus.get("runs", {})
    comparison = corpus.get("comparison", {})
    quality = corpus.get("quality", {})
    table = Table(title=f"{corpus['name']}: voc_synth vs plain BERTopic (same segments, same model)",
                  title_justify="left")
    for label in ("", "ours cold", "BERTopic cold", "ratio cold", "ours warm", "BERTopic warm", "ratio warm"):
        table.add_column(label, justify="left" if not label else "right")
    seconds = comparison.get("analysis_s", {})
    table.add_row("analysis s (embed+themes | fit_transform)", _s(seconds.get("ours_cold")),
                  _s(seconds.get("bertopic_cold")), _x(comparison.get("time_ratio_cold")),
                  _s(seconds.get("ours_warm")), _s(seconds.get("bertopic_warm")),
                  _x(comparison.get("time_ratio_warm")))
    cpu = comparison.get("analysis_cpu_s", {})
    table.add_row("analysis CPU s (all threads)", _s(cpu.get("ours_cold")), _s(cpu.get("bertopic_cold")),
                  _x(comparison.get("cpu_ratio_cold")), _s(cpu.get("ours_warm")), _s(cpu.get("bertopic_warm")),
                  _x(comparison.get("cpu_ratio_warm")))
    jit = comparison.get("analysis_jit_s", {})
    table.add_row("  of which numba JIT s", _s(jit.get("ours_cold")), _s(jit.get("bertopic_cold")), "",
                  _s(jit.get("ours_warm")), _s(jit.get("bertopic_warm")), "")
    peaks = comparison.get("analysis_peak_rss_mb", {})
    table.add_row("analysis peak RSS MB", _n(peaks.get("ours_cold")), _n(peaks.get("bertopic_cold")),
                  _x(comparison.get("memory_ratio_cold")), _n(peaks.get("ours_warm")),
                  _n(peaks.get("bertopic_warm")), _x(comparison.get("memory_ratio_warm")))
    maxrss = comparison.get("process_maxrss_mb", {})
    table.add_row("process max RSS MB (ours: end to end)", _n(maxrss.get("ours_cold")),
                  _n(maxrss.get("bertopic_cold")), _x(comparison.get("process_memory_ratio_cold")),
                  _n(maxrss.get("ours_warm")), _n(maxrss.get("bertopic_warm")),
                  _x(comparison.get("process_memory_ratio_warm")))
    if quality.get("available"):
        for metric, fmt in (("nmi", lambda v: _n(v, 3)), ("ari", lambda v: _n(v, 3)),
                            ("unthemed_share", _pct), ("n_themes", _n)):
            values = {name: quality.get(name, {}).get(metric) for name in RUNS}
            cold_ratio = (quality.get(f"{metric}_ratio") if metric in ("nmi", "ari") else None)
            label = {"nmi": "NMI vs planted themes", "ari": "ARI vs planted themes",
                     "unthemed_share": "unthemed (all segments)", "n_themes": "themes found"}[metric]
            warm_ratio = None
            if metric in ("nmi", "ari") and values["ours_warm"] is not None and values["bertopic_warm"]:
                warm_ratio = values["ours_warm"] / values["bertopic_warm"]
            table.add_row(label, fmt(values["ours_cold"]), fmt(values["bertopic_cold"]), _x(cold_ratio),
                          fmt(values["ours_warm"]), fmt(values["bertopic_warm"]), _x(warm_ratio))
    else:
        table.add_row("theme quality", quality.get("why", "no planted themes"), "", "", "", "", "")
    speedup = comparison.get("speedup_warm_vs_bertopic_cold")
    table.add_row("ours warm vs BERTopic cold", "", "", "", _s(seconds.get("ours_warm")),
                  _s(seconds.get("bertopic_cold")),
                  f"{speedup:.1f}× faster" if speedup else "-", style="bold")
    for name in RUNS:
        run = runs.get(name) or {}
        if run.get("error"):
            table.add_row(f"[red]{name} failed[/]", escape(run["error"][:160]), "", "", "", "", "")
    return table


def targets_table(targets: list[dict[str, Any]]) -> Table:
    table = Table(title="Targets (2-core machine)", title_justify="left")
    for label in ("target", "corpus", "value", "threshold", "met", "note"):
        table.add_column(label, justify="right" if label in ("value", "threshold") else "left")
    for t in targets:
        met = {True: "[green]met[/]", False: "[red]MISSED[/]", None: "not measured"}[t["met"]]
        value = t["value"]
        table.add_row(t["target"], t["corpus"], "-" if value is None else f"{value:,.3f}",
                      f"{t['threshold']:,.3f}", met, escape(t.get("note", "")))
    return table


def deltas_table(rows: list[dict[str, Any]], old_name: str, limit: int | None = None) -> Table:
    table = Table(title=f"Changes against {old_name} (new - old)", title_justify="left")
    for label in ("corpus", "metric", "old", "new", "change", "change %"):
        table.add_column(label, justify="left" if label in ("corpus", "metric") else "right")
    for row in rows[:limit] if limit else rows:
        pct = row["change_pct"]
        style = ""
        if pct is not None and abs(pct) >= 10 and (".seconds" in row["metric"] or "_mb" in row["metric"]
                                                   or row["metric"].endswith("total_s")):
            style = "red" if pct > 0 else "green"
        table.add_row(row["corpus"], row["metric"], f"{row['old']:,.3f}", f"{row['new']:,.3f}",
                      f"{row['change']:+,.3f}", "-" if pct is None else f"{pct:+.1f}%", style=style)
    return table


def print_results(results: dict[str, Any], console: Console) -> None:
    """Every corpus's tables, then the targets."""
    for corpus in results.get("corpora", []):
        print_corpus(corpus, console)
    if results.get("targets"):
        console.print(targets_table(results["targets"]))
    startup = results.get("startup_s")
    if startup:
        console.print(f"Per-run figures start from a preloaded process; a fresh `voc-synth` process "
                      f"also spends {startup:.1f} s importing its libraries.", highlight=False)


def print_corpus(corpus: dict[str, Any], console: Console) -> None:
    from .scaling import scaling_table

    console.print(steps_table(corpus))
    console.print(bertopic_table(corpus))
    scaling = scaling_table(corpus)
    if scaling is not None:
        console.print(scaling)


def markdown_summary(results: dict[str, Any]) -> str:
    """The headline figures as Markdown tables (for docs/benchmarks/README.md)."""
    lines = []
    commands = results.get("commands") or [results.get("command")]
    lines.append("Command" + ("s" if len(commands) > 1 else "") + ":\n")
    lines.append("```bash")
    lines.extend(c for c in commands if c)
    lines.append("```\n")
    machine = results.get("machine", {})
    settings = results.get("settings", {})
    lines.append(f"Machine: {machine.get('cpu_count')} cores ({machine.get('cpu_model', 'unknown CPU')}), "
                 f"{machine.get('memory_gb')} GB; torch/numba threads: {settings.get('threads')}; "
                 f"versions: " + ", ".join(f"{k} {v}" for k, v in results.get("versions", {}).items()
                                           if k in ("voc_synth", "bertopic", "sentence-transformers", "torch",
                                                    "umap-learn", "hdbscan")) + ".\n")
    lines.append("| corpus | segments | ours cold: end to end s / peak MB | analysis s: ours cold / BERTopic cold (ratio) "
                 "| analysis s: ours warm / BERTopic warm (ratio) | ours warm vs BERTopic cold | NMI ours / BERTopic "
                 "| ARI ours / BERTopic | unthemed ours / BERTopic | load avg after (1 min) |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for corpus in results.get("corpora", []):
        runs, comp, q = corpus.get("runs", {}), corpus.get("comparison", {}), corpus.get("quality", {})
        cold = runs.get("ours_cold") or {}
        s = comp.get("analysis_s", {})
        qo, qb = q.get("ours_cold", {}), q.get("bertopic_cold", {})
        speed = comp.get("speedup_warm_vs_bertopic_cold")
        load = (corpus.get("loadavg") or {}).get("after") or ["-"]
        lines.append(
            f"| {corpus['name']} | {corpus.get('segments') or 0:,} | {_s(cold.get('total_s'))} / {_n(cold.get('maxrss_mb'))} "
            f"| {_s(s.get('ours_cold'))} / {_s(s.get('bertopic_cold'))} ({_x(comp.get('time_ratio_cold'))}) "
            f"| {_s(s.get('ours_warm'))} / {_s(s.get('bertopic_warm'))} ({_x(comp.get('time_ratio_warm'))}) "
            f"| {'-' if speed is None else f'{speed:.1f}× faster'} "
            f"| {_n(qo.get('nmi'), 3)} / {_n(qb.get('nmi'), 3)} | {_n(qo.get('ari'), 3)} / {_n(qb.get('ari'), 3)} "
            f"| {_pct(qo.get('unthemed_share'))} / {_pct(qb.get('unthemed_share'))} | {load[0]} |")
    lines.append("")
    lines.append("Per step, our pipeline (cold cache | warm cache): seconds, CPU seconds, peak RSS MB.\n")
    lines.append("| corpus | " + " | ".join(OUR_STEPS) + " |")
    lines.append("|---|" + "---:|" * len(OUR_STEPS))
    for corpus in results.get("corpora", []):
        for state in ("cold", "warm"):
            steps = (corpus.get("runs", {}).get(f"ours_{state}") or {}).get("steps", {})
            if not steps:
                continue
            cells = []
            for name in OUR_STEPS:
                r = steps.get(name)
                cells.append("-" if not r else f"{_s(r.get('seconds'))} s, {_s(r.get('cpu_s'))} cpu, {_n(r.get('rss_peak_mb'))} MB")
            lines.append(f"| {corpus['name']} ({state}) | " + " | ".join(cells) + " |")
    lines.append("")
    if results.get("targets"):
        lines.append("| target | corpus | value | threshold | met | note |")
        lines.append("|---|---|---:|---:|---|---|")
        for t in results["targets"]:
            met = {True: "met", False: "**missed**", None: "not measured"}[t["met"]]
            value = "-" if t["value"] is None else f"{t['value']:,.3f}"
            lines.append(f"| {t['target']} | {t['corpus']} | {value} | {t['threshold']:,.3f} | {met} "
                         f"| {t.get('note', '')} |")
        lines.append("")
    return "\n".join(lines)
