#!/usr/bin/env python
"""Write the Larkfield Home demo corpus (corpora/demo_shop/) from a fixed seed.

Larkfield Home is a fictional online home-and-kitchen shop. Every sentence in the corpus was written
for this project (see src/voc_synth/corpora/phrasebank.py and the interview material below); the
names, e-mail addresses, phone numbers, addresses, order and card numbers are invented and planted
on purpose so the pipeline's redaction can be tested. ANSWER_KEY.yaml lists every planted theme
with the records that carry it, every planted personal string, and the noise.

Deterministic: one `random.Random(SEED)` drives everything (no global random state), .docx core
properties and zip timestamps are fixed, so two runs produce byte-identical files.

    python scripts/make_demo_corpus.py            # writes corpora/demo_shop/
    python scripts/make_demo_corpus.py --out DIR  # writes somewhere else (the tests do this)
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import html
import importlib.util
import io
import json
import random
import re
import sys
import uuid
import zipfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "corpora" / "demo_shop"
SEED = 20261001


def _load_phrasebank():
    """Load the phrase bank by path, so this script works without the package installed and
    without importing the rest of voc_synth (which pulls in the heavy NLP stack)."""
    path = ROOT / "src" / "voc_synth" / "corpora" / "phrasebank.py"
    spec = importlib.util.spec_from_file_location("_voc_synth_phrasebank", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


pb = _load_phrasebank()

FIXED_DOCX_TIME = dt.datetime(2026, 10, 20, 9, 0, 0, tzinfo=dt.UTC)
PERIOD_START = dt.datetime(2026, 8, 1, 7, 0, 0)
PERIOD_DAYS = 90

# ---------------------------------------------------------------------------------------------
# How many records of each theme each source gets (the planted prevalence).
# ---------------------------------------------------------------------------------------------

HELPDESK_THEMES = {
    "late_delivery": 70, "refund_slow": 45, "tracking_not_updating": 30, "damaged_in_transit": 30,
    "payment_error": 25, "broke_after_weeks": 20, "support_unreachable": 20, "promo_code_rejected": 18,
    "parcel_wrong_place": 13, "too_many_emails": 10, "photos_misleading": 8, "points_confusing": 8,
    "size_info_missing": 4,
}
CHAT_THEMES = {
    "late_delivery": 14, "refund_slow": 12, "tracking_not_updating": 8, "payment_error": 8,
    "support_chat_helpful": 9, "parcel_wrong_place": 6, "damaged_in_transit": 5, "returns_easy": 2,
}
REVIEW_THEMES = {
    "great_quality": 160, "late_delivery": 60, "broke_after_weeks": 50, "photos_misleading": 45,
    "would_recommend": 45, "damaged_in_transit": 40, "size_info_missing": 35, "returns_easy": 25,
    "found_via_social": 20, "refund_slow": 20, "shipping_cost_late": 15, "friend_recommended": 8,
}
APP_THEMES = {
    "search_filters_poor": 18, "payment_error": 14, "tracking_not_updating": 14, "points_confusing": 7,
    "account_login_friction": 6, "promo_code_rejected": 6, "late_delivery": 5, "would_recommend": 5,
    "support_chat_helpful": 3,
}
SURVEY_THEMES = {
    "late_delivery": 18, "would_recommend": 19, "refund_slow": 12, "shipping_cost_late": 10,
    "friend_recommended": 8, "support_chat_helpful": 8, "returns_easy": 8, "found_via_social": 8,
    "account_login_friction": 6, "support_unreachable": 6, "points_confusing": 6, "too_many_emails": 6,
    "search_filters_poor": 5, "size_info_missing": 5,
}

# Keywords in a review body that pin down which product it is about.
PRODUCT_HINTS = (
    ("kettle", "Brisk 1.7L Glass Kettle"), ("toaster", "Brisk 2-Slice Toaster"),
    ("blender", "Whirl Compact Blender"), ("bread bin", "Oakway Bamboo Bread Bin"),
    ("casserole", "Harlow Cast Iron Casserole 24cm"), ("skillet", "Harlow Cast Iron Skillet 26cm"),
    ("frying pan", "Ember Non-Stick Frying Pan Set"), ("saucepan", "Ember Stainless Saucepan Trio"),
    ("non-stick", "Ember Non-Stick Frying Pan Set"), ("pan", "Ember Non-Stick Frying Pan Set"),
    ("plates", "Hearth Stoneware Dinner Set (12 piece)"), ("dinner set", "Hearth Stoneware Dinner Set (12 piece)"),
    ("jars", "Pantry Stack Glass Jars (set of 6)"), ("lids", "Pantry Stack Glass Jars (set of 6)"),
    ("underbed", "Tidy Underbed Storage Bags (pair)"), ("storage bag", "Tidy Underbed Storage Bags (pair)"),
    ("storage boxes", "Stowe Folding Storage Boxes (set of 3)"), ("shelf", "Fenwick Wall Shelf 80cm"),
    ("duvet", "Linnea Washed Linen Duvet Cover, Double"), ("pillowcase", "Linnea Washed Linen Pillowcases (pair)"),
    ("linen", "Linnea Washed Linen Duvet Cover, Double"), ("sheets", "Cloudrest Cotton Sheet Set, King"),
    ("king size", "Cloudrest Cotton Sheet Set, King"), ("towels", "Moorland Waffle Bath Towels (set of 4)"),
    ("lampshade", "Willow Pleated Lampshade 35cm"), ("floor lamp", "Arden Rattan Floor Lamp"),
    ("lamp", "Arden Ceramic Table Lamp"), ("enamel", "Quill Enamel Pie Dishes (set of 2)"),
    ("throw", "Juniper Throw Blanket"), ("bedding", "Linnea Washed Linen Duvet Cover, Double"),
    ("curtains", "Linnea Washed Linen Duvet Cover, Double"),
)

ADDRESSES = (
    "12 Birch Lane, Leeds LS6 2AB",
    "Flat 3, 41 Copperfield Road, Bristol BS5 9QX",
    "88 Wrenfield Avenue, Norwich NR3 4TL",
    "415 Maple Court, Springfield, IL 62704",
)

# ---------------------------------------------------------------------------------------------
# The registry: everything the answer key has to say
# ---------------------------------------------------------------------------------------------


class Registry:
    def __init__(self) -> None:
        self.records: dict[str, dict[str, list[str]]] = {t.id: {} for t in pb.THEMES}
        self.turns: dict[str, list[str]] = {t.id: [] for t in pb.THEMES}
        self.pii: dict[tuple[str, str], str] = {}
        self.noise: dict[str, list] = {}
        self.tone: dict[str, list[str]] = {"sarcastic": [], "polite_complaint": [], "shouty": [], "texting": [], "typos": []}
        self.rating_mismatch: list[str] = []
        self.used_orders: set[str] = set()

    def theme(self, theme_id: str, source_type: str, record_id: str) -> None:
        self.records[theme_id].setdefault(source_type, []).append(record_id)

    def add_pii(self, kind: str, value: str, field: str = "text") -> str:
        key = (kind, value)
        if key not in self.pii or (self.pii[key] != "text" and field == "text"):
            self.pii[key] = field
        return value

    def noisy(self, kind: str, item) -> None:
        self.noise.setdefault(kind, []).append(item)


class World:
    """Random draws for invented people and identifiers, all from one rng."""

    def __init__(self, rng: random.Random, reg: Registry) -> None:
        self.rng = rng
        self.reg = reg

    def order(self) -> str:
        while True:
            value = f"LH-{self.rng.randrange(100000, 1000000)}"
            if value not in self.reg.used_orders:
                self.reg.used_orders.add(value)
                return self.reg.add_pii("order_number", value)

    def person(self) -> tuple[str, str]:
        return self.rng.choice(pb.FIRST_NAMES), self.rng.choice(pb.LAST_NAMES)

    def email_for(self, first: str, last: str) -> str:
        style = self.rng.randrange(4)
        domain = self.rng.choice(("example.com", "example.org", "example.net", "mail.example"))
        local = (
            f"{first}.{last}",
            f"{first}{last}{self.rng.randrange(10, 99)}",
            f"{first[0]}{last}",
            f"{first}_{last[0]}",
        )[style]
        return f"{local.lower()}@{domain}"

    def phone(self) -> str:
        style = self.rng.randrange(5)
        if style <= 1:
            return f"07700 900{self.rng.randrange(0, 1000):03d}"
        if style == 2:
            return f"+44 7700 900{self.rng.randrange(0, 1000):03d}"
        if style == 3:
            return f"(555) 01{self.rng.randrange(0, 10)}-{self.rng.randrange(1000, 10000)}"
        return f"0113 496 0{self.rng.randrange(100, 1000)}"

    def card(self) -> str:
        prefix = self.rng.choice(("4539", "4916", "5412", "5299", "4485"))
        digits = [int(c) for c in prefix] + [self.rng.randrange(10) for _ in range(11)]
        digits.append(luhn_check_digit(digits))
        raw = "".join(map(str, digits))
        sep = self.rng.choice((" ", " ", "-", ""))
        return sep.join(raw[i : i + 4] for i in range(0, 16, 4))

    def when(self, start: dt.datetime = PERIOD_START, days: int = PERIOD_DAYS) -> dt.datetime:
        return start + dt.timedelta(seconds=self.rng.randrange(days * 86400))


def luhn_check_digit(digits: list[int]) -> int:
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:  # these positions are doubled once the check digit is appended
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


def luhn_valid(number: str) -> bool:
    digits = [int(c) for c in number if c.isdigit()]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


# ---------------------------------------------------------------------------------------------
# Writing a theme's text for one record
# ---------------------------------------------------------------------------------------------

STYLE_WEIGHTS = (("plain", 70), ("typos", 12), ("texting", 10), ("shouty", 8))


def pick_weighted(rng: random.Random, pairs) -> str:
    total = sum(w for _, w in pairs)
    x = rng.uniform(0, total)
    for value, weight in pairs:
        x -= weight
        if x <= 0:
            return value
    return pairs[-1][0]


class Writer:
    def __init__(self, rng: random.Random, reg: Registry, world: World) -> None:
        self.rng = rng
        self.reg = reg
        self.world = world

    def theme_text(self, theme_id: str, record_id: str, n: int | None = None, style: str | None = None,
                   reverse_ok: bool = True, reject=None, seen: set | None = None) -> tuple[str, dict[str, str]]:
        """The theme's sentences for one record, filled and styled; returns (text, slots used).

        `reject(raw_sentences) -> bool` vetoes a draw; `seen` holds normalised texts already used in
        this source, so accidental exact duplicates do not occur (the planted ones are added later).
        """
        theme = pb.THEMES_BY_ID[theme_id]
        for attempt in range(60):
            k = n if n is not None else (1 if self.rng.random() < 0.35 else 2)
            if attempt >= 20:
                k = 2  # single sentences run out first
            raw = pb.theme_sentences(theme, self.rng, k, reverse_ok=reverse_ok)
            if reject is not None and reject(raw):
                continue
            if seen is None or _norm(" ".join(raw)) not in seen:
                break
        if seen is not None:
            seen.add(_norm(" ".join(raw)))
        chosen_style = style or pick_weighted(self.rng, STYLE_WEIGHTS)
        if chosen_style == "shouty" and theme.polarity == "high":
            chosen_style = "plain"
        for sentence in raw:
            if sentence in pb.SARCASTIC:
                self.reg.tone["sarcastic"].append(record_id)
            if sentence in pb.POLITE_COMPLAINTS:
                self.reg.tone["polite_complaint"].append(record_id)
        if chosen_style != "plain":
            self.reg.tone[chosen_style].append(record_id)
        if chosen_style == "shouty":
            j = self.rng.randrange(len(raw))  # one sentence shouted, the rest as written
            raw = [pb.stylise(x, self.rng, "shouty") if i == j else x for i, x in enumerate(raw)]
        elif chosen_style in ("texting", "typos"):
            raw = [pb.stylise(x, self.rng, chosen_style) for x in raw]
        if chosen_style != "texting":
            raw = [x if (i == len(raw) - 1 or x.endswith((".", "!", "?"))) else x + "." for i, x in enumerate(raw)]
        slots = pb.default_slots(self.rng)
        text = " ".join(raw)
        slots["_noun_used"] = "1" if "{noun}" in text else ""
        if "{order}" in text:
            slots["order"] = self.world.order()
        if "{agent}" in text:
            slots["agent"] = self.reg.add_pii("person", self.rng.choice(pb.AGENT_NAMES))
        text = pb.fill(text, slots)
        return text, slots


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def dedupe_in_order(items):
    seen = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


def product_for(text: str, rng: random.Random, slots: dict | None = None) -> str:
    if slots and slots.get("_noun_used"):
        return slots["product"]
    low = text.lower()
    for hint, product in PRODUCT_HINTS:
        if hint in low:
            return product
    return rng.choice(pb.PRODUCTS)[0]


def allocation(rng: random.Random, counts: dict[str, int], extra: list[str]) -> list[str]:
    items = [theme for theme, n in counts.items() for _ in range(n)] + extra
    rng.shuffle(items)
    return items


# ---------------------------------------------------------------------------------------------
# Tickets: helpdesk export (CSV) and chat escalations (JSONL)
# ---------------------------------------------------------------------------------------------

QUOTED_REPLIES = (
    ("Thanks for getting in touch. I'm sorry to hear about this.",
     "I've raised it with our team and we'll come back to you within 48 hours."),
    ("Thank you for your message.",
     "Could you reply with your order number and a photo, and we'll take it from there?"),
    ("Sorry for the trouble with your order.",
     "I've passed this to our warehouse team, who will update you as soon as they can."),
)

HTML_WRAPS = ("div", "p-only", "br")


def html_body(paragraphs: list[str], rng: random.Random) -> str:
    """The same content as an HTML e-mail body, the way helpdesks export it."""
    def esc(p: str) -> str:
        out = html.escape(p, quote=True).replace("&#x27;", "&#39;").replace("\n", "<br>")
        if rng.random() < 0.2:
            out = out.replace(". ", ".&nbsp; ", 1)
        return out

    style = rng.choice(HTML_WRAPS)
    if style == "div":
        return '<div dir="ltr">' + "".join(f"<div>{esc(p)}</div><div><br></div>" for p in paragraphs) + "</div>"
    if style == "p-only":
        return "".join(f"<p>{esc(p)}</p>" for p in paragraphs)
    return "<br><br>".join(esc(p) for p in paragraphs)


def make_tickets(rng: random.Random, reg: Registry, world: World, writer: Writer) -> list[dict]:
    noise_kinds = ["thanks"] * 6 + ["test"] * 2 + ["empty"] * 2
    plan = allocation(rng, HELPDESK_THEMES, noise_kinds)
    payment_cards = set(rng.sample([i for i, t in enumerate(plan) if t == "payment_error"], 5))
    wrong_place_addr = [i for i, t in enumerate(plan) if t == "parcel_wrong_place"][:2]
    seen: set[str] = set()
    rows = []
    for i, kind in enumerate(plan):
        created = world.when()
        first, last = world.person()
        requester = reg.add_pii("email", world.email_for(first, last), field="Requester")
        channel = pick_weighted(rng, (("email", 50), ("web form", 25), ("chat", 15), ("phone", 10)))
        row = {"_kind": kind, "_created": created, "Channel": channel, "Requester": requester}
        rid = f"#{i}"  # placeholder; real ids are assigned after sorting by date
        row["_rid"] = rid
        if kind in pb.THEMES_BY_ID:
            theme = pb.THEMES_BY_ID[kind]
            text, slots = writer.theme_text(kind, rid, seen=seen)
            order = slots.get("order") or (world.order() if rng.random() < 0.75 else None)
            extra = []
            if i in payment_cards:
                card = reg.add_pii("card_number", world.card())
                extra.append(rng.choice((
                    f"I was charged twice on card {card}.",
                    f"The card I used is {card}, please check it.",
                    f"It went out of my account on the card ending in {card[-4:]}, full number {card}.",
                )))
            if i in wrong_place_addr:
                addr = reg.add_pii("address", ADDRESSES[wrong_place_addr.index(i)])
                extra.append(f"For the record my address is {addr}, it's clearly marked.")
            subject_tpl = rng.choice(theme.subjects) if theme.subjects else theme.name
            if "{order}" in subject_tpl and order is None:
                order = world.order()
            subject = pb.fill(subject_tpl, {**slots, "order": order or ""})
            body = text + (" " + " ".join(extra) if extra else "")
            row["Description"] = ticket_description(rng, reg, world, channel, body, order, first, last, created, theme)
            row["Subject"] = subject
            tags = list(theme.tags)
            row["Tags"] = "" if rng.random() < 0.15 or not tags else ", ".join(rng.sample(tags, rng.randint(1, len(tags))))
            positive = theme.polarity == "high"
        else:
            positive = True
            if kind == "thanks":
                row["Subject"] = rng.choice(("Re: your order", "Re: Your Larkfield Home enquiry", "Thanks"))
                row["Description"] = rng.choice(pb.THANKS_ONLY) + rng.choice(("", f"\n\n{first}", "\n\nSent from my iPhone"))
                if first in row["Description"]:
                    reg.add_pii("person", first)
            elif kind == "test":
                row["Subject"] = rng.choice(("test", "TEST please ignore"))
                row["Description"] = rng.choice(("test", "testing 123"))
            else:
                row["Subject"] = rng.choice(("Re: your order", "(no subject)"))
                row["Description"] = ""
            row["Tags"] = ""
        row["Status"] = pick_weighted(rng, (("solved", 45), ("closed", 30), ("open", 15), ("pending", 10)))
        if rng.random() < 0.4:
            if positive:
                row["CSAT"] = str(pick_weighted(rng, (("5", 60), ("4", 30), ("3", 10))))
            else:
                row["CSAT"] = str(pick_weighted(rng, (("1", 40), ("2", 25), ("3", 20), ("4", 10), ("5", 5))))
        else:
            row["CSAT"] = ""
        rows.append(row)

    rows.sort(key=lambda r: r["_created"])
    next_id = 10001
    for row in rows:
        row["Ticket ID"] = f"T-{next_id}"
        next_id += rng.randint(1, 6)
    final_id = {row["_rid"]: row["Ticket ID"] for row in rows}
    for key, ids in reg.tone.items():
        reg.tone[key] = [final_id.get(x, x) for x in ids]
    # exact duplicates (same everything, new id) and near-duplicates (re-sent with a small change)
    themed = [r for r in rows if r["_kind"] in pb.THEMES_BY_ID]
    for src in rng.sample(themed, 4):
        dup = dict(src)
        dup["Ticket ID"] = f"T-{next_id}"
        next_id += rng.randint(1, 6)
        reg.noisy("duplicates", dup["Ticket ID"])
        reg.noise.setdefault("duplicate_of", {})[dup["Ticket ID"]] = src["Ticket ID"]
        rows.append(dup)
    for src in rng.sample([r for r in themed if r["Channel"] in ("email", "web form") and "<" not in r["Description"]], 3):
        near = dict(src)
        near["Ticket ID"] = f"T-{next_id}"
        next_id += rng.randint(1, 6)
        near["_created"] = src["_created"] + dt.timedelta(minutes=rng.randint(3, 240))
        near["Description"] = rng.choice(("Sorry if this sends twice. ", "Resending as I've heard nothing. ")) + src["Description"]
        near["CSAT"] = ""
        near["Status"] = "open"
        reg.noisy("near_duplicates", near["Ticket ID"])
        reg.noise.setdefault("near_duplicate_of", {})[near["Ticket ID"]] = src["Ticket ID"]
        rows.append(near)
    for row in rows:
        row["Created At"] = row["_created"].strftime("%Y-%m-%d %H:%M:%S")
        kind = row["_kind"]
        if kind in pb.THEMES_BY_ID:
            reg.theme(kind, "ticket", row["Ticket ID"])
        elif kind == "thanks":
            reg.noisy("greetings_only", row["Ticket ID"])
        elif kind == "test":
            reg.noisy("off_topic", row["Ticket ID"])
        else:
            reg.noisy("empty", row["Ticket ID"])
    return rows


def signature(rng: random.Random, reg: Registry, world: World, first: str, last: str) -> str:
    kind = rng.randrange(6)
    if kind == 0:
        return "Sent from my iPhone"
    if kind == 1:
        reg.add_pii("person", first)
        return f"{rng.choice(pb.SIGNOFFS)}\n{first}"
    reg.add_pii("person", f"{first} {last}")
    sig = f"{rng.choice(pb.SIGNOFFS)}\n{first} {last}"
    if kind == 2:
        sig = f"--\n{first} {last}"
    if kind in (2, 3, 4):
        sig += "\n" + reg.add_pii("phone", world.phone())
    if kind == 4 and rng.random() < 0.5:
        sig += "\n\nSent from my iPhone"
    return sig


def ticket_description(rng, reg, world, channel, body, order, first, last, created, theme) -> str:
    order_line = ""
    if order:
        order_line = rng.choice((f"Order number: {order}", f"My order is {order}.", f"Order ref {order}", f"({order})"))
    if channel == "web form":
        reason = {"delivery": "Delivery", "returns": "Returns & refunds", "checkout": "Payment",
                  "use_support": "Product issue", "loyalty": "Account", "browsing": "Product question"}.get(theme.stage, "Other")
        lines = [f"Order number: {order or ''}", f"Reason for contact: {reason}", "Message:", body]
        if rng.random() < 0.3:
            lines.append("Contact phone: " + reg.add_pii("phone", world.phone()))
        return "\n".join(lines)
    if channel == "phone":
        note = rng.choice(("Customer called", "Cust rang", "Inbound call"))
        about = f" re {order}" if order else ""
        return f"{note}{about}. In their words: \"{body}\" Advised we would look into it and call back."
    if channel == "chat":
        agent = reg.add_pii("person", rng.choice(pb.AGENT_NAMES))
        return (f"[Chat started]\nVisitor: hi\nVisitor: {body}\n"
                f"{agent}: Thanks for the details, let me check that for you. {order_line}\n"
                f"Visitor: ok thanks\n[Chat ended]")
    # e-mail
    paragraphs = []
    if rng.random() < 0.65:
        paragraphs.append(rng.choice(pb.GREETINGS))
    if rng.random() < 0.3:
        body = rng.choice(pb.CONTEXT_SENTENCES) + " " + body
    paragraphs.append(body)
    if order_line and order not in body:
        paragraphs.append(order_line)
    paragraphs.append(signature(rng, reg, world, first, last))
    form = pick_weighted(rng, (("plain", 55), ("html", 25), ("quoted", 20)))
    if form == "html":
        return html_body(paragraphs, rng)
    text = "\n\n".join(paragraphs)
    if form == "quoted":
        agent = reg.add_pii("person", rng.choice(pb.AGENT_NAMES))
        when = created - dt.timedelta(days=rng.randint(1, 5), minutes=rng.randint(0, 600))
        stamp = f"{when.strftime('%a')}, {when.day} {when.strftime('%b %Y')} at {when.strftime('%H:%M')}"
        first_line, second_line = rng.choice(QUOTED_REPLIES)
        reg.add_pii("person", first)
        quoted = [f"Hi {first},", "", first_line, second_line, "", "Kind regards,", agent, "Larkfield Home Customer Care"]
        text += (f"\n\nOn {stamp}, Larkfield Support <support@larkfieldhome.example> wrote:\n"
                 + "\n".join(("> " + q).rstrip() for q in quoted))
    return text


CHAT_TOPICS = {"delivery": "delivery", "returns": "refund", "checkout": "payment", "use_support": "other"}


def make_chats(rng: random.Random, reg: Registry, world: World, writer: Writer) -> list[str]:
    plan = allocation(rng, CHAT_THEMES, [])
    card_at = plan.index("payment_error")
    seen: set[str] = set()
    lines = []
    created_all = sorted(world.when() for _ in plan)
    for i, (kind, created) in enumerate(zip(plan, created_all, strict=True), start=1):
        rid = f"CH-{i:04d}"
        theme = pb.THEMES_BY_ID[kind]
        agent = reg.add_pii("person", rng.choice(pb.AGENT_NAMES))
        if kind == "support_chat_helpful":
            # The customer's problem is told neutrally (no theme sentence); the praise is the theme.
            opening = rng.choice((
                "hi, I need to change something on my order", "hello, quick question about my order",
                "Hi, can someone help me with an order please", "hiya, my order has a problem",
            ))
            praise, slots = writer.theme_text(kind, rid, n=2, style="plain", seen=seen,
                                              reject=lambda raw: any("rang" in x or "chatbot" in x for x in raw))
            order = world.order()
            turns = [
                "Larkbot: Hi! I'm Larkbot. What can I help with today?",
                f"Customer: {opening}",
                "Larkbot: Let me connect you with someone from the team.",
                f"{agent} (Larkfield): Hi, I'm {agent}. Can I take the order number?",
                f"Customer: {order}",
                f"{agent} (Larkfield): Thanks. I've sorted that for you now and sent a confirmation email.",
                f"Customer: {praise}",
            ]
            topic = "other"
        else:
            text, slots = writer.theme_text(kind, rid, n=2, reverse_ok=False, seen=seen)
            order = slots.get("order") or world.order()
            first_part, _, rest = text.partition(". ")
            turns = [
                "Larkbot: Hi! I'm Larkbot. What can I help with today?",
                f"Customer: {rng.choice(('order problem', 'speak to a person', 'agent', 'I need help with my order'))}",
                "Larkbot: I'm passing you to a member of the team. Average wait: 4 minutes.",
                f"{agent} (Larkfield): Hi, thanks for waiting, you're through to {agent}. How can I help?",
                f"Customer: {first_part}{'.' if rest else ''}" if not first_part.endswith(("!", "?", ".")) else f"Customer: {first_part}",
            ]
            if rest:
                turns.append(f"Customer: {rest}")
            turns.append(f"{agent} (Larkfield): I'm sorry about that. Can I take your order number?")
            customer_line = f"Customer: it's {order}"
            if i - 1 == card_at:
                card = reg.add_pii("card_number", world.card())
                customer_line += f" and the card was {card}"
            turns.append(customer_line)
            turns.append(f"{agent} (Larkfield): Thank you. I've escalated this to the right team and you'll get an email update.")
            topic = CHAT_TOPICS.get(theme.stage, "other")
        customer_id = f"C-{rng.randrange(10000, 99999)}"
        reg.theme(kind, "ticket", rid)
        record = {"id": rid, "created": created.strftime("%Y-%m-%dT%H:%M:%SZ"), "customer_id": customer_id,
                  "topic": topic, "transcript": "\n".join(turns)}
        lines.append(json.dumps(record, ensure_ascii=False))
    # one broken line (truncated mid-string) and one empty line, as real exports sometimes have
    broken_at, empty_at = 31, 47
    lines.insert(broken_at - 1, '{"id": "CH-9999", "created": "2026-09-30T23:59:59Z", "customer_id": "C-00000", "topic": "deliv')
    lines.insert(empty_at - 1, "")
    reg.noisy("malformed_lines", {"file": "tickets/chat_escalations.jsonl", "line": broken_at})
    reg.noisy("blank_lines", {"file": "tickets/chat_escalations.jsonl", "line": empty_at})
    return lines


# ---------------------------------------------------------------------------------------------
# Reviews: product reviews (CSV) and app store reviews (JSON)
# ---------------------------------------------------------------------------------------------

NON_ENGLISH_REVIEWS = (  # (language, rating, product, title, body)
    ("fr", 5, "Harlow Cast Iron Casserole 24cm", "Très belle qualité", "La cocotte est lourde et cuit de façon très homogène. Livraison rapide, je recommande."),
    ("fr", 2, "Linnea Washed Linen Duvet Cover, Double", "Déçue", "La couleur ne correspond pas du tout à la photo, c'est beaucoup plus gris en vrai."),
    ("fr", 1, "Hearth Stoneware Dinner Set (12 piece)", "Colis abîmé", "Le carton était écrasé et deux assiettes étaient cassées. Dommage."),
    ("de", 5, "Cloudrest Cotton Sheet Set, King", "Sehr zufrieden", "Die Bettwäsche ist weich und hat die erste Wäsche ohne Probleme überstanden."),
    ("de", 1, "Moorland Waffle Bath Towels (set of 4)", "Viel zu spät", "Die Lieferung kam zehn Tage später als angekündigt, und niemand hat sich gemeldet."),
    ("de", 3, "Arden Ceramic Table Lamp", "Geht so", "Die Lampe ist hübsch, aber das Kabel ist kürzer als gedacht."),
    ("es", 4, "Brisk 1.7L Glass Kettle", "Muy bonito", "El hervidor es precioso y calienta el agua rapidísimo. El envío tardó un poco."),
    ("es", 1, "Brisk 2-Slice Toaster", "No funciona", "La tostadora dejó de funcionar a las tres semanas. Quiero un reembolso."),
)

EMOJI_OR_OK = (("👍👍", 5), ("ok", 4), ("😍😍😍", 5), ("Ok.", 3))
OFF_TOPIC_REVIEWS = (("first!", "", 5), ("test", "test", 3), ("Happy Friday everyone", "Have a lovely weekend all x", 5))

REVIEWER_HANDLES = ("HomeBird", "Anonymous", "kitchen_kate", "Verified buyer", "JDub", "Mrs H", "northernlass", "Bazza")

REVIEW_CONTEXT_PEOPLE = (
    "Bought this for my daughter {name}'s new flat.",
    "My husband {name} chose this one.",
    "Got it as a housewarming present for my friend {name}.",
    "My son {name} uses it every morning.",
)


def rating_for(theme, rng: random.Random) -> int:
    if theme.polarity == "high":
        return int(pick_weighted(rng, (("5", 74), ("4", 22), ("3", 4))))
    if theme.polarity == "mid":
        return int(pick_weighted(rng, (("2", 20), ("3", 45), ("4", 35))))
    return int(pick_weighted(rng, (("1", 55), ("2", 25), ("3", 15), ("4", 5))))


def reviewer_name(rng: random.Random, world: World, reg: Registry) -> str:
    if rng.random() < 0.55:
        first, last = world.person()
        return reg.add_pii("person", f"{first} {last[0]}.", field="reviewer")
    return rng.choice(REVIEWER_HANDLES)


def make_product_reviews(rng: random.Random, reg: Registry, world: World, writer: Writer) -> list[dict]:
    extra = ["non_english"] * len(NON_ENGLISH_REVIEWS) + ["emoji"] * len(EMOJI_OR_OK) + ["off_topic"] * len(OFF_TOPIC_REVIEWS) + ["empty"] * 2
    plan = allocation(rng, REVIEW_THEMES, extra)
    non_en = iter(NON_ENGLISH_REVIEWS)
    emoji = iter(EMOJI_OR_OK)
    off = iter(OFF_TOPIC_REVIEWS)
    rows = []
    dates = sorted(world.when().date() for _ in plan)
    mismatch_budget = 14
    seen: set[str] = set()
    for i, (kind, day) in enumerate(zip(plan, dates, strict=True), start=1):
        rid = f"R-{i:05d}"
        row = {"review_id": rid, "date": day.isoformat(), "reviewer": reviewer_name(rng, world, reg),
               "verified_purchase": "true" if rng.random() < 0.85 else "false", "_kind": kind}
        if kind in pb.THEMES_BY_ID:
            theme = pb.THEMES_BY_ID[kind]
            text, slots = writer.theme_text(kind, rid, n=1 if rng.random() < 0.3 else 2, seen=seen)
            body = text
            if rng.random() < 0.25:
                body = rng.choice(pb.CONTEXT_SENTENCES) + " " + body
            if rng.random() < 0.025:
                name = reg.add_pii("person", rng.choice(pb.FIRST_NAMES))
                body = pb.fill(rng.choice(REVIEW_CONTEXT_PEOPLE), {"name": name}) + " " + body
            rating = rating_for(theme, rng)
            if mismatch_budget and rng.random() < 0.03:
                # the stars say the opposite of the words (people do this)
                rating = 5 if theme.polarity == "low" else 1
                mismatch_budget -= 1
                reg.rating_mismatch.append(rid)
            title = rng.choice(theme.titles) if theme.titles and rng.random() < 0.8 else rng.choice(("", "Review", "Meh" if rating < 3 else "Good"))
            row.update(product=product_for(body, rng, slots), rating=rating, title=title, body=body)
            reg.theme(kind, "review", rid)
        elif kind == "non_english":
            _lang, rating, product, title, body = next(non_en)
            row.update(product=product, rating=rating, title=title, body=body)
            reg.noisy("non_english", rid)
        elif kind == "emoji":
            body, rating = next(emoji)
            row.update(product=rng.choice(pb.PRODUCTS)[0], rating=rating, title="", body=body)
            reg.noisy("emoji_or_ok", rid)
        elif kind == "off_topic":
            title, body, rating = next(off)
            row.update(product=rng.choice(pb.PRODUCTS)[0], rating=rating, title=title, body=body)
            reg.noisy("off_topic", rid)
        else:
            row.update(product=rng.choice(pb.PRODUCTS)[0], rating=rng.choice((4, 5)), title=rng.choice(("Good", "Fine")), body="")
            reg.noisy("empty", rid)
        rows.append(row)
    next_id = len(rows) + 1
    themed = [r for r in rows if r["_kind"] in pb.THEMES_BY_ID]
    for src in rng.sample(themed, 5):
        dup = dict(src, review_id=f"R-{next_id:05d}")
        next_id += 1
        reg.noisy("duplicates", dup["review_id"])
        reg.noise.setdefault("duplicate_of", {})[dup["review_id"]] = src["review_id"]
        reg.theme(src["_kind"], "review", dup["review_id"])
        rows.append(dup)
    for src in rng.sample(themed, 4):
        tweak = rng.choice((" Edit: still the same a month on.", " Update: no change.", "!!", " That's all."))
        near = dict(src, review_id=f"R-{next_id:05d}", body=src["body"].rstrip(".") + tweak)
        next_id += 1
        reg.noisy("near_duplicates", near["review_id"])
        reg.noise.setdefault("near_duplicate_of", {})[near["review_id"]] = src["review_id"]
        reg.theme(src["_kind"], "review", near["review_id"])
        rows.append(near)
    # one completely blank row, as spreadsheets exported by hand sometimes have
    blank_at = 137
    rows.insert(blank_at, {"review_id": "", "date": "", "product": "", "rating": "", "title": "", "body": "",
                           "reviewer": "", "verified_purchase": "", "_kind": "blank"})
    reg.noisy("blank_lines", {"file": "reviews/product_reviews.csv", "line": blank_at + 2})
    return rows


APP_CONTEXT = (
    "Since the last update", "On Android", "On my iPhone", "Every time", "In the app",
)
APP_NOISE = (("ok", 3), ("👍", 5), ("first!", 5), ("good", 4))
APP_USERS = ("A Google user", "Kettle Queen", "jb_1988", "Sarah", "lampfan", "mum of 3", "Dave", "T. Morgan",
             "biscuit_the_dog", "Nora", "mike_b", "HomeMaker22", "Chris", "Polly", "user8812")


def make_app_reviews(rng: random.Random, reg: Registry, world: World, writer: Writer) -> list[dict]:
    plan = allocation(rng, APP_THEMES, ["noise"] * len(APP_NOISE))
    noise = iter(APP_NOISE)
    out = []
    stamps = sorted(world.when() for _ in plan)
    seen: set[str] = set()
    for kind, when in zip(plan, stamps, strict=True):
        review_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        version = "4.2.0" if kind == "payment_error" and rng.random() < 0.8 else rng.choice(("4.1.0", "4.1.2", "4.2.1", "4.2.1"))
        item = {"reviewId": review_id, "userName": rng.choice(APP_USERS)}
        if kind in pb.THEMES_BY_ID:
            theme = pb.THEMES_BY_ID[kind]
            # in the app, account friction is about logging in, and payment trouble is mostly crashes
            wanted = {"account_login_friction": r"log|password", "payment_error": r"app|crash|Pay|error"}.get(kind)
            text, _ = writer.theme_text(kind, review_id, n=1 if rng.random() < 0.4 else 2, seen=seen,
                                        reject=(lambda raw, w=wanted: not any(re.search(w, x) for x in raw)) if wanted else None)
            if theme.polarity == "low" and rng.random() < 0.35:
                lead = rng.choice(APP_CONTEXT)
                text = f"{lead}: {text[0].lower()}{text[1:]}" if text[:2] != "I " else f"{lead}: {text}"
            score = rating_for(theme, rng)
            item.update(score=score, content=text)
            reg.theme(kind, "review", review_id)
        else:
            content, score = next(noise)
            item.update(score=score, content=content)
            reg.noisy("emoji_or_ok" if content != "first!" else "off_topic", review_id)
        item["at"] = when.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        item["appVersion"] = version
        out.append({k: item[k] for k in ("reviewId", "userName", "score", "at", "content", "appVersion")})
    return out


# ---------------------------------------------------------------------------------------------
# Survey
# ---------------------------------------------------------------------------------------------


def make_survey(rng: random.Random, reg: Registry, world: World, writer: Writer) -> list[dict]:
    extra = ["empty"] * 4 + ["na"] * 2 + ["dash"] * 2 + ["thanks"] * 2
    plan = allocation(rng, SURVEY_THEMES, extra)
    rows = []
    stamps = sorted(world.when() for _ in plan)
    contact_at = {i for i, k in enumerate(plan) if k in ("support_unreachable", "refund_slow")}
    contact_at = set(sorted(contact_at)[:2])
    seen: set[str] = set()
    for i, (kind, when) in enumerate(zip(plan, stamps, strict=True)):
        rid = f"NPS-{i + 1:04d}"
        row = {"response_id": rid, "submitted_at": when.strftime("%Y-%m-%d %H:%M:%S"),
               "customer_segment": pick_weighted(rng, (("returning", 50), ("new", 30), ("loyalty member", 20))),
               "country": pick_weighted(rng, (("GB", 85), ("IE", 10), ("US", 5)))}
        if kind in pb.THEMES_BY_ID:
            theme = pb.THEMES_BY_ID[kind]
            text, _ = writer.theme_text(kind, rid, n=1 if rng.random() < 0.5 else 2, seen=seen)
            if i in contact_at:
                first, last = world.person()
                email = reg.add_pii("email", world.email_for(first, last))
                text += f" Feel free to contact me on {email}."
            if theme.polarity == "high":
                nps = int(pick_weighted(rng, (("10", 50), ("9", 35), ("8", 15))))
            elif theme.polarity == "mid":
                nps = int(pick_weighted(rng, (("6", 30), ("7", 40), ("8", 30))))
            else:
                nps = rng.choice((0, 1, 2, 3, 4, 5, 5, 6, 6, 7))
            row.update(nps=nps, comment=text)
            reg.theme(kind, "survey", rid)
        else:
            row["nps"] = rng.randint(5, 10)
            row["comment"] = {"empty": "", "na": rng.choice(("n/a", "N/A")), "dash": "-",
                              "thanks": rng.choice(("Thanks!", "Thank you"))}[kind]
            reg.noisy("greetings_only" if kind == "thanks" else "empty", rid)
        rows.append(row)
    return rows


# ---------------------------------------------------------------------------------------------
# Interviews
# ---------------------------------------------------------------------------------------------

PARTICIPANTS = (
    # id, persona, segment, date, format, themes, intro, people named in the interview
    ("P01", "busy parent", "returning", "2026-09-08", "txt-ts",
     ["friend_recommended", "late_delivery", "support_unreachable", "refund_slow"],
     "So, I work part-time at a dental practice, and I've got two kids, Ellie's seven and Jack's four, and my husband Tom works shifts. So honestly most of my shopping happens on my phone at about ten at night, ha.",
     ["Ellie", "Jack", "Tom"]),
    ("P02", "first-time buyer", "new", "2026-09-09", "txt-ts",
     ["found_via_social", "shipping_cost_late", "account_login_friction", "damaged_in_transit", "returns_easy"],
     "I'm twenty-six, I've just moved into my first place with my boyfriend Ravi, so we're buying literally everything. Pans, towels, a bin. It's quite expensive, being an adult.",
     ["Ravi"]),
    ("P03", "loyal regular", "loyalty member", "2026-09-10", "txt-plain",
     ["points_confusing", "too_many_emails", "would_recommend", "late_delivery"],
     "I've been buying from Larkfield for, gosh, four years? Five? I'm retired, I was a school librarian, and I do a lot of cooking, and a lot of entertaining, my sister Margaret comes round most Sundays.",
     ["Margaret"]),
    ("P04", "bargain hunter", "returning", "2026-09-14", "txt-wrapped",
     ["promo_code_rejected", "search_filters_poor", "shipping_cost_late", "refund_slow"],
     "I'm a bit of a deal hunter, I'll be honest. I've got all the apps, I've got the browser extension that finds codes, and I don't buy anything unless it's on offer. I work in logistics, funnily enough.",
     []),
    ("P05", "student in first flat", "new", "2026-09-15", "txt-qa",
     ["found_via_social", "size_info_missing", "payment_error", "late_delivery"],
     "I'm in my second year at uni, doing geography, and this year I'm in a flat instead of halls, so I had to actually buy stuff. My mum helped pay for some of it.",
     []),
    ("P06", "keen home cook", "returning", "2026-09-17", "txt-named",
     ["broke_after_weeks", "support_chat_helpful", "would_recommend"],
     "Cooking is my thing, really. I batch cook for the week on Sundays, I've got a ridiculous number of pans, my partner Luca says we need a bigger kitchen or fewer pans, and I know which one he means.",
     ["Luca"]),
    ("P07", "gift buyer", "returning", "2026-09-21", "txt-ts",
     ["photos_misleading", "late_delivery", "tracking_not_updating", "returns_easy"],
     "I mostly buy presents, to be honest. Weddings, housewarmings, birthdays. I'm the person in the family who sorts out the gifts, so I'm on these sites a lot around certain times of year.",
     []),
    ("P08", "renovating a house", "returning", "2026-09-23", "vtt",
     ["size_info_missing", "damaged_in_transit", "refund_slow"],
     "We bought a Victorian terrace last year, 88 Wrenfield Avenue, Norwich, if you know it, and we're doing it up room by room. So it's shelves, lamps, storage, everything, and half the time there's plaster dust on whatever arrives.",
     [], "88 Wrenfield Avenue, Norwich"),
    ("P09", "older customer, prefers phone", "returning", "2026-09-24", "vtt",
     ["friend_recommended", "payment_error", "late_delivery", "support_unreachable"],
     "I'm seventy-one. My granddaughter Sophie set me up with the computer, and I can do most things, but I do like to ring up and speak to someone if there's a problem.",
     ["Sophie"]),
    ("P10", "app-first shopper", "loyalty member", "2026-09-29", "vtt",
     ["search_filters_poor", "account_login_friction", "tracking_not_updating", "points_confusing", "promo_code_rejected"],
     "I do everything on my phone, I don't even own a laptop any more. I'm a nurse, so I'm on nights a lot, and I shop on my breaks.",
     []),
    ("P11", "lapsed customer", "returning", "2026-09-30", "vtt",
     ["photos_misleading", "late_delivery", "refund_slow", "too_many_emails"],
     "I used to order from you quite a lot, and then, well, I sort of stopped. That's probably why you've asked me, isn't it, ha.",
     []),
    ("P12", "small landlord furnishing lets", "loyalty member", "2026-10-05", "docx",
     ["late_delivery", "returns_easy", "would_recommend", "points_confusing"],
     "I've got three flats I rent out, and I furnish them, so I'm buying in bulk a bit. Six sets of bedding, four kettles, that sort of thing.",
     []),
    ("P13", "new parent", "new", "2026-10-06", "docx",
     ["friend_recommended", "tracking_not_updating", "support_chat_helpful", "broke_after_weeks"],
     "We've got a four-month-old, Freya, so life is, um, it's chaos. I'm on maternity leave. Everything gets ordered online because leaving the house is a military operation.",
     ["Freya"]),
    ("P14", "design-conscious renter", "returning", "2026-10-08", "docx",
     ["found_via_social", "photos_misleading", "size_info_missing", "returns_easy", "would_recommend"],
     "I'm a graphic designer, so I'm quite picky about how things look. I rent, so I can't paint or anything, so it's all about lamps and textiles and making it feel like mine.",
     []),
    ("P15", "frequent returner", "returning", "2026-10-12", "docx",
     ["shipping_cost_late", "late_delivery", "damaged_in_transit", "refund_slow", "support_unreachable"],
     "I order quite a lot and I send quite a lot back, I'm not going to lie. I order two sizes and return one. My friend Jas says I keep the couriers in business.",
     ["Jas"]),
)

NAMED_SPEAKER = "Dana"  # the participant in the P06 file speaks under this (invented) first name

SMALL_TALK = (
    ("Hi, thanks so much for joining. Can you hear me okay?", "Yes, hi! Sorry, I was just fighting with the camera."),
    ("Hello! Thanks for making the time. Is the sound alright your end?", "Yeah, that's fine. Can you hear me?"),
    ("Hi there, thanks for joining us today. Are you all set?", "Hi. Yes, I think so. I've got a cup of tea, so I'm ready."),
)
WEATHER = (
    ("How's your week been?", "Oh, fine, busy. It's been absolutely chucking it down here all week, so I haven't been out much anyway."),
    ("Where are you joining from today?", "From home, in the kitchen. It's freezing, I've got the heating on already and it's only September."),
    ("Have you had a good weekend?", "Yes, lovely thanks, we were away at the coast, so I'm still catching up on everything."),
)
CONSENT = (
    "Before we start, just to confirm: we're recording this call for research only, and anything you say will be anonymised before it's shared with the wider team. You can stop at any time. Are you happy to go ahead?",
    "Quick bit of admin first. This session is being recorded so I can take notes afterwards, the recording stays with the research team, and your name won't be attached to anything. Is that okay with you?",
)
CONSENT_YES = ("Yes, that's fine.", "Yep, go for it.", "Yes, no problem.", "Of course, yes.")
INTRO_Q = ("To start, could you tell me a little about yourself and your household?", "Tell me a bit about yourself, and how you tend to shop for the home.")
DIGRESSIONS = (
    ("Sorry, that's the dog. Biscuit, quiet! Sorry. He hears the postman and loses his mind.", "Ha, no problem at all."),
    ("Sorry, one sec, someone's at the door. ... Okay, sorry, where was I?", "No worries. You were talking about the order."),
    ("Do you mind if I grab a glass of water? ... Okay, back.", "Take your time."),
    ("My neighbour's having his drive redone, so if you hear drilling, that's what that is.", "I can't hear a thing, don't worry."),
    ("Ha, sorry, the kids are watching something very loud in the next room.", "That's fine, I can hear you well."),
    ("Sorry, I've completely lost my train of thought. It's been one of those days.", "Happens to everyone, honestly."),
)
CLOSING = (
    ("That's everything I wanted to ask. Is there anything else you'd like to tell us, anything we haven't covered?",
     "Um, no, I think I've said it all. Good luck with it all."),
    ("We're nearly out of time. Anything we've missed that you think we should know?",
     "No, I don't think so. It's been nice actually, nobody usually asks."),
)
GOODBYE = (("Brilliant. Thank you so much for your time, the voucher will come through by email in the next few days.", "Lovely, thanks. Bye!"),
           ("Thanks again, this has been really helpful. Enjoy the rest of your day.", "You too, bye bye."))
TRANSITIONS = ("Okay, let's move on a bit.", "Great, thank you. Let's jump ahead.", "That's really useful.", "Okay.")


class InterviewBuilder:
    """Builds one interview as a list of (speaker, text, is_participant, theme_id|None)."""

    def __init__(self, rng: random.Random, reg: Registry, world: World, writer: Writer, pid: str) -> None:
        self.rng, self.reg, self.world, self.writer, self.pid = rng, reg, world, writer, pid
        self.turns: list[tuple[str, str, str | None]] = []  # (role, text, theme)
        self.used: set[str] = set()

    def say(self, role: str, text: str, theme: str | None = None) -> None:
        self.turns.append((role, text, theme))

    def fresh(self, options) -> str:
        pool = [o for o in options if o not in self.used] or list(options)
        choice = self.rng.choice(pool)
        self.used.add(choice)
        return choice

    def theme_answer(self, theme_id: str, first: bool) -> str:
        """A participant's answer about one theme: the story first, then how it felt."""
        theme = pb.THEMES_BY_ID[theme_id]
        rng = self.rng
        parts = []
        opener = rng.choice(pb.ANSWER_OPENERS) if rng.random() < 0.7 else ""
        if first and rng.random() < 0.3:
            parts.append(rng.choice(pb.FALSE_STARTS))
        if first:
            parts.append(self.fresh(theme.interview))
            if rng.random() < 0.4:
                parts.append(self.fresh(theme.spoken))
        else:
            impact = [x for x in theme.families[list(theme.families)[-1]] if _speakable(x)]
            parts.append(self.fresh(theme.spoken) if rng.random() < 0.6 or not impact else self.fresh(impact))
            if rng.random() < 0.4 and impact:
                parts.append(self.fresh(impact))
        if rng.random() < 0.45:
            parts.append(rng.choice(pb.ANSWER_CLOSERS))
        text = " ".join(parts)
        if opener:
            text = opener + " " + (text if opener.endswith((".", "?")) else _lower_first(text))
        slots = pb.default_slots(rng)
        if "{order}" in text:
            slots["order"] = self.world.order()
        if "{agent}" in text:
            slots["agent"] = self.reg.add_pii("person", rng.choice(pb.AGENT_NAMES))
        text = pb.fill(text, slots)
        here = f"{self.pid}:{len(self.turns) + 1}"
        if any(x in text for x in pb.SARCASTIC):
            self.reg.tone["sarcastic"].append(here)
        if any(x in text for x in pb.POLITE_COMPLAINTS):
            self.reg.tone["polite_complaint"].append(here)
        return text

    def build(self, themes: list[str], intro: str) -> list[tuple[str, str, str | None]]:
        rng = self.rng
        q, a = rng.choice(SMALL_TALK)
        self.say("I", q)
        self.say("P", a)
        q, a = rng.choice(WEATHER)
        self.say("I", q)
        self.say("P", a)
        self.say("I", rng.choice(CONSENT))
        self.say("P", rng.choice(CONSENT_YES))
        self.say("I", rng.choice(INTRO_Q))
        self.say("P", intro)
        self.say("I", rng.choice(pb.BACKCHANNELS[:4]) + " Thanks, that's really helpful context.")
        self.say("P", rng.choice(("Sure.", "No problem.", "Yeah.")))
        ordered = sorted(themes, key=lambda t: pb.STAGES.index(pb.THEMES_BY_ID[t].stage))
        digress_at = rng.randrange(len(ordered))
        previous_stage = None
        for k, theme_id in enumerate(ordered):
            stage = pb.THEMES_BY_ID[theme_id].stage
            if k and rng.random() < 0.5:
                question = rng.choice(TRANSITIONS) + " " + self.fresh(pb.STAGE_QUESTIONS[stage])
            else:
                question = self.fresh(pb.STAGE_QUESTIONS[stage])
            if stage == previous_stage:
                question = rng.choice(("Anything else from that part of it?", "Was there anything else around that time?", "And was that the only thing there?"))
            previous_stage = stage
            self.say("I", question)
            self.say("P", self.theme_answer(theme_id, first=True), theme_id)
            for _ in range(rng.randint(1, 3)):
                if rng.random() < 0.5:
                    self.say("I", rng.choice(pb.BACKCHANNELS))
                else:
                    self.say("I", self.fresh(pb.PROBES))
                self.say("P", self.theme_answer(theme_id, first=False), theme_id)
            if k == digress_at:
                d, reply = rng.choice(DIGRESSIONS)
                self.say("I", rng.choice(pb.BACKCHANNELS))
                self.say("P", d)
                self.say("I", reply)
                self.say("P", rng.choice(("Sorry! Yes.", "Right, yes.", "Okay, where were we.")))
        self.say("I", "Overall, if you had to sum up shopping with Larkfield in three words, what would they be?")
        self.say("P", rng.choice(("Ooh. Um. Nice stuff, annoying. Is that three? Ha.", "Pretty, handy, patchy.",
                                  "Hmm. Good, mostly, slow. Something like that.", "Oh, that's hard. Nice, easy, um, inconsistent.")))
        q, a = rng.choice(CLOSING)
        self.say("I", q)
        self.say("P", a)
        q, a = rng.choice(GOODBYE)
        self.say("I", q)
        self.say("P", a)
        roles = [role for role, _, _ in self.turns]
        assert all(x != y for x, y in zip(roles, roles[1:], strict=False)), "speakers must alternate"
        return self.turns


