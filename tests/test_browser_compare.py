"""The comparison page (`voc-synth compare`) in a real browser, as the journey map is tested:
headless Debian chromium driven by playwright. It renders offline with no console errors and no
request but itself, hostile customer text stays text, and the numbers of the comparison are the
numbers on the page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_browser_journey_map import CHROMIUM_ARGS, Page, _chromium
from trend_fixtures import GONE_LABEL, GROWN_LABEL, NEW_LABEL, SHRUNK_LABEL, save_runs

from voc_synth.trends import _format, compare_runs, write_trend_report

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def comparison(pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory):
    cache = getattr(pytestconfig, "cache", None)
    cache_dir = Path(cache.mkdir("voc_synth_embeddings")) if cache is not None else tmp_path_factory.mktemp("emb")
    return compare_runs(*save_runs(tmp_path_factory.mktemp("browser-trends"), cache_dir=cache_dir))


@pytest.fixture(scope="module")
def page_path(comparison, tmp_path_factory: pytest.TempPathFactory) -> Path:
    html, _, _ = write_trend_report(comparison, tmp_path_factory.mktemp("compare"))
    return html


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, page_path: Path) -> Iterator[Page]:
    loaded = Page(browser, page_path)
    yield loaded
    loaded.context.close()


def test_renders_offline_with_no_errors_and_no_injection(page: Page) -> None:
    page.assert_clean()
    assert page.page.locator("script, img, iframe, object, embed, link").count() == 0
    page.page.locator("#unchanged summary").click()  # the folded table holds hostile labels too
    assert page.page.locator("#unchanged table").is_visible()
    page.assert_clean()


def test_summary_cards_show_the_counts(page: Page, comparison) -> None:
    shown = {key: page.page.locator(f'[data-count="{key}"] .n').text_content()
             for key in ("new", "gone", "grown", "shrunk", "stages-moved")}
    assert shown == {"new": "1", "gone": "1", "grown": "1", "shrunk": "1", "stages-moved": "2"}
    assert {k: str(v) for k, v in comparison.counts.items() if k in shown} == {k: v for k, v in shown.items() if k in comparison.counts}


def test_each_changed_theme_shows_its_numbers(page: Page, comparison) -> None:
    for status, label in (("new", NEW_LABEL), ("gone", GONE_LABEL), ("grown", GROWN_LABEL), ("shrunk", SHRUNK_LABEL)):
        (change,) = comparison.with_status(status)
        row = page.page.locator(f'#themes tr[data-status="{status}"]')
        assert row.count() == 1
        assert row.locator(".theme-label").text_content() == label  # hostile text shown as text
        assert row.locator(".records-a").text_content() == _format.records(change.records_a, change.share_a)
        assert row.locator(".records-b").text_content() == _format.records(change.records_b, change.share_b)
        assert _format.share_change(change) in row.inner_text()
        assert row.locator(".q").text_content() == "q < 0.001"
    new = page.page.locator('#themes tr[data-status="new"]').inner_text()
    assert "0 (0.0%)" in new and "30 (10.4%)" in new


def test_stage_emotion_table_and_moments(page: Page, comparison) -> None:
    ids = page.page.eval_on_selector_all("tr.stage", "els => els.map(e => e.dataset.stageId)")
    assert ids == [s.stage_id for s in comparison.stages]
    for stage in comparison.stages:
        row = page.page.locator(f'tr.stage[data-stage-id="{stage.stage_id}"]')
        assert row.locator(".verdict").text_content() == stage.status
        assert row.locator(".change").text_content() == _format.stage_change(stage)
    moved = page.page.locator("tr.stage.moved")
    assert moved.count() == 2 and {m.get_attribute("data-stage-id") for m in moved.all()} == {"delivery", "returns"}
    assert page.page.locator("svg.emotion-curve").is_visible()
    legend = page.page.locator("#stages .legend").inner_text()
    assert "q1" in legend and "q2" in legend
    trough = page.page.locator('[data-moment="trough"]').text_content()
    assert trough == "Trough: moved from Checkout & payment (q1) to Returns & refunds (q2)."


def test_prints_on_a3_landscape_and_saves_a_screenshot(page: Page, tmp_path: Path) -> None:
    page.page.emulate_media(media="print")
    pdf = page.page.pdf(prefer_css_page_size=True, print_background=True)
    width, height = (float(v) for v in re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)[0])
    assert abs(width - 1190.55) < 2 and abs(height - 841.89) < 2
    page.page.emulate_media(media="screen")
    shot = tmp_path / "compare.png"
    page.page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 50_000
    print(f"comparison screenshot: {shot}")
