"""A SYNTHETIC corpus of any size, for benchmarks and scale tests, not for demos.

`write_synthetic_corpus` streams a corpus of roughly `n_segments` analysis units (1k to 1M) to disk
in the same file formats and column schema as the Larkfield Home demo corpus (corpora/demo_shop):
a reviews CSV, a helpdesk tickets CSV, an NPS survey CSV and a handful of plain-text interview
transcripts, with a `voc_synth.yaml` that the pipeline can run as is.

It is separate from the demo corpus on purpose. The demo corpus is small, hand-shaped and full of
deliberate mess (HTML e-mails, quoted replies, broken JSON lines, planted personal data) so people
can read it and tests can check redaction and ingestion. This corpus is plain and uniform so its
numbers mean something at scale: every tabular record carries exactly one planted theme, listed
in `labels.csv` (`record_id,theme_id`), so clustering quality (e.g. NMI) and throughput can be
measured. `ANSWER_KEY.yaml` follows the demo key's schema but points at `labels.csv` (key
`labels`) instead of listing record ids per theme.

Rows are written as they are drawn; nothing holds the whole corpus in memory. A seed fixes every
byte of the output (only a private `random.Random(seed)` is used).
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import re
from collections.abc import Callable
from pathlib import Path

import yaml

from . import phrasebank as pb

__all__ = ["write_synthetic_corpus", "EXPECTED_SEGMENTS_PER_RECORD", "GENERATOR_VERSION"]

#: Bumped whenever the same (size, seed) would write different text, so a benchmark never reuses a
#: corpus written by an older generator. 2: openers, tails and synonyms vary the wording.
GENERATOR_VERSION = 2

#: Share of tabular records going to each source, for complaints and mixed themes.
SOURCE_MIX: tuple[tuple[str, float], ...] = (("review", 0.5), ("ticket", 0.3), ("survey", 0.2))
#: Praise rarely reaches a helpdesk, so positive themes go to reviews and surveys only.
POSITIVE_SOURCE_MIX: tuple[tuple[str, float], ...] = (("review", 0.7), ("survey", 0.3))

_P_ONE_SENTENCE = 0.35  # else two theme sentences
_P_CONTEXT = 0.25  # a neutral context sentence in front
_P_GREETING = 0.5  # tickets only

#: Relative prevalence of each theme: a long tail, with delivery and refunds on top (as in the demo).
_PREVALENCE: dict[str, float] = {
    "late_delivery": 14, "great_quality": 11, "refund_slow": 9, "damaged_in_transit": 6,
    "broke_after_weeks": 5.5, "tracking_not_updating": 5, "would_recommend": 5, "photos_misleading": 4.5,
    "payment_error": 4, "size_info_missing": 3.5, "returns_easy": 3, "support_unreachable": 3,
    "promo_code_rejected": 2.5, "found_via_social": 2.5, "shipping_cost_late": 2.2, "search_filters_poor": 2,
    "support_chat_helpful": 2, "points_confusing": 1.8, "parcel_wrong_place": 1.4, "too_many_emails": 1.2,
    "friend_recommended": 1.0, "account_login_friction": 1.0,
}


def _ticket_share() -> float:
    positive = sum(w for t, w in _PREVALENCE.items() if pb.THEMES_BY_ID[t].polarity == "high")
    return dict(SOURCE_MIX)["ticket"] * (1 - positive / sum(_PREVALENCE.values()))


#: Mean segments (sentences) per tabular record implied by the probabilities above.
EXPECTED_SEGMENTS_PER_RECORD: float = (
    (1 * _P_ONE_SENTENCE + 2 * (1 - _P_ONE_SENTENCE)) + _P_CONTEXT + _ticket_share() * _P_GREETING
)

_STYLES = (("plain", 72), ("typos", 12), ("texting", 10), ("shouty", 6))

_HELPDESK_COLUMNS = ["Ticket ID", "Created At", "Channel", "Subject", "Description", "Tags", "Status", "CSAT", "Requester"]
_REVIEW_COLUMNS = ["review_id", "date", "product", "rating", "title", "body", "reviewer", "verified_purchase"]
_SURVEY_COLUMNS = ["response_id", "submitted_at", "nps", "comment", "customer_segment", "country"]
_START = dt.datetime(2026, 1, 1, 8, 0, 0)


def _cumulative(pairs) -> tuple[list, list[float]]:
    values, cum, total = [], [], 0.0
    for value, weight in pairs:
        total += weight
        values.append(value)
        cum.append(total)
    return values, [c / total for c in cum]


def _draw(rng: random.Random, values: list, cum: list[float]):
    x = rng.random()
    lo, hi = 0, len(cum) - 1
    while lo < hi:  # bisect by hand to keep this module dependency-free
        mid = (lo + hi) // 2
        if cum[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return values[lo]


def _count_sentences(text: str) -> int:
    return max(1, len(re.findall(r"[.!?]+(?:\s|$)", text.strip() + " ")))


def _rating(theme: pb.Theme, rng: random.Random, scale: str) -> int:
    if scale == "nps":
        if theme.polarity == "high":
            return rng.choice((8, 9, 9, 10, 10, 10))
        if theme.polarity == "mid":
            return rng.choice((6, 7, 7, 8))
        return rng.choice((0, 1, 2, 3, 4, 5, 6, 6, 7))
    if theme.polarity == "high":
        return rng.choice((4, 5, 5, 5))
    if theme.polarity == "mid":
        return rng.choice((2, 3, 3, 4))
    return rng.choice((1, 1, 1, 2, 2, 3))


class _RecordWriter:
    """Draws one themed text at a time from the shared phrase bank."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.themes, self.theme_cum = _cumulative((pb.THEMES_BY_ID[t], w) for t, w in _PREVALENCE.items())
        self.styles, self.style_cum = _cumulative(_STYLES)
        self.order_no = 0

    def text(self, theme: pb.Theme) -> tuple[str, int]:
        rng = self.rng
        n = 1 if rng.random() < _P_ONE_SENTENCE else 2
        # Openers and tails vary the wording, so 100k records are not 15k texts repeated.
        # A lone sentence always gets its tail: it is the record most likely to repeat verbatim.
        raw = [pb.vary(s, rng, p_tail=1.0 if n == 1 else 0.45) for s in pb.theme_sentences(theme, rng, n)]
        style = _draw(rng, self.styles, self.style_cum)
        if style == "shouty" and theme.polarity == "high":
            style = "plain"
        if style == "shouty":
            raw[0] = pb.stylise(raw[0], rng, "shouty")
        elif style != "plain":
            raw = [pb.stylise(s, rng, style) for s in raw]
        if style != "texting":
            raw = [s if s.endswith((".", "!", "?")) else s + "." for s in raw]
        segments = len(raw)
        slots = pb.default_slots(rng)
        if rng.random() < _P_CONTEXT:
            raw.insert(0, pb.context_sentence(rng, slots))
            segments += 1
        text = " ".join(raw)
        if "{order}" in text:
            slots["order"] = self.order()
        if "{agent}" in text:
            slots["agent"] = rng.choice(pb.AGENT_NAMES)
        return pb.fill(text, slots), segments

    def order(self) -> str:
        # Sequential, so synthetic order numbers never collide; still match the LH-\d{6} pattern.
        self.order_no += 1
        return f"LH-{(self.order_no * 7919) % 900000 + 100000}"