def _speakable(sentence: str) -> bool:
    """Whether a written sentence could plausibly be said aloud in an interview."""
    if sentence[:1].islower() or "!!" in sentence or "??" in sentence or sentence.endswith("?"):
        return False
    # requests addressed to the shop belong in tickets, not in a conversation with a researcher
    if re.search(r"\b(please|attached|can you|can someone|I'd like|is this covered|I'm going to have to)\b", sentence, re.I):
        return False
    return not re.search(r"\b[A-Z]{3,}\b.*\b[A-Z]{3,}\b", sentence)


def _lower_first(text: str) -> str:
    if text.startswith(("I ", "I'", "I—", "Larkfield")):
        return text
    return text[:1].lower() + text[1:]


def interview_timestamps(rng: random.Random, turns) -> list[int]:
    """Start second of each turn, from the length of what was said."""
    t = rng.randint(2, 9)
    out = []
    for _role, text, _theme in turns:
        out.append(t)
        t += max(2, int(len(text.split()) / 2.6)) + rng.randint(1, 4)
    return out


def hms(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def wrap(text: str, width: int) -> list[str]:
    lines, current = [], ""
    for word in text.split(" "):
        # never start a continuation line with "word:", which would read as a new speaker
        if current and len(current) + 1 + len(word) > width and not word.endswith(":"):
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    lines.append(current)
    return lines


def render_txt(pid, persona, date, fmt, turns, rng) -> str:
    if fmt == "txt-ts":  # comment-style header
        header = ["# Larkfield Home customer interview", f"# participant {pid} | {date} | persona: {persona}", ""]
    else:  # "Key: value" header block, as transcription services write it
        header = ["Larkfield Home customer interview", f"Participant: {pid}", f"Date: {date}", f"Persona: {persona}", ""]
    lines = list(header)
    stamps = interview_timestamps(rng, turns)
    for (role, text, _), start in zip(turns, stamps, strict=True):
        if fmt == "txt-ts":
            label = "Interviewer" if role == "I" else pid
            lines.append(f"[{hms(start)}] {label}: {text}")
        elif fmt == "txt-plain":
            label = "Interviewer" if role == "I" else pid
            lines.append(f"{label}: {text}")
            lines.append("")
        elif fmt == "txt-wrapped":
            label = "Interviewer" if role == "I" else pid
            wrapped = wrap(f"{label}: {text}", 88)
            lines.extend(wrapped)
        elif fmt == "txt-qa":
            label = "Q" if role == "I" else "A"
            lines.append(f"{label}: {text}")
            lines.append("")
        elif fmt == "txt-named":
            label = "Moderator" if role == "I" else NAMED_SPEAKER
            lines.append(f"{label} ({start // 60:02d}:{start % 60:02d}): {text}")
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def split_sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.?!])\s+(?=[A-Z\"'])", text) if s]


