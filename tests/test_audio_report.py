"""The journey map plays a quoted moment of a recording: a local file, never a network fetch.

Built on the report fixture (no transcription): two of the fixture's interview quotes are turned
into quotes from recordings — one read by this process (as a run reads it), one only named in a
saved manifest (as a map re-rendered later sees it).
"""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest
from report_fixtures import make_synthesis

from voc_synth.audio.player import remember_recording
from voc_synth.report.html import write_journey_map
from voc_synth.synthesis import Synthesis

READ, NOT_READ = "recordings/call 03.wav", "recordings/call_04.m4a"


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Synthesis, Path]:
    root = tmp_path_factory.mktemp("study")
    synthesis = make_synthesis(hostile=False)
    quotes = synthesis.quotes
    # The quotes the map's lane shows: the first two become quotes from the two recordings.
    shown = [unescape(t) for t in re.findall(r"<blockquote>(.*?)</blockquote>",
                                             write_journey_map(synthesis, root / "plain").read_text(encoding="utf-8"))]
    picked = [quotes.index[quotes.text.str.startswith(text.rstrip("…")[:60])][0] for text in shown[:2]]
    quotes.loc[picked[0], ["source_type", "source_file", "locator"]] = ("interview", READ, "00:01:05")
    quotes.loc[picked[1], ["source_type", "source_file", "locator"]] = ("interview", NOT_READ, "00:02:10")
    synthesis.meta["manifest"]["files"] += [
        {"path": path, "status": "ingested", "recording": {"model": "tiny.en", "transcript": ""}}
        for path in (READ, NOT_READ)]
    for path in (READ, NOT_READ):
        (root / "corpus" / path).parent.mkdir(parents=True, exist_ok=True)
        (root / "corpus" / path).write_bytes(b"RIFF")
    remember_recording(READ, root / "corpus" / READ)   # what ingest does for a recording it reads
    html = write_journey_map(synthesis, root / "run").read_text(encoding="utf-8")
    return html, synthesis, root


def _figures(html: str) -> list[str]:
    return re.findall(r'<figure class="quote".*?</figure>', html, flags=re.S)


def test_a_quote_from_a_recording_gets_a_player_of_its_moment(page: tuple[str, Synthesis, Path]) -> None:
    html, synthesis, _ = page
    quotes = synthesis.quotes
    texts = set(quotes[quotes.source_file == READ].text)
    players = [f for f in _figures(html) if "<audio" in f]
    assert len(players) == 1, "exactly the quote from the recording read in this process gets a player"
    audio = re.search(r'<audio class="quote-audio" controls preload="none" src="([^"]+)"', players[0])
    assert audio, players[0]
    # The recording relative to the run folder (its name as the run shows it, URL-escaped),
    # from 1:05 to the end of the turn (no transcript to time it: the longest turn, 30 s).
    assert unescape(audio.group(1)) == "../corpus/recordings/call%2003.wav#t=65,95.0"
    assert any(text[:60] in unescape(players[0]) for text in texts)


def test_text_quotes_and_recordings_not_read_here_get_no_player(page: tuple[str, Synthesis, Path]) -> None:
    html, _, _ = page
    figures = _figures(html)
    assert any('data-sources="review"' in f for f in figures)
    assert sum("<audio" in f for f in figures) == 1
    assert "call_04" not in " ".join(re.findall(r"<audio[^>]*>", html))


def test_the_page_may_play_local_files_and_still_fetches_nothing(page: tuple[str, Synthesis, Path]) -> None:
    html, _, _ = page
    csp = unescape(re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html).group(1))
    assert "default-src 'none'" in csp and "connect-src 'none'" in csp
    assert "media-src file:" in csp and "http" not in csp
    assert not re.search(r'<audio[^>]+src="(?:[a-z]+:|//|/)', html)


def test_no_folder_of_this_machine_is_saved_with_the_run(page: tuple[str, Synthesis, Path]) -> None:
    """The page holds a relative path only, and the saved synthesis names the recording by its
    label: where the study lives on this machine is in neither."""
    html, synthesis, root = page
    assert str(root) not in html
    assert str(root) not in json.dumps(synthesis.to_dict(), default=str)


def test_a_map_without_recordings_has_no_player_and_no_media_source(tmp_path: Path) -> None:
    html = write_journey_map(make_synthesis(hostile=False), tmp_path).read_text(encoding="utf-8")
    assert "<audio" not in html and "media-src" not in html
