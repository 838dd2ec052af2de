"""Journey frameworks: the built-ins, users' own files, and the errors bad files give."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from voc_synth.config import StageConfig, config_from_dict
from voc_synth.errors import ConfigError
from voc_synth.frameworks import Framework, builtin_frameworks, framework_from_dict, load_framework
from voc_synth.stages import KeywordMatcher, stems

ECOMMERCE_IDS = ["discovery", "browsing", "checkout", "delivery", "use_support", "returns", "loyalty"]


def _stage(stage_id: str, **extra: object) -> dict:
    return {"id": stage_id, "name": stage_id.title(), "description": f"All about {stage_id}.",
            "keywords": [stage_id, f"{stage_id} problem"], **extra}


def _write(tmp_path: Path, data: object, name: str = "journey.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False) if not isinstance(data, str) else data, encoding="utf-8")
    return path


def test_builtins_are_listed_and_ecommerce_is_the_default():
    assert builtin_frameworks() == ["ecommerce", "lifecycle", "nng"]
    assert load_framework().name == "ecommerce"


@pytest.mark.parametrize(
    ("name", "ids"),
    [
        ("ecommerce", ECOMMERCE_IDS),
        ("lifecycle", ["awareness", "consideration", "decision", "retention", "advocacy"]),
        ("nng", ["discover", "try", "buy", "use", "seek_support"]),
    ],
)
def test_builtin_frameworks_have_their_stages_in_order(name: str, ids: list[str]):
    framework = load_framework(name)
    assert isinstance(framework, Framework)
    assert framework.stage_ids == ids
    for stage in framework.stages:
        assert stage.name and stage.description and stage.goal
        assert len(stage.keywords) >= 8, stage.id
        assert len(stage.examples) == 3, stage.id
        assert stage.touchpoints, stage.id


def test_user_framework_file_loads_by_path_and_relative_to_a_base_dir(tmp_path: Path):
    data = {"name": "clinic", "description": "A patient's visit.",
            "stages": [_stage("booking", examples=["I could not get an appointment."], goal="See a doctor soon"),
                       _stage("visit", keywords="waiting room, doctor, nurse")]}
    path = _write(tmp_path, data, "clinic.yaml")
    framework = load_framework(str(path))
    assert framework.stage_ids == ["booking", "visit"]
    assert framework.stages[1].keywords == ["waiting room", "doctor", "nurse"]  # comma-separated accepted
    assert framework.stages[0].goal == "See a doctor soon"
    assert load_framework("clinic.yaml", base_dir=tmp_path).stage_ids == ["booking", "visit"]
    assert load_framework(path).name == "clinic"
    assert load_framework(framework) is framework
    assert framework.stage("visit").name == "Visit"
    assert "<table>" in framework._repr_html_()


def test_a_config_can_name_a_framework_file(tmp_path: Path):
    _write(tmp_path, {"name": "x", "stages": [_stage("a"), _stage("b")]}, "mine.yaml")
    config = config_from_dict({"framework": "mine.yaml", "stages": {"min_confidence": 0.5}}, base_dir=tmp_path)
    assert load_framework(config.framework, base_dir=config.base_dir).stage_ids == ["a", "b"]
    assert config.stages.min_confidence == 0.5


def test_unknown_name_lists_the_builtins():
    with pytest.raises(ConfigError, match=r"known built-ins: ecommerce, lifecycle, nng"):
        load_framework("ecomerce")


def test_missing_file_is_reported(tmp_path: Path):
    with pytest.raises(ConfigError, match=r"does not exist.*known built-ins"):
        load_framework(str(tmp_path / "nope.yaml"))


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"name": "x", "stages": [_stage("a"), {"id": "b", "name": "B", "keywords": ["k"]}]},
         [r"stage 2 \('b'\)", r"missing key\(s\) 'description'"]),
        ({"name": "x", "stages": [_stage("a"), _stage("b"), _stage("a")]},
         [r"duplicate stage id 'a' \(stages 1 and 3\)"]),
        ({"stages": [_stage("a"), _stage("b")]}, [r"missing key 'name'"]),
        ({"name": "x"}, [r"missing key 'stages'"]),
        ({"name": "x", "stages": "a, b"}, [r"'stages' must be a list"]),
        ({"name": "x", "stages": [_stage("a")]}, [r"at least 2 stages"]),
        ({"name": "x", "stages": [_stage("a"), _stage("b", colour="red")]},
         [r"stage 2 \('b'\): colour: unknown key"]),
        ({"name": "x", "stages": [_stage("a"), _stage("unmapped")]}, [r"'unmapped' is reserved"]),
        ({"name": "x", "stages": [_stage("a"), _stage("has space")]}, [r"stage id 'has space' must"]),
        ({"name": "x", "stages": [_stage("a"), "just text"]}, [r"stage 2: must be a mapping"]),
        (["a", "b"], [r"must be a YAML mapping"]),
    ],
)
def test_invalid_framework_files_say_what_is_wrong(tmp_path: Path, data: object, expected: list[str]):
    path = _write(tmp_path, data)
    with pytest.raises(ConfigError) as info:
        load_framework(str(path))
    message = str(info.value)
    assert str(path) in message
    for pattern in expected:
        assert re.search(pattern, message), message


def test_invalid_yaml_is_a_config_error(tmp_path: Path):
    path = _write(tmp_path, "name: x\nstages: [\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_framework(str(path))


def test_framework_from_dict_names_its_origin():
    with pytest.raises(ConfigError, match=r"^my framework is not a valid journey framework"):
        framework_from_dict({"name": "x", "stages": []}, origin="my framework")


def test_stage_config_validates_its_ranges():
    with pytest.raises(ConfigError, match="min_confidence"):
        config_from_dict({"stages": {"min_confidence": 1.5}})
    with pytest.raises(ConfigError, match="unknown key"):
        config_from_dict({"stages": {"min_confidense": 0.5}})
    assert StageConfig().min_confidence == 0.35


def test_stems_fold_inflections_and_spellings():
    assert stems("charged") == stems("charges") == stems("charging") == stems("charge")
    assert stems("recognise") == stems("recognized")
    assert stems("the cards were stolen") == ["card", "steal"]
    assert stems("I didn't get it") == []  # stop words only


def test_keyword_matcher_uses_word_boundaries_and_phrases():
    matcher = KeywordMatcher([["card", "card declined"], ["return label", "refund"]])
    scores = matcher.score(["My cards were declined", "I discarded my cardigan", "Printing the return labels",
                            "Refunded at last", "nothing relevant"])
    assert scores[0, 0] > 1.0 and scores[0, 1] == 0  # "card" plus the phrase "card declined"
    assert scores[1].sum() == 0  # no match inside other words
    assert scores[2, 1] > scores[2, 0]
    assert scores[3, 1] > 0
    assert scores[4].sum() == 0
