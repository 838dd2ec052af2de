"""Apply the decisions in a review file to a `Synthesis`.

Every decision is honoured or reported: renamed labels, merged themes (segments, quotes and
counts combined, statistics recomputed by the pipeline's own `describe_themes`/`assemble`),
rejected themes taken off the map (kept in `meta["rejected_themes"]` for the appendix), stage
overrides, starred quotes first, hidden quotes removed, splits, and the researcher's status,
insight, severity, owner and notes copied onto the theme rows. A decision whose theme cannot be
found in this run is an orphan: reported, kept in the file, never dropped.

The theme-level result of the analysis itself is kept in `meta["review_base"]` (and each
segment's generated theme in `generated_theme_id`), so a reviewed run can be reviewed again —
`apply_review` always starts from what the analysis found, never from earlier decisions.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import journey
from ..errors import InputError
from ..insights import write_insights
from ..synthesis import Synthesis, frame_to_records
from ..tables import UNMAPPED_STAGE, UNTHEMED_ID, count_unthemed, themable
from .matching import Fingerprint, match_themes, theme_fingerprints
from .review_file import (
    Review,
    ReviewState,
    SplitDecision,
    ThemeDecision,
    ThemeState,
    load_state,
    read_review,
    save_state,
)

GENERATED_ID = "generated_theme_id"
GENERATED_LABEL = "generated_theme_label"
MAX_QUOTES = 6  # as many as the pipeline selects per theme
REVIEW_META_KEYS = ("review", "review_base", "rejected_themes")
THEME_REVIEW_COLUMNS = ("status", "insight", "severity", "owner", "notes", "review_id", "split_from",
                        "stage_override", "label_edited", "insight_edited", "opportunity")


@dataclass
class Orphan:
    """A decision whose theme is not in this run (kept in the file, reported here)."""

    id: int
    label: str
    status: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        return f"theme {self.id} “{self.label}” ({self.status}): {self.reason}"


@dataclass
class ReviewReport:
    """What applying a review did: matches, orphans, problems, counts."""

    path: Path | None = None
    matches: dict[int, int] = field(default_factory=dict)  # review id -> theme id in the run
    orphans: list[Orphan] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)       # decisions that could not be applied
    notes: list[str] = field(default_factory=list)          # how matching was done, etc.
    method: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    state_file: Path | None = None

    def summary_lines(self) -> list[str]:
        """Lines for a run summary (the CLI prints them)."""
        source = f" from {self.path}" if self.path else ""
        c = self.counts
        lines = [
            f"review{source}: {c.get('validated', 0)} validated, {c.get('rejected', 0)} rejected, "
            f"{c.get('draft', 0)} draft; {c.get('renamed', 0)} renamed, {c.get('merged', 0)} merged, "
            f"{c.get('split', 0)} split, {c.get('restaged', 0)} re-staged; themes matched by {self.method}"
        ]
        lines += [f"orphaned decision — {o}" for o in self.orphans]
        lines += [f"review: {p}" for p in self.problems]
        lines += [f"review: {n}" for n in self.notes]
        return lines

    def __str__(self) -> str:
        return "\n".join(self.summary_lines())

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": str(self.path) if self.path else None,
            "matches": {str(k): v for k, v in sorted(self.matches.items())},
            "orphans": [o.to_dict() for o in self.orphans],
            "problems": list(self.problems),
            "notes": list(self.notes),
            "method": self.method,
            "counts": dict(self.counts),
        }


# -- the analysis' own result, before any decision ---------------------------------------------
def generated_synthesis(synthesis: Synthesis) -> Synthesis:
    """The synthesis as the analysis produced it (undoing an earlier `apply_review`)."""
    base = synthesis.meta.get("review_base")
    if not base or GENERATED_ID not in synthesis.segments:
        return synthesis
    segments = synthesis.segments.copy()
    segments["theme_id"] = segments[GENERATED_ID].astype(int)
    segments["theme_label"] = segments[GENERATED_LABEL] if GENERATED_LABEL in segments else ""
    segments = segments.drop(columns=[c for c in (GENERATED_ID, GENERATED_LABEL) if c in segments])
    meta = {k: v for k, v in synthesis.meta.items() if k not in REVIEW_META_KEYS}
    meta["warnings"] = list(base.get("warnings", []))
    meta["unthemed_segments"] = count_unthemed(segments)
    return Synthesis(
        documents=synthesis.documents,
        segments=segments,
        themes=pd.DataFrame.from_records(base.get("themes") or []),
        quotes=pd.DataFrame.from_records(base.get("quotes") or []),
        stages=pd.DataFrame.from_records(base.get("stages") or []),
        framework=synthesis.framework,
        meta=meta,
        embeddings=synthesis.embeddings,
        topic_model=synthesis.topic_model,
    )


def _embeddings(synthesis: Synthesis) -> np.ndarray | None:
    emb = synthesis.embeddings
    if emb is None or len(emb) != len(synthesis.segments):
        return None
    return emb


def _labels(themes: pd.DataFrame) -> dict[int, str]:
    if themes is None or themes.empty:
        return {}
    return {int(t): str(lbl) for t, lbl in zip(themes["theme_id"], themes["label"], strict=True)}


# -- matching review entries to this run's themes -----------------------------------------------
@dataclass
class _Matching:
    matches: dict[int, int]
    orphans: dict[int, str]
    method: str
    notes: list[str]
    current: dict[int, Fingerprint]


def match_review(review: Review, state: ReviewState, raw: Synthesis) -> _Matching:
    """Find each reviewed theme in `raw` (a synthesis before decisions)."""
    embeddings = _embeddings(raw)
    current = theme_fingerprints(raw.segments, embeddings, _labels(raw.themes))
    if raw.themes is not None and len(raw.themes):
        listed = {int(t) for t in raw.themes["theme_id"]}
        current = {k: v for k, v in current.items() if k in listed}
    previous = {}
    for decision in review.themes:
        st = state.themes.get(decision.id)
        if st is None or not st.segment_ids:
            continue
        centroid = np.asarray(st.centroid, dtype=float) if st.centroid and embeddings is not None else None
        previous[decision.id] = Fingerprint(frozenset(st.segment_ids), centroid, decision.label)
    universe = raw.segments["segment_id"].astype(str).tolist()
    result = match_themes(previous, current, old_universe=state.universe or None, current_universe=universe)
    matches = dict(result.matches)
    orphans = dict(result.unmatched)
    notes: list[str] = []
    if result.used_centroids:
        method = "segment overlap and embedding centroids"
    else:
        method = "segment overlap only"
        if previous and embeddings is None:
            notes.append("themes matched by segment overlap only: this synthesis has no embeddings "
                         "(it was loaded from disk), so theme centroids could not be compared")
        elif previous:
            notes.append("themes matched by segment overlap only: the review state holds no centroids yet "
                         "(it was written from a saved run); it does from this run on")
    # Entries the state knows nothing about (a hand-written file, a lost sidecar): match by id.
    taken = set(matches.values())
    by_id = []
    for decision in review.themes:
        if decision.id in previous:
            continue
        if decision.id in current and decision.id not in taken:
            matches[decision.id] = decision.id
            taken.add(decision.id)
            by_id.append(decision.id)
        else:
            why = "already matched to another reviewed theme" if decision.id in taken else "no such theme"
            orphans[decision.id] = (f"no theme {decision.id} in this run ({why}), and no remembered "
                                    "segments to recognise it by")
    if by_id:
        notes.append(
            f"{len(by_id)} theme(s) matched by id alone ({', '.join(map(str, by_id))}): no remembered "
            "segments for them (review state file missing or written by hand); check they are the "
            "themes you meant"
        )
        method += " (some by id)" if previous else ""
        if not previous:
            method = "theme id (no review state)"
    return _Matching(matches, orphans, method, notes, current)


# -- applying ---------------------------------------------------------------------------------
def _keyword_mask(texts: pd.Series, keywords: list[str]) -> np.ndarray:
    if not keywords:
        return np.zeros(len(texts), dtype=bool)
    pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(k) for k in keywords) + r")(?!\w)", re.IGNORECASE)
    return texts.map(lambda t: bool(pattern.search(t))).to_numpy()


def _edited(decided: str, written: str | None, generated: str) -> bool:
    """Did the researcher change this text? (compared with what voc_synth wrote in the file, or
    with the generated text when the file's state is unknown)."""
    if not decided:
        return False
    reference = written if written else generated
    return decided.strip() != str(reference or "").strip()


def _resolve_merge(start: ThemeDecision, by_id: dict[int, ThemeDecision], matched: dict[int, int],
                   problems: list[str]) -> int | None:
    """The review id `start` finally merges into (following chains), or None if it cannot."""
    seen = {start.id}
    target = start.merge_into
    while True:
        if target is None:
            return None
        decision = by_id.get(target)
        if decision is None or target not in matched:
            problems.append(f"theme {start.id} “{start.label}” not merged: its merge target {target} is "
                            "not in this run (orphaned)")
            return None
        if target in seen:
            problems.append(f"theme {start.id} “{start.label}” not merged: merge_into forms a cycle "
                            f"({' → '.join(map(str, [*seen, target]))})")
            return None
        seen.add(target)
        if decision.merge_into is None or decision.status == "rejected" or decision.merge_into not in matched:
            return target
        target = decision.merge_into


def _stage_info_row(theme: dict[str, Any]) -> dict[str, Any]:
    distribution = theme.get("stage_distribution")
    return {
        "theme_id": int(theme["theme_id"]),
        "primary_stage": theme.get("primary_stage") or UNMAPPED_STAGE,
        "stage_confidence": float(theme.get("stage_confidence") or 0.0),
        "spans_stages": bool(theme.get("spans_stages", False)),
        "distribution": dict(distribution) if isinstance(distribution, dict) else {},
    }


def _readable_quote_rows(segments: pd.DataFrame, theme_id: int, limit: int = 4) -> pd.DataFrame:
    """Quotes for a theme without embeddings (split themes of a loaded run): distinct people,
    readable length, in corpus order."""
    rows = segments[segments["theme_id"] == theme_id]
    words = rows["text"].astype(str).str.split().str.len()
    good = rows[(words >= 6) & (words <= 60)]
    rows = good if len(good) >= 2 else rows
    person = rows["participant"].astype(str).where(rows["participant"].astype(str) != "", rows["doc_id"].astype(str))
    rows = rows[~person.duplicated()].head(limit)
    return rows.assign(theme_id=theme_id, kind="representative")


def _quote_frame(rows: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    rows = rows.copy()
    for column in columns:
        if column not in rows:
            rows[column] = ""
    return rows[columns]


def apply_review(
    synthesis: Synthesis,
    review: Review | Path | str,
    *,
    update_state: bool = True,
) -> tuple[Synthesis, ReviewReport]:
    """Apply a review (a `Review` or the path of a review.yaml) to `synthesis`.

    Returns the reviewed Synthesis and a `ReviewReport` (matches, orphans, problems). When the
    review came from a file, its sidecar `review.state.json` is updated with what the matched
    themes are made of in this run (so decisions keep following them); review.yaml itself is
    never written here.
    """
    from ..pipeline import assemble, describe_themes

    if not isinstance(review, Review):
        review = read_review(review)
    raw = generated_synthesis(synthesis)
    if raw.segments is None or "theme_id" not in raw.segments:
        raise InputError("This synthesis has no themes to review (segments lack theme_id).")
    state = load_state(review.path)
    report = ReviewReport(path=review.path)
    matching = match_review(review, state, raw)
    matched = matching.matches
    report.matches = dict(matched)
    report.method = matching.method
    report.notes.extend(matching.notes)
    by_id = {d.id: d for d in review.themes}
    for decision in review.themes:
        if decision.id in matching.orphans:
            report.orphans.append(Orphan(decision.id, decision.label, decision.status,
                                         matching.orphans[decision.id]))

    raw_themes = {int(r["theme_id"]): r for r in raw.themes.to_dict("records")} if len(raw.themes) else {}
    stage_ids = [s["id"] for s in raw.framework.get("stages", [])]
    segments = raw.segments.copy()
    if "rating_norm" not in segments:
        segments["rating_norm"] = np.nan
    segments[GENERATED_ID] = segments["theme_id"].astype(int)
    segments[GENERATED_LABEL] = segments["theme_label"]
    final = segments["theme_id"].to_numpy(dtype=int).copy()
    seg_ids = segments["segment_id"].astype(str).to_numpy()
    texts = segments["text"].astype(str)
    decision_for: dict[int, ThemeDecision] = {matched[d.id]: d for d in review.themes if d.id in matched}
    counts = dict.fromkeys(("validated", "rejected", "draft", "renamed", "merged", "split", "restaged",
                            "starred", "hidden"), 0)

    # 1. Splits: move the named segments of a theme into a new theme.
    next_id = max([*raw_themes, *[int(t) for t in final]], default=-1) + 1
    splits: dict[int, tuple[ThemeDecision, SplitDecision]] = {}
    for decision in review.themes:
        if decision.id not in matched:
            continue
        for split in decision.split:
            in_theme = final == matched[decision.id]
            chosen = np.isin(seg_ids, split.segment_ids) | _keyword_mask(texts, split.keywords)
            mask = in_theme & chosen
            missing = set(split.segment_ids) - set(seg_ids[in_theme])
            if missing:
                report.problems.append(f"theme {decision.id} split “{split.label}”: {len(missing)} listed "
                                       f"segment(s) are not in the theme in this run ({', '.join(sorted(missing)[:5])})")
            if not mask.any():
                report.problems.append(f"theme {decision.id} split “{split.label}”: no segment of the theme "
                                       "matches its segment_ids/keywords; nothing split")
                continue
            if mask.sum() == in_theme.sum():
                report.problems.append(f"theme {decision.id} split “{split.label}”: it would take every "
                                       "segment of the theme; nothing split (rename the theme instead)")
                continue
            final[mask] = next_id
            splits[next_id] = (decision, split)
            counts["split"] += 1
            next_id += 1

    # 2. Merges: a theme's (remaining) segments join the theme it merges into.
    merged_from: dict[int, list[int]] = {}  # final theme id -> raw theme ids folded into it
    for decision in review.themes:
        if decision.merge_into is None or decision.id not in matched:
            continue
        if decision.status == "rejected":
            report.problems.append(f"theme {decision.id} “{decision.label}” is rejected and also has "
                                   "merge_into; it was rejected, not merged")
            continue
        target = _resolve_merge(decision, by_id, matched, report.problems)
        if target is None:
            continue
        source_id, target_id = matched[decision.id], matched[target]
        final[final == source_id] = target_id
        merged_from.setdefault(target_id, []).append(source_id)
        counts["merged"] += 1

    # 3. The themes that remain, with their labels, keywords and stage placement.
    def decision_of(theme_id: int) -> ThemeDecision | SplitDecision | None:
        if theme_id in splits:
            return splits[theme_id][1]
        return decision_for.get(theme_id)

    final_ids = sorted({int(t) for t in final if int(t) != UNTHEMED_ID})
    base_rows, stage_rows, info = [], [], {}
    for theme_id in final_ids:
        if theme_id in splits:
            parent_decision, split = splits[theme_id]
            parent = raw_themes.get(matched[parent_decision.id], {})
            label, label_edited = split.label, True
            keywords = list(split.keywords) or list(parent.get("keywords") or [])
            group_id, group_label = parent.get("group_id", theme_id), parent.get("group_label", split.label)
            stage_row = None
            stage_override = split.stage
        else:
            theme = raw_themes.get(theme_id)
            if theme is None:  # segments carry a theme the themes table does not list
                continue
            decision = decision_for.get(theme_id)
            st = state.themes.get(decision.id) if decision else None
            label_edited = bool(decision) and _edited(decision.label, st.file_label if st else None, theme["label"])
            label = decision.label if label_edited else str(theme["label"])
            keywords = list(theme.get("keywords") or [])
            for source in merged_from.get(theme_id, []):
                keywords += [k for k in (raw_themes.get(source, {}).get("keywords") or []) if k not in keywords]
            group_id, group_label = theme.get("group_id", theme_id), theme.get("group_label", label)
            stage_row = _stage_info_row(theme)
            stage_override = decision.stage if decision else None
        if stage_override:
            if stage_override not in stage_ids:
                owner = f"theme {splits[theme_id][0].id} split “{label}”" if theme_id in splits else \
                    f"theme {decision_for[theme_id].id} “{label}”"
                report.problems.append(f"{owner}: stage {stage_override!r} is not a stage of the "
                                       f"{raw.framework.get('name', '')} framework ({', '.join(stage_ids)}); "
                                       "stage left as found")
                stage_override = None
            else:
                if stage_row is None:
                    dist = segments.loc[final == theme_id, "stage"].value_counts(normalize=True)
                    stage_row = {"theme_id": theme_id, "spans_stages": False,
                                 "distribution": {str(k): float(v) for k, v in dist.items()}}
                stage_row.update(primary_stage=stage_override, stage_confidence=1.0)
                counts["restaged"] += 1
        if stage_row is not None:
            stage_rows.append(stage_row)
        info[theme_id] = {"label_edited": label_edited, "stage_override": bool(stage_override)}
        if label_edited and theme_id not in splits:
            counts["renamed"] += 1
        base_rows.append({
            "theme_id": theme_id, "label": label, "keywords": keywords[:12],
            "group_id": int(group_id) if pd.notna(group_id) else theme_id,
            "group_label": group_label if isinstance(group_label, str) and group_label else label,
            "is_codebook": bool(raw_themes.get(theme_id, {}).get("is_codebook", False)),
        })
    base = pd.DataFrame(base_rows, columns=["theme_id", "label", "keywords", "group_id", "group_label", "is_codebook"])
    theme_stages = pd.DataFrame(stage_rows, columns=["theme_id", "primary_stage", "stage_confidence",
                                                     "spans_stages", "distribution"])

    # 4. Rejected themes leave the map; the appendix keeps what they were.
    rejected_ids = [t for t in final_ids if (d := decision_of(t)) is not None and d.status == "rejected"
                    and t in info]
    rejected_records: list[dict[str, Any]] = []
    if rejected_ids:
        segments["theme_id"] = final
        described = describe_themes(base[base["theme_id"].isin(rejected_ids)], segments, raw.documents, None)
        for row in described.to_dict("records"):
            tid = int(row["theme_id"])
            decision = decision_of(tid)
            review_id = splits[tid][0].id if tid in splits else decision_for[tid].id
            rejected_records.append({
                "review_id": review_id, "theme_id": tid, "label": row["label"],
                "n_segments": row["n_segments"], "n_documents": row["n_documents"],
                "n_participants": row["n_participants"], "prevalence_text": row["prevalence_text"],
                "polarity": row["polarity"], "primary_stage": row["primary_stage"],
                "notes": getattr(decision, "notes", "") or "",
            })
        final[np.isin(final, rejected_ids)] = UNTHEMED_ID
        base = base[~base["theme_id"].isin(rejected_ids)]
        theme_stages = theme_stages[~theme_stages["theme_id"].isin(rejected_ids)]

    segments["theme_id"] = final
    label_of = dict(zip(base["theme_id"], base["label"], strict=True))
    # Short answers keep their own label ("no theme: too short…"); the unthemed label is an outlier's.
    to_theme = themable(raw.segments)
    unthemed_label = raw.segments.loc[(raw.segments["theme_id"] == UNTHEMED_ID).to_numpy() & to_theme, "theme_label"]
    unthemed_label = unthemed_label.iloc[0] if len(unthemed_label) else ""
    segments["theme_label"] = [label_of.get(int(t), unthemed_label) if themed else old
                               for t, themed, old in zip(final, to_theme, raw.segments["theme_label"], strict=True)]

    # 5. Recompute sizes, prevalence, sentiment, stages (and quotes when embeddings allow).
    meta = {k: v for k, v in raw.meta.items() if k not in REVIEW_META_KEYS}
    meta["warnings"] = list(raw.meta.get("warnings", []))
    embeddings = _embeddings(raw)
    if embeddings is not None:
        result = assemble(raw.documents, segments, embeddings, base, theme_stages, raw.framework, meta)
        themes, quotes = result.themes, result.quotes
    else:
        themes = describe_themes(base, segments, raw.documents, theme_stages)
        quotes = _carry_quotes(raw.quotes, segments, themes, merged_from, splits)
        themes = write_insights(themes, quotes, segments, raw.framework)
        result = Synthesis(documents=raw.documents.reset_index(drop=True), segments=segments.reset_index(drop=True),
                           themes=themes, quotes=quotes, stages=raw.stages, framework=raw.framework, meta=meta)
        result.meta["unthemed_segments"] = count_unthemed(segments)
        result.meta["unmapped_segments"] = int((segments["stage"] == UNMAPPED_STAGE).sum())
    result.embeddings = raw.embeddings
    result.topic_model = raw.topic_model

    # 6. The researcher's words and grading onto the theme rows.
    themes = _decorate_themes(themes, raw, decision_of, splits, decision_for, state, info, counts)
    result.themes = themes
    result.quotes = _star_and_hide(quotes, segments, themes, review, matched, merged_from, splits,
                                   report, counts)
    if raw.framework.get("stages"):  # stage lanes follow the decisions (rejections, re-staging)
        result.stages = journey.build_stages(raw.framework, segments, themes)

    counts["rejected"] = len(rejected_records)
    report.counts = counts
    result.meta["rejected_themes"] = rejected_records
    result.meta["review_base"] = {
        "themes": frame_to_records(raw.themes),
        "quotes": frame_to_records(raw.quotes),
        "stages": frame_to_records(raw.stages),
        "warnings": list(raw.meta.get("warnings", [])),
    }
    result.meta["review"] = {
        **report.to_dict(),
        "validated_by": review.validated_by,
        "validated_on": review.validated_on,
        "applied_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    if report.orphans:
        result.meta["warnings"].append(
            f"review: {len(report.orphans)} decision(s) orphaned (their theme is not in this run; kept in "
            "the review file): " + "; ".join(f"theme {o.id} “{o.label}”" for o in report.orphans)
        )
    result.meta["warnings"].extend(f"review: {p}" for p in report.problems)

    if update_state and review.path is not None:
        report.state_file = _update_state(state, review, raw, matching)
    return result, report


def copy_review_columns(themes: pd.DataFrame, reviewed: pd.DataFrame) -> pd.DataFrame:
    """`themes` (e.g. one actor's, recomputed by `assemble`) with the review's columns — status,
    researcher's insight, severity, owner, notes — taken from `reviewed` by theme_id."""
    if not len(themes) or not len(reviewed) or "review_id" not in reviewed:
        return themes
    themes = themes.copy()
    source = reviewed.set_index("theme_id")
    for column in THEME_REVIEW_COLUMNS:
        if column not in source:
            continue
        values = themes["theme_id"].map(source[column])
        if column == "insight":  # the per-actor statement stays unless the researcher wrote one
            edited = themes["theme_id"].map(source["insight_edited"]).fillna(False).astype(bool)
            values = values.where(edited, themes.get("insight"))
        themes[column] = values.astype(object)
    return themes


def _decorate_themes(themes, raw, decision_of, splits, decision_for, state, info, counts) -> pd.DataFrame:
    themes = themes.copy()
    raw_by_id = {int(r["theme_id"]): r for r in raw.themes.to_dict("records")} if len(raw.themes) else {}
    # Columns the theme step added beyond describe_themes' own travel with unchanged themes.
    for column in raw.themes.columns if len(raw.themes) else []:
        if column not in themes:
            themes[column] = [raw_by_id.get(int(t), {}).get(column) if int(t) not in splits else None
                              for t in themes["theme_id"]]
    values: dict[str, list[Any]] = {c: [] for c in THEME_REVIEW_COLUMNS}
    for row in themes.to_dict("records"):
        tid = int(row["theme_id"])
        decision = decision_of(tid)
        status = decision.status if decision else "draft"
        generated = str(row.get("insight") or "")
        if tid in splits:
            parent = splits[tid][0]
            insight_edited = bool(decision.insight)
            review_id, split_from, notes = None, parent.id, ""
        else:
            st = state.themes.get(decision.id) if decision else None
            raw_insight = str(raw_by_id.get(tid, {}).get("insight") or "")
            insight_edited = bool(decision) and _edited(decision.insight, st.file_insight if st else None, raw_insight)
            review_id, split_from = (decision.id if decision else None), None
            notes = decision.notes if decision else ""
        counts[status] = counts.get(status, 0) + 1
        values["status"].append(status)
        values["insight"].append(decision.insight if insight_edited else generated)
        written = getattr(decision, "opportunity", "") if decision else ""
        values["opportunity"].append(written or str(row.get("opportunity") or ""))
        values["severity"].append(decision.severity if decision else None)
        values["owner"].append(decision.owner if decision else "")
        values["notes"].append(notes)
        values["review_id"].append(review_id)
        values["split_from"].append(split_from)
        values["stage_override"].append(info.get(tid, {}).get("stage_override", False))
        values["label_edited"].append(info.get(tid, {}).get("label_edited", False))
        values["insight_edited"].append(insight_edited)
    for column, column_values in values.items():
        themes[column] = pd.Series(column_values, index=themes.index, dtype=object)
    return themes


def _carry_quotes(raw_quotes: pd.DataFrame, segments: pd.DataFrame, themes: pd.DataFrame,
                  merged_from: dict[int, list[int]], splits: dict) -> pd.DataFrame:
    """Quotes without embeddings: each theme keeps its own, then those of themes merged into it;
    quotes whose segment left the theme (split, rejected) go; split themes get readable ones."""
    columns = list(raw_quotes.columns) if len(raw_quotes.columns) else [
        "theme_id", "rank", "segment_id", "doc_id", "text", "source_type", "participant", "source_file",
        "locator", "date", "rating", "question", "sentiment", "kind"]
    theme_of_segment = dict(zip(segments["segment_id"].astype(str), segments["theme_id"].astype(int), strict=True))
    frames = []
    for theme_id in themes["theme_id"] if len(themes) else []:
        theme_id = int(theme_id)
        if theme_id in splits:
            frames.append(_quote_frame(_readable_quote_rows(segments, theme_id), columns))
            continue
        sources = [theme_id, *merged_from.get(theme_id, [])]
        parts = []
        for source in sources:
            own = raw_quotes[raw_quotes["theme_id"] == source].sort_values("rank") if len(raw_quotes) else raw_quotes
            parts.append(own)
        rows = pd.concat(parts, ignore_index=True) if parts else raw_quotes.iloc[0:0]
        rows = rows[rows["segment_id"].astype(str).map(theme_of_segment) == theme_id]
        rows = rows.drop_duplicates("segment_id").head(MAX_QUOTES).copy()
        rows["theme_id"] = theme_id
        frames.append(rows[columns])
    if not frames:
        return pd.DataFrame(columns=columns)
    quotes = pd.concat(frames, ignore_index=True)
    quotes["rank"] = quotes.groupby("theme_id").cumcount() + 1
    return quotes


def _star_and_hide(quotes, segments, themes, review, matched, merged_from, splits, report, counts) -> pd.DataFrame:
    columns = list(quotes.columns)
    hidden = {sid for d in review.themes for sid in d.hidden}
    counts["hidden"] = int(quotes["segment_id"].astype(str).isin(hidden).sum()) if len(quotes) else 0
    quotes = quotes[~quotes["segment_id"].astype(str).isin(hidden)] if len(quotes) else quotes
    reverse = {tid: rid for rid, tid in matched.items()}
    theme_of_segment = dict(zip(segments["segment_id"].astype(str), segments["theme_id"].astype(int), strict=True))
    seg_rows = segments.set_index(segments["segment_id"].astype(str))
    frames = []
    for theme_id in themes["theme_id"] if len(themes) else []:
        theme_id = int(theme_id)
        own = quotes[quotes["theme_id"] == theme_id].sort_values("rank")
        starred: list[str] = []
        for source in ([theme_id, *merged_from.get(theme_id, [])] if theme_id not in splits else []):
            decision = next((d for d in review.themes if d.id == reverse.get(source)), None)
            if decision:
                starred += [s for s in decision.starred if s not in starred]
        extra = []
        for sid in starred:
            if sid in hidden:
                report.problems.append(f"quote {sid} is both starred and hidden; hidden wins")
                continue
            if theme_of_segment.get(sid) != theme_id:
                label = themes.loc[themes["theme_id"] == theme_id, "label"].iloc[0]
                report.problems.append(f"starred quote {sid} is not in theme “{label}” in this run; not shown")
                continue
            if sid not in set(own["segment_id"].astype(str)):
                row = seg_rows.loc[[sid]].assign(theme_id=theme_id, kind="representative", rank=0)
                extra.append(_quote_frame(row.reset_index(drop=True), columns))
        rows = pd.concat([own, *extra], ignore_index=True) if extra else own.reset_index(drop=True)
        is_starred = rows["segment_id"].astype(str).isin([s for s in starred if s not in hidden])
        order = {sid: i for i, sid in enumerate(starred)}
        rows = rows.assign(
            starred=is_starred.to_numpy(),
            _order=[order.get(str(s), len(order)) if st else len(order) + 1
                    for s, st in zip(rows["segment_id"], is_starred, strict=True)],
            _rank=pd.to_numeric(rows["rank"], errors="coerce").fillna(0).to_numpy(),
        ).sort_values(["_order", "_rank"], kind="stable").drop(columns=["_order", "_rank"])
        rows["rank"] = range(1, len(rows) + 1)
        counts["starred"] += int(rows["starred"].sum())
        frames.append(rows)
    if not frames:
        out = quotes.iloc[0:0].copy()
        out["starred"] = pd.Series(dtype=bool)
        return out
    return pd.concat(frames, ignore_index=True)[[*columns, "starred"]]


def _update_state(state: ReviewState, review: Review, raw: Synthesis, matching: _Matching) -> Path:
    raw_by_id = {int(r["theme_id"]): r for r in raw.themes.to_dict("records")} if len(raw.themes) else {}
    for decision in review.themes:
        theme_id = matching.matches.get(decision.id)
        if theme_id is None or theme_id not in matching.current:
            continue  # orphans keep what they were made of
        fp = matching.current[theme_id]
        previous = state.themes.get(decision.id)
        theme = raw_by_id.get(theme_id, {})
        centroid = [float(x) for x in fp.centroid] if fp.centroid is not None else (
            previous.centroid if previous else None)
        state.themes[decision.id] = ThemeState(
            segment_ids=sorted(fp.segment_ids),
            centroid=centroid,
            theme_id=theme_id,
            file_label=previous.file_label if previous else str(theme.get("label", "")),
            file_insight=previous.file_insight if previous else str(theme.get("insight", "")),
            seen_in=str(raw.meta.get("created_at", "")),
        )
    state.universe = raw.segments["segment_id"].astype(str).tolist()
    state.run = str(raw.meta.get("created_at", ""))
    return save_state(state, review.path)
