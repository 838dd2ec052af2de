"""The workshop kit: validated insights only (drafts on request, marked DRAFT everywhere), a deck
whose text fits its boxes — checked by font metrics and by LibreOffice's own rendering — and
stickies, cards and a pre-read that stay safe with hostile customer text."""

from __future__ import annotations

import copy
import csv
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from report_fixtures import PWN_IMG, PWN_SCRIPT, make_synthesis

from voc_synth.errors import InputError
from voc_synth.review import Review, ThemeDecision, apply_review
from voc_synth.workshop import build_insights, expected_titles, export_workshop, run_facts

# label fragment in the report fixture -> decisions
VALIDATE = {
    "Shipping cost shown late": {"severity": "blocker", "owner": "Checkout team"},
    "Refund took weeks": {"severity": "workaround"},
    "Helpful live-chat agents": {"insight": "=cmd|' /C calc'!A0 Chat agents solve problems in one go."},
    "Size guide confusing": {"severity": "trivial"},
}
REJECT = "Gift wrapping requests"


def reviewed_synthesis(**overrides):
    """The report fixture (hostile text, 7 stages) with four themes validated and one rejected."""
    synthesis = make_synthesis()
    synthesis.themes["status"] = "draft"
    decisions = []
    for theme in synthesis.themes.to_dict("records"):
        decision = ThemeDecision(id=int(theme["theme_id"]), label=theme["label"], insight=theme["insight"])
        for fragment, extra in VALIDATE.items():
            if theme["label"].startswith(fragment):
                decision.status = "validated"
                for name, value in {**extra, **overrides.get(fragment, {})}.items():
                    setattr(decision, name, value)
        if theme["label"] == REJECT:
            decision.status, decision.notes = "rejected", f"out of scope {PWN_SCRIPT}"
        decisions.append(decision)
    reviewed, report = apply_review(synthesis, Review(themes=decisions, validated_by="AB", validated_on="2024-04-05"))
    assert not report.orphans
    return reviewed


@pytest.fixture(scope="module")
def reviewed():
    return reviewed_synthesis()


@pytest.fixture(scope="module")
def kit(tmp_path_factory, reviewed) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("run")
    return {p.name: p for p in export_workshop(reviewed, out)}


@pytest.fixture(scope="module")
def draft_kit(tmp_path_factory, reviewed) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("run-drafts")
    return {p.name: p for p in export_workshop(reviewed, out, include_drafts=True)}


def test_insights_are_validated_themes_only_unless_drafts_are_asked_for(reviewed) -> None:
    validated = build_insights(reviewed)
    assert sorted(i.label for i in validated) == sorted(
        t for t in reviewed.themes["label"] if any(t.startswith(f) for f in VALIDATE))
    assert all(not i.draft for i in validated)
    shipping = next(i for i in validated if i.label.startswith("Shipping cost"))
    assert (shipping.severity, shipping.owner, shipping.stage_name) == ("blocker", "Checkout team", "Checkout & payment")
    assert shipping.prevalence_text and shipping.evidence_strength and 2 <= len(shipping.quotes) <= 4
    assert [i.stage_order for i in validated] == sorted(i.stage_order for i in validated)
    everything = build_insights(reviewed, include_drafts=True)
    assert len(everything) == len(reviewed.themes) and REJECT not in {i.label for i in everything}


def test_no_validated_insight_is_a_clear_error(tmp_path: Path) -> None:
    synthesis = make_synthesis()
    synthesis.themes["status"] = "draft"
    with pytest.raises(InputError, match=r"No validated insights.*review\.yaml.*--include-drafts"):
        export_workshop(synthesis, tmp_path)
    assert not (tmp_path / "workshop").exists()
    assert export_workshop(synthesis, tmp_path, include_drafts=True)


# -- deck ------------------------------------------------------------------------------------------
def _titles(path: Path) -> list[str]:
    from pptx import Presentation

    return [slide.shapes.title.text for slide in Presentation(str(path)).slides]


