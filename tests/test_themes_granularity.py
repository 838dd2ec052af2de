"""Themes that hold up when everyone talks about one broad subject, and deductive coding.

Vectors here are built so the right answer is known: sub-topics as tight groups inside one
broad region of the embedding space (what a study of one product looks like), and codes whose
raw similarity is misleading (one broadly worded code close to everything).
"""

from __future__ import annotations

import numpy as np

from voc_synth.tables import UNTHEMED_ID
from voc_synth.themes.codebook import assign_codes, learn_codes, refine_anchors
from voc_synth.themes.split import MAX_THEME_SHARE, split_giant_themes


def _unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def _one_subject(n_topics: int, per_topic: int, seed: int = 0, spread: float = 0.25) -> tuple[np.ndarray, np.ndarray]:
    """`n_topics` sub-topics around one shared direction (the study's subject)."""
    rng = np.random.RandomState(seed)
    dim = 64
    subject = rng.normal(size=dim)
    centres = subject + 0.9 * rng.normal(size=(n_topics, dim))
    truth = np.repeat(np.arange(n_topics), per_topic)
    points = centres[truth] + spread * rng.normal(size=(len(truth), dim))
    return _unit(points), truth


def test_a_giant_theme_is_split_into_its_subtopics(tmp_path) -> None:
    from sklearn.metrics import adjusted_rand_score

    unit, truth = _one_subject(n_topics=8, per_topic=60)
    topics = np.zeros(len(unit), dtype=int)          # what HDBSCAN returned: one theme
    split, report = split_giant_themes(unit, topics, base_size=10, seed=1, cache_dir=tmp_path)
    themed = split[split != UNTHEMED_ID]
    assert len(set(themed.tolist())) >= 6
    assert np.bincount(themed).max() <= MAX_THEME_SHARE * len(themed)
    keep = split != UNTHEMED_ID
    assert adjusted_rand_score(truth[keep], split[keep]) > 0.8
    chosen = report.splits[0]
    assert chosen["stability"] == max(c["stability"] for c in chosen["candidates"]
                                      if c["largest"] <= MAX_THEME_SHARE * (len(unit) - chosen["left_out"]))


def test_a_theme_with_no_inner_structure_stays_whole_and_says_so(tmp_path) -> None:
    rng = np.random.RandomState(3)
    unit = _unit(rng.normal(size=(300, 16)) * 0.05 + 1.0)   # one blob, nothing inside it
    topics = np.zeros(len(unit), dtype=int)
    split, report = split_giant_themes(unit, topics, base_size=10, seed=1, cache_dir=tmp_path)
    if report.unsplittable:
        assert set(split.tolist()) == {0}
    else:  # any split of a structureless blob must at least respect the cap
        themed = split[split != UNTHEMED_ID]
        assert np.bincount(themed).max() <= MAX_THEME_SHARE * len(themed)


def test_small_themes_and_codebook_themes_are_never_split(tmp_path) -> None:
    unit, _ = _one_subject(n_topics=4, per_topic=60)
    topics = np.zeros(len(unit), dtype=int)
    same, report = split_giant_themes(unit, topics, base_size=10, seed=1, cache_dir=tmp_path, keep={0})
    assert (same == 0).all() and not report.splits


def test_calibrated_codes_do_not_let_a_broad_code_take_everything() -> None:
    rng = np.random.RandomState(0)
    dim = 64
    basis = np.linalg.qr(rng.normal(size=(dim, dim)))[0]
    subject, topic, wording = basis[0], basis[1:4], basis[4:7]
    truth = np.repeat(np.arange(3), 50)
    segments = _unit(subject + topic[truth] + 0.15 * rng.normal(size=(len(truth), dim)))
    # Code 0 is worded as the study's subject itself (cosine ~0.7 to every segment); codes 1
    # and 2 describe a topic in words of their own (cosine ~0.5 to their topic's segments).
    anchors = _unit(np.stack([subject, topic[1] + wording[1], topic[2] + wording[2]]))
    raw_best = (segments @ anchors.T).argmax(axis=1)
    assert (raw_best == 0).mean() > 0.9                    # raw similarity: the broad code takes all
    got = assign_codes(segments, anchors, min_similarity=0.6, min_z=0.0, margin=0.0).codes
    for code in (1, 2):
        assert (got[truth == code] == code).mean() >= 0.8  # most of its material lands under it
        assert (got[truth != code] == code).mean() < 0.05
    # Topic 0 has no code of its own: the narrow codes leave it alone (the broad one may take it).
    assert np.isin(got[truth == 0], [UNTHEMED_ID, 0]).mean() >= 0.95