def render_vtt(pid, persona, date, turns, rng, numbered: bool, close_tags: bool) -> str:
    out = ["WEBVTT", "", "NOTE", f"Larkfield Home customer interview. participant {pid}, {date}, persona: {persona}", ""]
    t = float(rng.randint(2, 9))
    cue_no = 1
    for role, text, _ in turns:
        voice = "Interviewer" if role == "I" else pid
        sentences = split_sentences(text)
        chunks = []
        while sentences:
            take = 2 if len(sentences) > 2 else len(sentences)
            chunks.append(" ".join(sentences[:take]))
            sentences = sentences[take:]
        for chunk in chunks:
            duration = max(1.5, len(chunk.split()) / 2.6)
            start, end = t, t + duration
            if numbered:
                out.append(str(cue_no))
            out.append(f"{vtt_time(start)} --> {vtt_time(end)}")
            out.append(f"<v {voice}>{chunk}" + ("</v>" if close_tags else ""))
            out.append("")
            cue_no += 1
            t = end + rng.choice((0.2, 0.4, 0.5, 0.8))
        t += rng.choice((0.5, 1.0, 1.5))
    return "\n".join(out)


def vtt_time(seconds: float) -> str:
    ms = int(round(seconds * 1000))
    return f"{ms // 3600000:02d}:{ms % 3600000 // 60000:02d}:{ms % 60000 // 1000:02d}.{ms % 1000:03d}"


