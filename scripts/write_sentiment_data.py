"""Write the labelled sentiment sets (data/sentiment/*.csv) from hand-written fragment banks.

Every fragment in data/sentiment/fragments/ was written for voc_synth; this script combines them
into single sentences, "but" contrasts, polite complaints, sarcasm, questions, support tickets
and multi-sentence product reviews (title + body), each with a label:

- negative: complaints of any tone, including polite ones and reviews whose praise is outweighed
  ("Looks great. Broke after two weeks. Would not buy again.");
- neutral: facts, plain questions, and balanced three-star verdicts;
- positive: praise, including reviews with a minor caveat or a problem that was put right.

The training set (train.csv) comes from fragments/train/; the held-out sets come from
fragments/heldout/, written separately (other product categories, other phrasing), so held-out
figures measure generalisation rather than memorisation: heldout.csv holds multi-sentence product
reviews (what the bar is measured on), heldout_feedback.csv short feedback (single sentences,
"but" contrasts, polite complaints, sarcasm, questions, support messages). Output is
deterministic for a given --seed.

    python scripts/write_sentiment_data.py   # writes train.csv, heldout.csv, heldout_feedback.csv
"""

from __future__ import annotations

import argparse
import csv
import random
import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data" / "sentiment"
FRAGMENTS = DATA_DIR / "fragments"

# How many texts of each kind to draw (before removing duplicates).
TRAIN_PLAN = {"single": 5200, "contrast": 2600, "hedged": 800, "fixed": 400, "review": 6500, "ticket": 900}
# The held-out reviews (heldout.csv) stand in for the real star-rated reviews the model is judged
# on; the other held-out kinds (heldout_feedback.csv) are reported separately.
HELDOUT_PLAN = {"review": 2000}
HELDOUT_FEEDBACK_PLAN = {"single": 700, "contrast": 250, "hedged": 150, "fixed": 100, "ticket": 200}

Product = tuple[str, bool]  # (noun, plural)


