"""Theme names, insight statements and opportunities (themes/naming.py, voc_synth.insights)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from voc_synth.config import ThemeConfig
from voc_synth.errors import ConfigError
from voc_synth.insights import (
    how_might_we_from,
    third_person,
    write_insights,
    write_opportunity,
    write_statement,
)
from voc_synth.models import load_spacy
from voc_synth.themes.naming import (
    ExtractiveNamer,
    OpenAICompatibleNamer,
    Phrase,
    check_name,
    choose_label,
    is_one_off,
    make_namer,
    name_groups,
    phrases_of_doc,
    unique_names,
)

TRACKING = [
    "The tracking never updated after dispatch and I had no idea where my parcel was.",
    "Tracking stopped updating after dispatch on Tuesday, so I kept refreshing the page.",
    "My tracking never updated once the parcel left the warehouse.",
    "Honestly the tracking stopped updating after dispatch and support could not help.",
    "The tracking page said dispatched for a week and then stopped updating.",
    "Tracking never updated and the parcel turned up in March, a week late.",
    "I gave up on the tracking because it stopped updating after dispatch.",
    "[NAME] said the tracking stopped updating after dispatch for her too.",
]
PROMO = [
    "The promo code didn't work at checkout so I paid full price.",
    "My promo code was rejected at checkout even though it was valid.",
    "The promo code didn't work and the checkout kept showing an error.",
    "I tried the promo code twice at checkout but it was rejected.",
    "Promo code rejected at checkout again, very annoying.",
    "The discount never applied because the promo code didn't work at checkout.",
]
QUALITY = [
    "The blue linen feels great quality and washes really well.",
    "Great quality sheets, they feel soft and sturdy after many washes.",
    "The quality is great and the stitching is really neat.",
    "Really great quality for the price, the fabric is thick.",
    "Great quality towels that stay soft after every wash on Sunday.",
]
FORBIDDEN = {"tuesday", "sunday", "march", "blue", "[name]", "name"}


@pytest.fixture(scope="module")
def nlp():
    return load_spacy()


def _corpus(seed: int = 3):
    rng = np.random.default_rng(seed)
    texts, topics, vectors = [], [], []
    for t, group in enumerate((TRACKING, PROMO, QUALITY)):
        direction = rng.normal(size=16)
        for text in group:
            texts.append(text)
            topics.append(t)
            vectors.append(direction + 0.2 * rng.normal(size=16))
    unit = np.asarray(vectors, dtype=np.float32)
    unit /= np.linalg.norm(unit, axis=1, keepdims=True)
    return texts, np.asarray(topics), unit


def test_phrases_are_verbatim_noun_and_verb_phrases(nlp) -> None:
    doc = nlp("The tracking never updated after dispatch and the promo code didn't work.")
    phrases = phrases_of_doc(doc)
    assert "promo code" in phrases
    assert any(p.startswith("tracking never updated") for p in phrases)
    for phrase in phrases:
        assert phrase.lower() in doc.text.lower()


def test_one_off_details_are_never_phrases(nlp) -> None:
    doc = nlp("On Tuesday [NAME] bought a blue lamp in March for 40 pounds.")
    for phrase in phrases_of_doc(doc):
        assert not set(phrase.lower().split()) & FORBIDDEN
        assert "[" not in phrase and not any(ch.isdigit() for ch in phrase)
    assert is_one_off("Monday delivery") and is_one_off("[NAME] helped") and is_one_off("grey box")
    assert is_one_off("low values and more blues")
    assert not is_one_off("late delivery")


def test_clause_sized_phrases_are_said_whole_and_never_cut_off(nlp) -> None:
    said = {
        "My promo code was rejected at checkout again.": "promo code was rejected at checkout",
        "Honestly the size information is missing on most pages.": "size information is missing",
        "The parcel arrived after the promised date.": "parcel arrived after the promised date",
        "Honestly the easiest return I have ever made.": "easiest return",
    }
    for text, phrase in said.items():
        phrases = phrases_of_doc(nlp(text))
        assert phrase in phrases, (text, phrases)
        assert all(p.lower() in text.lower() for p in phrases)  # verbatim spans
        assert not any(p.lower().startswith("honestly") for p in phrases)
    # A question's wh-word or a pronoun object left out would leave a fragment.
    assert not any("even worth" in p for p in phrases_of_doc(nlp("What are the points even worth?")))
    assert "clicked" not in " ".join(phrases_of_doc(nlp("I clicked it twice.")))


class _Embedder:
    """Phrase vectors by hand: a joined name is the sum of the phrases it holds."""

    def __init__(self, vectors: dict[str, np.ndarray]) -> None:
        self.vectors = vectors

    def embed(self, texts: list[str]) -> np.ndarray:
        out = []
        for text in texts:
            parts = [v for k, v in self.vectors.items() if k in text.lower()]
            out.append(np.sum(parts, axis=0) if parts else np.ones(3))
        return np.asarray(out, dtype=np.float32)


def test_a_name_fits_its_theme_rather_than_its_neighbours() -> None:
    theme, neighbour = np.array([1.0, 0, 0]), np.array([0, 1.0, 0])
    vectors = {"late delivery": np.array([0.8, 0.6, 0]), "parcel arrived late": np.array([0.75, 0, 0.66])}
    phrases = [Phrase(text=t, key=tuple(t.split()), support=0.3) for t in vectors]
    embedder = _Embedder(vectors)
    # Alone, the closer phrase wins; next to a theme about delivery in general, the phrase
    # that says what sets this theme apart does.
    assert choose_label(phrases, theme, embedder) == "Late delivery"
    assert choose_label(phrases, theme, embedder, others=neighbour[None, :]) == "Parcel arrived late"


def test_extractive_names_are_short_grounded_and_deterministic(nlp) -> None:
    texts, topics, unit = _corpus()
    namer = ExtractiveNamer(nlp)
    keywords = [["tracking", "dispatch"], ["promo code", "checkout"], ["quality", "great quality"]]
    names = namer.name_themes(texts, topics, [0, 1, 2], unit, keywords)
    labels = unique_names(names)
    assert labels == unique_names(namer.name_themes(texts, topics, [0, 1, 2], unit, keywords))
    for label, group in zip(labels, (TRACKING, PROMO, QUALITY), strict=True):
        words = label.split()
        assert 2 <= len(words) <= 6, label
        assert not {w.lower().strip(",") for w in words} & FORBIDDEN, label
        joined = " ".join(group).lower()
        assert all(w.lower().strip(",") in joined for w in words), label
    assert "tracking" in labels[0].lower()
    assert "promo code" in labels[1].lower()
    assert "quality" in labels[2].lower()
    assert len(set(labels)) == 3


def test_groups_are_named_from_their_themes_phrases(nlp) -> None:
    texts, topics, unit = _corpus()
    names = ExtractiveNamer(nlp).name_themes(texts, topics, [0, 1, 2], unit, [[], [], []])
    labels = unique_names(names)
    groups = name_groups([0, 0, 1], [8, 6, 5], names, labels, None)
    assert groups[1] == labels[2]
    assert 2 <= len(groups[0].split()) <= 6 and "[" not in groups[0]


def test_namer_config_strings() -> None:
    assert isinstance(make_namer("extractive"), ExtractiveNamer)
    namer = make_namer("openai-compatible:http://127.0.0.1:9/v1", model="tiny")
    assert isinstance(namer, OpenAICompatibleNamer) and namer.model == "tiny"
    with pytest.raises(ConfigError):
        make_namer("openai-compatible:http://127.0.0.1:9/v1")  # no model
    with pytest.raises(ConfigError):
        make_namer("gpt")
    with pytest.raises(ValidationError):
        ThemeConfig(namer="magic")
    assert ThemeConfig().namer == "extractive"


def test_name_checks() -> None:
    text = " ".join(TRACKING)
    assert check_name("Tracking stops updating after dispatch", text) is None
    assert check_name("Tracking", text)  # too short
    assert check_name("Tracking stopped updating for Sarah", text)  # a name
    assert check_name("Logistics partner performance issues", text)  # words nobody said
    assert check_name("Tracking stopped updating on Tuesday", text)  # a weekday


class _FakeServer:
    """A tiny OpenAI-compatible chat server on localhost that answers from a list."""

    def __init__(self, answers: list[str]) -> None:
        self.answers = list(answers)
        self.requests: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append({"path": self.path, **body})
                answer = outer.answers.pop(0) if outer.answers else "Tracking"
                data = json.dumps({"choices": [{"message": {"role": "assistant", "content": answer}}]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> _FakeServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_llm_namer_checks_falls_back_and_caches(tmp_path: Path, nlp) -> None:
    texts, topics, unit = _corpus()
    answers = ["Tracking stops updating after dispatch.",  # good (full stop stripped)
               "Promo code rejected for Margaret",  # a name: refused
               "Premium textile satisfaction levels"]  # unsupported words: refused
    with _FakeServer(answers) as server:
        namer = OpenAICompatibleNamer(server.url, "tiny", timeout=5, cache_dir=tmp_path / "names", nlp=nlp)
        warnings: list[str] = []
        names = namer.name_themes(texts, topics, [0, 1, 2], unit, [[], [], []], None, warnings)
        assert len(server.requests) == 3
        first = server.requests[0]
        assert first["path"] == "/v1/chat/completions"
        assert first["temperature"] == 0 and first["model"] == "tiny"
        assert "tracking" in first["messages"][-1]["content"].lower()  # grounded in the quotes
        assert names[0].label == "Tracking stops updating after dispatch" and names[0].source == "openai-compatible"
        extractive = ExtractiveNamer(nlp).name_themes(texts, topics, [0, 1, 2], unit, [[], [], []])
        assert names[1].label == extractive[1].label and names[1].source == "extractive"
        assert names[2].label == extractive[2].label
        assert any("failed the checks" in w for w in warnings)
        # Cached: the same prompts ask the server nothing again.
        again = OpenAICompatibleNamer(server.url, "tiny", timeout=5, cache_dir=tmp_path / "names", nlp=nlp)
        assert [n.label for n in again.name_themes(texts, topics, [0, 1, 2], unit, [[], [], []])] == \
            [n.label for n in names]
        assert len(server.requests) == 3


def test_llm_namer_unreachable_falls_back_with_a_warning(tmp_path: Path, nlp) -> None:
    texts, topics, unit = _corpus()
    with _FakeServer([]) as server:
        url = server.url
    namer = OpenAICompatibleNamer(url, "tiny", timeout=2, cache_dir=tmp_path / "names", nlp=nlp)
    warnings: list[str] = []
    names = namer.name_themes(texts, topics, [0, 1, 2], unit, [[], [], []], None, warnings)
    assert all(n.source == "extractive" for n in names)
    assert any("failed for 3 theme(s)" in w for w in warnings)


def test_opportunities_come_from_what_went_wrong(nlp) -> None:
    cases = {
        "The tracking never updated after dispatch.": "How might we get the tracking to update after dispatch?",
        "The promo code didn't work at checkout.": "How might we get the promo code to work at checkout?",
        "The photos were misleading.": "How might we make the photos accurate?",
        "My card was declined at checkout.": "How might we stop the card being declined at checkout?",
        "I couldn't find the dimensions on the product page.":
            "How might we help customers find the dimensions on the product page?",
        "Nobody answers the phone, it just rings out.": "How might we make sure someone answers the phone?",
        "No one replied to my emails.": "How might we make sure someone replies to their emails?",
        "Annoyingly there's no guest checkout.": "How might we provide guest checkout?",
        "The non-stick coating started peeling after a few uses.":
            "How might we stop the non-stick coating peeling after a few uses?",
        "My kettle stopped working.": "How might we keep the kettle working?",
        "The courier's van broke down.": "How might we stop the courier's van breaking down?",
        "The sofa was not as described.": "How might we make the sofa match the description?",
        "The colour is not as pictured on the website.": "How might we make the colour match the pictures?",
    }
    for text, expected in cases.items():
        assert how_might_we_from(nlp(text)) == expected
    assert how_might_we_from(nlp("The agent was lovely.")) == ""
    assert how_might_we_from(nlp("Nobody is perfect.")) == ""
    assert how_might_we_from(nlp("There's no doubt it works.")) == ""            # an idiom, nothing missing
    assert how_might_we_from(nlp("It was exactly as described.")) == ""          # praise
    assert how_might_we_from(nlp("It stopped working.")) == ""                  # stopped what? no question
    assert third_person("My parcel was late and I was cross") == "their parcel was late and they were cross"


def test_what_customers_propose_becomes_the_question(nlp) -> None:
    cases = {
        "A proper size chart would save everyone a return.": "How might we provide a proper size chart?",
        "Honestly, photos from real customers would really help.": "How might we provide photos from real customers?",
        "A size guide would be really useful.": "How might we provide a size guide?",
        "Just put the sizes on the product page.": "",  # "put" read as past tense: no question
        "Please bring back the old checkout.": "How might we bring back the old checkout?",
        "Please fix your app, it's been weeks.": "How might we fix the app?",  # "your": the company's
        "Log in with the credentials on the sheet.": "",  # a task read aloud, not a request
        "Data would help.": "",  # names nothing a team could build
        "More information would be really useful.": "",
        "Historical data would help a lot.": "How might we provide historical data?",
    }
    for text, expected in cases.items():
        assert how_might_we_from(nlp(text)) == expected, text
    # Nothing proposed: a vague order; a habit of something that exists is a complaint.
    assert how_might_we_from(nlp("Sort it out.")) == ""
    # A passive subject (nsubjpass) is a subject too; it once crashed the compound rejoining.
    assert how_might_we_from(nlp("A fix would be made by the team.")) == "How might we provide a fix?"
    assert how_might_we_from(nlp("The app would crash every time.")) == "How might we stop the app crashing?"


def test_a_pain_named_by_what_is_wrong_with_a_thing_is_turned_round(nlp) -> None:
    # Nothing said states the problem as a clause, so the theme's name is turned round: the
    # tagger reads "hidden" and "damaged" as participles, "missing" modifies the compound's head.
    said = ["Another four pounds at the very last step, seriously?"]
    cases = {
        "Hidden delivery fee": "How might we make the delivery fee visible?",
        "Missing size chart": "How might we make sure the size chart is there?",
        "Damaged parcel": "How might we get the parcel to customers undamaged?",
        "Broken kettle handle": "How might we keep the kettle handle working?",
        "Confusing returns form": "How might we make the returns form clearer?",
    }
    for label, expected in cases.items():
        assert write_opportunity({"label": label, "keywords": []}, said, nlp) == expected, label


def test_insight_statements_are_written_from_the_quotes(nlp) -> None:
    themes = pd.DataFrame([
        {"theme_id": 0, "label": "Tracking stopped updating", "polarity": "pain", "share_negative": 0.8,
         "share_positive": 0.05, "prevalence_text": "12 tickets, 9 reviews", "primary_stage": "delivery",
         "source_mix": {"ticket": 12, "review": 9}, "mean_rating_norm": 0.2},
        {"theme_id": 1, "label": "Great quality", "polarity": "delight", "share_negative": 0.0,
         "share_positive": 0.9, "prevalence_text": "mentioned by 4 of 6 interviewees", "primary_stage": "use",
         "source_mix": {"interview": 7}, "mean_rating_norm": float("nan"),
         "prevalence": {"interview": {"records": 4, "people": 4, "of_records": 6, "of_people": 6}}},
    ])
    quotes = pd.DataFrame({
        "theme_id": [0, 0, 0, 1, 1],
        "rank": [1, 2, 3, 1, 2],
        "segment_id": ["s1", "s2", "s3", "s4", "s5"],
        "text": ["Ugh. My tracking stopped updating after dispatch and I had no idea where it was.",
                 "The tracking page never updated.", "Support could not help.",
                 "The quality is great and it washes well.", "Lovely thick fabric."],
    })
    segments = pd.DataFrame({"rating_norm": [0.2, 0.8, 0.9, 0.7]})
    framework = {"stages": [{"id": "delivery", "name": "Delivery"}, {"id": "use", "name": "Use and support"}]}
    out = write_insights(themes, quotes, segments, framework, nlp=nlp)
    pain, delight = out.iloc[0], out.iloc[1]
    assert pain["insight"].startswith("Customers (12 tickets, 9 reviews) say their tracking stopped updating")
    assert "pain point at Delivery" in pain["insight"] and "below the average" in pain["insight"]
    assert "Tracking stopped updating is" not in pain["insight"]  # not a template around the label
    assert pain["insight_quotes"] == ["s1", "s2"]
    assert pain["opportunity"].startswith("How might we") and "tracking" in pain["opportunity"]
    # Counted once, after what is said: not "Interviewees (mentioned by 4 of 6 interviewees)".
    assert delight["insight"].startswith("Interviewees say the quality is great and it washes well (mentioned by 4 of 6) — ")
    assert delight["opportunity"] == ""


def test_an_insight_never_joins_two_lines_of_a_transcript(nlp) -> None:
    from voc_synth.insights import best_clause

    # The task's heading read aloud, then the answer on a line of its own.
    said = ["Box plot\nThe box plot would be for the whole week that I have selected."]
    clause, _ = best_clause(said, "Box plot", nlp)
    assert clause == "The box plot would be for the whole week that I have selected"


def test_an_interview_theme_counts_the_people_who_said_it() -> None:
    from voc_synth.insights import write_statement

    def theme(people: int, of: int, mix: dict | None = None) -> dict:
        return {"label": "Checkout slow", "polarity": "pain", "share_negative": 0.7, "share_positive": 0.1,
                "prevalence_text": f"mentioned by {people} of {of} interviewees",
                "source_mix": mix or {"interview": people},
                "prevalence": {"interview": {"records": people, "people": people, "of_records": of, "of_people": of}}}

    said = ["The checkout was so slow I nearly gave up."]
    # Everyone raised the theme; not everyone said this sentence.
    assert write_statement(theme(10, 10), said, "Checkout", None)[0].startswith(
        "Interviewees say the checkout was so slow they nearly gave up (mentioned by all 10) — ")
    assert write_statement(theme(3, 10), [], "Checkout", None)[0].startswith(
        "Interviewees talk about checkout slow (mentioned by 3 of 10) — ")
    assert write_statement(theme(1, 12), said, "Checkout", None)[0].startswith("One of 12 interviewees says the checkout")
    assert write_statement(theme(1, 12), [], "Checkout", None)[0].startswith("One of 12 interviewees talks about")
    # Interviews mixed with other sources keep the sources' own counts.
    mixed = theme(3, 8, {"interview": 3, "ticket": 5})
    mixed["prevalence_text"] = "mentioned by 3 of 8 interviewees, 5 tickets"
    assert write_statement(mixed, said, "Checkout", None)[0].startswith(
        "Customers (mentioned by 3 of 8 interviewees, 5 tickets) say")


def test_a_codebook_name_is_never_renamed_to_make_labels_unique() -> None:
    from voc_synth.themes.naming import Phrase, ThemeName

    other = ThemeName("Late delivery", [Phrase("late delivery", ("late", "delivery")),
                                        Phrase("parcel never arrived", ("parcel", "never", "arriv"))])
    coded = ThemeName("Late delivery", [], source="codebook")
    assert unique_names([other, coded]) == ["Parcel never arrived", "Late delivery"]


def test_a_name_said_aloud_that_redaction_missed_never_names_a_theme(nlp) -> None:
    # A first name the redaction list did not know reaches the namer as said: it must still
    # never be part of a theme's name, however often it is said.
    helped = [
        "Maria Thompson on the phone sorted out my refund in minutes.",
        "I rang and Maria Thompson sorted out my refund the same day.",
        "Honestly Maria Thompson sorted out my refund without any fuss.",
        "Maria Thompson from the support team sorted out my refund quickly.",
        "The lady on the phone, Maria Thompson, sorted out my refund.",
        "Maria Thompson sorted out my refund and called me back after.",
    ]
    texts, topics, unit = _corpus()
    rng = np.random.default_rng(5)
    extra = rng.normal(size=16) + 0.2 * rng.normal(size=(len(helped), 16))
    extra /= np.linalg.norm(extra, axis=1, keepdims=True)
    texts = texts + helped
    topics = np.concatenate([topics, np.full(len(helped), 3)])
    unit = np.vstack([unit, extra.astype(np.float32)])
    names = ExtractiveNamer(nlp).name_themes(texts, topics, [0, 1, 2, 3], unit, [[], [], [], ["maria thompson"]])
    label = unique_names(names)[3]
    assert "maria" not in label.lower() and "thompson" not in label.lower(), label
    assert "refund" in label.lower(), label


def test_an_insight_without_a_quotable_clause_still_reads_as_a_sentence(nlp) -> None:
    theme = {"label": "Quality is excellent", "polarity": "delight", "share_positive": 0.8,
             "prevalence_text": "92 reviews"}
    # No quote states it on its own (too short to be a clause): the name is what they say...
    statement, source = write_statement(theme, ["Superb."], "Product use", None, nlp)
    assert statement.startswith("Customers (92 reviews) say quality is excellent — a strength at Product use"), statement
    assert source == -1
    # ...and a name that is not a clause is what they talk about.
    statement, _ = write_statement({**theme, "label": "Box plot colours"}, [], "Product use", None, nlp)
    assert statement.startswith("Customers (92 reviews) talk about box plot colours — "), statement
