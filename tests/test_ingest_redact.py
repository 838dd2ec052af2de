"""`redact_pii`: each kind of personal data becomes its placeholder; brands and ordinary
numbers are left alone."""

from __future__ import annotations

import pytest

from voc_synth.errors import ConfigError
from voc_synth.ingest import redact_pii
from voc_synth.ingest.redact import Redactor, luhn_ok


def _no_names(text: str, **kwargs: object) -> str:
    return redact_pii(text, names=False, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("text, expected", [
    ("mail me at dana.reyes@example.co.uk please", "mail me at [EMAIL] please"),
    ("UK mobile 07700 900123 or 07700900123", "UK mobile [PHONE] or [PHONE]"),
    ("office +44 (0)20 7946 0958 and 0161-496-0000", "office [PHONE] and [PHONE]"),
    ("US (555) 123-4567, 555.123.4567, +1 555 123 4567", "US [PHONE], [PHONE], [PHONE]"),
    ("Berlin +49 30 1234567", "Berlin [PHONE]"),
    ("charged twice on 4111 1111 1111 1111 and 5500-0000-0000-0004", "charged twice on [CARD] and [CARD]"),
    ("track https://swiftdrop.example/track?id=ab12&token=XYZ987 now", "track [URL] now"),
    ("reset link https://shop.example/r/a8F3kd93KdmQ02xZ expired", "reset link [URL] expired"),
    ("I live at 42 Baker Street, London NW1 6XE.", "I live at [ADDRESS]."),
    ("send it to Flat 3, 17 Mill Lane please", "send it to [ADDRESS] please"),
    ("ship to 9 Elm Road, Austin, TX 78701 asap", "ship to [ADDRESS] asap"),
])
def test_each_kind_is_replaced(text: str, expected: str) -> None:
    assert _no_names(text) == expected


@pytest.mark.parametrize("text", [
    "The X10 4GB model arrived on 2024-03-12 at 10:30.",
    "It cost 1299.99 and the box said 123456789.",
    "See https://swiftdrop.example/help for the returns policy.",
    "Card ending 1234 was fine; 4111 1111 1111 1112 fails the checksum.",
    "Order 5 of 12 boxes, 3 stars.",
])
def test_ordinary_numbers_dates_and_plain_urls_are_kept(text: str) -> None:
    assert _no_names(text) == text


def test_configured_patterns_name_their_placeholder() -> None:
    text = "My order LH-558812 and account ACC/99812 are both wrong."
    out = _no_names(text, patterns={"order_number": r"\bLH-\d{6}\b", "account number": r"ACC/\d+"})
    assert out == "My order [ORDER_NUMBER] and account [ACCOUNT_NUMBER] are both wrong."


def test_bad_pattern_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"redaction\.patterns\.broken"):
        _no_names("x", patterns={"broken": "(unclosed"})


def test_names_from_ner_and_from_known_names() -> None:
    out = redact_pii("Hi, I am Dana Reyes. My husband Tom set it up and Sam's sister loved it.",
                     known_names=["Sam Taylor"])
    assert "Dana" not in out and "Reyes" not in out and "Tom" not in out
    assert "[NAME]'s sister" in out  # a known first name is redacted, the possessive kept


def test_brands_products_and_noise_are_not_names() -> None:
    text = ("I paid with Apple Pay and PayPal via SwiftDrop on my iPhone. Superb. "
            "Kestrel Courier lost it. Email me back. ABSOLUTELY RIDICULOUS service.")
    out = redact_pii(text, allow_terms=["SwiftDrop"])
    for kept in ("Apple Pay", "PayPal", "SwiftDrop", "iPhone", "Superb", "Kestrel Courier", "Email me",
                 "ABSOLUTELY RIDICULOUS"):
        assert kept in out, (kept, out)


def test_misspelt_brand_is_still_the_brand() -> None:
    redactor = Redactor(allow_terms=["Larkfield"])
    assert not redactor.person_ok("Larfkield")
    assert redactor.person_ok("Margaret")


def test_luhn() -> None:
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")


def test_offsets_map_through_redaction() -> None:
    redactor = Redactor(names=False)
    text = "Call 07700 900123 today. It broke."
    spans = redactor.find(text)
    redacted, offsets = redactor.apply(text, spans)
    start = text.index("It broke")
    assert redacted[offsets(start):offsets(len(text), is_end=True)] == "It broke."
    assert redacted[: offsets(text.index(" today"))] == "Call [PHONE]"


def test_names_after_relation_words_are_redacted_even_when_ner_misses_them() -> None:
    text = "My granddaughter Sophie set me up, and our neighbour, Declan checks the parcels."
    redacted = redact_pii(text)
    assert "Sophie" not in redacted and "Declan" not in redacted
    assert redacted.count("[NAME]") == 2
    # Brands after a relation word are not names.
    assert redact_pii("My son PayPal'd me the money.").startswith("My son PayPal")


def test_a_name_found_once_in_an_interview_is_redacted_wherever_it_is_said(tmp_path) -> None:
    """The tagger finds "Kenji Watanabe" in one answer but not "Kenji" alone in the next: a
    colleague the participant names aloud is redacted everywhere in the study once found."""
    from pathlib import Path

    from voc_synth.config import Config, SourceConfig
    from voc_synth.ingest import ingest

    folder = tmp_path / "transcripts"
    folder.mkdir()
    (folder / "p1.txt").write_text(
        "Interviewer: Who got you into robotics?\n\n"
        "Participant: Oh, that was my advisor, Kenji Watanabe, at the university lab in Osaka.\n\n"
        "Interviewer: What was working with him like?\n\n"
        "Participant: Kenji liked to build everything twice, so the arm took us about two years.\n\n"
        "Interviewer: And after that?\n\n"
        "Participant: Honestly, without Kenji pushing us we would never have finished the gripper.\n",
        encoding="utf-8")
    (folder / "p2.txt").write_text(
        "Interviewer: How did the project start?\n\n"
        "Participant: We borrowed the hand design and Kenji sent the drawings over by fax, believe it or not. "
        "It ran on a chip from Texas Instruments, and the drum kit had real instruments in it.\n",
        encoding="utf-8")
    result = ingest(Config(sources=[SourceConfig(path=Path("transcripts"), type="interview")], base_dir=tmp_path))

    texts = " ".join(result.segments["text"]) + " ".join(result.documents["text"])
    assert "Kenji" not in texts and "Watanabe" not in texts
    assert "[NAME] liked to build everything twice" in texts
    # A word the study also uses in lower case is not taken for a name on its own.
    assert "real instruments" in texts


def test_a_word_the_study_writes_in_lower_case_is_not_a_name_on_its_own() -> None:
    from types import SimpleNamespace

    from voc_synth.ingest.core import _names_said_in_interviews
    from voc_synth.ingest.nlp import Analysis
    from voc_synth.ingest.redact import Redactor

    blocks = ["Back then Moore Law drove everything, said Gordon Moore.", "I went to law school first."]
    # The tagger's PERSON spans, as it sometimes finds them.
    analyses = [Analysis(persons=[(10, 19), (43, 55)]), Analysis()]
    records = [SimpleNamespace(is_interview=True, blocks=[0, 1])]
    names = _names_said_in_interviews(records, blocks, analyses, Redactor())
    assert {"Moore Law", "Gordon Moore", "Moore", "Gordon"} <= names
    assert "Law" not in names  # "law school": an ordinary word here
