"""find_themes(): determinism, codebook steering, tiny and degenerate corpora, labels, groups."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from conftest import RecordingProgress

from voc_synth.config import CodebookEntry, EmbeddingConfig, ThemeConfig
from voc_synth.embed import embed_texts
from voc_synth.errors import ConfigError, InputError
from voc_synth.themes import ThemeResult, find_themes, label_from_keywords
from voc_synth.themes.evaluation import as_segments, load_eval_set
from voc_synth.themes.labels import SEPARATOR, clean_keywords
from voc_synth.themes.params import (
    default_min_cluster_size,
    default_min_samples,
    default_n_neighbors,
    stop_words,
)

INTENTS = ["order_late", "tracking_stuck", "refund_not_received", "return_item", "app_crash",
           "checkout_usability", "gift_card", "packaging"]


@pytest.fixture(scope="module")
def emb_config(tmp_path_factory: pytest.TempPathFactory) -> EmbeddingConfig:
    return EmbeddingConfig(cache_dir=tmp_path_factory.getbasetemp() / "embedding-cache")


@pytest.fixture(scope="module")
def corpus(emb_config: EmbeddingConfig) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """8 intents x 30 queries (240 segments) with their embeddings and intents."""
    data = load_eval_set(per_intent=30, seed=3)
    data = data[data["intent"].isin(INTENTS)].reset_index(drop=True)
    segments = as_segments(data)
    segments["participant"] = [f"P{i % 40:02d}" for i in range(len(segments))]
    segments["doc_id"] = [f"D{i % 120:03d}" for i in range(len(segments))]
    return segments, embed_texts(segments["text"].tolist(), emb_config), data["intent"].to_numpy()


@pytest.fixture(scope="module")
def baseline(corpus: tuple[pd.DataFrame, np.ndarray, np.ndarray], emb_config: EmbeddingConfig) -> ThemeResult:
    segments, embeddings, _ = corpus
    return find_themes(segments, embeddings, ThemeConfig(), seed=7, embedding_config=emb_config)


def test_result_shape_and_counts(baseline: ThemeResult, corpus: tuple[pd.DataFrame, np.ndarray, np.ndarray]) -> None:
    segments, _, intents = corpus
    result = baseline
    assert result.params["method"] == "bertopic"
    assert list(result.assignments.index) == list(segments.index)
    assert {"theme_id", "theme_label", "theme_probability"} <= set(result.assignments.columns)
    themes = result.themes
    for column in ["theme_id", "label", "keywords", "group_id", "group_label", "n_segments",
                   "n_documents", "n_participants", "source_mix", "is_codebook"]:
        assert column in themes.columns
    assert list(themes["theme_id"]) == list(range(len(themes)))
    assert 5 <= len(themes) <= 16
    assert result.centroids.shape == (len(themes), 384)
    assert np.allclose(np.linalg.norm(result.centroids, axis=1), 1.0, atol=1e-4)
    counts = result.assignments["theme_id"].value_counts()
    for _, theme in themes.iterrows():
        assert theme["n_segments"] == counts[theme["theme_id"]]
        assert sum(theme["source_mix"].values()) == theme["n_segments"]
        assert 1 <= theme["n_participants"] <= 40 and 1 <= theme["n_documents"] <= 120
        assert isinstance(theme["keywords"], list) and theme["keywords"]
    # Unthemed segments are counted, in the assignments and in a warning, never hidden.
    n_out = int((result.assignments["theme_id"] == -1).sum())
    assert themes["n_segments"].sum() + n_out == len(segments)
    assert result.n_unthemed == n_out and n_out <= 0.10 * len(segments)
    unthemed = result.assignments[result.assignments["theme_id"] == -1]
    assert (unthemed["theme_label"] == "Unthemed").all() and (unthemed["theme_probability"] == 0).all()
    # Themes follow the intents (a generous bar; the eval test has the real one).
    from sklearn.metrics import normalized_mutual_info_score
    assert normalized_mutual_info_score(intents, result.assignments["theme_id"]) > 0.7
    assert "themes" in result._repr_html_()


def test_same_seed_same_themes(baseline: ThemeResult, corpus: tuple[pd.DataFrame, np.ndarray, np.ndarray],
                               emb_config: EmbeddingConfig) -> None:
    segments, embeddings, _ = corpus
    again = find_themes(segments, embeddings, ThemeConfig(), seed=7, embedding_config=emb_config)
    pd.testing.assert_frame_equal(again.assignments, baseline.assignments)
    assert list(again.themes["label"]) == list(baseline.themes["label"])
    assert list(again.themes["group_id"]) == list(baseline.themes["group_id"])
    assert np.array_equal(again.centroids, baseline.centroids)


def test_labels_are_readable(baseline: ThemeResult) -> None:
    stops = set(stop_words())
    labels = list(baseline.themes["label"])
    assert len(set(labels)) == len(labels)
    for label in [*labels, *baseline.themes["group_label"]]:
        assert label[0].isupper(), label
        assert len(label) <= 60
        phrases = label.split(SEPARATOR)
        assert 1 <= len(phrases) <= 3
        assert len({p.lower() for p in phrases}) == len(phrases)
        for phrase in phrases:
            words = re.findall(r"[a-z]+", phrase.lower())
            assert words and not all(w in stops for w in words), label


def test_groups_cut_the_hierarchy(baseline: ThemeResult) -> None:
    themes = baseline.themes
    n_groups = themes["group_id"].nunique()
    assert 5 <= n_groups <= min(12, len(themes))
    assert sorted(themes["group_id"].unique()) == list(range(n_groups))
    for _, group in themes.groupby("group_id"):
        assert group["group_label"].nunique() == 1
    sizes = themes.groupby("group_id")["n_segments"].sum()
    assert list(sizes) == sorted(sizes, reverse=True)


def test_codebook_steers_and_new_themes_still_emerge(
    baseline: ThemeResult, corpus: tuple[pd.DataFrame, np.ndarray, np.ndarray], emb_config: EmbeddingConfig
) -> None:
    segments, embeddings, intents = corpus
    codebook = [
        CodebookEntry(name="Waiting for a late parcel", stage="delivery",
                      examples=["my parcel is late", "still waiting for my delivery", "order has not arrived yet"]),
        CodebookEntry(name="App stability", examples=["the app crashes", "app freezes on my phone",
                                                      "app is buggy after the update"]),
    ]
    assert "Waiting for a late parcel" not in set(baseline.themes["label"])
    result = find_themes(segments, embeddings, ThemeConfig(codebook=codebook, codebook_mode="guided"), seed=7,
                         embedding_config=emb_config)
    themes = result.themes.set_index("label")
    for entry, intent in [(codebook[0], "order_late"), (codebook[1], "app_crash")]:
        assert entry.name in themes.index, list(themes.index)
        theme = themes.loc[entry.name]
        assert bool(theme["is_codebook"]) and theme["codebook_stage"] == entry.stage
        members = intents[(result.assignments["theme_id"] == theme["theme_id"]).to_numpy()]
        assert np.mean(members == intent) >= 0.7, (entry.name, pd.Series(members).value_counts())
        assert np.sum(members == intent) >= 0.4 * np.sum(intents == intent)
    emergent = result.themes[~result.themes["is_codebook"]]
    assert len(emergent) >= 3


def test_deductive_codebook_codes_most_of_what_it_describes(
    corpus: tuple[pd.DataFrame, np.ndarray, np.ndarray], emb_config: EmbeddingConfig
) -> None:
    """A full codebook (every intent of a slice of the corpus has a code with a definition):
    most of each intent's segments land under its code, and no code takes a foreign intent."""
    segments, embeddings, intents = corpus
    wanted = {
        "order_late": CodebookEntry(name="Late delivery", definition="The order has not arrived by the promised date.",
                                    examples=["my parcel is late", "still waiting for my order"]),
        "app_crash": CodebookEntry(name="App crashes", definition="The mobile app closes, freezes or errors.",
                                   examples=["the app keeps crashing", "app freezes when I open it"]),
        "gift_card": CodebookEntry(name="Gift card problems", definition="A gift card or voucher code does not work.",
                                   examples=["my gift card code is invalid", "voucher balance is wrong"]),
    }
    keep = np.isin(intents, list(wanted))
    result = find_themes(segments[keep].reset_index(drop=True), embeddings[keep], ThemeConfig(codebook=list(wanted.values())),
                         seed=7, embedding_config=emb_config)
    got = result.assignments["theme_label"].to_numpy()
    for intent, entry in wanted.items():
        mine = got[intents[keep] == intent]
        assert (mine == entry.name).mean() >= 0.7, (entry.name, pd.Series(mine).value_counts())
        assert (got[intents[keep] != intent] == entry.name).mean() < 0.1
    assert result.params["codebook_coded"] >= 0.7 * keep.sum()