def test_deck_has_the_expected_slides_in_order(kit, reviewed) -> None:
    from pptx import Presentation

    prs = Presentation(str(kit["deck.pptx"]))
    assert abs(prs.slide_width / prs.slide_height - 16 / 9) < 0.01
    insights = build_insights(reviewed)
    titles = _titles(kit["deck.pptx"])
    assert titles == expected_titles(reviewed, insights, run_facts(reviewed, insights, False))
    assert titles[:3] == ["Customer journey workshop", "Method and data", "The journey map"]
    assert titles[3:10] == [f"Stage {i} of 7: {n}" for i, n in enumerate(
        ["Awareness & discovery", "Browsing & comparison", "Checkout & payment", "Delivery", "Use & support",
         "Returns & refunds", "Loyalty & advocacy"], start=1)]
    assert titles[10:13] == ["Pain point: Shipping cost shown late at checkout", "Pain point: Refund took weeks",
                             "Pain point: Size guide confusing"]  # by severity
    assert titles[13:] == ["Opportunities: how might we…?", "Appendix: rejected themes", "Appendix: method"]
    text = {t: " ".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
            for t, slide in zip(titles, prs.slides, strict=True)}
    assert "DRAFT" not in " ".join(text.values())
    assert REJECT in text["Appendix: rejected themes"] and "out of scope" in text["Appendix: rejected themes"]
    assert "Card declined" not in text["Stage 3 of 7: Checkout & payment"]  # a draft: not exported
    opportunities = text["Opportunities: how might we…?"]  # grounded in the pain, not the label
    assert "How might we" in opportunities and "size" in opportunities.lower()
    assert "parcel late" not in text["Opportunities: how might we…?"]  # its theme is a draft
    method = text["Method and data"]
    assert "4 of 12 validated" in method and "fit no theme" in method and "skipped" in method
    pain = text["Pain point: Shipping cost shown late at checkout"]
    assert "Blocker" in pain and "mentioned by" in pain and pain.count("“") >= 2
    pictures = [s for s in prs.slides[2].shapes if s.shape_type == 13]
    assert len(pictures) == 1


def test_drafts_are_marked_on_every_slide_they_appear_on(draft_kit, reviewed) -> None:
    from pptx import Presentation

    drafts = [i.label for i in build_insights(reviewed, include_drafts=True) if i.draft]
    assert drafts
    for slide in Presentation(str(draft_kit["deck.pptx"])).slides:
        text = " ".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
        for label in drafts:
            if label[:25] in text and slide.shapes.title.text != "Appendix: method":
                assert "DRAFT · " in text and "DRAFT — includes" in text, (slide.shapes.title.text, label)
    assert "DRAFT · Pain point: Card declined and payment errors" in _titles(draft_kit["deck.pptx"])


# Stress: long labels and statements, long quotes with unbreakable words, many insights per stage.
LONG = ("Customers who tried to pay with a card issued abroad were declined without any explanation, contacted "
        "support several times, waited days for an answer and finally abandoned the purchase altogether, " * 3)
UNBREAKABLE = "https://example.invalid/" + "x" * 110


@pytest.fixture(scope="module")
def stress_deck(tmp_path_factory) -> Path:
    overrides = {"Refund took weeks": {"label": "Refunds " + LONG[:180], "insight": LONG}}
    synthesis = reviewed_synthesis(**overrides)
    synthesis.themes["status"] = "validated"
    synthesis.themes["primary_stage"] = "checkout"  # a crowded stage: cut with "+N more"
    quotes = synthesis.quotes
    first = quotes.groupby("theme_id")["rank"].idxmin()
    quotes.loc[first, "text"] = LONG + " " + UNBREAKABLE
    synthesis.meta["project"] = "A very long project name " * 6 + PWN_IMG
    synthesis.meta["rejected_themes"] = synthesis.meta["rejected_themes"] * 15
    out = tmp_path_factory.mktemp("stress")
    export_workshop(synthesis, out, include_drafts=True)
    return out / "workshop" / "deck.pptx"


