"""Scaling figures of `voc-synth bench --scheduler local:N`: per step, one worker against N,
each worker's peak memory, and a *projection* to more machines.

The projection fits Amdahl's law to each step's two measured times: with t1 on one worker and
tN on N, the part that sped up is p = (t1 - tN) * N / (N - 1) and the rest s = t1 - p stays
serial, so on M workers the step would take s + p / M. It assumes every added machine brings
one worker as fast as a measured one and that nothing else (network, scheduler, the client's
own steps) gets slower — an estimate to plan with, never a measurement, and labelled so.
"""

from __future__ import annotations

from typing import Any

from rich.table import Table

#: Machines the projection is made for.
PROJECTED_MACHINES = (8, 32)
PROJECTION_NOTE = ("projection, not a measurement: Amdahl's law fitted per step to the 1- and N-worker runs, "
                   "one worker per machine as fast as a measured one; network, scheduler and client limits ignored")


def local_workers(scheduler: str | None) -> int | None:
    """N of a `local:N` scheduler (None for a remote one or none)."""
    from ..distributed.address import parse_scheduler

    if not scheduler:
        return None
    spec = parse_scheduler(scheduler)
    return spec.n_workers if spec.local else None


def _amdahl(t1: float, tn: float, n: int) -> tuple[float, float]:
    """(serial s, parallel p) with s + p = t1 and s + p / n = tn, both clamped to [0, t1]."""
    if n <= 1:
        return t1, 0.0
    parallel = min(max((t1 - tn) * n / (n - 1), 0.0), t1)
    return t1 - parallel, parallel


def scaling_result(one: dict[str, Any] | None, many: dict[str, Any] | None, n_workers: int) -> dict[str, Any]:
    """Per-step seconds on 1 and `n_workers` workers, their ratio, the workers' peak memory, and
    the projection to `PROJECTED_MACHINES` machines (see the module docstring)."""
    out: dict[str, Any] = {"workers": n_workers, "note": PROJECTION_NOTE}
    if not one or not many or one.get("error") or many.get("error"):
        out["available"] = False
        out["why"] = "a run failed" if (one or many) else "not run"
        return out
    steps: dict[str, Any] = {}
    total_1 = total_n = 0.0
    serial = parallel = 0.0
    for name, record in many.get("steps", {}).items():
        t_n = record.get("seconds")
        t_1 = one.get("steps", {}).get(name, {}).get("seconds")
        if t_n is None or t_1 is None:
            continue
        s, p = _amdahl(float(t_1), float(t_n), n_workers)
        total_1, total_n, serial, parallel = total_1 + t_1, total_n + t_n, serial + s, parallel + p
        steps[name] = {"seconds_1_worker": t_1, f"seconds_{n_workers}_workers": t_n,
                       "ratio_1_vs_n": round(t_1 / t_n, 3) if t_n > 0 else None,
                       "projected_s": {str(m): round(s + p / m, 1) for m in PROJECTED_MACHINES}}
    out.update({
        "available": True,
        "steps": steps,
        "total_s": {"1": round(total_1, 3), str(n_workers): round(total_n, 3)},
        "ratio_1_vs_n": round(total_1 / total_n, 3) if total_n > 0 else None,
        "projection": {str(m): round(serial + parallel / m, 1) for m in PROJECTED_MACHINES},
        "serial_share": round(serial / total_1, 3) if total_1 > 0 else None,
        "worker_peak_rss_mb": {
            "1": (one.get("execution") or {}).get("worker_peak_rss_mb", {}),
            str(n_workers): (many.get("execution") or {}).get("worker_peak_rss_mb", {}),
        },
        "cluster_start_s": {"1": (one.get("execution") or {}).get("startup_s"),
                            str(n_workers): (many.get("execution") or {}).get("startup_s")},
    })
    return out


def scaling_table(corpus: dict[str, Any]) -> Table | None:
    """The scaling figures of one corpus as a rich table (None when there are none)."""
    scaling = corpus.get("scaling")
    if not scaling or not scaling.get("available"):
        return None
    n = scaling["workers"]
    table = Table(title=f"{corpus['name']}: 1 vs {n} workers; projected machines are a PROJECTION",
                  title_justify="left", caption=scaling["note"], caption_justify="left")
    table.add_column("step")
    for label in ("1 worker s", f"{n} workers s", "ratio 1/N",
                  *(f"{m} machines s (projection)" for m in PROJECTED_MACHINES)):
        table.add_column(label, justify="right")
    for name, row in scaling["steps"].items():
        table.add_row(name, f"{row['seconds_1_worker']:.1f}", f"{row[f'seconds_{n}_workers']:.1f}",
                      "-" if row["ratio_1_vs_n"] is None else f"{row['ratio_1_vs_n']:.2f}",
                      *(f"{row['projected_s'][str(m)]:.1f}" for m in PROJECTED_MACHINES))
    totals = scaling["total_s"]
    table.add_row("= all steps", f"{totals['1']:.1f}", f"{totals[str(n)]:.1f}",
                  "-" if scaling["ratio_1_vs_n"] is None else f"{scaling['ratio_1_vs_n']:.2f}",
                  *(f"{scaling['projection'][str(m)]:.1f}" for m in PROJECTED_MACHINES), style="bold")
    for runs, peaks in scaling["worker_peak_rss_mb"].items():
        if peaks:
            table.add_row(f"peak MB per worker ({runs} worker{'s' if runs != '1' else ''})",
                          ", ".join(f"{v:,.0f}" for v in peaks.values()), "", "", *("" for _ in PROJECTED_MACHINES))
    return table
