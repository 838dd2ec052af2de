"""Theme polarity (pain, delight, mixed, neutral) and quotes that agree with it.

Every text here was written for these tests: complaints put politely, praise put as a negated
complaint ("not bad at all"), irony ("Great, another week of waiting. Thanks.") and plain
statements, as customers write them in reviews, tickets, surveys and interviews.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from voc_synth.evidence import select_quotes
from voc_synth.polarity import (
    polarity_rule_text,
    quote_pool,
    read_cues,
    segment_stances,
    select_agreeing_quotes,
    text_stance,
    theme_polarity,
)

# -- the rule ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("negative", "positive", "n", "expected"),
    [
        (40, 5, 60, "pain"),       # 11% of the votes positive: mislabelling territory, not a second experience
        (4, 30, 50, "delight"),
        (28, 24, 60, "mixed"),     # split down the middle
        (15, 5, 25, "mixed"),      # a quarter of the votes on the other side is a real second experience
        (16, 4, 30, "pain"),       # a fifth is not
        (3, 1, 6, "pain"),         # one dissenting voice is an anecdote, however small the theme
        (2, 1, 40, "neutral"),     # hardly anyone takes a side: a topic, not an experience
        (1, 1, 4, "neutral"),      # a tie too small to be mixed
        (0, 0, 12, "neutral"),
        (0, 0, 0, "neutral"),
    ],
)
def test_polarity_rule_reads_the_distribution_of_votes(negative: int, positive: int, n: int, expected: str) -> None:
    assert theme_polarity(negative, positive, n) == expected


def test_a_polarised_theme_is_mixed_whatever_its_mean() -> None:
    # Mean sentiment 0.0, as for a theme nobody cares about: the distribution tells them apart.
    scores = np.array([-0.8] * 10 + [0.8] * 10)
    assert abs(scores.mean()) < 1e-9
    assert theme_polarity(int((scores < 0).sum()), int((scores > 0).sum()), len(scores)) == "mixed"
    assert theme_polarity(0, 1, 20) == "neutral"


def test_the_rule_is_stated_for_reports() -> None:
    rule = polarity_rule_text()
    assert "MIXED" in rule and "25%" in rule and "own rating" in rule


# -- cues and stances ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "ironic", "praise", "complaint"),
    [
        ("Great, another week of waiting. Thanks.", True, False, False),
        ("Oh brilliant, the courier lost it again and nobody answers the phone.", True, False, False),
        ("Finding anything in that menu is a real treat, said no one ever.", True, False, False),
        ("Not bad at all for an impulse buy, honestly.", False, True, False),
        ("Couldn't fault the lady on the phone, she sorted it in minutes.", False, True, False),
        ("Returning it was hassle-free, label in the box and a drop-off round the corner.", False, True, False),
        ("I'd appreciate it if someone could tell me where my refund has got to.", False, False, True),
        ("I don't want to make a fuss, but the lid was cracked when it came.", False, False, True),
        ("It looks okay, but it's not what I paid for.", False, False, True),
        # Sincere praise with an interjection is not irony; nor is praise with an honest caveat.
        ("Great, will definitely order from you again!", False, False, False),
        ("Brilliant, the refund was back on my card in two days.", False, False, False),
        ("Perfect, nothing was damaged at all.", False, False, False),
        ("Excellent, although the box was a bit dented.", False, False, False),
        # The verdict sits after the contrast: a negated complaint before it does not count.
        ("It's not bad, but the handle came off after a week.", False, False, False),
    ],
)
def test_cues_a_sentiment_score_misses(text: str, ironic: bool, praise: bool, complaint: bool) -> None:
    cues = read_cues(text)
    assert (cues.ironic, cues.praise, cues.complaint) == (ironic, praise, complaint)


@pytest.mark.parametrize(
    ("text", "model_label", "expected"),
    [
        # A classifier that sees "bad" reads the negation as a complaint.
        ("Not bad at all for an impulse buy, honestly.", "negative", "positive"),
        # Irony reads as praise word by word.
        ("Great, another week of waiting. Thanks.", "positive", "negative"),
        # Polite words around a complaint.
        ("I'd appreciate it if someone could tell me where my refund has got to.", "positive", "negative"),
        # A wish keeps a text from counting as praise without making it a complaint.
        ("Lovely colour, though I wish the handle was a bit longer.", "positive", "neutral"),
        # So does a consolation: praise of a side detail tacked on with "though".
        ("Three weeks and still no refund. Nice wrapping paper though.", "positive", "neutral"),
        ("Lovely waiting room though, I have memorised every poster on the wall.", "positive", "neutral"),
        ("Great kettle, though the lid is stiff at first.", "positive", "positive"),
        # Praise said outright that the score missed: positive when it saw nothing or read a
        # complaint into a support story that names no failure; not a complaint when it does.
        ("The woman on the phone was really patient and talked me through the setup.", "neutral", "positive"),
        ("The bot handed me to a real person within a minute, which I appreciated.", "negative", "positive"),
        ("The agent was lovely and my refund is still missing.", "negative", "neutral"),
        # A hedge ("kind of") or a condition ("great if") is no praise.
        ("Honestly it's kind of tricky to find.", "negative", "negative"),
        ("The app is great if it loads at all.", "negative", "negative"),
        # ... but not when negated, said ironically, or followed by a complaint.
        ("The chat agent was not helpful at all.", "negative", "negative"),
        # A negation's scope ends at punctuation: "no queue." does not negate the next sentence's
        # praise, nor "not once," the failure named after it.
        ("No scripts, no queue. That's how customer service should be.", "neutral", "positive"),
        ("Great, not once, late again.", "neutral", "negative"),
        ("Oh brilliant, another week of waiting for the courier.", "neutral", "negative"),
        ("The driver was friendly, but the box was crushed and the lamp broken.", "negative", "negative"),
        # No cue: the model's label stands.
        ("The parcel was left in the rain and the box fell apart.", "negative", "negative"),
        ("Soft towels that have kept their colour after months of washing.", "positive", "positive"),
    ],
)
def test_text_stance_corrects_the_label_by_its_cues(text: str, model_label: str, expected: str) -> None:
    assert text_stance(text, model_label)[0] == expected


def _segments(rows: list[tuple[str, str, str, int, float]]) -> pd.DataFrame:
    """(doc_id, text, sentiment_label, theme_id, rating_norm) rows as a segments table."""
    frame = pd.DataFrame(rows, columns=["doc_id", "text", "sentiment_label", "theme_id", "rating_norm"])
    frame["segment_id"] = [f"s{i}" for i in range(len(frame))]
    return frame


def test_a_rated_record_about_one_theme_votes_by_its_rating() -> None:
    segments = _segments([
        # One-theme review, 1 of 5 stars, words the model misread as positive.
        ("R1", "The colour is much brighter than the photos showed.", "positive", 3, 0.0),
        # Two-theme review rated 5 of 5: the rating cannot say which theme earned it.
        ("R2", "The delivery was two days late.", "negative", 1, 1.0),
        ("R2", "The duvet is gorgeous and so soft.", "positive", 2, 1.0),
        # Three stars is neither.
        ("R3", "Does what it says, nothing special.", "neutral", 3, 0.5),
        # An interview turn has no rating: its words decide.
        ("I1", "Not bad at all, considering it was my first order.", "negative", 3, np.nan),
    ])
    stances = segment_stances(segments)
    assert stances["stance"].tolist() == ["negative", "negative", "positive", "neutral", "positive"]
    assert stances["stance_source"].tolist() == ["rating", "text", "text", "rating", "text"]
    assert stances["text_stance"].iloc[0] == "positive"  # what the words alone say, kept for quotes


def test_a_tickets_csat_rates_the_support_not_the_problem_it_reports() -> None:
    segments = _segments([
        # A one-theme complaint whose contact was handled well (CSAT 5 of 5): still a complaint.
        ("T1", "The voucher code was refused twice at checkout, what is the point of it.", "negative", 4, 1.0),
        # Badly handled, but the words are about the code: the words decide here too.
        ("T2", "The discount code went through fine in the end.", "positive", 4, 0.0),
        # A one-theme review's stars are the customer's verdict on what it talks about.
        ("R1", "The voucher code was refused at checkout.", "positive", 4, 0.0),
    ])
    segments["source_type"] = ["ticket", "ticket", "review"]
    stances = segment_stances(segments)
    assert stances["stance"].tolist() == ["negative", "positive", "negative"]
    assert stances["stance_source"].tolist() == ["text", "text", "rating"]
    # Nor does it veto a quote: the well-handled complaint can still be quoted as a complaint.
    assert stances["rating_stance"].tolist() == ["", "", "negative"]
    assert quote_pool(stances, "negative", min_agreeing=1).tolist() == [True, False, False]


# -- quotes --------------------------------------------------------------------------------

DELIGHT_TEXTS = [
    ("Not bad at all for an impulse buy, it has been great.", "negative", np.nan),   # negation misread
    ("The sheets feel lovely and washed up even softer than before.", "positive", np.nan),
    ("Really sturdy pans, heavier than I expected and easy to clean.", "positive", np.nan),
    ("Great, so now I own a blue rug I never wanted. Thanks.", "positive", np.nan),  # irony
    ("I'd appreciate it if the next one came without a scratch on it.", "positive", np.nan),  # polite complaint
    ("Honestly the towels are the best thing I have bought this year.", "positive", 0.0),  # rated 1 of 5
    ("The cushions arrived a week late and one was torn at the seam.", "negative", np.nan),
]


def _theme(texts: list[tuple[str, str, float]]) -> tuple[pd.DataFrame, np.ndarray]:
    frame = pd.DataFrame({
        "doc_id": [f"R{i}" for i in range(len(texts))],
        "text": [t for t, _, _ in texts],
        "sentiment_label": [lab for _, lab, _ in texts],
        "rating_norm": [r for _, _, r in texts],
        "theme_id": 0,
        "participant": [f"C{i}" for i in range(len(texts))],
        "source_type": "review",
    })
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(len(frame), 12)).astype(np.float32)
    return frame, vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_delight_quotes_are_praise_only() -> None:
    frame, vectors = _theme(DELIGHT_TEXTS)
    quotes = select_agreeing_quotes(frame, vectors, segment_stances(frame), "delight", select=select_quotes)
    shown = set(quotes["text"])
    assert shown == {DELIGHT_TEXTS[i][0] for i in (0, 1, 2)}
    assert set(quotes["side"]) == {"positive"}
    assert quotes["rank"].tolist() == list(range(1, len(quotes) + 1))


def test_pain_quotes_are_complaints_only() -> None:
    texts = [
        ("I'd appreciate it if someone could tell me where my refund has got to.", "positive", np.nan),
        ("Third email and still no reply about the missing parcel.", "negative", np.nan),
        ("Not bad at all, the replacement turned up the next morning.", "negative", np.nan),  # praise, misread
        ("The courier left it in the rain and the box fell apart.", "negative", 1.0),  # rated 5 of 5, one theme
        ("Great, another week of waiting for a refund. Thanks.", "positive", np.nan),  # irony
        ("Refunds take far too long and nobody tells you anything.", "negative", np.nan),
    ]
    frame, vectors = _theme(texts)
    quotes = select_agreeing_quotes(frame, vectors, segment_stances(frame), "pain", select=select_quotes)
    assert set(quotes["text"]) == {texts[i][0] for i in (0, 1, 5)}
    assert set(quotes["side"]) == {"negative"}


def test_a_mixed_theme_shows_both_sides_labelled_and_alternating() -> None:
    texts = [
        ("The chat agent sorted my return in five minutes, really kind.", "positive", np.nan),
        ("The person on live chat actually read my message, which was a relief.", "positive", np.nan),
        ("Lovely support team, patient and quick to answer my questions.", "positive", np.nan),
        ("Whoever was on the chat that evening was kind and sorted it quickly.", "positive", np.nan),
        ("The chatbot keeps sending me the same article over and over.", "negative", np.nan),
        ("There is no way to reach a human, the bot just loops back to the start.", "negative", np.nan),
        ("Great, the bot closed my chat and nobody answered. Thanks.", "positive", np.nan),  # irony
    ]
    frame, vectors = _theme(texts)
    quotes = select_agreeing_quotes(frame, vectors, segment_stances(frame), "mixed", select=select_quotes)
    # Positive votes outnumber negative ones (4 to 3, the irony counting negative): praise first.
    assert quotes["side"].tolist() == ["positive", "negative", "positive", "negative", "positive"]
    assert texts[6][0] not in set(quotes["text"])
    by_side = dict(zip(quotes["text"], quotes["side"], strict=True))
    assert all(by_side[t] == ("positive" if lab == "positive" else "negative")
               for t, lab, _ in texts if t in by_side)


def test_neutral_words_fill_in_when_too_few_say_it_outright_but_never_the_opposite() -> None:
    texts = [
        ("Tracking still says label created and nothing since Monday.", "negative", np.nan),
        ("I ordered the lamp on a Sunday evening for my sister.", "neutral", np.nan),
        ("The driver was lovely and it came a day early.", "positive", np.nan),
    ]
    frame, _ = _theme(texts)
    pool = quote_pool(segment_stances(frame), "negative")
    assert pool.tolist() == [True, True, False]
    assert quote_pool(segment_stances(frame), None).tolist() == [True, True, True]


def test_a_neutral_theme_never_quotes_irony() -> None:
    texts = [
        ("I mostly order homeware from you for the flat.", "neutral", np.nan),
        ("Usually I check the size chart before I buy anything.", "neutral", np.nan),
        ("Brilliant, the parcel is missing and nobody replies. Thanks.", "positive", np.nan),
    ]
    frame, vectors = _theme(texts)
    quotes = select_agreeing_quotes(frame, vectors, segment_stances(frame), "neutral", select=select_quotes)
    assert texts[2][0] not in set(quotes["text"]) and len(quotes) == 2
    assert set(quotes["side"]) == {""}


def test_a_second_reader_vetoes_quotes_it_reads_clearly_the_other_way() -> None:
    texts = [
        # The classifier calls this a complaint; its verdict clause is plain praise.
        ("I'm normally quite cynical about adverts, but it did look genuinely lovely in the video.", "negative", np.nan),
        ("The size guide only gives small, medium and large, no measurements at all.", "negative", np.nan),
        ("Nothing on the page says how deep the shelf is, which is all I needed.", "negative", np.nan),
        # Kind words around a complaint: the lexicon reads them as praise, the cue explains why.
        ("I'd appreciate it if you could add the dimensions, that would be wonderful.", "negative", np.nan),
    ]
    frame, vectors = _theme(texts)
    quotes = select_agreeing_quotes(frame, vectors, segment_stances(frame), "pain", select=select_quotes)
    assert set(quotes["text"]) == {t for t, _, _ in texts[1:]}


def test_a_quote_is_never_taken_from_a_record_rated_the_other_way() -> None:
    # A five-star review about two things: its rating does not decide the delivery theme's vote,
    # but a complaint from a customer who gave five stars is weak evidence of a pain point.
    segments = _segments([
        ("R1", "Delivery took a few days longer than the site said.", "negative", 1, 1.0),
        ("R1", "The duvet itself is gorgeous and so soft.", "positive", 2, 1.0),
        ("R2", "Delivery was four days late and nobody told me why.", "negative", 1, np.nan),
    ])
    stances = segment_stances(segments)
    assert stances["stance"].tolist()[0] == "negative"  # its vote: the words
    assert quote_pool(stances.iloc[[0, 2]], "negative").tolist() == [False, True]


# -- reports -------------------------------------------------------------------------------


def _with_a_mixed_theme():  # type: ignore[no-untyped-def]
    """The report fixture with one pain point turned mixed: it leaves the pain lane for the
    mixed lane, and its quotes take sides."""
    from report_fixtures import make_synthesis

    synthesis = make_synthesis(hostile=False)
    themes, stages, quotes = synthesis.themes.copy(), synthesis.stages.copy(), synthesis.quotes.copy()
    theme_id = int(themes.loc[themes["polarity"] == "pain", "theme_id"].iloc[0])
    themes.loc[themes["theme_id"] == theme_id, "polarity"] = "mixed"
    stages["mixed_theme_ids"] = [[theme_id] if theme_id in ids else [] for ids in stages["pain_theme_ids"]]
    stages["pain_theme_ids"] = [[t for t in ids if t != theme_id] for ids in stages["pain_theme_ids"]]
    mine = quotes["theme_id"] == theme_id
    quotes["side"] = ""
    quotes.loc[mine, "side"] = ["negative" if i % 2 == 0 else "positive" for i in range(int(mine.sum()))]
    synthesis.themes, synthesis.stages, synthesis.quotes = themes, stages, quotes
    label = str(themes.loc[themes["theme_id"] == theme_id, "label"].iloc[0])
    return synthesis, theme_id, label


def test_reports_show_a_mixed_theme_in_its_own_lane_with_labelled_sides() -> None:
    import re

    from voc_synth.report.html import render_journey_map
    from voc_synth.report.markdown import render_markdown

    synthesis, theme_id, label = _with_a_mixed_theme()
    page = render_journey_map(synthesis)
    lanes = dict.fromkeys(["pains", "mixed"], "")
    for lane, cell in re.findall(r'<div class="cell lane-(\w+)" data-stage-id="[^"]*">(.*?)</div>', page, re.S):
        lanes[lane] = lanes.get(lane, "") + cell
    assert f'data-theme-id="{theme_id}"' in lanes["mixed"]
    assert f'data-theme-id="{theme_id}"' not in lanes["pains"]
    assert '"side_text":"Negative side"' in page and '"side_text":"Positive side"' in page

    report = render_markdown(synthesis)
    section = report.split("**Mixed — both sides voiced**", 1)[1].split("**Touchpoints:**", 1)[0]
    assert label in section
    assert "*Negative side:*" in section and "*Positive side:*" in section
    for block in report.split("**Pain points**")[1:]:
        assert label not in block.split("**Delights**", 1)[0]


def test_quotes_come_from_texts_scored_clearly_on_their_side_first() -> None:
    segments = _segments([
        ("R1", "The courier left the parcel in the rain again.", "negative", 0, np.nan),
        ("R2", "Nobody told me the delivery had been moved to next week.", "negative", 0, np.nan),
        ("R3", "We managed in the end, it just took a while to turn up.", "negative", 0, np.nan),
    ]).assign(sentiment=[-0.8, -0.6, -0.17])
    stances = segment_stances(segments)
    assert stances["clear"].tolist() == [True, True, False]
    assert quote_pool(stances, "negative").tolist() == [True, True, False]
    assert quote_pool(stances.iloc[[0, 2]], "negative").tolist() == [True, True]  # too few clear ones