def _wrapped_lines(text: str, width_pt: float, size: float, font) -> int:
    lines, current = 0, ""
    for word in text.split(" "):
        candidate = f"{current} {word}".strip()
        if font.getlength(candidate) * size / 1000 <= width_pt or not current:
            current = candidate
            while font.getlength(current) * size / 1000 > width_pt and len(current) > 1:
                cut = len(current)
                while cut > 1 and font.getlength(current[:cut]) * size / 1000 > width_pt:
                    cut -= 1
                lines += 1
                current = current[cut:]
        else:
            lines += 1
            current = word
            while font.getlength(current) * size / 1000 > width_pt and len(current) > 1:
                cut = len(current)
                while cut > 1 and font.getlength(current[:cut]) * size / 1000 > width_pt:
                    cut -= 1
                lines += 1
                current = current[cut:]
    return lines + 1


def test_text_fits_every_box_by_font_metrics(stress_deck: Path) -> None:
    """Independent estimate: wrap each paragraph with DejaVu Sans metrics (wider than Arial) at
    its font size in its box's width; lines × 1.2 × size plus spacing must fit the box height."""
    import matplotlib
    from PIL import ImageFont
    from pptx import Presentation

    fonts = {bold: ImageFont.truetype(str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" /
                                          ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")), 1000)
             for bold in (False, True)}
    checked = 0
    for number, slide in enumerate(Presentation(str(stress_deck)).slides, start=1):
        for shape in slide.shapes:
            if not shape.has_text_frame or not shape.text_frame.text.strip():
                continue
            frame = shape.text_frame
            assert frame.word_wrap is True, shape.name
            width = (shape.width - frame.margin_left - frame.margin_right) / 12700
            height = (shape.height - frame.margin_top - frame.margin_bottom) / 12700
            used = 0.0
            for index, paragraph in enumerate(frame.paragraphs):
                runs = paragraph.runs
                size = runs[0].font.size.pt
                assert 9 <= size <= 32, (number, shape.name, size)
                bold = any(r.font.bold for r in runs)
                text = "".join(r.text for r in runs)
                gap = paragraph.space_before.pt if index and paragraph.space_before is not None else 0.0
                used += gap + _wrapped_lines(text, width, size, fonts[bold]) * size * 1.2
            assert used <= height + 0.5, f"slide {number} {shape.name!r}: text needs {used:.0f}pt, box has {height:.0f}pt"
            checked += 1
    assert checked > 60
    titles = _titles(stress_deck)
    assert any(t.startswith("Pain point: Refunds Customers who tried") and t.endswith("…") for t in titles)


# -- LibreOffice rendering -----------------------------------------------------------------------
LEVELS = (0, 40, 120, 200)
RENDER_DPI = 96


def _palette() -> list[tuple[int, int, int]]:
    """Colours with one channel at 0 and the others ≥ 40: an anti-aliased (whitened) pixel of one
    can never be taken for another."""
    colours = []
    for zero in range(3):
        for a in LEVELS[1:]:
            for b in LEVELS[1:]:
                rgb = [a, b]
                rgb.insert(zero, 0)
                colours.append(tuple(rgb))
    return colours


def _coloured_copy(deck: Path, out: Path) -> list[list[tuple[str, tuple[int, int, int], tuple[float, float, float, float]]]]:
    """A copy of the deck with fills and pictures removed and each text box's text in its own
    colour; returns, per slide, (shape name, colour, box in points)."""
    from pptx import Presentation
    from pptx.dml.color import RGBColor

    prs = Presentation(str(deck))
    palette = _palette()
    layout = []
    for slide in prs.slides:
        boxes = []
        for shape in list(slide.shapes):
            if shape.shape_type == 13:  # picture
                shape._element.getparent().remove(shape._element)
                continue
            if hasattr(shape, "fill"):
                shape.fill.background()
            if not shape.has_text_frame or not shape.text_frame.text.strip():
                continue
            colour = palette[len(boxes)]
            for paragraph in shape.text_frame.paragraphs:
                for run in paragraph.runs:
                    run.font.color.rgb = RGBColor(*colour)
            boxes.append((shape.name, colour, (shape.left / 12700, shape.top / 12700, shape.width / 12700,
                                               shape.height / 12700)))
        layout.append(boxes)
    prs.save(str(out))
    return layout


@pytest.fixture(scope="module")
def rendered(stress_deck: Path, tmp_path_factory):
    if shutil.which("soffice") is None or shutil.which("pdftoppm") is None:
        pytest.fail("LibreOffice (soffice) and poppler (pdftoppm) are needed to check the deck renders: "
                    "run `bash scripts/install_system_deps.sh`")
    work = tmp_path_factory.mktemp("render")
    original = work / "deck.pptx"
    shutil.copy2(stress_deck, original)
    layout = _coloured_copy(stress_deck, work / "coloured.pptx")
    profile = work / "lo-profile"  # private profile: other soffice processes may be running
    result = subprocess.run(
        ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
         "--outdir", str(work), str(original), str(work / "coloured.pptx")],
        capture_output=True, text=True, timeout=240,
    )
    assert (work / "deck.pdf").is_file() and (work / "coloured.pdf").is_file(), result.stdout + result.stderr
    for name in ("deck", "coloured"):
        subprocess.run(["pdftoppm", "-r", "72" if name == "deck" else str(RENDER_DPI), "-png", str(work / f"{name}.pdf"),
                        str(work / name)], check=True, timeout=120)
    return work, layout


