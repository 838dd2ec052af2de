"""map_to_stages: placing segments and themes on a framework's stages, with the real embedding model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from voc_synth.config import EmbeddingConfig, StageConfig
from voc_synth.errors import InputError
from voc_synth.frameworks import load_framework
from voc_synth.stages import StageResult, map_to_stages, stage_probabilities
from voc_synth.tables import UNMAPPED_STAGE

RESTAURANT = {
    "name": "restaurant",
    "stages": [
        {"id": "booking", "name": "Booking a table", "description": "Reserving a table by phone, website or app.",
         "keywords": ["book", "reservation", "table for", "availability", "booking app"],
         "examples": ["I could not get a table for Saturday.", "The online booking was easy."]},
        {"id": "food", "name": "Food and drink", "description": "What was served: taste, portions, menu, wine.",
         "keywords": ["food", "dish", "menu", "taste", "portion", "wine", "dessert"],
         "examples": ["The pasta was overcooked.", "The desserts were amazing."]},
        {"id": "bill", "name": "Paying the bill", "description": "The bill, prices, service charge and payment.",
         "keywords": ["bill", "price", "service charge", "pay", "card machine", "tip"],
         "examples": ["They added a service charge without asking.", "The card machine did not work."]},
    ],
}


def embedding_cache_dir(pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """.pytest_cache/d/voc_synth_embeddings when pytest's cache is on (quick re-runs), else a temp folder."""
    cache = getattr(pytestconfig, "cache", None)
    return Path(cache.mkdir("voc_synth_embeddings")) if cache is not None else tmp_path_factory.mktemp("emb")


@pytest.fixture(scope="module")
def encode(pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory):
    """Real all-MiniLM-L6-v2 embeddings (the model the pipeline uses), cached on disk."""
    from voc_synth.embed import embed_texts

    config = EmbeddingConfig(cache_dir=embedding_cache_dir(pytestconfig, tmp_path_factory))
    return lambda texts: embed_texts(list(texts), config)


