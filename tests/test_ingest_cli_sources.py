"""`config_from_flags` (a run with no YAML) and the progress factories ingest reports through."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from conftest import RecordingProgress

from voc_synth.config import Config, SourceConfig
from voc_synth.errors import ConfigError, InputError
from voc_synth.ingest import config_from_flags, ingest
from voc_synth.progress import null_progress, rich_progress, track

REVIEWS = (
    "ID,Review Text,Stars,Country\n"
    "r1,\"The blender is loud, but it crushes ice in seconds.\",4,UK\n"
    "r2,\"Customer service ignored my emails for two weeks.\",1,IE\n"
)


def test_flags_make_a_runnable_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("reviews.csv").write_text(REVIEWS, encoding="utf-8")
    config = config_from_flags(reviews=["reviews.csv"], text_columns=["Review Text"], id_column="ID",
                               rating_column="Stars", keep_columns=["Country"])
    source = config.sources[0]
    assert source.type == "review" and source.columns is not None
    assert source.columns.text == ["Review Text"] and source.columns.id == "ID" and source.columns.keep == ["Country"]
    result = ingest(config)
    assert list(result.documents["doc_id"]) == ["r1", "r2"]
    assert list(result.documents["rating"]) == [4.0, 1.0]
    assert list(result.segments["Country"]) == ["UK", "IE"]
    assert result.documents["source_file"].iloc[0] == "reviews.csv"


def test_misspelt_flag_column_says_which_flag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("reviews.csv").write_text(REVIEWS, encoding="utf-8")
    config = config_from_flags(reviews="reviews.csv", text_columns="Review", id_column="ID")
    with pytest.raises(InputError) as err:
        ingest(config)
    assert "--text-column" in str(err.value) and "Review Text" in str(err.value)


def test_each_flag_sets_its_source_type(tmp_path: Path) -> None:
    config = config_from_flags(reviews=[tmp_path / "r.csv"], tickets=[tmp_path / "t.csv"],
                               interviews=[tmp_path / "iv"], surveys=[tmp_path / "s.xlsx"], base_dir=tmp_path)
    assert sorted(s.type for s in config.sources) == ["interview", "review", "survey", "ticket"]
    assert all(s.columns is None for s in config.sources)  # no column flags: auto-detect headers


def test_flag_sources_are_added_to_a_base_config(tmp_path: Path) -> None:
    base = Config(project="Base", sources=[SourceConfig(path=Path("old.csv"))], base_dir=tmp_path)
    config = config_from_flags(surveys=["new.csv"], base=base)
    assert config.project == "Base" and len(config.sources) == 2
    assert config.sources[1].path.is_absolute()   # a command-line path means "from here"
    assert len(base.sources) == 1                 # the base is not modified


def test_flag_errors() -> None:
    with pytest.raises(ConfigError, match="No sources"):
        config_from_flags()
    with pytest.raises(ConfigError, match="--text-column"):
        config_from_flags(interviews=["iv"], text_columns=["body"])


def test_progress_factories() -> None:
    from rich.console import Console

    with null_progress("nothing", 3) as task:
        task.advance(3)
    console = Console(file=io.StringIO(), force_terminal=False, width=100)
    factory = rich_progress(console)
    with factory("standalone bar", 2) as task:   # without `with rich_progress()`: its own display
        task.advance(2)
    with rich_progress(console) as shared:         # one display, a bar per phase
        assert list(track(range(4), "phase one", progress=shared)) == [0, 1, 2, 3]
        with shared("phase two", None) as task:
            task.advance(5)
    output = console.file.getvalue()  # type: ignore[attr-defined]
    assert "standalone bar" in output and "phase one" in output and "phase two" in output


def test_ingest_reports_progress_per_file_set(tmp_path: Path, recording_progress: RecordingProgress) -> None:
    (tmp_path / "a.csv").write_text(REVIEWS, encoding="utf-8")
    config = Config(sources=[SourceConfig(path=Path("a.csv"), type="review")], base_dir=tmp_path)
    ingest(config, progress=recording_progress)
    opened, advanced = recording_progress.opened, recording_progress.advanced
    assert opened[0] == ("Reading a.csv", 1)
    assert opened[1][0] == "Redacting and segmenting" and opened[1][1] >= 2
    assert sum(advanced) == 1 + opened[1][1]