def _write_transcripts(folder: Path, rng: random.Random, count: int, key_turns: dict[str, list[str]]) -> tuple[int, int, list[dict]]:
    """A handful of plain-text interviews; returns (turns, segments, participants rows)."""
    folder.mkdir(parents=True, exist_ok=True)
    stages = list(pb.STAGES)
    total_turns = total_segments = 0
    rows = []
    for k in range(1, count + 1):
        pid = f"P{k:02d}"
        themes = rng.sample(list(pb.THEMES), rng.randint(3, 5))
        themes.sort(key=lambda t: stages.index(t.stage))
        turns: list[tuple[str, str]] = [
            ("Interviewer", "Thanks for joining. This call is recorded for research, is that okay?"),
            (pid, rng.choice(("Yes, that's fine.", "Sure, go ahead."))),
        ]
        for theme in themes:
            turns.append(("Interviewer", rng.choice(pb.STAGE_QUESTIONS[theme.stage])))
            lines = list(theme.interview) + list(theme.spoken)
            picked = rng.sample(lines, min(len(lines), rng.randint(2, 4)))
            for i, line in enumerate(picked):
                if i:
                    turns.append(("Interviewer", rng.choice(pb.BACKCHANNELS + pb.PROBES)))
                said = pb.fill(line, pb.default_slots(rng))
                if rng.random() < 0.5:
                    opener = rng.choice(pb.ANSWER_OPENERS)
                    if not opener.endswith((".", "?")) and not said.startswith(("I ", "I'", "Larkfield")):
                        said = said[:1].lower() + said[1:]
                    said = f"{opener} {said}"
                turns.append((pid, said))
                key_turns[theme.id].append(f"{pid}:{len(turns)}")
        turns.append(("Interviewer", "That's everything, thank you so much."))
        turns.append((pid, "Thanks, bye!"))
        t = 5
        lines_out = [f"# SYNTHETIC interview (voc_synth benchmark corpus) | participant {pid}", ""]
        for speaker, said in turns:
            lines_out.append(f"[{t // 3600:02d}:{t % 3600 // 60:02d}:{t % 60:02d}] {speaker}: {said}")
            t += 3 + len(said.split()) // 3
            if speaker != "Interviewer":
                total_segments += _count_sentences(said)
        name = f"{pid}_synthetic.txt"
        (folder / name).write_text("\n".join(lines_out) + "\n", encoding="utf-8")
        rows.append({"participant_id": pid, "persona": "synthetic", "segment": rng.choice(("new", "returning")),
                     "interview_date": (_START + dt.timedelta(days=k)).date().isoformat(), "file": name})
        total_turns += len(turns)
    with (folder / "participants.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["participant_id", "persona", "segment", "interview_date", "file"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return total_turns, total_segments, rows


def _config_yaml(n_segments: int, seed: int) -> str:
    return f"""\
# SYNTHETIC benchmark corpus written by voc_synth.corpora.synth (not the demo corpus).
project: Synthetic benchmark corpus ({n_segments} segments, seed {seed})
framework: ecommerce
seed: 42
sources:
  - path: interviews
    type: interview
    include: ["*.txt"]
    interviewer_labels: ["Interviewer", "Moderator", "Q"]
    participants: interviews/participants.csv
  - path: tickets/helpdesk_export.csv
    type: ticket
    columns: {{id: Ticket ID, text: [Subject, Description], date: Created At, rating: CSAT, customer: Requester, channel: Channel, keep: [Tags, Status]}}
  - path: reviews/product_reviews.csv
    type: review
    columns: {{id: review_id, text: [title, body], date: date, rating: rating, customer: reviewer, product: product, keep: [verified_purchase]}}
  - path: surveys/nps_survey.csv
    type: survey
    columns: {{id: response_id, text: [comment], date: submitted_at, rating: nps, keep: [customer_segment, country]}}
rating_scales: {{ticket: [1, 5], review: [1, 5], survey: [0, 10]}}
redaction:
  patterns:
    order_number: 'LH-\\d{{6}}'
"""


def write_synthetic_corpus(
    out_dir: Path,
    n_segments: int,
    seed: int = 0,
    progress: Callable[[int], None] | None = None,
) -> dict:
    """Write a synthetic corpus of about `n_segments` segments under `out_dir`.

    `progress`, if given, is called with the number of tabular records written so far (every
    1,000 records and once at the end). Returns a summary: the files written (relative paths),
    record counts per source type, the record target, and the segments actually written.
    """
    if n_segments < 100:
        raise ValueError(f"n_segments must be at least 100, got {n_segments}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    key_turns: dict[str, list[str]] = {t.id: [] for t in pb.THEMES}

    n_transcripts = 2 if n_segments < 20_000 else 5
    interview_turns, interview_segments, participants = _write_transcripts(out / "interviews", rng, n_transcripts, key_turns)
    budget = max(0, n_segments - interview_segments)
    records_target = max(1, round(budget / EXPECTED_SEGMENTS_PER_RECORD))

    writer = _RecordWriter(rng)
    mixes = {False: _cumulative(SOURCE_MIX), True: _cumulative(POSITIVE_SOURCE_MIX)}
    counts = {"review": 0, "ticket": 0, "survey": 0}
    theme_counts: dict[str, dict[str, int]] = {t.id: {} for t in pb.THEMES}
    segments = interview_segments
    for sub in ("reviews", "tickets", "surveys"):
        (out / sub).mkdir(parents=True, exist_ok=True)

    paths = {
        "review": out / "reviews" / "product_reviews.csv",
        "ticket": out / "tickets" / "helpdesk_export.csv",
        "survey": out / "surveys" / "nps_survey.csv",
    }
    with (
        paths["review"].open("w", encoding="utf-8", newline="") as f_rev,
        paths["ticket"].open("w", encoding="utf-8", newline="") as f_tic,
        paths["survey"].open("w", encoding="utf-8", newline="") as f_sur,
        (out / "labels.csv").open("w", encoding="utf-8", newline="") as f_lab,
    ):
        w = {"review": csv.writer(f_rev, lineterminator="\n"), "ticket": csv.writer(f_tic, lineterminator="\n"),
             "survey": csv.writer(f_sur, lineterminator="\n")}
        labels = csv.writer(f_lab, lineterminator="\n")
        w["review"].writerow(_REVIEW_COLUMNS)
        w["ticket"].writerow(_HELPDESK_COLUMNS)
        w["survey"].writerow(_SURVEY_COLUMNS)
        labels.writerow(["record_id", "theme_id"])
        span = 300 * 86400
        for i in range(records_target):
            theme = _draw(rng, writer.themes, writer.theme_cum)
            source = _draw(rng, *mixes[theme.polarity == "high"])
            text, n_seg = writer.text(theme)
            when = _START + dt.timedelta(seconds=(i * span) // records_target + rng.randrange(60))
            counts[source] += 1
            n = counts[source]
            if source == "review":
                rid = f"SR-{n:07d}"
                title = rng.choice(theme.titles) if theme.titles and rng.random() < 0.6 else ""
                product = rng.choice(pb.PRODUCTS)[0]
                w["review"].writerow([rid, when.date().isoformat(), product, _rating(theme, rng, "stars"),
                                      title, text, f"reviewer{rng.randrange(10**6):06d}", "true"])
            elif source == "ticket":
                rid = f"ST-{n:07d}"
                if rng.random() < _P_GREETING:
                    text = rng.choice(pb.GREETINGS) + " " + text
                    n_seg += 1
                subject = pb.fill(rng.choice(theme.subjects), {**pb.default_slots(rng), "order": writer.order()}) if theme.subjects else theme.name
                csat = str(_rating(theme, rng, "stars")) if rng.random() < 0.4 else ""
                w["ticket"].writerow([rid, when.strftime("%Y-%m-%d %H:%M:%S"), rng.choice(("email", "web form", "chat", "phone")),
                                      subject, text, ", ".join(theme.tags), rng.choice(("solved", "closed", "open")), csat,
                                      f"customer{rng.randrange(10**7):07d}@example.com"])
            else:
                rid = f"SN-{n:07d}"
                w["survey"].writerow([rid, when.strftime("%Y-%m-%d %H:%M:%S"), _rating(theme, rng, "nps"), text,
                                      rng.choice(("new", "returning", "loyalty member")), rng.choice(("GB", "GB", "GB", "IE", "US"))])
            labels.writerow([rid, theme.id])
            theme_counts[theme.id][source] = theme_counts[theme.id].get(source, 0) + 1
            segments += n_seg
            if progress is not None and (i + 1) % 1000 == 0:
                progress(i + 1)
    if progress is not None:
        progress(records_target)

    (out / "voc_synth.yaml").write_text(_config_yaml(n_segments, seed), encoding="utf-8")
    themes = []
    for theme in pb.THEMES:
        by_source = theme_counts[theme.id]
        source_types = [s for s in ("ticket", "review", "interview", "survey")
                        if (s == "interview" and key_turns[theme.id]) or by_source.get(s)]
        themes.append({
            "id": theme.id, "name": theme.name, "stage": theme.stage,
            "expected_sentiment": theme.expected_sentiment, "source_types": source_types,
            "counts": dict(sorted(by_source.items())), "interview_turns": key_turns[theme.id],
        })
    key = {
        "corpus": "synthetic",
        "synthetic": True,
        "framework": "ecommerce",
        "seed": seed,
        "n_segments": n_segments,
        "labels": "labels.csv",
        "themes": themes,
        "pii": [],
        "noise": {},
    }
    header = ("# SYNTHETIC benchmark corpus answer key (voc_synth.corpora.synth).\n"
              "# Each tabular record carries exactly one planted theme: see labels.csv (record_id,theme_id).\n")
    (out / "ANSWER_KEY.yaml").write_text(
        header + yaml.safe_dump(key, sort_keys=False, allow_unicode=True, width=100, default_flow_style=None),
        encoding="utf-8",
    )
    files = sorted(
        [str(p.relative_to(out)) for p in paths.values()]
        + [f"interviews/{row['file']}" for row in participants]
        + ["interviews/participants.csv", "labels.csv", "voc_synth.yaml", "ANSWER_KEY.yaml"]
    )
    records = sum(counts.values())
    return {
        "out_dir": str(out),
        "files": files,
        "record_counts": counts,
        "records": records,
        "records_target": records_target,
        "interviews": n_transcripts,
        "interview_turns": interview_turns,
        "segments": segments,
        "n_segments": n_segments,
        "seed": seed,
    }