@pytest.fixture(scope="module")
def restaurant(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("fw") / "restaurant.yaml"
    path.write_text(yaml.safe_dump(RESTAURANT), encoding="utf-8")
    return load_framework(str(path))


def _segments(texts: list[str], theme_ids: list[int] | None = None) -> pd.DataFrame:
    frame = pd.DataFrame({"segment_id": [f"s{i}" for i in range(len(texts))], "text": texts})
    if theme_ids is not None:
        frame["theme_id"] = theme_ids
    return frame


def test_a_user_framework_maps_segments_without_themes(restaurant, encode):
    texts = ["We booked a table online for eight people.", "The steak was tough and the chips cold.",
             "They charged us for bread we never ordered on the bill.", "The wine list was superb.",
             "No tables were free on Friday night."]
    segments = _segments(texts)
    segments.index = [10, 11, 12, 13, 14]  # the result keeps the segments' index
    result = map_to_stages(segments, encode(texts), restaurant, StageConfig(), themes=None, encode=encode)
    assert isinstance(result, StageResult)
    assert list(result.segment_stages.index) == [10, 11, 12, 13, 14]
    assert list(result.segment_stages["stage"]) == ["booking", "food", "bill", "food", "booking"]
    assert result.segment_stages["stage_confidence"].between(0, 1).all()
    assert result.theme_stages.empty and "primary_stage" in result.theme_stages.columns
    assert list(result.stages["stage_id"]) == ["booking", "food", "bill"]
    assert list(result.stages["n_segments"]) == [2, 2, 1]
    assert result.n_unmapped == 0 and result.share_unmapped == 0
    assert np.allclose(result.probabilities.sum(axis=1), 1.0)
    assert list(result.scores_frame().columns) == ["booking", "food", "bill"]
    assert "restaurant" in result._repr_html_()


def test_confidence_below_the_threshold_is_unmapped_and_counted(restaurant, encode):
    texts = ["The dessert was lovely.", "We paid the bill by card.", "My cousin lives in Leeds.",
             "Could you repeat the question?"]
    embeddings = encode(texts)
    result = map_to_stages(_segments(texts), embeddings, restaurant, StageConfig(), encode=encode)
    stages = list(result.segment_stages["stage"])
    assert stages[:2] == ["food", "bill"]
    assert stages[2:] == [UNMAPPED_STAGE, UNMAPPED_STAGE]  # small talk is not forced onto a stage
    assert result.n_unmapped == 2
    assert list(result.segment_stages["best_stage"][2:]) != [UNMAPPED_STAGE] * 2  # the best guess is kept

    confidence = result.segment_stages["stage_confidence"]
    strict = map_to_stages(_segments(texts), embeddings, restaurant, StageConfig(min_confidence=1.0),
                           encode=encode)
    assert strict.n_unmapped == int((confidence < 1.0).sum()) >= 2
    assert strict.share_unmapped == strict.n_unmapped / 4
    lenient = map_to_stages(_segments(texts), embeddings, restaurant, StageConfig(min_confidence=0.0), encode=encode)
    assert lenient.n_unmapped == 0


def test_theme_smoothing_moves_an_ambiguous_segment_to_its_themes_stage(encode):
    framework = load_framework("ecommerce")
    theme = ["The parcel arrived two days late.", "Tracking said it was out for delivery but it never came.",
             "The courier left my box with a neighbour.", "Delivery took over a week.",
             "My package was stuck at the depot for days."]
    ambiguous = "It was a complete nightmare from start to finish."
    texts = [*theme, ambiguous]
    embeddings = encode(texts)

    alone = map_to_stages(_segments(texts, [3] * 5 + [-1]), embeddings, framework, StageConfig(), encode=encode)
    assert alone.segment_stages["best_stage"].iloc[-1] != "delivery"

    themed = map_to_stages(_segments(texts, [3] * 6), embeddings, framework, StageConfig(), encode=encode)
    assert themed.segment_stages["stage"].iloc[-1] == "delivery"
    row = themed.theme_stages.set_index("theme_id").loc[3]
    assert row["primary_stage"] == "delivery" and not row["spans_stages"]
    assert row["distribution"] == {"delivery": 1.0} and row["n_segments"] == 6

    off = map_to_stages(_segments(texts, [3] * 6), embeddings, framework, StageConfig(theme_weight=0.0), encode=encode)
    assert off.segment_stages["stage"].iloc[-1] != "delivery"


def test_a_theme_spread_over_two_stages_is_flagged(encode):
    framework = load_framework("ecommerce")
    texts = ["The parcel arrived a week late.", "The courier lost my package.", "Tracking never updated.",
             "I am still waiting for my refund.", "The return label would not print.",
             "They refused to take the jacket back.", "The box came crushed.", "My refund took a month."]
    themes = [1, 1, 1, 1, 1, 1, 2, 2]
    all_themes = pd.DataFrame({"theme_id": [1, 2, 5]})  # theme 5 has no segments left
    result = map_to_stages(_segments(texts, themes), encode(texts), framework, StageConfig(theme_weight=0.0),
                           themes=all_themes, encode=encode)
    table = result.theme_stages.set_index("theme_id")
    assert set(table.index) == {1, 2, 5}
    assert table.loc[1, "spans_stages"]
    assert {"delivery", "returns"} <= set(table.loc[1, "distribution"])
    assert {table.loc[1, "primary_stage"], table.loc[1, "secondary_stage"]} == {"delivery", "returns"}
    assert abs(sum(table.loc[1, "distribution"].values()) - 1) < 1e-9
    assert not table.loc[2, "spans_stages"]  # one of each: too few to call it a spread
    assert table.loc[5, "primary_stage"] == UNMAPPED_STAGE and table.loc[5, "n_segments"] == 0
    stages = result.stages.set_index("stage_id")
    assert stages.loc["delivery", "n_themes"] + stages.loc["returns", "n_themes"] >= 1


def test_bad_inputs_are_input_errors(restaurant, encode):
    texts = ["The food was great.", "The bill was wrong."]
    with pytest.raises(InputError, match="one embedding row per segment"):
        map_to_stages(_segments(texts), encode(texts)[:1], restaurant, StageConfig(), encode=encode)
    with pytest.raises(InputError, match="same model"):
        map_to_stages(_segments(texts), np.ones((2, 10), dtype=np.float32), restaurant, StageConfig(), encode=encode)
    with pytest.raises(InputError, match="'text' column"):
        map_to_stages(pd.DataFrame({"body": texts}), encode(texts), restaurant, StageConfig(), encode=encode)


def test_no_segments_gives_empty_tables(restaurant, encode):
    result = map_to_stages(_segments([]), np.zeros((0, 384), dtype=np.float32), restaurant, StageConfig(),
                           encode=encode)
    assert result.segment_stages.empty and result.theme_stages.empty
    assert list(result.stages["n_segments"]) == [0, 0, 0]


def test_stage_probabilities_for_a_larger_corpus_use_every_layer(encode):
    framework = load_framework("ecommerce")
    data = pd.read_csv(Path(__file__).resolve().parent.parent / "data" / "stages_eval" / "ecommerce_feedback.csv")
    texts = data["text"].tolist()[:120]
    probs = stage_probabilities(texts, encode(texts), framework, StageConfig(), encode=encode)
    assert probs.shape == (120, 7) and np.allclose(probs.sum(axis=1), 1.0)
    plain = stage_probabilities(texts, encode(texts), framework,
                                StageConfig(neighbor_weight=0.0, self_training=False), encode=encode)
    assert not np.allclose(probs, plain)  # neighbours and self-training did something


def test_stages_without_examples_still_map(encode):
    from voc_synth.frameworks import framework_from_dict

    bare = {**RESTAURANT, "stages": [{k: v for k, v in s.items() if k != "examples"} for s in RESTAURANT["stages"]]}
    framework = framework_from_dict(bare, origin="bare restaurant")
    texts = ["The risotto was bland.", "We could not reserve a table for six.", "They overcharged us on the bill."]
    result = map_to_stages(_segments(texts), encode(texts), framework, StageConfig(), encode=encode)
    assert list(result.segment_stages["stage"]) == ["food", "booking", "bill"]