def _pages(work: Path, name: str) -> list[Path]:
    return sorted(work.glob(f"{name}-*.png"), key=lambda p: int(re.findall(r"(\d+)\.png$", p.name)[0]))


def test_libreoffice_renders_every_slide_with_text_inside_its_boxes(rendered) -> None:
    from PIL import Image

    work, layout = rendered
    pages = _pages(work, "coloured")
    assert len(pages) == len(layout)
    scale = RENDER_DPI / 72
    values = np.arange(256)[:, None]
    distance = np.abs(values - np.array(LEVELS))
    lut = np.where(distance.min(axis=1) <= 12, distance.argmin(axis=1), -1)
    problems = []
    for number, (page, boxes) in enumerate(zip(pages, layout, strict=True), start=1):
        pixels = np.asarray(Image.open(page).convert("RGB"))
        # each pixel's palette colour (channel by channel to the nearest level), -1 if none is close
        code = lut[pixels[..., 0]] * 16 + lut[pixels[..., 1]] * 4 + lut[pixels[..., 2]]
        code[(lut[pixels] < 0).any(axis=-1)] = -1
        for name, colour, (x, y, w, h) in boxes:
            wanted = sum(LEVELS.index(c) * k for c, k in zip(colour, (16, 4, 1), strict=True))
            ys, xs = np.nonzero(code == wanted)
            if not len(xs):
                problems.append(f"slide {number} {name!r}: its text was not drawn")
                continue
            top, bottom = ys.min() / scale, (ys.max() + 1) / scale
            left, right = xs.min() / scale, (xs.max() + 1) / scale
            if top < y - 1 or bottom > y + h + 1 or left < x - 1 or right > x + w + 1:
                problems.append(f"slide {number} {name!r}: text drawn over ({left:.0f},{top:.0f})–({right:.0f},"
                                f"{bottom:.0f}), box is ({x:.0f},{y:.0f})–({x + w:.0f},{y + h:.0f})")
    assert not problems, "\n".join(problems)


def test_libreoffice_draws_nothing_outside_the_slide_margins(rendered) -> None:
    from PIL import Image

    work, layout = rendered
    pages = _pages(work, "deck")
    assert len(pages) == len(layout)
    for number, page in enumerate(pages, start=1):
        pixels = np.asarray(Image.open(page).convert("L"))
        height, width = pixels.shape
        ink = pixels < 245
        margin = int(width * 30 / 960)  # content starts at 36pt; allow 6pt of slack
        assert not ink[:, :margin].any() and not ink[:, width - margin:].any(), f"slide {number}: ink in side margin"
        assert not ink[: int(height * 3 / 540)].any() and not ink[height - int(height * 3 / 540):].any(), \
            f"slide {number}: ink in top/bottom margin"