# Interview answers that name no topic: only the question they answer says what they are about.
_ASKED = {
    "Delivery wait": ["How did you find the time it took for the parcel to reach you?",
                      "Tell me about waiting for the courier to turn up.",
                      "What was the delivery like, timing-wise?"],
    "Refund process": ["What happened when you asked for your money back?",
                       "How did getting the refund for the returned jacket go?",
                       "Walk me through claiming the refund."],
    "Checkout payment": ["How was paying at the checkout?",
                         "What happened when you entered your card details to pay?",
                         "Tell me about the payment step when you bought it."],
}
_VAGUE_ANSWERS = ["Honestly it took way longer than it should have.", "Yeah that bit was a real pain, to be fair.",
                  "It was fine I suppose, nothing stood out.", "I had to try three times before it worked.",
                  "Nobody told me anything, I just had to wait.", "Smooth enough, no complaints from me.",
                  "It was confusing, I was not sure what to do next.", "That part annoyed me more than anything else."]


def test_deductive_codes_read_an_interview_answer_with_its_question(emb_config: EmbeddingConfig) -> None:
    rows = []
    for code, questions in _ASKED.items():
        for question in questions:
            for answer in _VAGUE_ANSWERS[:4] if len(rows) % 2 else _VAGUE_ANSWERS[4:]:
                rows.append({"text": answer, "question": question, "code": code})
    segments = pd.DataFrame(rows)
    segments["doc_id"] = [f"d{i}" for i in range(len(segments))]
    embeddings = embed_texts(segments["text"].tolist(), emb_config)
    codebook = [CodebookEntry(name=name, definition=f"Answers about: {' / '.join(qs[:1])}") for name, qs in _ASKED.items()]
    result = find_themes(segments.drop(columns="code"), embeddings, ThemeConfig(codebook=codebook), seed=3,
                         embedding_config=emb_config)
    got = result.assignments["theme_label"].to_numpy()
    assert (got == segments["code"].to_numpy()).mean() >= 0.7, pd.crosstab(segments["code"], got)
    # Without the questions the same answers cannot be told apart.
    blind = find_themes(segments.drop(columns=["code", "question"]), embeddings, ThemeConfig(codebook=codebook),
                        seed=3, embedding_config=emb_config)
    assert (blind.assignments["theme_label"].to_numpy() == segments["code"].to_numpy()).mean() < 0.5


