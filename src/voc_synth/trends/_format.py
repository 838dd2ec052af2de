"""Numbers and sentences of a comparison as both reports (HTML and Markdown) show them."""

from __future__ import annotations

from ..report._common import fmt_signed
from .result import MomentChange, RunComparison, StageChange, ThemeChange

STATUS_TITLES = {
    "new": "New themes",
    "gone": "Gone themes",
    "grown": "Grown themes",
    "shrunk": "Shrunk themes",
}
STATUS_NONE = {
    "new": "No theme is new.",
    "gone": "No theme is gone.",
    "grown": "No theme grew significantly.",
    "shrunk": "No theme shrank significantly.",
}


def share(value: float) -> str:
    """A share of records, e.g. "4.7%"."""
    return f"{value * 100:.1f}%"


def points(value: float | None) -> str:
    """A difference in shares in percentage points, e.g. "+8.3 pts"."""
    return "–" if value is None else f"{fmt_signed(value * 100, 1)} pts"


def share_change(change: ThemeChange) -> str:
    """The change in share with its 95% interval, e.g. "+8.3 pts [+6.0, +10.6]"."""
    return (f"{points(change.difference)} [{fmt_signed(change.ci_low * 100, 1)}, "
            f"{fmt_signed(change.ci_high * 100, 1)}]")


def q_text(q: float | None) -> str:
    """A q-value as a reader wants it: "q < 0.001", "q = 0.04"."""
    if q is None:
        return "–"
    return "q < 0.001" if q < 0.001 else f"q = {q:.3f}" if q < 0.01 else f"q = {q:.2f}"


def records(n: int, of: float) -> str:
    """"51 (4.4%)"."""
    return f"{n:,} ({share(of)})"


def members(change: ThemeChange, run: str) -> str:
    """The run's own themes in the family with the run's own counts, e.g. "#6 App crashed (58)"."""
    themes = change.themes_a if run == "a" else change.themes_b
    return "; ".join(f"#{m.theme_id} {m.label} ({m.records:,})" for m in themes) or "no theme"


def was_label(change: ThemeChange) -> str:
    """Run A's name for the theme when run B names it differently ("" otherwise)."""
    return change.label_a if change.label_a and change.label_b and change.label_a != change.label_b else ""


def mean(value: float | None) -> str:
    return "no data" if value is None else fmt_signed(value)


def stage_change(stage: StageChange) -> str:
    """"−0.17 [−0.23, −0.10]"."""
    if stage.difference is None:
        return "–"
    return f"{fmt_signed(stage.difference)} [{fmt_signed(stage.ci_low)}, {fmt_signed(stage.ci_high)}]"


def moment_sentence(moment: MomentChange, name_a: str, name_b: str) -> str:
    """What happened to one kind of moment that matters, in words."""
    a = " and ".join(moment.stages_a) or "no stage"
    b = " and ".join(moment.stages_b) or "no stage"
    if moment.status == "unchanged":
        return f"{moment.label}: still at {b}."
    if moment.status == "none":
        return f"{moment.label}: none in either run."
    if moment.status == "appeared":
        return f"{moment.label}: new at {b} (none in {name_a})."
    if moment.status == "disappeared":
        return f"{moment.label}: was at {a} in {name_a}, none in {name_b}."
    return f"{moment.label}: moved from {a} ({name_a}) to {b} ({name_b})."


def headline(comparison: RunComparison) -> str:
    """One sentence with the counts, e.g. "1 new, 1 gone, 1 grown, 1 shrunk; 1 stage's emotion moved"."""
    c = comparison.counts
    stages = c["stages moved"]
    moved = (f"{stages} stage{'s' if stages != 1 else ''} moved in emotion" if stages
             else "no stage moved in emotion")
    return f"{c['new']} new, {c['gone']} gone, {c['grown']} grown, {c['shrunk']} shrunk; {moved}."


def method_notes(comparison: RunComparison) -> list[str]:
    """How the comparison was made, in plain sentences."""
    m = comparison.method
    alpha = m["alpha"]
    a, b = comparison.run_a["name"], comparison.run_b["name"]
    if m["matched_by"] == "centroids":
        how = (f"by the centroids of their embeddings ({m['embedding_model']}): the runs share "
               f"{m['shared_texts']:.0%} of their segment texts, too few to judge by overlap")
    else:
        how = (f"by the segments they share and the centroids of their embeddings ({m['embedding_model']}); "
               f"the runs share {m['shared_texts']:.0%} of their segment texts")
    return [
        f"Themes of the two runs were paired with the matcher that carries review decisions between runs, {how}. "
        "Themes one run splits and the other does not are kept together as one family; so is a theme only "
        "one run has whose closest theme in the other run changed significantly the same way (a finer cut "
        "of a subject that grew or shrank), and two such themes that mirror each other "
        f"({m['theme_families']} families).",
        "Each family was counted the same way in both runs: a themed segment counts for the theme (of either run) "
        "whose centroid is nearest, and a record counts once per family. Shares are of the records with a "
        f"themed segment ({m['themed_records_a']:,} and {m['themed_records_b']:,}). The runs' own theme sizes are "
        "listed beside each theme.",
        "A share change is tested with a two-proportion z-test (Fisher's exact test for small counts); the "
        "p-values of all families are adjusted with Benjamini–Hochberg, and a change is called significant "
        f"only at q < {alpha:g}. Intervals are 95% (Wald) for the difference in shares.",
        "A stage's emotion is its mean sentiment (−1…1), as on the map. The 95% interval of its change comes "
        f"from a bootstrap that resamples whole records ({m['bootstrap_reps']:,} resamples, seed {m['seed']}); "
        f"stages are adjusted with Benjamini–Hochberg too and called moved only at q < {alpha:g}.",
        f"New means {b} has a theme for it that {a} has not and its share grew significantly; gone, the reverse. "
        "A theme only one run separated out, with its content as common in both, is no significant change.",
    ]