def render_docx(pid, persona, date, turns, bold_labels: bool, end_marker: bool) -> bytes:
    import docx  # python-docx

    document = docx.Document()
    props = document.core_properties
    props.author = "Larkfield Home research"
    props.last_modified_by = "Larkfield Home research"
    props.title = f"Customer interview {pid}"
    props.created = FIXED_DOCX_TIME.replace(tzinfo=None)
    props.modified = FIXED_DOCX_TIME.replace(tzinfo=None)
    props.last_printed = FIXED_DOCX_TIME.replace(tzinfo=None)
    props.revision = 1
    document.add_heading(f"Larkfield Home customer interview: {pid}", level=1)
    document.add_paragraph(f"Date: {date} · Participant: {pid} · Persona: {persona}")
    for role, text, _ in turns:
        label = "Interviewer" if role == "I" else pid
        para = document.add_paragraph()
        if bold_labels:
            run = para.add_run(f"{label}:")
            run.bold = True
            para.add_run(f" {text}")
        else:
            para.add_run(f"{label}: {text}")
    if end_marker:
        document.add_paragraph("[End of recording]")
    buffer = io.BytesIO()
    document.save(buffer)
    return stable_zip(buffer.getvalue())


def stable_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed member timestamps so the bytes do not depend on the clock."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2026, 10, 20, 9, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def make_interviews(rng: random.Random, reg: Registry, world: World, writer: Writer, out: Path) -> list[dict]:
    folder = out / "interviews"
    folder.mkdir(parents=True, exist_ok=True)
    meta = []
    vtt_seen = docx_seen = 0
    for pid, persona, segment, date, fmt, themes, intro, people, *address in PARTICIPANTS:
        for name in people:
            reg.add_pii("person", name)
        for addr in address:
            reg.add_pii("address", addr)
        builder = InterviewBuilder(rng, reg, world, writer, pid)
        turns = builder.build(themes, intro)
        for n, (_role, _text, theme) in enumerate(turns, start=1):
            if theme:
                reg.turns[theme].append(f"{pid}:{n}")
        if fmt.startswith("txt"):
            suffix = {"txt-ts": "call", "txt-plain": "notes", "txt-wrapped": "export", "txt-qa": "qa", "txt-named": "otter"}[fmt]
            name = f"{pid}_{suffix}.txt"
            (folder / name).write_text(render_txt(pid, persona, date, fmt, turns, rng), encoding="utf-8")
            if fmt == "txt-named":
                reg.add_pii("person", NAMED_SPEAKER)
        elif fmt == "vtt":
            name = f"{pid}_session.vtt"
            (folder / name).write_text(render_vtt(pid, persona, date, turns, rng, numbered=vtt_seen % 2 == 0,
                                                  close_tags=vtt_seen != 3), encoding="utf-8")
            vtt_seen += 1
        else:
            name = f"{pid}_transcript.docx"
            (folder / name).write_bytes(render_docx(pid, persona, date, turns, bold_labels=docx_seen != 2, end_marker=docx_seen == 3))
            docx_seen += 1
        meta.append({"participant_id": pid, "persona": persona, "segment": segment, "interview_date": date,
                     "file": name, "turns": len(turns)})
    with (folder / "participants.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["participant_id", "persona", "segment", "interview_date", "file"])
        for m in meta:
            w.writerow([m["participant_id"], m["persona"], m["segment"], m["interview_date"], m["file"]])
    return meta


# ---------------------------------------------------------------------------------------------
# Writing it all
# ---------------------------------------------------------------------------------------------

VOC_SYNTH_YAML = """\
# Pipeline config for the Larkfield Home demo corpus (see README.md). Paths are relative to this file.
project: Larkfield Home — customer evidence, autumn 2026
framework: ecommerce
seed: 42
sources:
  - path: interviews
    type: interview
    include: ["*.txt", "*.vtt", "*.docx"]
    interviewer_labels: ["Interviewer", "Moderator", "Q"]
    participants: interviews/participants.csv      # metadata joined on participant id
  - path: tickets/helpdesk_export.csv
    type: ticket
    columns: {id: Ticket ID, text: [Subject, Description], date: Created At, rating: CSAT, customer: Requester, channel: Channel, keep: [Tags, Status]}
  - path: tickets/chat_escalations.jsonl
    type: ticket
    columns: {id: id, text: [transcript], date: created, customer: customer_id, keep: [topic]}
    channel: chat
  - path: reviews/product_reviews.csv
    type: review
    columns: {id: review_id, text: [title, body], date: date, rating: rating, customer: reviewer, product: product, keep: [verified_purchase]}
  - path: reviews/app_store_reviews.json
    type: review
    columns: {id: reviewId, text: [content], date: at, rating: score, customer: userName, keep: [appVersion]}
    channel: app
  - path: surveys/nps_survey.csv
    type: survey
    columns: {id: response_id, text: [comment], date: submitted_at, rating: nps, keep: [customer_segment, country]}
rating_scales: {ticket: [1, 5], review: [1, 5], survey: [0, 10]}
redaction:
  patterns:
    order_number: 'LH-\\d{6}'
"""

HELPDESK_COLUMNS = ["Ticket ID", "Created At", "Channel", "Subject", "Description", "Tags", "Status", "CSAT", "Requester"]
REVIEW_COLUMNS = ["review_id", "date", "product", "rating", "title", "body", "reviewer", "verified_purchase"]
SURVEY_COLUMNS = ["response_id", "submitted_at", "nps", "comment", "customer_segment", "country"]


def write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)


