"""The learned coder reads the researcher's coded passages the way it will read the material:
in context, with the question each answer follows."""

from __future__ import annotations

import numpy as np

from voc_synth.themes.codebook import QUESTION_WEIGHT, in_context, learn_codes


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def _study(seed: int) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Code A's answers follow a question that reads like code B's passages, so in context they
    sit nearer B's examples than A's. Both codes' examples are passages of this material."""
    rng = np.random.RandomState(seed)
    dim = 64
    e = np.linalg.qr(rng.normal(size=(dim, dim)))[0]
    a, c, d = e[0], e[1], e[2]
    b = _unit(a + c)

    def around(centre: np.ndarray, n: int) -> np.ndarray:
        return _unit(centre + 0.1 * rng.normal(size=(n, dim)))

    texts = np.vstack([around(a, 40), around(b, 40)])
    questions = np.vstack([np.repeat(c[None], 40, axis=0), np.repeat(d[None], 40, axis=0)])
    context = in_context(texts, questions, np.ones(80, dtype=bool))
    code_vectors = [np.vstack([a[None], texts[:16]]), np.vstack([b[None], texts[40:56]])]   # name, examples
    return code_vectors, context, np.repeat([0, 1], 40)


def test_examples_found_in_the_material_teach_the_code_in_context() -> None:
    assert QUESTION_WEIGHT > 0
    code_vectors, context, truth = _study(6)
    coder = learn_codes(code_vectors)
    assert coder is not None
    text_only = coder.text_only.predict_proba(context).argmax(axis=1)
    assert (text_only[:40] == 0).mean() < 0.2          # passages alone mislead: A's answers read like B
    learned = coder.predict_proba(context).argmax(axis=1)
    assert (learned[:40] == 0).mean() >= 0.7           # refitted on the examples found in context
    assert (learned[40:] == 1).mean() >= 0.9           # without costing B


def test_examples_not_in_the_material_leave_the_text_coder_unchanged() -> None:
    code_vectors, context, _ = _study(6)
    coder = learn_codes(code_vectors)
    assert coder is not None
    elsewhere = context[16:40][:, ::-1].copy()          # material none of the examples come from
    assert np.allclose(coder.predict_proba(elsewhere), coder.text_only.predict_proba(elsewhere))


def test_the_subject_a_code_names_decides_where_meaning_alone_cannot() -> None:
    """Two usability codes whose passages mean much the same ("this part is clear") but name
    different parts of the product: their sentence vectors overlap, their words do not. With the
    words, each answer goes to the code of the part it names."""
    rng = np.random.RandomState(4)
    dim = 32
    shared = _unit(rng.normal(size=dim))

    def vectors(n: int) -> np.ndarray:
        return _unit(shared + 0.3 * rng.normal(size=(n, dim)))

    home = ["the home tab explains it well", "home tab layout is clear", "I like the home tab summary",
            "home tab text was easy to follow"]
    download = ["the download button is clear", "download button worked first time",
                "I found the download button easily", "download button label makes sense"]
    code_vectors = [vectors(1 + len(home)), vectors(1 + len(download))]
    code_texts = [["Home tab", *home], ["Download button", *download]]
    answers = ([f"so the home tab, {w}" for w in ("fine", "nice enough", "clear to me", "good start")] * 5
               + [f"and the download button, {w}" for w in ("fine", "nice enough", "clear to me", "good start")] * 5)
    context = vectors(len(answers))
    truth = np.repeat([0, 1], 20)
    coder = learn_codes(code_vectors, code_texts)
    assert coder is not None
    by_meaning = coder.predict_proba(context).argmax(axis=1)
    assert 0.3 < (by_meaning == truth).mean() < 0.7                     # the vectors cannot tell them apart
    with_words = coder.predict_proba(context, answers, [""] * len(answers)).argmax(axis=1)
    assert (with_words == truth).mean() >= 0.95


def test_without_examples_to_learn_from_a_codes_words_still_count() -> None:
    """A codebook of names and definitions only: two codes mean much the same to the embedding
    ("is this part clear?"), their words name different parts. The anchor's cosine with the words
    sends each answer to the part it names."""
    from voc_synth.themes.codebook import anchor_scores, assign_codes

    rng = np.random.RandomState(5)
    dim = 32
    shared = _unit(rng.normal(size=dim))
    anchors = _unit(np.stack([shared + 0.05 * rng.normal(size=dim) for _ in range(2)]))
    code_texts = [["Home tab", "Whether the home tab explains the service"],
                  ["Download button", "Whether the download button is easy to find"]]
    answers = [f"the home tab, {w}" for w in ("fine", "clear to me", "took a while", "good start", "hmm")] * 4 \
        + [f"that download button, {w}" for w in ("fine", "clear to me", "took a while", "good start", "hmm")] * 4
    about_parts = _unit(shared + 0.3 * rng.normal(size=(len(answers), dim)))
    elsewhere = _unit(rng.normal(size=(40, dim)))                       # the rest of the interviews
    segments = np.vstack([about_parts, elsewhere])
    texts = answers + [f"we talked about the weather and my commute {i}" for i in range(40)]
    truth = np.repeat([0, 1], 20)
    by_meaning = assign_codes(segments, anchors, 0.6, 0.0, 0.0).codes[:40]
    assert (by_meaning == truth).mean() < 0.75
    scores = anchor_scores(segments, anchors, code_texts, texts, [""] * len(texts))
    assert scores is not None
    with_words = assign_codes(segments, anchors, 0.6, 0.0, 0.0, scores=scores).codes
    assert (with_words[:40] == truth).mean() >= 0.9
