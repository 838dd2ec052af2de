"""review.yaml: written with comments, read back exactly, every decision applied — and kept when
themes are renumbered by a re-run, or reported as orphaned when a theme vanishes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from review_fixtures import make_synthesis, theme_id_of

from voc_synth.errors import InputError
from voc_synth.review import (
    Review,
    SplitDecision,
    ThemeDecision,
    apply_review,
    carry_over_review_files,
    init_review,
    read_review,
    render_review,
    write_review,
)
from voc_synth.review.review_file import review_from_dict, state_path

KEYS = ("late", "card", "fee", "agents", "insta", "gift")


@pytest.fixture
def first_run():
    return make_synthesis()


@pytest.fixture
def review_path(tmp_path: Path, first_run) -> Path:
    run = tmp_path / "run1"
    first_run.save(run)
    return init_review(run).path


def edit(path: Path, synthesis, **changes_by_key) -> None:
    """Apply {key: {field: value}} to the review file, as a researcher editing it would."""
    review = read_review(path)
    for key, changes in changes_by_key.items():
        decision = review.get(theme_id_of(synthesis, key))
        for name, value in changes.items():
            setattr(decision, name, value)
    write_review(review, path, overwrite=True)


def row(synthesis, key: str) -> dict:
    theme_id = theme_id_of(synthesis, key)
    return synthesis.themes[synthesis.themes["theme_id"] == theme_id].iloc[0].to_dict()


# -- the file ---------------------------------------------------------------------------------
def test_init_writes_a_commented_file_listing_every_theme(review_path: Path, first_run) -> None:
    text = review_path.read_text(encoding="utf-8")
    assert text.startswith("# voc_synth review")
    assert "status      draft | validated | rejected" in text
    assert "severity    trivial | workaround | blocker" in text
    assert "discover, buy, delivery, support" in text  # the stage ids one may use
    # each quote's text is a comment beside its segment_id
    assert "#   late-0-00  “My parcel arrived a week late and the tracking never updated at all.”" in text
    review = read_review(review_path)
    assert sorted(review.ids) == sorted(first_run.themes["theme_id"].tolist())
    assert {d.status for d in review.themes} == {"draft"}
    assert all(d.insight for d in review.themes)
    assert review.validated_by == "" and review.validated_on == ""
    state = json.loads(state_path(review_path).read_text())
    late = theme_id_of(first_run, "late")
    assert set(state["themes"][str(late)]["segment_ids"]) == {f"late-0-{k:02d}" for k in range(6)}
    assert state["themes"][str(late)]["centroid"] is None  # a saved run has no embeddings
    fresh = init_review(first_run, out=review_path.parent / "fresh.yaml")  # a fresh run has
    state = json.loads(state_path(fresh.path).read_text())
    assert len(state["themes"][str(late)]["centroid"]) == first_run.embeddings.shape[1]


def test_file_round_trips_any_text() -> None:
    nasty = 'He said: "no #1 — it\'s\nbroken" \u2028 {x: [y]} & <b>, 100% @home =cmd'
    review = Review(
        themes=[ThemeDecision(id=3, label=nasty, status="validated", stage="buy", insight=nasty, severity="blocker",
                              owner="Ops: team #2", notes=nasty, starred=["0012", "a b"], hidden=["x#1"],
                              split=[SplitDecision(label=nasty, keywords=["lost", "never: arrived"], segment_ids=["9"])]),
                ThemeDecision(id=7, label="plain", merge_into=3)],
        validated_by="Ana O'Neil", validated_on="2024-05-02",
    )
    text = render_review(review)
    back = review_from_dict(yaml.safe_load(text))
    assert back.themes == review.themes
    assert (back.validated_by, back.validated_on) == ("Ana O'Neil", "2024-05-02")


def test_invalid_file_reports_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "review.yaml"
    path.write_text(yaml.safe_dump({"themes": [
        {"id": 1, "label": "a", "status": "approved", "sevrity": "blocker"},
        {"id": 2, "label": "b", "merge_into": 9, "severity": "catastrophic"},
        {"id": 2, "label": "dup"},
        {"id": 3, "split": [{"keywords": ["x"]}]},
    ]}))
    with pytest.raises(InputError) as err:
        read_review(path)
    message = str(err.value)
    for expected in ("'approved' is not one of draft, validated, rejected", "unknown key 'sevrity'",
                     "there is no theme 9", "'catastrophic' is not one of", "listed twice", "a split needs a label"):
        assert expected in message
    path.write_text("themes: [\n  - id: 1\n   label: x")
    with pytest.raises(InputError, match="not valid YAML"):
        read_review(path)


def test_init_never_overwrites_without_force(review_path: Path) -> None:
    before = review_path.read_bytes()
    with pytest.raises(InputError, match="already exists.*--force"):
        init_review(review_path.parent)
    assert review_path.read_bytes() == before


def test_init_force_on_a_new_run_keeps_decisions_and_adds_new_themes(tmp_path: Path, review_path: Path, first_run) -> None:
    edit(review_path, first_run, late={"label": "Late parcels", "status": "validated", "notes": "seen in Q1"},
         gift={"status": "rejected"})
    rerun = make_synthesis(extra=3, order=["insta", "agents", "late", "fee", "card"], drop=("gift",), new_theme=True,
                           created_at="2024-08-01T00:00:00+00:00")
    rerun.save(tmp_path / "run2")
    result = init_review(tmp_path / "run2", out=review_path, force=True)
    review = read_review(review_path)
    late = review.get(theme_id_of(first_run, "late"))
    assert (late.label, late.status, late.notes) == ("Late parcels", "validated", "seen in Q1")
    gift = review.get(theme_id_of(first_run, "gift"))
    assert gift is not None and gift.status == "rejected"  # orphaned, kept
    assert theme_id_of(first_run, "gift") in result.orphans
    assert "# ORPHANED:" in review_path.read_text()
    assert len(result.added) == 1
    new = review.get(result.added[0])
    assert new.label == "returns · label · refund" and new.status == "draft"
    assert len(review.themes) == len(KEYS) + 1
    assert result.backup is not None and result.backup.read_text().count("- id:") == len(KEYS)


# -- applying decisions -----------------------------------------------------------------------
def test_rename_is_kept_when_applied_again(review_path: Path, first_run) -> None:
    edit(review_path, first_run, late={"label": "Late parcels, no tracking"})
    reviewed, report = apply_review(first_run, review_path)
    assert row(reviewed, "late")["label"] == "Late parcels, no tracking"
    insight = row(reviewed, "late")["insight"]  # written from the theme's quotes, not around its label
    assert "pain point at Delivery" in insight and "parcel" in insight and not insight.startswith("Late parcels")
    assert report.counts["renamed"] == 1
    again, _ = apply_review(reviewed, review_path)  # a reviewed run reviewed again
    assert row(again, "late")["label"] == "Late parcels, no tracking"
    assert again.themes["label"].tolist() == reviewed.themes["label"].tolist()
    labels = set(reviewed.segments.loc[reviewed.segments["segment_id"].str.startswith("late-"), "theme_label"])
    assert labels == {"Late parcels, no tracking"}


def test_merge_combines_segments_quotes_and_counts(review_path: Path, first_run) -> None:
    card, fee = theme_id_of(first_run, "card"), theme_id_of(first_run, "fee")
    edit(review_path, first_run, fee={"merge_into": card}, card={"label": "Paying is painful"})
    reviewed, report = apply_review(first_run, review_path)
    assert fee not in reviewed.themes["theme_id"].tolist()
    merged = row(reviewed, "card")
    before_card, before_fee = row(first_run, "card"), row(first_run, "fee")
    assert merged["label"] == "Paying is painful"
    assert merged["n_segments"] == before_card["n_segments"] + before_fee["n_segments"]
    assert merged["n_documents"] == before_card["n_documents"] + before_fee["n_documents"]
    assert merged["prevalence"]["ticket"]["records"] == (before_card["prevalence"]["ticket"]["records"]
                                                         + before_fee["prevalence"]["ticket"]["records"])
    assert set(reviewed.segments.loc[reviewed.segments["segment_id"].str.startswith("fee-"), "theme_id"]) == {card}
    quotes = reviewed.quotes[reviewed.quotes["theme_id"] == card]
    assert quotes["segment_id"].str.startswith("fee-").any() or len(quotes) == 6
    assert list(quotes["rank"]) == list(range(1, len(quotes) + 1))
    assert "shipping" in merged["keywords"]  # the merged theme's words come along
    assert report.counts["merged"] == 1
    # the same on a synthesis loaded from disk (no embeddings): quotes carried over, not re-selected
    loaded, _ = apply_review(make_synthesis(with_embeddings=False), review_path)
    quotes = loaded.quotes[loaded.quotes["theme_id"] == card]
    assert quotes["segment_id"].str.startswith("fee-").any() and quotes["segment_id"].str.startswith("card-").any()


def test_reject_takes_theme_off_the_map_into_the_appendix(review_path: Path, first_run) -> None:
    gift = theme_id_of(first_run, "gift")
    edit(review_path, first_run, gift={"status": "rejected", "notes": "not a journey issue"})
    reviewed, report = apply_review(first_run, review_path)
    assert gift not in reviewed.themes["theme_id"].tolist()
    assert gift not in set(reviewed.quotes["theme_id"])
    [rejected] = reviewed.meta["rejected_themes"]
    assert rejected["label"] == "gift · wrapping · message"
    assert rejected["n_segments"] == 3 and rejected["n_documents"] == 3
    assert rejected["notes"] == "not a journey issue"
    assert (reviewed.segments.loc[reviewed.segments["segment_id"].str.startswith("gift-"), "theme_id"] == -1).all()
    assert reviewed.meta["unthemed_segments"] == first_run.meta["unthemed_segments"] + 3
    assert report.counts["rejected"] == 1


def test_restage_moves_the_theme_to_another_stage(review_path: Path, first_run) -> None:
    insta = theme_id_of(first_run, "insta")
    edit(review_path, first_run, insta={"stage": "buy"}, late={"stage": "nowhere"})
    reviewed, report = apply_review(first_run, review_path)
    assert row(reviewed, "insta")["primary_stage"] == "buy"
    assert bool(row(reviewed, "insta")["stage_override"]) is True
    stages = reviewed.stages.set_index("stage_id")
    assert insta in stages.loc["buy", "delight_theme_ids"]
    assert insta not in stages.loc["discover", "delight_theme_ids"]
    assert row(reviewed, "late")["primary_stage"] == "delivery"  # an unknown stage is reported, not applied
    assert any("'nowhere' is not a stage" in p for p in report.problems)


def test_starred_quotes_come_first_and_hidden_quotes_are_gone(tmp_path: Path) -> None:
    synthesis = make_synthesis(extra=4)  # more segments than quotes, so one can star an unquoted one
    synthesis.save(tmp_path / "run")
    path = init_review(tmp_path / "run").path
    late = theme_id_of(synthesis, "late")
    quoted = synthesis.quotes.loc[synthesis.quotes["theme_id"] == late, "segment_id"].tolist()
    unquoted = sorted(set(synthesis.segments.loc[synthesis.segments["theme_id"] == late, "segment_id"]) - set(quoted))
    assert unquoted
    edit(path, synthesis, late={"starred": [unquoted[0], quoted[-1]], "hidden": [quoted[0]]},
         card={"hidden": ["late-0-03"]})  # hidden anywhere means never shown
    reviewed, report = apply_review(synthesis, path)
    quotes = reviewed.quotes[reviewed.quotes["theme_id"] == late].sort_values("rank")
    assert quotes["segment_id"].tolist()[:2] == [unquoted[0], quoted[-1]]
    assert quotes["starred"].tolist()[:2] == [True, True] and not quotes["starred"].iloc[2:].any()
    assert quoted[0] not in set(reviewed.quotes["segment_id"])
    assert "late-0-03" not in set(reviewed.quotes["segment_id"])
    assert report.counts["starred"] == 2


def test_status_insight_severity_owner_reach_the_theme_rows(review_path: Path, first_run) -> None:
    edit(review_path, first_run, late={"status": "validated", "insight": "Customers lose trust when parcels vanish.",
                                        "severity": "blocker", "owner": "Logistics", "notes": "check with ops"})
    reviewed, _ = apply_review(first_run, review_path)
    late = row(reviewed, "late")
    assert (late["status"], late["insight"], late["severity"], late["owner"], late["notes"]) == (
        "validated", "Customers lose trust when parcels vanish.", "blocker", "Logistics", "check with ops")
    card = row(reviewed, "card")
    assert (card["status"], card["severity"], card["owner"]) == ("draft", None, "")
    assert reviewed.meta["review"]["counts"]["validated"] == 1


def test_opportunity_is_a_draft_the_review_file_can_rewrite(review_path: Path, first_run) -> None:
    generated = row(first_run, "late")["opportunity"]
    assert generated.startswith("How might we") and "track" in generated.lower()
    assert f"# draft: {generated}" in review_path.read_text(encoding="utf-8")
    mine = "How might we warn customers before a parcel is late?"
    edit(review_path, first_run, late={"opportunity": mine})
    reviewed, _ = apply_review(first_run, review_path)
    assert row(reviewed, "late")["opportunity"] == mine
    delivery = reviewed.stages[reviewed.stages["stage_id"] == "delivery"].iloc[0]
    assert mine in list(delivery["opportunities"]) and generated not in list(delivery["opportunities"])
    assert row(reviewed, "card")["opportunity"] == row(first_run, "card")["opportunity"]  # untouched: generated


def test_split_moves_matching_segments_into_a_new_theme(review_path: Path, first_run) -> None:
    edit(review_path, first_run, late={"split": [SplitDecision(label="Lost parcels", keywords=["lost", "never showed up"],
                                                                status="validated", stage="support")]})
    reviewed, report = apply_review(first_run, review_path)
    split = reviewed.themes[reviewed.themes["label"] == "Lost parcels"].iloc[0]
    assert split["n_segments"] == 2 and split["status"] == "validated" and split["primary_stage"] == "support"
    assert split["split_from"] == theme_id_of(first_run, "late")
    assert row(reviewed, "late")["n_segments"] == 4
    assert set(reviewed.quotes.loc[reviewed.quotes["theme_id"] == split["theme_id"], "segment_id"]) == {"late-0-01", "late-0-05"}
    assert report.counts["split"] == 1


# -- re-runs ----------------------------------------------------------------------------------
DECISIONS = {
    "late": {"label": "Late parcels", "status": "validated", "severity": "blocker"},
    "card": {"label": "Payment failures", "status": "validated"},
    "agents": {"status": "validated", "owner": "Support lead"},
    "insta": {"stage": "buy"},
    "gift": {"status": "rejected"},
}


@pytest.mark.parametrize("with_embeddings", [True, False])
def test_decisions_follow_their_themes_through_a_rerun(review_path: Path, first_run, with_embeddings: bool) -> None:
    edit(review_path, first_run, fee={"merge_into": theme_id_of(first_run, "card")}, **DECISIONS)
    rerun = make_synthesis(extra=4, order=["gift", "insta", "agents", "fee", "card", "late"], new_theme=True,
                           created_at="2024-08-01T00:00:00+00:00", with_embeddings=with_embeddings)
    assert theme_id_of(rerun, "late") != theme_id_of(first_run, "late")  # ids really shifted
    before = review_path.read_bytes()
    reviewed, report = apply_review(rerun, review_path)
    assert report.orphans == []
    assert (row(reviewed, "late")["label"], row(reviewed, "late")["status"], row(reviewed, "late")["severity"]) == (
        "Late parcels", "validated", "blocker")
    assert row(reviewed, "card")["label"] == "Payment failures"
    assert row(reviewed, "card")["n_segments"] == 9 + 2 * 4  # fee merged in again, with the new records
    assert row(reviewed, "agents")["owner"] == "Support lead"
    assert row(reviewed, "insta")["primary_stage"] == "buy"
    assert [r["label"] for r in reviewed.meta["rejected_themes"]] == ["gift · wrapping · message"]
    assert reviewed.themes.loc[reviewed.themes["label"] == "returns · label · refund", "status"].tolist() == ["draft"]
    assert report.method == "segment overlap only"  # init wrote the state from a saved run: no centroids
    assert any("segment overlap only" in n for n in report.notes)
    assert review_path.read_bytes() == before  # applying never rewrites the decisions
    # the state now knows the new run, so a third run keeps following the themes
    third = make_synthesis(extra=6, order=["late", "card", "fee", "agents", "insta", "gift"], created_at="2024-11-01")
    reviewed3, report3 = apply_review(third, review_path)
    assert report3.orphans == [] and row(reviewed3, "late")["label"] == "Late parcels"
    assert ("centroids" in report3.method) == with_embeddings


def test_a_vanished_theme_is_an_orphan_and_the_file_is_untouched(review_path: Path, first_run) -> None:
    edit(review_path, first_run, **DECISIONS)
    before = review_path.read_bytes()
    rerun = make_synthesis(extra=2, order=["agents", "late", "card", "insta", "gift", "fee"], drop=("late",),
                           created_at="2024-08-01T00:00:00+00:00")
    reviewed, report = apply_review(rerun, review_path)
    assert [o.id for o in report.orphans] == [theme_id_of(first_run, "late")]
    orphan = report.orphans[0]
    assert orphan.label == "Late parcels" and orphan.status == "validated" and "segments" in orphan.reason
    assert reviewed.meta["review"]["orphans"][0]["label"] == "Late parcels"
    assert any("orphaned" in w and "Late parcels" in w for w in reviewed.meta["warnings"])
    assert any("orphaned decision" in line for line in report.summary_lines())
    assert "Late parcels" not in set(reviewed.themes["label"])
    assert row(reviewed, "card")["label"] == "Payment failures"  # the others still apply
    assert review_path.read_bytes() == before
    state = json.loads(state_path(review_path).read_text())
    assert state["themes"][str(orphan.id)]["segment_ids"][0].startswith("late-0-")  # remembered, not dropped


def test_a_hand_written_file_without_state_matches_by_id_and_says_so(tmp_path: Path, first_run) -> None:
    late = theme_id_of(first_run, "late")
    path = tmp_path / "review.yaml"
    path.write_text(f"themes:\n  - id: {late}\n    label: Late\n    status: validated\n  - id: 99\n    label: Ghost\n")
    reviewed, report = apply_review(first_run, path)
    assert row(reviewed, "late")["label"] == "Late"
    assert [o.id for o in report.orphans] == [99]
    assert any("matched by id alone" in n for n in report.notes)
    assert state_path(path).is_file()  # from now on the theme is remembered by its segments


def test_run_folder_rewrite_can_carry_the_review_over(tmp_path: Path, review_path: Path) -> None:
    new = tmp_path / "new"
    copied = carry_over_review_files(review_path.parent, new)
    assert {p.name for p in copied} == {"review.yaml", "review.state.json"}
    assert (new / "review.yaml").read_bytes() == review_path.read_bytes()


# -- notebook panel ---------------------------------------------------------------------------
def test_review_panel_edits_and_saves_the_same_file(tmp_path: Path, first_run) -> None:
    from voc_synth.review import ReviewPanel

    path = tmp_path / "review.yaml"
    panel = ReviewPanel(first_run, path)
    late, fee, card = (theme_id_of(first_run, k) for k in ("late", "fee", "card"))
    editor = panel.editors[late]
    editor.label.value = "Late parcels"
    editor.status.value = "validated"
    editor.severity.value = "blocker"
    editor.stage.value = "support"
    starred, hidden = list(editor.quotes)[1], list(editor.quotes)[0]
    editor.quotes[starred].star.value = True
    editor.quotes[hidden].hide.value = True
    panel.editors[fee].merge_into.value = card
    panel.editors[theme_id_of(first_run, "gift")].status.value = "rejected"
    panel.validated_by.value = "AB"
    panel.save_button.click()
    assert "Saved" in panel.message.value
    text = path.read_text()
    assert text.startswith("# voc_synth review")  # same writer, same comments
    review = read_review(path)
    decision = review.get(late)
    assert (decision.label, decision.status, decision.severity, decision.stage) == ("Late parcels", "validated", "blocker", "support")
    assert (decision.starred, decision.hidden) == ([starred], [hidden])
    assert review.get(fee).merge_into == card and review.validated_by == "AB" and review.validated_on
    reviewed, report = apply_review(first_run, path)
    assert row(reviewed, "late")["label"] == "Late parcels" and report.counts["rejected"] == 1
    assert hidden not in set(reviewed.quotes["segment_id"])
    # a second panel picks the decisions up; a stale panel refuses to overwrite newer edits
    again = ReviewPanel(first_run, path)
    assert again.editors[late].label.value == "Late parcels" and again.editors[late].quotes[starred].star.value
    again.editors[late].owner.value = "Ops"
    again.save()
    with pytest.raises(InputError, match="changed on disk"):
        panel.save()
    assert read_review(path).get(late).owner == "Ops"


# -- CLI ----------------------------------------------------------------------------------------
def test_cli_review_init_check_and_export(tmp_path: Path, first_run) -> None:
    import typer
    from typer.testing import CliRunner

    from voc_synth.cli_review import export, review_app

    app = typer.Typer()
    app.add_typer(review_app, name="review")
    app.command("export")(export)
    runner = CliRunner()
    run = tmp_path / "run"
    first_run.save(run)
    result = runner.invoke(app, ["review", "init", str(run)])
    assert result.exit_code == 0, result.output
    assert (run / "review.yaml").is_file()
    result = runner.invoke(app, ["review", "init", str(run)])
    assert result.exit_code == 1 and "--force" in result.output
    result = runner.invoke(app, ["export", str(run), "--workshop"])
    message = " ".join(result.output.split())
    assert result.exit_code == 1 and "--include-drafts" in message and "No validated insights" in message
    edit(run / "review.yaml", first_run, late={"status": "validated"})
    result = runner.invoke(app, ["review", "check", str(run)])
    assert result.exit_code == 0 and "1 validated" in " ".join(result.output.split())
    result = runner.invoke(app, ["export", str(run), "--workshop"])
    assert result.exit_code == 0, result.output
    assert {p.name for p in (run / "workshop").iterdir()} >= {"deck.pptx", "stickies.csv", "cards.html", "pre-read.md"}


def test_centroids_are_normalised_means(first_run) -> None:
    from voc_synth.review.matching import theme_fingerprints

    fps = theme_fingerprints(first_run.segments, first_run.embeddings)
    late = theme_id_of(first_run, "late")
    mask = (first_run.segments["theme_id"] == late).to_numpy()
    vectors = first_run.embeddings[mask]
    expected = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).mean(axis=0)
    assert np.allclose(fps[late].centroid, expected / np.linalg.norm(expected))