# -- stickies, cards, pre-read -------------------------------------------------------------------
def _stickies(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_stickies_csv(kit, draft_kit, reviewed) -> None:
    rows = _stickies(kit["stickies.csv"])
    assert list(rows[0]) == ["stage_order", "stage", "lane", "text", "colour", "colour_name", "sentiment", "source",
                             "theme_id", "status"]
    assert {r["lane"] for r in rows} >= {"pain point", "delight", "quote", "opportunity"}
    assert {r["status"] for r in rows} == {"validated"}
    pains = [r for r in rows if r["lane"] == "pain point"]
    assert all(re.fullmatch(r"#[0-9A-F]{6}", r["colour"]) for r in rows)
    assert all(r["colour_name"] in ("orange", "light orange") for r in pains)
    delight = next(r for r in rows if r["lane"] == "delight")
    assert delight["colour_name"] in ("blue", "light blue")
    quote = next(r for r in rows if r["lane"] == "quote")
    assert quote["text"].startswith("“") and ("row" in quote["source"] or "lines" in quote["source"])
    orders = [int(r["stage_order"]) for r in rows]
    assert orders == sorted(orders)
    for r in rows:  # nothing a spreadsheet would run as a formula
        for key in ("stage", "lane", "text", "source", "colour_name"):
            assert not r[key].startswith(("=", "+", "-", "@", "\t", "\r")), r[key]
    assert any(r["text"].startswith("'=cmd|") for r in rows)  # the researcher's hostile insight, neutralised
    assert any("=HYPERLINK" in r["text"] for r in rows if r["lane"] == "quote")
    assert all(len(r["text"]) <= 181 for r in rows)
    drafts = _stickies(draft_kit["stickies.csv"])
    marked = [r for r in drafts if r["status"] != "validated"]
    assert marked and all(r["text"].startswith("DRAFT: ") for r in marked)
    card = reviewed.themes.loc[reviewed.themes["label"].str.startswith("Card declined"), "theme_id"].iloc[0]
    assert any(r["theme_id"] == str(card) for r in marked)  # statements come from quotes, not the label


def test_cards_html_is_printable_self_contained_and_escaped(kit, draft_kit, reviewed) -> None:
    html = kit["cards.html"].read_text(encoding="utf-8")
    assert "@page { size: A4" in html and "break-inside: avoid" in html
    assert html.count('<article class="card') == len(build_insights(reviewed))
    assert "<script" not in html.lower() and "<img" not in html.lower() and "<svg" not in html.lower()
    assert "&lt;script&gt;" in html  # customer text shown, as text
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//|javascript:)""", html)
    assert "<link" not in html
    assert "DRAFT" not in html
    drafts = draft_kit["cards.html"].read_text(encoding="utf-8")
    n_drafts = sum(1 for i in build_insights(reviewed, include_drafts=True) if i.draft)
    assert drafts.count('class="draft-mark">DRAFT<') == n_drafts
    assert drafts.count("<h2>DRAFT · ") == n_drafts


def test_pre_read_is_a_one_page_summary(kit, reviewed) -> None:
    text = kit["pre-read.md"].read_text(encoding="utf-8")
    assert text.startswith("# ") and "pre-read" in text.splitlines()[0]
    assert len(text.split()) < 650 and len(text.splitlines()) < 60  # fits a page
    for section in ("## Why we are meeting", "## The journey at a glance", "## What we heard", "## Come with"):
        assert section in text
    assert "Shipping cost shown late at checkout" in text and "Refund took weeks" in text
    assert "Card declined" not in text  # a draft
    assert "<script" not in text and "<img" not in text  # inert in any Markdown renderer
    assert "DRAFT" not in text
    assert text.count("- **") == 7  # every stage at a glance


def test_export_replaces_the_kit_as_a_whole_and_reuses_the_runs_map(tmp_path: Path, reviewed) -> None:
    from PIL import Image

    reviewed.save(tmp_path)  # a run folder showing exactly this (reviewed) synthesis …
    Image.new("RGB", (160, 90), "#2166ac").save(tmp_path / "journey_map.png")  # … and its map
    export_workshop(reviewed, tmp_path, include_drafts=True)
    (tmp_path / "workshop" / "stale.txt").write_text("old")
    written = export_workshop(copy.deepcopy(reviewed), tmp_path)
    assert not (tmp_path / "workshop" / "stale.txt").exists()
    assert all(p.is_file() for p in written)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".workshop")]
    assert (tmp_path / "workshop" / "journey_map.png").read_bytes() == (tmp_path / "journey_map.png").read_bytes()
