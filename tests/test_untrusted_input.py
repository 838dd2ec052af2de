"""Hostile customer text through the whole pipeline, as a user runs it on a single export:
`voc-synth run --reviews FILE.csv --text-column "Review Text" --id-column ID --interviews …`.

Script, event-handler, javascript: and SVG payloads in reviews and in a transcript must not
execute when the journey map is opened in a real browser; formula-like cells must be neutralised
in CSV/XLSX; every segment row keeps the record's own id and the pass-through columns.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from test_browser_journey_map import CHROMIUM_ARGS, _chromium

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PAYLOADS = [
    "<script>window.__pwned = 1</script> The parcel arrived a week late and nobody answered my emails.",
    'Great lamp <img src=x onerror="window.__pwned=1"> and it was delivered on time, very happy.',
    'Refund took three weeks <a href="javascript:window.__pwned=1">click</a> which is far too long.',
    '"><svg onload=window.__pwned=1> The checkout kept rejecting my promo code at payment.',
    "=HYPERLINK(\"http://evil.example\",\"x\") the size guide was wrong so the sofa did not fit.",
]
ORDINARY = [
    "The parcel came four days late and the tracking never updated once.",
    "Delivery was slow, the courier missed the window twice.",
    "My order arrived late and the box was crushed on one side.",
    "The refund still has not reached my card after two weeks of waiting.",
    "Returning the kettle was easy but the money took ages to come back.",
    "Checkout would not accept my discount code, I gave up twice.",
    "The promo code failed at payment and support could not explain why.",
    "Lovely quality towels, soft and thick, would buy again.",
    "Really well made pan, heats evenly and cleans easily.",
    "The size chart on the product page was misleading, the rug is smaller than described.",
]


def _write_inputs(folder: Path) -> tuple[Path, Path]:
    reviews = folder / "export.csv"
    with open(reviews, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ID", "Review Text", "Stars", "Persona"])
        # Distinct records (exact and near duplicates would be skipped, as they should be).
        context = ["Bought it for the kitchen.", "It was a gift for my sister.", "Second order this year.",
                   "Ordered on the app."]
        rows = PAYLOADS + [f"{text} {extra}" for extra in context for text in ORDINARY]
        for i, text in enumerate(rows, start=1):
            stars = 5 if any(w in text for w in ("Lovely", "Great", "well made")) else 2
            writer.writerow([f"REV-{i:03d}", text, stars, "new customer" if i % 2 else "returning"])
    transcript = folder / "P01_interview.txt"
    transcript.write_text(
        "[00:00:05] Interviewer: Tell me about the last order you placed.\n"
        "[00:00:12] P01: Honestly the delivery was late, <script>window.__pwned=2</script> and the tracking page "
        "just said processing for five days.\n"
        "[00:00:40] Interviewer: What happened with the refund?\n"
        "[00:00:48] P01: It took weeks. <img src=x onerror=\"window.__pwned=3\"> I had to chase them by phone "
        "three times before the money came back.\n",
        encoding="utf-8",
    )
    return reviews, transcript


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    reviews, transcript = _write_inputs(folder)
    out = folder / "run"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "VOC_SYNTH_CACHE_DIR": str(folder / "cache")}
    result = subprocess.run(
        [sys.executable, "-m", "voc_synth", "run", "--reviews", str(reviews), "--text-column", "Review Text",
         "--id-column", "ID", "--rating-column", "Stars", "--keep-column", "Persona",
         "--interviews", str(transcript), "--out", str(out)],
        capture_output=True, text=True, timeout=900, env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def test_segments_keep_the_records_own_id_and_pass_through_columns(hostile_run: Path) -> None:
    segments = pd.read_csv(hostile_run / "segments.csv", dtype=str)
    reviews = segments[segments["source_type"] == "review"]
    assert reviews["doc_id"].nunique() == 45
    assert reviews["doc_id"].str.fullmatch(r"REV-\d{3}").all()
    assert set(reviews["Persona"]) == {"new customer", "returning"}


def test_formula_cells_are_neutralised(hostile_run: Path) -> None:
    text = (hostile_run / "segments.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text
    for line in text.splitlines():
        for cell in next(csv.reader([line])):
            assert not cell.startswith(("=", "+", "@")), cell


def test_nothing_executes_in_the_browser(hostile_run: Path) -> None:
    from playwright.sync_api import sync_playwright

    html = (hostile_run / "journey_map.html").read_text(encoding="utf-8")
    assert "<script>window.__pwned" not in html
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
        page = browser.new_page()
        requests, errors, dialogs = [], [], []
        page.on("request", lambda r: requests.append(r.url))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto((hostile_run / "journey_map.html").as_uri())
        cards = page.locator("[data-theme-id]")
        assert cards.count() >= 1
        for i in range(cards.count()):  # open every theme's quotes panel
            card = cards.nth(i)
            if card.is_visible():
                card.click()
                page.keyboard.press("Escape")
        pwned = page.evaluate("window.__pwned")
        page.screenshot(path=str(hostile_run / "hostile_screenshot.png"))
        browser.close()
    assert pwned is None
    assert not dialogs
    assert not errors, errors
    assert [u for u in requests if not u.startswith("file://")] == []