def test_calibration_never_codes_material_that_is_about_nothing_in_the_codebook() -> None:
    rng = np.random.RandomState(1)
    segments = _unit(rng.normal(size=(200, 384)))       # 384 dimensions, as all-MiniLM-L6-v2
    anchors = _unit(rng.normal(size=(4, 384)))          # unrelated codes: cosine ~ 0 everywhere
    coded = assign_codes(segments, anchors, min_similarity=0.6, min_z=0.0, margin=0.0)
    assert coded.n_coded == 0


def test_codes_learned_from_coded_examples_follow_the_researchers_coding() -> None:
    """Code A was used for two kinds of passage; code B's passages sit near one of them. The mean
    of A's examples lies between its two kinds, so the nearest mean anchor hands A's second kind
    to B; a coder learned from the examples keeps them under A."""
    rng = np.random.RandomState(2)
    dim = 64
    e = np.linalg.qr(rng.normal(size=(dim, dim)))[0]
    a1, a2, b = e[0], e[1], 0.8 * e[1] + 0.6 * e[2]

    def around(centre: np.ndarray, n: int) -> np.ndarray:
        return _unit(centre + 0.12 * rng.normal(size=(n, dim)))

    code_vectors = [np.vstack([_unit((a1 + a2)[None]), around(a1, 6), around(a2, 6)]),   # name, examples
                    np.vstack([_unit(b[None]), around(b, 8)])]
    anchors = _unit(np.stack([v.mean(axis=0) for v in code_vectors]))
    truth = np.repeat([0, 0, 1], 40)
    segments = np.vstack([around(a1, 40), around(a2, 40), around(b, 40)])
    unrelated = _unit(rng.normal(size=(40, dim)))
    everything = np.vstack([segments, unrelated])

    mean_only = assign_codes(everything, anchors, min_similarity=0.6, min_z=0.0, margin=0.0).codes[:120]
    assert (mean_only[40:80] == 1).mean() > 0.5                  # the averaged anchor misleads

    coder = learn_codes(code_vectors)
    assert coder is not None
    coded = assign_codes(everything, anchors, min_similarity=0.6, min_z=0.0, margin=0.0,
                         scores=coder.predict_proba(everything))
    assert (coded.codes[:120] == truth).mean() >= 0.9
    assert (coded.codes[120:] == UNTHEMED_ID).mean() >= 0.9     # acceptance still applies


def test_a_codebook_with_few_examples_is_not_learned() -> None:
    rng = np.random.RandomState(3)
    few = [_unit(rng.normal(size=(3, 16))) for _ in range(4)]   # name + 2 examples each
    assert learn_codes(few) is None


def test_refined_anchors_reach_the_way_participants_talk_about_a_code() -> None:
    """Each topic is said two ways; the researcher's code words only one of them. Moving the
    anchors towards the segments most surely coded brings the second way under its code too,
    and no code drifts onto another topic."""
    before, after, before_other, after_other = [], [], [], []
    for seed in range(5):
        rng = np.random.RandomState(seed)
        dim = 64
        e = np.linalg.qr(rng.normal(size=(dim, dim)))[0]
        truth = np.repeat(np.arange(3), 60)
        way = np.tile(np.repeat([0, 1], 30), 3)
        core, ways = e[0:3], e[3:9].reshape(3, 2, dim)
        segments = _unit(core[truth] + 0.8 * ways[truth, way] + 0.35 * rng.normal(size=(180, dim)))
        anchors = _unit(core + 1.2 * ways[:, 0] + 0.6 * e[9:12])
        refined = refine_anchors(segments, anchors)
        assert ((refined @ core.T).argmax(axis=1) == np.arange(3)).all()
        raw_codes = assign_codes(segments, anchors, min_similarity=0.6, min_z=0.0, margin=0.0).codes
        new_codes = assign_codes(segments, refined, min_similarity=0.6, min_z=0.0, margin=0.0).codes
        before.append((raw_codes == truth).mean())
        after.append((new_codes == truth).mean())
        before_other.append((raw_codes == truth)[way == 1].mean())
        after_other.append((new_codes == truth)[way == 1].mean())
    assert all(a > b for a, b in zip(after_other, before_other, strict=True))  # every study
    assert np.mean(after_other) >= np.mean(before_other) + 0.025
    assert np.mean(after) >= np.mean(before) + 0.015