def merge(into: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            merge(into[key], value)
        elif isinstance(value, list) and isinstance(into.get(key), list):
            into[key].extend(value)
        else:
            into[key] = value
    return into


def load_bank(folder: Path) -> dict[str, Any]:
    """All YAML fragment files of one bank, merged."""
    bank: dict[str, Any] = {}
    for path in sorted(folder.glob("*.yaml")):
        merge(bank, yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    return bank


def parse_product(entry: str) -> Product:
    return (entry[:-1], True) if entry.endswith("+") else (entry, False)


def agree(template: str, product: Product | None, rng: random.Random) -> str:
    """Fill the placeholders so the pronouns and verbs agree with the product's number."""
    noun, plural = product if product else ("one", False)
    words = {
        "p": noun,
        "it": "they" if plural else "it",
        "It": "They" if plural else "It",
        "its": "their" if plural else "its",
        "is": "are" if plural else "is",
        "was": "were" if plural else "was",
        "were": "were" if plural else "was",
        "has": "have" if plural else "has",
        "does": "do" if plural else "does",
        "doesnt": "don't" if plural else "doesn't",
        "isnt": "aren't" if plural else "isn't",
        "wasnt": "weren't" if plural else "wasn't",
        "hasnt": "haven't" if plural else "hasn't",
        "s": "" if plural else "s",
        "es": "" if plural else "es",
        "ies": "y" if plural else "ies",
        "this": "these" if plural else "this",
        "This": "These" if plural else "This",
    }
    text = template
    # Name the product instead of the first pronoun now and then, as reviewers do.
    if product and text.startswith("{it} ") and rng.random() < 0.45:
        det = rng.choice(["the", "this", "my", "the", "these" if plural else "this"])
        text = f"{det} {{p}} " + text[len("{it} "):]
    return text.format(**words)


def sentence(clause: str) -> str:
    """A clause as a sentence: capitalised, with a full stop unless it has an ending."""
    clause = clause.strip()
    if not clause:
        return clause
    clause = clause[0].upper() + clause[1:]
    return clause if clause[-1] in ".!?\"'" else clause + "."


def lower_first(text: str) -> str:
    if len(text) > 1 and text[0].isupper() and not text[1].isupper() and not text.startswith("I "):
        return text[0].lower() + text[1:]
    return text


class Composer:
    """Draws labelled texts from one fragment bank."""

    def __init__(self, bank: dict[str, Any], rng: random.Random) -> None:
        self.bank = bank
        self.rng = rng
        self.g = bank["generic"]
        self.categories = bank["categories"]
        self.service = bank["service"]
        self.used: set[str] = set()

    # -- pieces ------------------------------------------------------------------------------
    def pick(self, items: list[str]) -> str:
        return self.rng.choice(items)

    def product(self, category: str | None = None) -> tuple[str, Product]:
        category = category or self.rng.choice(sorted(self.categories))
        return category, parse_product(self.rng.choice(self.categories[category]["products"]))

    def clause(self, polarity: str, category: str, product: Product, generic_share: float = 0.3) -> str:
        """A product clause of `polarity` (pos/neg/neu): category-specific or generic, not one
        already used in the text being composed."""
        for _ in range(6):
            pool = self.categories[category].get(polarity, [])
            if not pool or self.rng.random() < generic_share:
                pool = self.g[polarity]
            template = self.pick(pool)
            if template not in self.used:
                break
        self.used.add(template)
        return agree(template, product, self.rng)

    def service_clause(self, polarity: str) -> str:
        topic = self.rng.choice(sorted(self.service))
        return self.pick(self.service[topic][polarity])

    def any_clause(self, polarity: str) -> str:
        if self.rng.random() < 0.35:
            return self.service_clause(polarity)
        category, product = self.product()
        return self.clause(polarity, category, product)

    # -- kinds of text -----------------------------------------------------------------------
    def single(self) -> tuple[str, str]:
        polarity = self.rng.choices(["pos", "neg", "neu"], weights=[4, 4, 3])[0]
        text = self.any_clause(polarity)
        r = self.rng.random()
        if polarity == "neg" and r < 0.2:
            text = f"{self.pick(self.bank['neg_prefixes'])} {text}"
        elif polarity == "pos" and r < 0.15:
            text = f"{self.pick(self.bank['pos_hedges'])} {text}"
        return sentence(text), LABELS[polarity]

    def minor_problem(self) -> str:
        """A small complaint that praise can outweigh (not a broken or missing product)."""
        pool = self.g["caveats_minor"] + self.g.get("minor_neg", [])
        text = self.pick(pool)
        return text.split(", but")[0].split(" but ")[0].split(", though")[0]

    def contrast(self) -> tuple[str, str]:
        """Praise and a complaint in one sentence. A real problem makes it negative whichever
        side of the "but" it is on; a minor one followed by praise leaves it positive."""
        category, product = self.product()
        r = self.rng.random()
        praise = self.clause("pos", category, product) if self.rng.random() < 0.75 else self.service_clause("pos")
        if r < 0.45:
            first, second, label = praise, self.clause("neg", category, product) if self.rng.random() < 0.55 else self.service_clause("neg"), "negative"
        elif r < 0.65:
            problem = self.clause("neg", category, product) if self.rng.random() < 0.7 else self.service_clause("neg")
            first, second, label = problem, praise, "negative"
            second = self.pick(["the only good thing is that ", "at least ", "sure, ", ""]) + second
        else:
            first, second, label = self.minor_problem(), praise, "positive"
        form = self.rng.random()
        if form < 0.6:
            joiner = self.pick([", but ", " but ", ", but honestly ", "; however, ", ", though ", ", yet "])
            text = sentence(first + joiner + second)
        elif form < 0.8:
            text = sentence(f"although {first}, {second}")
        else:
            text = sentence(first) + " " + sentence(self.pick(["but", "however,", "still,", "then again,"]) + " " + second)
        return text, label

    def hedged(self) -> tuple[str, str]:
        """A polite complaint: a softening opener, then the problem."""
        hedge = self.pick(self.bank["polite_hedges"])
        problem = self.any_clause("neg")
        return sentence(f"{hedge} {lower_first(problem)}"), "negative"

    def fixed(self) -> tuple[str, str]:
        """Sarcasm and questions, as written (sometimes preceded by a short neutral fact)."""
        kind = self.rng.choices(["sarcasm", "questions_neg", "questions_neu"], weights=[3, 2, 3])[0]
        text = self.pick(self.bank[kind])
        if self.rng.random() < 0.4:
            text = sentence(self.service_clause("neu")) + " " + sentence(text)
        return sentence(text), {"sarcasm": "negative", "questions_neg": "negative", "questions_neu": "neutral"}[kind]

    def title(self, polarity: str, product: Product) -> str:
        return agree(self.pick(self.g[f"titles_{polarity}"]), product, self.rng)

    def review(self) -> tuple[str, str]:
        """A product review: optional title, then 2-7 sentences of body."""
        polarity = self.rng.choices(["pos", "neg", "neu"], weights=[5, 5, 2])[0]
        category, product = self.product()
        rng = self.rng
        self.used = set()
        body: list[str] = []
        if rng.random() < 0.35:
            body.append(self.pick(self.g["narrative"]))
        if rng.random() < 0.2:
            body.append(self.clause("neu", category, product, generic_share=0.4))
        if polarity == "pos":
            for _ in range(rng.choice([1, 1, 2, 2, 3])):
                body.append(self.clause("pos", category, product))
            extra = rng.random()
            if extra < 0.2:
                body.append(self.pick(self.g["caveats_minor"] + self.g.get("minor_neg", [])))
            elif extra < 0.3:
                body.append(self.pick(self.g["resolved"]))
            elif extra < 0.45:
                body.append(self.service_clause("pos"))
            if rng.random() < 0.6:
                body.append(self.pick(self.g["verdict_pos"]))
        elif polarity == "neg":
            if rng.random() < 0.35:
                opener = self.pick(self.g["hope_openers"]) if rng.random() < 0.6 else self.clause("pos", category, product)
                body.append(opener)
            for _ in range(rng.choice([1, 1, 2, 2, 3])):
                body.append(self.clause("neg", category, product))
            if rng.random() < 0.3:
                body.append(self.pick(self.g["actions_neg"]))
            if rng.random() < 0.15:
                body.append(self.service_clause("neg"))
            if rng.random() < 0.12:
                # Praise after the problems does not rescue a broken product.
                body.append(self.clause("pos", category, product) + rng.choice([" though", ", to be fair", ""]))
            if rng.random() < 0.6:
                body.append(self.pick(self.g["verdict_neg"]))
        else:
            parts = [self.clause("pos", category, product), self.clause("neg", category, product)]
            if rng.random() < 0.5:
                parts.reverse()
            if rng.random() < 0.5:
                body.append(parts[0] + rng.choice([", but ", ". On the other hand, ", ". Then again, "]) + lower_first(parts[1]))
            else:
                body.extend(parts)
            body.append(self.pick(self.g["verdict_neu"]))
        text = " ".join(sentence(b) for b in body)
        if rng.random() < 0.7:
            title = self.title(polarity, product)
            sep = rng.choice([". ", "! " if polarity != "neu" else ". ", "\n", " - ", ": "])
            text = title.rstrip(".!") + sep + text
        return text, LABELS[polarity]

    def ticket(self) -> tuple[str, str]:
        """A support message or survey verbatim about the service, not the product."""
        t = self.bank["ticket"]
        polarity = self.rng.choices(["neg", "neu", "pos"], weights=[5, 3, 2])[0]
        parts = [self.pick(t["openers"])]
        if self.rng.random() < 0.6:
            parts.append(sentence(self.service_clause("neu")))
        if polarity == "neg":
            for _ in range(self.rng.choice([1, 2])):
                parts.append(sentence(self.service_clause("neg")))
            if self.rng.random() < 0.3:
                parts.append(self.pick(self.bank["questions_neg"]))
            parts.append(self.pick(t["closers_neg"] + t["closers_neu"]))
        elif polarity == "neu":
            parts.append(self.pick(self.bank["questions_neu"]))
            parts.append(self.pick(t["closers_neu"]))
        else:
            for _ in range(self.rng.choice([1, 2])):
                parts.append(sentence(self.service_clause("pos")))
            parts.append(self.pick(t["closers_pos"] + t["closers_neu"]))
        return " ".join(p for p in parts if p), LABELS[polarity]


LABELS = {"pos": "positive", "neg": "negative", "neu": "neutral"}
_WORD = re.compile(r"[A-Za-z]{5,}")


def add_noise(text: str, label: str, rng: random.Random) -> str:
    """Make some texts look typed in a hurry: lower case, no final stop, a typo, emphasis."""
    if rng.random() < 0.12:
        text = text.lower()
    if rng.random() < 0.15 and text[-1:] == ".":
        text = text[:-1]
    if rng.random() < 0.12:
        words = list(_WORD.finditer(text))
        if words:
            m = rng.choice(words)
            i = rng.randrange(m.start() + 1, m.end() - 2)
            text = text[:i] + text[i + 1] + text[i] + text[i + 2:]
    if label != "neutral" and rng.random() < 0.06 and text[-1:] in ".":
        text = text[:-1] + rng.choice(["!", "!!", "!!!"])
    return text


def generate(bank: dict[str, Any], plan: dict[str, int], seed: int, with_kind: bool = False) -> list[tuple[str, ...]]:
    """Deduplicated, shuffled (text, label) rows; (text, label, kind) with `with_kind`."""
    rng = random.Random(seed)
    composer = Composer(bank, rng)
    seen: set[str] = set()
    rows: list[tuple[str, str]] = []
    for kind, count in plan.items():
        make = getattr(composer, kind)
        misses = 0
        made = 0
        while made < count and misses < count * 3:
            text, label = make()
            text = add_noise(re.sub(r"\s+([,.!?])", r"\1", text).strip(), label, rng)
            key = text.lower()
            if key in seen:
                misses += 1
                continue
            seen.add(key)
            rows.append((text, label, kind) if with_kind else (text, label))
            made += 1
    rng.shuffle(rows)
    return rows


def write_csv(rows: list[tuple[str, str]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["text", "label"])
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="folder for the CSV files")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    train = generate(load_bank(FRAGMENTS / "train"), TRAIN_PLAN, args.seed)
    heldout_bank = load_bank(FRAGMENTS / "heldout")
    heldout = generate(heldout_bank, HELDOUT_PLAN, args.seed + 1)
    feedback = generate(heldout_bank, HELDOUT_FEEDBACK_PLAN, args.seed + 2)
    seen = {t.lower() for t, _ in train}
    heldout = [(t, lab) for t, lab in heldout if t.lower() not in seen]
    seen |= {t.lower() for t, _ in heldout}
    feedback = [(t, lab) for t, lab in feedback if t.lower() not in seen]
    for name, rows in (("train", train), ("heldout", heldout), ("heldout_feedback", feedback)):
        write_csv(rows, args.out / f"{name}.csv")
        counts = {lab: sum(1 for _, x in rows if x == lab) for lab in ("negative", "neutral", "positive")}
        print(f"{name}: {len(rows)} texts {counts}")


if __name__ == "__main__":
    main()