def answer_key(reg: Registry, participants: list[dict]) -> dict:
    themes = []
    for theme in pb.THEMES:
        by_source = reg.records[theme.id]
        turns = reg.turns[theme.id]
        sources = [s for s in ("ticket", "review", "interview", "survey")
                   if (s == "interview" and turns) or by_source.get(s)]
        records = [rid for s in ("ticket", "review", "survey") for rid in by_source.get(s, [])]
        counts = {s: len(by_source.get(s, [])) for s in ("ticket", "review", "survey") if by_source.get(s)}
        if turns:
            counts["interview_turns"] = len(turns)
            counts["interview_participants"] = len({t.split(":")[0] for t in turns})
        themes.append({
            "id": theme.id, "name": theme.name, "stage": theme.stage,
            "expected_sentiment": theme.expected_sentiment, "source_types": sources,
            "counts": counts, "records": records, "interview_turns": turns,
        })
    pii = [{"kind": kind, "value": value, "field": field} for (kind, value), field in reg.pii.items()]
    kind_order = ("person", "email", "phone", "address", "card_number", "order_number")
    pii.sort(key=lambda p: (kind_order.index(p["kind"]), p["field"] != "text", p["value"]))
    noise = {k: reg.noise[k] for k in ("duplicates", "duplicate_of", "near_duplicates", "near_duplicate_of",
                                       "non_english", "empty", "greetings_only", "off_topic", "emoji_or_ok",
                                       "malformed_lines", "blank_lines") if k in reg.noise}
    tone = {k: dedupe_in_order(v) for k, v in reg.tone.items()}
    return {
        "corpus": "demo_shop",
        "framework": "ecommerce",
        "generator": "scripts/make_demo_corpus.py",
        "seed": SEED,
        "themes": themes,
        "participants": [{"id": p["participant_id"], "file": "interviews/" + p["file"], "turns": p["turns"]} for p in participants],
        "pii": pii,
        "noise": noise,
        "tone": tone,
        "rating_mismatch": reg.rating_mismatch,
    }


