#!/usr/bin/env python
"""Write the demo's second quarter (corpora/demo_shop_q2/) from a fixed seed.

The same fictional shop (Larkfield Home), the same kinds of sources and the same generator
(`scripts/make_demo_corpus.py`, reused function by function), three months later: November 2026
to January 2027. Every record is new (new ids, new people, new draws from the phrase bank), and a
few things changed on purpose, so `voc-synth compare` has something true to find:

- **new**: customers complain that gift wrap or the gift note was missing (the Christmas
  quarter); a theme the first quarter never had, written for this script below;
- **gone**: nobody complains about the delivery cost appearing late any more (it is now shown
  on the product page);
- **grown**: payment errors, three times as many (an app release broke card payments); with the
  milder delivery-cost complaint gone, the harshest complaint now fills checkout, so the
  **emotion of the checkout stage falls**;
- **shrunk**: slow refunds, a third as many (the refund process was fixed);
- everything else: the same number of records per source as the first quarter (12 interviews
  instead of 15).

`ANSWER_KEY.yaml` has the same layout as the first quarter's, plus `planted_changes`.
Deterministic: two runs write byte-identical files.

    python scripts/make_demo_quarter.py            # writes corpora/demo_shop_q2/
    python scripts/make_demo_quarter.py --out DIR  # writes somewhere else (the tests do this)
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import importlib.util
import json
import random
import re
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "corpora" / "demo_shop_q2"
SEED = 20270201
QUARTER_START = dt.datetime(2026, 11, 1, 7, 0, 0)
QUARTER_DAYS = 90


def _load_generator():
    """The first quarter's generator, loaded by path (it is a script, not a package module)."""
    path = ROOT / "scripts" / "make_demo_corpus.py"
    spec = importlib.util.spec_from_file_location("_voc_synth_make_demo_corpus", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


gen = _load_generator()
pb = gen.pb

# ---------------------------------------------------------------------------------------------
# The new theme (this quarter only), written for this project
# ---------------------------------------------------------------------------------------------

GIFT_WRAP = pb.Theme(
    id="gift_wrap_missing",
    name="Gift wrap or gift note missing",
    stage="delivery",
    expected_sentiment="negative",
    families={
        "what": (
            "I paid extra for gift wrapping and the {noun} turned up in a plain brown box.",
            "The gift message I typed never made it into the parcel.",
            "It was a present sent straight to my mum, and the packing slip showed exactly what I'd spent.",
            "No gift wrap, no card, just the {noun} loose in bubble wrap.",
            "Ticked 'this is a gift' and it arrived with the price printed on the delivery note.",
            "gift wrap option = a plain box apparently",
            "The wrapping paper was torn and the ribbon had come off before it even arrived.",
            "My note to my sister was missing, so she had no idea who the present was from.",
        ),
        "impact": (
            "It rather spoiled the surprise.",
            "I had to explain to my aunt that the gift was from me, which was a bit awkward.",
            "If you offer gift wrapping, please actually do it.",
            "For a Christmas present that's really disappointing.",
            "I'd like the wrapping charge refunded, please.",
            "Next time I'll have it sent to me and wrap it myself.",
        ),
    },
    interview=(
        "I sent a throw to my mum for her birthday, paid for the gift wrap, and she rang to say it came in a plain cardboard box with the invoice on top. So she knew what it cost.",
        "The gift note just wasn't in there. My friend got a lamp from nowhere, basically, she thought it was a mistake.",
        "It was meant to be a Christmas present, wrapped, with a little message, and it turned up looking like any other parcel.",
    ),
    spoken=(
        "It's a small thing, but it's the whole point of a present, isn't it?",
        "I felt a bit silly, having to ring and say that was from me.",
        "I'd still order from them, but I wouldn't pay for the wrapping again.",
    ),
    subjects=("Gift wrap missing", "Gift message not included", "Present arrived unwrapped", "Gift wrap charge for {order}"),
    titles=("No gift wrap", "Gift message missing", "Spoiled the surprise"),
    tags=("gift", "packaging"),
)

# ---------------------------------------------------------------------------------------------
# This quarter's prevalence: the first quarter's, with the planted changes
# ---------------------------------------------------------------------------------------------

NEW, GONE, GROWN, SHRUNK = "gift_wrap_missing", "shipping_cost_late", "payment_error", "refund_slow"
EMOTION_MOVED = {"checkout": "down"}  # payment errors, the angriest checkout complaint, tripled


def _changed(counts: dict[str, int], **changes: int) -> dict[str, int]:
    out = {k: v for k, v in counts.items() if k not in changes}
    out.update({k: v for k, v in changes.items() if v})
    return out


HELPDESK_THEMES = _changed(gen.HELPDESK_THEMES, payment_error=75, refund_slow=14, gift_wrap_missing=22)
CHAT_THEMES = _changed(gen.CHAT_THEMES, payment_error=25, refund_slow=4, gift_wrap_missing=5)
REVIEW_THEMES = _changed(gen.REVIEW_THEMES, refund_slow=6, shipping_cost_late=0, gift_wrap_missing=14)
APP_THEMES = _changed(gen.APP_THEMES, payment_error=42)
SURVEY_THEMES = _changed(gen.SURVEY_THEMES, refund_slow=4, shipping_cost_late=0, gift_wrap_missing=6)

PARTICIPANTS = (
    # id, persona, segment, date, format, themes, intro, people named in the interview
    ("P16", "busy parent", "returning", "2026-11-09", "txt-ts",
     ["friend_recommended", "payment_error", "late_delivery", "gift_wrap_missing"],
     "I've got three boys under ten and a job in a call centre, so I shop in the gaps. Lunch breaks, mostly, and after bedtime. My wife Priya does the big stuff, I do the bits and pieces.",
     ["Priya"]),
    ("P17", "first-time buyer", "new", "2026-11-10", "txt-ts",
     ["found_via_social", "account_login_friction", "damaged_in_transit", "returns_easy"],
     "I've just started my first proper job, in an architects' office, and I'm renting a studio on my own for the first time, so I needed pretty much everything from scratch.",
     []),
    ("P18", "loyal regular", "loyalty member", "2026-11-12", "txt-plain",
     ["points_confusing", "too_many_emails", "would_recommend", "gift_wrap_missing"],
     "I've shopped with Larkfield since they only had about fifty products, honestly. I'm semi-retired, I do some bookkeeping, and I buy a lot of presents for the grandchildren.",
     []),
    ("P19", "bargain hunter", "returning", "2026-11-16", "txt-wrapped",
     ["promo_code_rejected", "search_filters_poor", "payment_error", "returns_easy"],
     "I never pay full price for anything if I can help it. I've got price alerts set up on about thirty things. I work nights in a warehouse, so I've got plenty of time to compare.",
     []),
    ("P20", "student in first flat", "new", "2026-11-18", "txt-qa",
     ["found_via_social", "size_info_missing", "payment_error", "late_delivery"],
     "I'm doing a master's in engineering, and this is my first year sharing a house instead of living at home, so we split the kitchen stuff between the four of us.",
     []),
    ("P21", "keen home cook", "returning", "2026-11-23", "txt-named",
     ["broke_after_weeks", "support_chat_helpful", "would_recommend"],
     "Food is my hobby, basically. I bake bread twice a week and I do all the cooking for friends' birthdays, and my flatmate Owen is very happy about that arrangement.",
     ["Owen"]),
    ("P22", "gift buyer", "returning", "2026-11-30", "vtt",
     ["photos_misleading", "gift_wrap_missing", "tracking_not_updating", "returns_easy"],
     "Most of what I buy is for other people. Christmas especially, I've got a spreadsheet of who's getting what, and a lot of it gets sent straight to them.",
     []),
    ("P23", "renovating a house", "returning", "2026-12-02", "vtt",
     ["size_info_missing", "damaged_in_transit", "payment_error"],
     "We moved into an old farm cottage in the spring and we're slowly making it liveable. Shelving, lighting, storage for a kitchen with no cupboards at all.",
     []),
    ("P24", "older customer, prefers phone", "returning", "2026-12-07", "vtt",
     ["friend_recommended", "payment_error", "late_delivery", "support_unreachable"],
     "I'm seventy-four, and I'll be honest, I'm not keen on computers. My nephew Callum showed me how to order, and I manage, but I'd much rather speak to a person.",
     ["Callum"]),
    ("P25", "app-first shopper", "loyalty member", "2026-12-09", "vtt",
     ["search_filters_poor", "account_login_friction", "payment_error", "points_confusing", "promo_code_rejected"],
     "Everything I do is on my phone. I'm a paramedic, so I've got odd hours and I shop in the ambulance between calls, when it's quiet.",
     []),
    ("P26", "small landlord furnishing lets", "loyalty member", "2027-01-11", "docx",
     ["late_delivery", "returns_easy", "would_recommend", "refund_slow"],
     "I let out two holiday cottages, so I'm forever replacing towels and bedding and mugs. Guests are very hard on mugs.",
     []),
    ("P27", "new parent", "new", "2027-01-13", "docx",
     ["friend_recommended", "tracking_not_updating", "support_chat_helpful", "broke_after_weeks"],
     "Our twins are six months old, so, yes, everything gets delivered. I'm on parental leave and the nearest proper shop is a forty-minute drive.",
     []),
)
NAMED_SPEAKER = "Rowan"  # the participant in the P21 file speaks under this (invented) first name

VOC_SYNTH_YAML = gen.VOC_SYNTH_YAML.replace(
    "# Pipeline config for the Larkfield Home demo corpus (see README.md).",
    "# Pipeline config for the demo's second quarter (see README.md).",
).replace("customer evidence, autumn 2026", "customer evidence, winter 2026/27")

# Record ids of this quarter: the first quarter's numbering shifted, so no id names two records.
_ID_SHIFT = ((re.compile(r"^T-(\d{5})$"), "T-{:05d}", 20000), (re.compile(r"^R-(\d{5})$"), "R-{:05d}", 20000),
             (re.compile(r"^NPS-(\d{4})$"), "NPS-{:04d}", 2000), (re.compile(r"^CH-(\d{4})$"), "CH-{:04d}", 2000))


def shift_id(value: str) -> str:
    """This quarter's id for an id the first quarter's numbering produced (others unchanged)."""
    for pattern, template, shift in _ID_SHIFT:
        match = pattern.match(value)
        if match and value != "CH-9999":  # the truncated JSONL line keeps its broken text
            return template.format(int(match.group(1)) + shift)
    return value


def _shift_all(value: Any) -> Any:
    if isinstance(value, str):
        return shift_id(value)
    if isinstance(value, list):
        return [_shift_all(v) for v in value]
    if isinstance(value, dict):
        return {_shift_all(k): _shift_all(v) for k, v in value.items()}
    return value


class QuarterWorld(gen.World):
    """The first quarter's random people and ids, dated in this quarter."""

    def when(self, start: dt.datetime = QUARTER_START, days: int = QUARTER_DAYS) -> dt.datetime:
        return super().when(start, days)


def _install_quarter() -> None:
    """Point the reused generator at this quarter's themes, counts, people and config."""
    if NEW not in pb.THEMES_BY_ID:
        pb.THEMES = (*pb.THEMES, GIFT_WRAP)
        pb.THEMES_BY_ID[NEW] = GIFT_WRAP
    gen.HELPDESK_THEMES, gen.CHAT_THEMES, gen.REVIEW_THEMES = HELPDESK_THEMES, CHAT_THEMES, REVIEW_THEMES
    gen.APP_THEMES, gen.SURVEY_THEMES = APP_THEMES, SURVEY_THEMES
    gen.PARTICIPANTS, gen.NAMED_SPEAKER = PARTICIPANTS, NAMED_SPEAKER


def _shift_registry(reg: Any) -> None:
    reg.records = _shift_all(reg.records)
    reg.tone = _shift_all(reg.tone)
    reg.noise = _shift_all(reg.noise)
    reg.rating_mismatch = _shift_all(reg.rating_mismatch)


def _shift_chat_line(line: str) -> str:
    try:
        record = json.loads(line)
    except ValueError:
        return line  # the planted broken line and the empty line stay as they are
    record["id"] = shift_id(record["id"])
    return json.dumps(record, ensure_ascii=False)


def planted_changes(reg: Any) -> dict[str, Any]:
    """What changed since the first quarter, for the answer key."""
    def records(theme_id: str) -> int:
        return sum(len(v) for v in reg.records[theme_id].values()) + len({t.split(":")[0] for t in reg.turns[theme_id]})

    return {
        "compared_with": "../demo_shop",
        "new": [NEW],
        "gone": [GONE],
        "grown": [GROWN],
        "shrunk": [SHRUNK],
        "emotion_moved": [{"stage": stage, "direction": way} for stage, way in EMOTION_MOVED.items()],
        "unchanged": ("every other theme: as many records per source as in the first quarter (give or take "
                      "the duplicates drawn anew); 12 interviews instead of 15"),
        "records_this_quarter": {t: records(t) for t in (NEW, GONE, GROWN, SHRUNK)},
    }


def generate(out: Path = DEFAULT_OUT, seed: int = SEED) -> dict[str, int]:
    """Write the second quarter under `out`; returns how many records each source got."""
    _install_quarter()
    rng = random.Random(seed)
    reg = gen.Registry()
    world = QuarterWorld(rng, reg)
    writer = gen.Writer(rng, reg, world)
    out.mkdir(parents=True, exist_ok=True)

    participants = gen.make_interviews(rng, reg, world, writer, out)
    tickets = gen.make_tickets(rng, reg, world, writer)
    chats = gen.make_chats(rng, reg, world, writer)
    reviews = gen.make_product_reviews(rng, reg, world, writer)
    app = gen.make_app_reviews(rng, reg, world, writer)
    survey = gen.make_survey(rng, reg, world, writer)

    _shift_registry(reg)
    for row in tickets:
        row["Ticket ID"] = shift_id(row["Ticket ID"])
    for row in reviews:
        row["review_id"] = shift_id(row["review_id"])
    for row in survey:
        row["response_id"] = shift_id(row["response_id"])
    chats = [_shift_chat_line(line) if line else line for line in chats]

    gen.write_csv(out / "tickets" / "helpdesk_export.csv", gen.HELPDESK_COLUMNS, tickets)
    (out / "tickets" / "chat_escalations.jsonl").write_text("\n".join(chats) + "\n", encoding="utf-8")
    gen.write_csv(out / "reviews" / "product_reviews.csv", gen.REVIEW_COLUMNS, reviews)
    (out / "reviews" / "app_store_reviews.json").write_text(json.dumps(app, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (out / "surveys").mkdir(parents=True, exist_ok=True)
    gen.write_csv(out / "surveys" / "nps_survey.csv", gen.SURVEY_COLUMNS, survey)
    (out / "voc_synth.yaml").write_text(VOC_SYNTH_YAML, encoding="utf-8")

    key = gen.answer_key(reg, participants)
    key.update(corpus="demo_shop_q2", generator="scripts/make_demo_quarter.py", seed=seed)
    key = {"planted_changes": planted_changes(reg), **key}
    header = ("# Answer key for the demo's second quarter (Larkfield Home, Nov 2026 - Jan 2027), written by\n"
              "# scripts/make_demo_quarter.py. planted_changes: what changed since corpora/demo_shop on purpose.\n"
              "# records, interview_turns and pii: as in corpora/demo_shop/ANSWER_KEY.yaml.\n")
    (out / "ANSWER_KEY.yaml").write_text(
        header + yaml.safe_dump(key, sort_keys=False, allow_unicode=True, width=100, default_flow_style=None),
        encoding="utf-8")
    with (out / "tickets" / "helpdesk_export.csv").open(encoding="utf-8", newline="") as fh:
        n_tickets = sum(1 for _ in csv.DictReader(fh))
    return {"interviews": len(participants), "tickets": n_tickets, "chats": len([c for c in chats if c.strip()]) - 1,
            "product_reviews": len([r for r in reviews if r["review_id"]]), "app_reviews": len(app), "survey": len(survey)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: corpora/demo_shop_q2)")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    for name, count in generate(args.out, args.seed).items():
        print(f"{name:16s} {count}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