def test_codebook_needs_room_when_merging(corpus: tuple[pd.DataFrame, np.ndarray, np.ndarray]) -> None:
    segments, embeddings, _ = corpus
    config = ThemeConfig(n_themes=1, codebook=[CodebookEntry(name="A", examples=["a b"])])
    with pytest.raises(ConfigError):
        find_themes(segments, embeddings, config, seed=1)


def test_n_themes_merges_down(corpus: tuple[pd.DataFrame, np.ndarray, np.ndarray], emb_config: EmbeddingConfig) -> None:
    segments, embeddings, _ = corpus
    result = find_themes(segments, embeddings, ThemeConfig(n_themes=4), seed=7, embedding_config=emb_config)
    assert 1 <= len(result.themes) <= 4
    assert result.themes["group_id"].nunique() == len(result.themes)  # 4 themes: one group each


# -- tiny and degenerate corpora --------------------------------------------------------------

def _segments(texts: list[str]) -> pd.DataFrame:
    return pd.DataFrame({
        "segment_id": [f"s{i}" for i in range(len(texts))], "doc_id": [f"d{i // 2}" for i in range(len(texts))],
        "participant": [f"P{i % 3}" for i in range(len(texts))], "source_type": "review", "text": texts,
    })


SMALL = [
    "Delivery took two weeks to arrive.", "My parcel was late again.", "The courier delivered it a week late.",
    "Still waiting for my delivery.", "Late delivery, very annoying.",
    "The app crashes when I pay.", "App keeps freezing on my phone.", "The app crashed twice at checkout.",
    "Refund took ages to come through.", "Still no refund after my return.", "Where is my refund?",
    "The jacket is lovely and warm.",
]


@pytest.mark.parametrize("n", [1, 2, 3])
def test_one_to_three_segments_make_one_theme(n: int, emb_config: EmbeddingConfig) -> None:
    texts = SMALL[:n]
    segments = _segments(texts)
    result = find_themes(segments, embed_texts(texts, emb_config), ThemeConfig(), seed=0,
                         embedding_config=emb_config)
    assert result.params["method"] == "single"
    assert len(result.themes) == 1 and (result.assignments["theme_id"] == 0).all()
    assert result.warnings and "one theme" in result.warnings[0]
    assert result.themes["label"].iloc[0][0].isupper()
    assert result.themes["group_id"].iloc[0] == 0


