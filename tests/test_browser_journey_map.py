"""The journey map in a real browser (headless Debian chromium driven by playwright): offline,
no script injection, stages in order, every theme card, the quotes panel by mouse and keyboard,
the source-type filter, and the A3 landscape print layout. Saves a screenshot."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from report_fixtures import make_synthesis

from voc_synth.report import write_journey_map

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
SOURCE_LABELS = {"interview": "Interview", "ticket": "Support ticket", "review": "Review", "survey": "Survey"}


def _chromium() -> str:
    for candidate in (CHROMIUM, shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    pytest.fail(
        "Debian's chromium is not installed, so the journey map cannot be tested in a browser. "
        "Run `bash scripts/install_system_deps.sh` (it apt-installs chromium), then re-run the tests."
    )


@pytest.fixture(scope="module")
def synthesis():
    return make_synthesis()


@pytest.fixture(scope="module")
def map_path(tmp_path_factory: pytest.TempPathFactory, synthesis) -> Path:
    return write_journey_map(synthesis, tmp_path_factory.mktemp("browser") / "journey_map.html")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Page:
    """A loaded map with everything the page did recorded."""

    def __init__(self, browser, path: Path, width: int = 1600, height: int = 1000) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.page = self.context.new_page()
        self.url = path.as_uri()
        self.console_errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.console_errors.append(f"page error: {e}"))
        self.page.on("request", lambda r: self.requests.append(r.url))

        def on_dialog(dialog) -> None:
            self.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        self.page.on("dialog", on_dialog)
        self.page.goto(self.url)
        self.page.wait_for_load_state("load")

    def assert_clean(self) -> None:
        assert self.console_errors == [], self.console_errors
        assert self.requests == [self.url], f"unexpected requests: {self.requests}"
        assert self.dialogs == [], self.dialogs
        assert self.page.evaluate("typeof window.__pwned") == "undefined", "customer text ran as script"

    def panel_theme(self) -> str | None:
        return self.page.locator("#voc-panel").get_attribute("data-theme-id")


@pytest.fixture
def page(browser, map_path: Path) -> Iterator[Page]:
    loaded = Page(browser, map_path)
    yield loaded
    loaded.context.close()


def test_loads_offline_with_no_errors_and_no_injection(page: Page, synthesis) -> None:
    page.assert_clean()
    # Open every theme's quotes (they hold the hostile text) and check again.
    for card in page.page.locator(".card[data-theme-id]").all():
        card.click()
        assert page.page.locator("#voc-panel").is_visible()
        page.page.keyboard.press("Escape")
    page.assert_clean()
    assert page.page.locator("img, iframe, object, embed, link").count() == 0


def test_stages_are_columns_in_framework_order(page: Page, synthesis) -> None:
    ids = page.page.eval_on_selector_all(".stage-head", "els => els.map(e => e.dataset.stageId)")
    assert ids == [s["id"] for s in synthesis.framework["stages"]]
    names = [n.strip() for n in page.page.locator(".stage-head .stage-name").all_inner_texts()]
    assert names == synthesis.stages.sort_values("order")["name"].tolist()
    boxes = [page.page.locator(f'.stage-head[data-stage-id="{i}"]').bounding_box() for i in ids]
    assert [b["x"] for b in boxes] == sorted(b["x"] for b in boxes), "stages must run left to right"
    assert len({round(b["y"]) for b in boxes}) == 1, "stage headers must share one row"


def test_every_theme_has_a_card(page: Page, synthesis) -> None:
    shown = set(page.page.eval_on_selector_all(".card[data-theme-id]", "els => els.map(e => e.dataset.themeId)"))
    assert shown == {str(t) for t in synthesis.themes["theme_id"]}
    for _, theme in synthesis.themes.iterrows():
        card = page.page.locator(f'.card[data-theme-id="{theme["theme_id"]}"]').first
        text = card.inner_text()
        assert theme["label"].split("\u2028")[0][:20] in text
        assert theme["evidence_strength"] in text.lower()
        assert theme["prevalence_text"] in text
    # Pain points, delights and mixed themes sit in their own lanes (mixed never among the pains).
    for _, theme in synthesis.themes.iterrows():
        lane = page.page.locator(f'.card[data-theme-id="{theme["theme_id"]}"]').first.evaluate(
            "e => e.parentElement.className"
        )
        if theme["polarity"] == "delight":
            assert "lane-delights" in lane
        elif theme["polarity"] == "pain" and theme["primary_stage"] != "unmapped":
            assert "lane-pains" in lane
        elif theme["polarity"] == "mixed" and theme["primary_stage"] != "unmapped":
            assert "lane-mixed" in lane


def _check_panel_shows_theme(page: Page, synthesis, theme_id: int) -> None:
    panel = page.page.locator("#voc-panel")
    assert panel.is_visible()
    assert page.panel_theme() == str(theme_id)
    theme = synthesis.theme(theme_id)
    assert page.page.locator("#panel-title").text_content() == " ".join(theme["label"].replace("\u2028", " ").split())
    quotes = synthesis.quotes_for(theme_id)
    items = panel.locator(".panel-quote")
    assert items.count() == len(quotes)
    documents = synthesis.documents.set_index("doc_id")
    for i, (_, quote) in enumerate(quotes.iterrows()):
        item = items.nth(i)
        assert item.locator("blockquote").text_content() == quote["text"].strip()
        attribution = item.locator(".attribution").text_content()
        assert SOURCE_LABELS[quote["source_type"]] in attribution
        for field in ("participant", "source_file", "locator", "date"):
            assert str(quote[field]) in attribution, (field, attribution)
        if quote["rating"] == quote["rating"]:  # not NaN
            assert f"rating {quote['rating']:g}" in attribution
            assert documents.loc[quote["doc_id"], "rating_scale"] in attribution
        if quote["source_type"] == "interview":
            assert item.locator(".question").text_content() == "Answering: " + quote["question"]
    # Customer text is text: no element was created from it.
    assert panel.locator("script, img, svg, a").count() == 0


def test_clicking_a_card_shows_all_its_quotes_with_attribution(page: Page, synthesis) -> None:
    for theme_id in synthesis.themes["theme_id"]:
        page.page.locator(f'.card[data-theme-id="{theme_id}"]').first.click()
        _check_panel_shows_theme(page, synthesis, int(theme_id))
        page.page.locator("#panel-close").click()
        assert not page.page.locator("#voc-panel").is_visible()
    page.assert_clean()


def test_keyboard_enter_opens_and_escape_closes(page: Page, synthesis) -> None:
    # Cards are reachable with Tab.
    for _ in range(60):
        page.page.keyboard.press("Tab")
        if page.page.evaluate("document.activeElement.classList.contains('card')"):
            break
    else:
        pytest.fail("no theme card is reachable with the Tab key")
    theme_id = int(page.page.evaluate("document.activeElement.dataset.themeId"))
    page.page.keyboard.press("Enter")
    _check_panel_shows_theme(page, synthesis, theme_id)
    assert page.page.evaluate("document.activeElement.id") == "panel-close", "focus moves into the panel"
    page.page.keyboard.press("Escape")
    assert not page.page.locator("#voc-panel").is_visible()
    assert page.page.evaluate("document.activeElement.dataset.themeId") == str(theme_id), "focus returns to the card"
    # Enter on a programmatically focused card deep in the map too.
    last = int(synthesis.themes["theme_id"].iloc[-1])
    page.page.locator(f'.card[data-theme-id="{last}"]').first.focus()
    page.page.keyboard.press("Enter")
    assert page.panel_theme() == str(last)
    page.assert_clean()


def test_source_type_filter_hides_cards_of_other_types(page: Page, synthesis) -> None:
    mix = {str(r["theme_id"]): set(r["source_mix"]) for _, r in synthesis.themes.iterrows()}
    assert any("review" not in m for m in mix.values()), "fixture needs themes without reviews"
    for box in page.page.locator('.filters input[name="source"]').all():
        if box.get_attribute("value") != "review":
            box.uncheck()
    for card in page.page.locator(".card[data-theme-id]").all():
        theme_id = card.get_attribute("data-theme-id")
        assert card.is_visible() == ("review" in mix[theme_id]), theme_id
    for quote in page.page.locator(".lane-quotes .quote").all():
        assert quote.is_visible() == (quote.get_attribute("data-sources") == "review")
    expected = sum("review" in m for m in mix.values())
    assert page.page.locator("#filter-status").text_content() == f"Showing {expected} of {len(mix)} themes"
    page.page.locator('.filters input[value="ticket"]').check()
    for card in page.page.locator(".card[data-theme-id]").all():
        theme_id = card.get_attribute("data-theme-id")
        assert card.is_visible() == bool({"review", "ticket"} & mix[theme_id])
    for box in page.page.locator('.filters input[name="source"]').all():
        box.check()
    assert all(c.is_visible() for c in page.page.locator(".card[data-theme-id]").all())
    page.assert_clean()


def test_print_layout_is_a3_landscape_without_controls(page: Page, tmp_path: Path) -> None:
    page.page.locator(".card[data-theme-id]").first.click()
    page.page.emulate_media(media="print")
    assert not page.page.locator(".controls").is_visible()
    assert not page.page.locator("#voc-panel").is_visible()
    assert page.page.locator(".map").is_visible()
    pdf = page.page.pdf(prefer_css_page_size=True, print_background=True)
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert boxes, "no page size in the PDF"
    width, height = (float(v) for v in boxes[0])
    assert abs(width - 1190.55) < 2 and abs(height - 841.89) < 2, f"page is {width}x{height} pt, not A3 landscape"
    (tmp_path / "journey_map.pdf").write_bytes(pdf)


def test_screenshot(browser, tmp_path: Path) -> None:
    """Save a picture of the map (and refresh docs/journey_map.png when asked to). The picture is
    of the fixture without hostile text, as it is the one shown in the README."""
    clean = write_journey_map(make_synthesis(hostile=False), tmp_path / "clean" / "journey_map.html")
    page = Page(browser, clean)
    bottom = page.page.evaluate(
        "() => { const r = document.querySelector('.map-scroll').getBoundingClientRect();"
        " return Math.ceil(r.bottom + window.scrollY + 16); }"
    )
    shot = tmp_path / "journey_map.png"
    page.page.screenshot(path=str(shot), full_page=True, clip={"x": 0, "y": 0, "width": 1600, "height": bottom})
    assert shot.stat().st_size > 50_000
    page.page.screenshot(path=str(tmp_path / "journey_map_full.png"), full_page=True)
    print(f"journey map screenshot: {shot}")
    if os.environ.get("VOC_SYNTH_UPDATE_SCREENSHOT") == "1":
        target = ROOT / "docs" / "journey_map.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, target)
    page.assert_clean()
    page.context.close()
