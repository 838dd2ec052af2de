"""The comparison as Markdown, for wikis, pull requests and pre-reads.

Customer text (theme labels, quotes) goes through `report.markdown.md_text`, as in `report.md`,
so it cannot open a heading, a table cell, a link or raw HTML.
"""

from __future__ import annotations

from ..report.markdown import _table, md_text
from . import _format
from .result import RunComparison, ThemeChange


def _theme_table(items: list[ThemeChange], name_a: str, name_b: str) -> list[str]:
    rows = []
    for t in items:
        label = f"**{md_text(t.label)}**"
        if _format.was_label(t):
            label += f" (in {md_text(name_a)}: {md_text(_format.was_label(t))})"
        rows.append([label, md_text(t.stage) or "–", _format.records(t.records_a, t.share_a),
                     _format.records(t.records_b, t.share_b), _format.share_change(t), _format.q_text(t.q_value)])
    return _table(["Theme", "Stage", f"{md_text(name_a)}: records (share)", f"{md_text(name_b)}: records (share)",
                   "Change in share [95% CI]", "Significance"], rows, "llrrrr")


def _details(items: list[ThemeChange], name_a: str, name_b: str) -> list[str]:
    """Under a table: each theme's themes on both maps (their own counts) and a quote."""
    lines = []
    for t in items:
        lines.append(f"- *{md_text(t.label)}* — on the maps: {md_text(name_a)}: {md_text(_format.members(t, 'a'))}; "
                     f"{md_text(name_b)}: {md_text(_format.members(t, 'b'))}.")
        if t.quote:
            lines.append(f"  > “{md_text(t.quote.text)}” — {md_text(t.quote.attribution)} ({md_text(t.quote.run)})")
    return lines + [""] if lines else []


def render_trend_markdown(comparison: RunComparison) -> str:
    """The Markdown report of `comparison`."""
    a, b = comparison.run_a, comparison.run_b
    name_a, name_b = a["name"], b["name"]
    lines = [f"# {md_text(b['project'] or name_b)}: what changed since {md_text(name_a)}", "",
             f"*DRAFT. {md_text(name_a)} ({md_text(a['created_at']) or 'undated'}, {a['records']:,} records, "
             f"{a['themes']} themes) → {md_text(name_b)} ({md_text(b['created_at']) or 'undated'}, "
             f"{b['records']:,} records, {b['themes']} themes); journey framework “{md_text(b['framework'])}”.*", "",
             f"**{_format.headline(comparison)}**", ""]
    lines += ["## Themes that changed", "",
              f"Significant at q < {comparison.method['alpha']:g} after correcting for "
              f"{len(comparison.themes)} theme families.", ""]
    for status, title in _format.STATUS_TITLES.items():
        items = comparison.with_status(status)
        lines += [f"### {title} ({len(items)})", ""]
        if not items:
            lines += [f"*{_format.STATUS_NONE[status]}*", ""]
            continue
        lines += _theme_table(items, name_a, name_b) + _details(items, name_a, name_b)
    lines += ["## Emotion by stage", ""]
    lines += _table(
        ["Stage", f"{md_text(name_a)}: mean (n)", f"{md_text(name_b)}: mean (n)", "Change [95% CI]", "Significance",
         "Verdict"],
        [[md_text(s.name), f"{_format.mean(s.mean_a)} ({s.segments_a:,})", f"{_format.mean(s.mean_b)} ({s.segments_b:,})",
          _format.stage_change(s), _format.q_text(s.q_value),
          f"**{s.status}**" if s.status in ("more positive", "more negative") else s.status]
         for s in comparison.stages],
        "lrrrrl",
    )
    lines += ["## Moments that matter", ""]
    lines += [f"- {md_text(_format.moment_sentence(m, name_a, name_b), line_start=True)}" for m in comparison.moments]
    lines += ["", "## No significant change", ""]
    unchanged = comparison.with_status("no significant change")
    lines += _theme_table(unchanged, name_a, name_b) if unchanged else ["*None.*", ""]
    lines += ["## How this was compared", ""]
    lines += [f"- {md_text(note, line_start=True)}" for note in [*_format.method_notes(comparison), *comparison.notes]]
    return "\n".join(lines).rstrip() + "\n"