def test_identical_segments_make_one_theme(emb_config: EmbeddingConfig) -> None:
    texts = ["Thanks, great service!"] * 40
    result = find_themes(_segments(texts), embed_texts(texts, emb_config), ThemeConfig(), seed=0,
                         embedding_config=emb_config)
    assert len(result.themes) == 1 and result.n_unthemed == 0
    assert any("same thing" in w for w in result.warnings)
    assert result.themes["n_participants"].iloc[0] == 3


def test_small_corpus_uses_the_fallback_clustering(emb_config: EmbeddingConfig) -> None:
    segments = _segments(SMALL)
    embeddings = embed_texts(SMALL, emb_config)
    result = find_themes(segments, embeddings, ThemeConfig(), seed=0, embedding_config=emb_config)
    assert result.params["method"] == "agglomerative"
    assert any("simple similarity clustering" in w for w in result.warnings)
    assert 2 <= len(result.themes) <= 5
    ids = result.assignments["theme_id"].to_numpy()
    assert len(set(ids[:5]) - {-1}) == 1 and len(set(ids[5:8]) - {-1}) == 1  # deliveries, app crashes
    assert ids[0] != ids[5]
    again = find_themes(segments, embeddings, ThemeConfig(), seed=0, embedding_config=emb_config)
    pd.testing.assert_frame_equal(again.assignments, result.assignments)


def test_stop_words_only_and_empty_inputs(emb_config: EmbeddingConfig) -> None:
    texts = ["thanks", "hi", "ok thanks", "just really"]
    result = find_themes(_segments(texts), embed_texts(texts, emb_config), ThemeConfig(), seed=0,
                         embedding_config=emb_config)
    assert len(result.assignments) == 4 and result.warnings
    empty = find_themes(_segments([]), np.zeros((0, 384), dtype=np.float32), ThemeConfig(), seed=0)
    assert len(empty.themes) == 0 and len(empty.assignments) == 0 and empty.warnings


def test_bad_inputs_are_input_errors() -> None:
    with pytest.raises(InputError):
        find_themes(_segments(["a b c"]), np.zeros((2, 384)), ThemeConfig(), seed=0)
    with pytest.raises(InputError):
        find_themes(pd.DataFrame({"body": ["x"]}), np.zeros((1, 384)), ThemeConfig(), seed=0)


def test_progress_factory_and_callable_both_work(emb_config: EmbeddingConfig) -> None:
    texts = SMALL[:3]
    embeddings = embed_texts(texts, emb_config)
    advanced: list[int] = []
    find_themes(_segments(texts), embeddings, ThemeConfig(), seed=0, progress=advanced.append,
                embedding_config=emb_config)
    assert sum(advanced) == 3

    recording = RecordingProgress()
    find_themes(_segments(texts), embeddings, ThemeConfig(), seed=0, progress=recording,
                embedding_config=emb_config)
    assert recording.opened == [("Finding themes", 3)] and sum(recording.advanced) == 3


# -- labels and defaults (no model needed) ----------------------------------------------------

def test_label_from_keywords() -> None:
    assert label_from_keywords(["delivery", "late delivery", "tracking updated", "parcel"]) == \
        "Late delivery · tracking updated · parcel"
    assert label_from_keywords(["refund", "refunds", "waiting refund"]) == "Waiting refund"
    assert label_from_keywords(["thanks", "just", "", "app crashes", "app", "crashes"]) == "App crashes"
    assert label_from_keywords(["thanks", "hi"]) == "Unlabelled theme"
    assert label_from_keywords(["packaging packaging", "plastic packaging"]) == "Plastic packaging"
    long = label_from_keywords(["extraordinarily long keyphrase", "another very long keyphrase",
                                "yet another lengthy keyphrase"])
    assert len(long) <= 48 and long.count(SEPARATOR) <= 1
    assert clean_keywords(["Order", "my order", "Delivery ", "delivery"]) == ["delivery"]


def test_defaults_scale_with_corpus_size() -> None:
    assert default_n_neighbors(100) == 10 and default_n_neighbors(1500) == 39 and default_n_neighbors(10**6) == 50
    assert default_min_cluster_size(100) == 5 and default_min_cluster_size(1500) == 13
    assert default_min_cluster_size(10_000) == 33
    assert default_min_samples(5) == 4 and default_min_samples(13) == 6 and default_min_samples(3) == 3
    assert "thanks" in stop_words() and "order" in stop_words() and "don" in stop_words(["don't"])
