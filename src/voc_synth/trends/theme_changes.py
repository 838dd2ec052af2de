"""Verdicts on theme families: new, gone, grown, shrunk, or no significant change.

A family's share of records in A and in B (both measured with one yardstick, see
`prevalence.py`) is tested with a two-proportion test; the p-values of all families are adjusted
with Benjamini–Hochberg. Only a change with q below `alpha` gets a verdict:

- **new**: B has a theme for it, A has none, and its share grew significantly;
- **gone**: A had a theme for it, B has none, and its share fell significantly;
- **grown** / **shrunk**: any other significant rise / fall;
- otherwise **no significant change** — including a theme only one run separated out whose
  content the other run has just as often (a difference in clustering, not in customers).

Differences in clustering are undone first (`merge_finer_cuts`). A subject that grows is often
split into finer themes by the later run (more records, more structure), and the pieces with no
counterpart in the earlier run then rise along with the theme they were cut from: such a piece
joins the family of its closest theme in the other run when that family changed significantly
the same way — a finer cut of a subject that grew (or shrank), not a new (or vanished) one. And
when each run kept its own theme for one subject, the two are joined if they mirror each other.
Counts and tests are then redone on the final families.
"""

from __future__ import annotations

from collections.abc import Hashable

from ..report._common import JourneyView, ThemeView
from .pairing import Family
from .prevalence import Prevalence
from .result import ExampleQuote, MemberTheme, ThemeChange
from .stats import ProportionTest, benjamini_hochberg, two_proportion_test


def _test(families: list[Family], a: Prevalence, b: Prevalence) -> tuple[list[ProportionTest], list[float]]:
    tests = [two_proportion_test(a.records(f.members), a.themed_records, b.records(f.members), b.themed_records)
             for f in families]
    return tests, benjamini_hochberg([t.p_value for t in tests])


def _direction(test: ProportionTest, q: float, alpha: float) -> int:
    return 0 if q >= alpha else (1 if test.difference > 0 else -1)


def _lead(family: Family, a: Prevalence, b: Prevalence) -> tuple[str, int]:
    """The family's theme with the most records (one-sided families are usually one theme)."""
    return max(family.members, key=lambda m: (len(a.documents.get(m, ())) + len(b.documents.get(m, ())), m))


def merge_finer_cuts(
    families: list[Family],
    a: Prevalence,
    b: Prevalence,
    closest: dict[tuple[str, int], tuple[str, int]],
    alpha: float,
) -> list[Family]:
    """Fold significant one-sided families into the family they are a different cut of.

    A one-sided family joins the family of its largest theme's closest theme in the other run
    when that family has themes in both runs and moved significantly the same way (a finer cut of
    a subject that grew or shrank). Two one-sided families of different runs that are each
    other's closest and moved significantly in opposite directions are joined too: each run kept
    its own theme for one subject, and counting by nearest centroid favours a run's own theme.
    """
    tests, q_values = _test(families, a, b)
    moved = [_direction(t, q, alpha) for t, q in zip(tests, q_values, strict=True)]
    index: dict[Hashable, int] = {member: i for i, f in enumerate(families) for member in f.members}
    parent = list(range(len(families)))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i, family in enumerate(families):
        if family.kind == "both" or not moved[i]:
            continue
        j = index.get(closest.get(_lead(family, a, b)))
        if j is None or j == i:
            continue
        other = families[j]
        same_way = other.kind == "both" and moved[j] == moved[i]
        mirrored = (other.kind not in ("both", family.kind) and moved[j] == -moved[i]
                    and index.get(closest.get(_lead(other, a, b))) == i)
        if same_way or mirrored:
            parent[root(i)] = root(j)
    grouped: dict[int, Family] = {}
    for i, family in enumerate(families):
        r = root(i)
        grouped[r] = grouped[r].merged(family) if r in grouped else family
    return [grouped[r] for r in sorted(grouped)]


def _members(view: JourneyView, theme_ids: list[int]) -> list[ThemeView]:
    known = {t.theme_id: t for t in view.themes}
    members = [known[t] for t in theme_ids if t in known]
    return sorted(members, key=lambda t: (-t.n_documents, t.theme_id))


def _verdict(family: Family, significant: bool, difference: float) -> str:
    if not significant:
        return "no significant change"
    if difference > 0:
        return "new" if family.kind == "only_b" else "grown"
    return "gone" if family.kind == "only_a" else "shrunk"


def _quote(themes: list[ThemeView], run: str) -> ExampleQuote | None:
    for theme in themes:
        for quote in theme.quotes:
            if quote.text:
                return ExampleQuote(text=quote.text, attribution=quote.attribution, run=run)
    return None


def theme_changes(
    families: list[Family],
    prevalence_a: Prevalence,
    prevalence_b: Prevalence,
    closest: dict[tuple[str, int], tuple[str, int]],
    view_a: JourneyView,
    view_b: JourneyView,
    *,
    names: tuple[str, str] = ("A", "B"),
    alpha: float = 0.05,
) -> list[ThemeChange]:
    """One `ThemeChange` per final family, verdicts first (new, gone, grown, shrunk), largest first."""
    families = merge_finer_cuts(families, prevalence_a, prevalence_b, closest, alpha)
    tests, q_values = _test(families, prevalence_a, prevalence_b)
    changes = []
    for i, (family, test, q) in enumerate(zip(families, tests, q_values, strict=True)):
        members_a, members_b = _members(view_a, family.themes_a), _members(view_b, family.themes_b)
        lead = (members_b or members_a)[0] if (members_b or members_a) else None
        status = _verdict(family, q < alpha, test.difference)
        # A quote from the run where the theme is (or was) more common shows what it is about.
        quote = _quote(members_a, names[0]) if status in ("gone", "shrunk") else None
        quote = quote or _quote(members_b, names[1]) or _quote(members_a, names[0])
        changes.append(ThemeChange(
            family=i,
            status=status,
            label=lead.label if lead else f"Theme family {i}",
            label_a=members_a[0].label if members_a else "",
            label_b=members_b[0].label if members_b else "",
            stage_id=lead.primary_stage if lead else "",
            stage=lead.stage_name if lead else "",
            themes_a=[MemberTheme(t.theme_id, t.label, t.n_documents) for t in members_a],
            themes_b=[MemberTheme(t.theme_id, t.label, t.n_documents) for t in members_b],
            records_a=prevalence_a.records(family.members),
            records_b=prevalence_b.records(family.members),
            share_a=test.share_a,
            share_b=test.share_b,
            difference=test.difference,
            ci_low=test.ci_low,
            ci_high=test.ci_high,
            p_value=test.p_value,
            q_value=q,
            test=test.method,
            quote=quote,
        ))
    order = {"new": 0, "gone": 1, "grown": 2, "shrunk": 3}
    changes.sort(key=lambda c: (order.get(c.status, 4), -max(c.records_a, c.records_b), c.family))
    return changes