def generate(out: Path = DEFAULT_OUT, seed: int = SEED) -> dict:
    """Write the whole corpus under `out`; returns a small summary."""
    rng = random.Random(seed)
    reg = Registry()
    world = World(rng, reg)
    writer = Writer(rng, reg, world)
    out.mkdir(parents=True, exist_ok=True)

    participants = make_interviews(rng, reg, world, writer, out)

    tickets = make_tickets(rng, reg, world, writer)
    write_csv(out / "tickets" / "helpdesk_export.csv", HELPDESK_COLUMNS, tickets)
    chats = make_chats(rng, reg, world, writer)
    (out / "tickets" / "chat_escalations.jsonl").write_text("\n".join(chats) + "\n", encoding="utf-8")

    reviews = make_product_reviews(rng, reg, world, writer)
    write_csv(out / "reviews" / "product_reviews.csv", REVIEW_COLUMNS, reviews)
    app = make_app_reviews(rng, reg, world, writer)
    (out / "reviews" / "app_store_reviews.json").write_text(json.dumps(app, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    survey = make_survey(rng, reg, world, writer)
    (out / "surveys").mkdir(parents=True, exist_ok=True)
    write_csv(out / "surveys" / "nps_survey.csv", SURVEY_COLUMNS, survey)

    (out / "voc_synth.yaml").write_text(VOC_SYNTH_YAML, encoding="utf-8")
    key = answer_key(reg, participants)
    header = ("# Answer key for the Larkfield Home demo corpus, written by scripts/make_demo_corpus.py.\n"
              "# records: tabular ids (Ticket ID, id, review_id, reviewId, response_id) carrying the theme.\n"
              "# interview_turns: PARTICIPANT:TURN, turns counted from 1 over every speaker turn in file order.\n"
              "# pii: every planted personal string; field 'text' = inside free text, otherwise the metadata column.\n")
    (out / "ANSWER_KEY.yaml").write_text(header + yaml.safe_dump(key, sort_keys=False, allow_unicode=True, width=100, default_flow_style=None), encoding="utf-8")
    return {
        "interviews": len(participants),
        "tickets": len(tickets),
        "chats": len([c for c in chats if c.strip()]) - 1,
        "product_reviews": len([r for r in reviews if r["review_id"]]),
        "app_reviews": len(app),
        "survey": len(survey),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: corpora/demo_shop)")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    summary = generate(args.out, args.seed)
    for name, count in summary.items():
        print(f"{name:16s} {count}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
