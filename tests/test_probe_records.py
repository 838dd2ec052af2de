"""Staff test entries in a helpdesk export ("TEST please ignore") are set aside with their own
reason in the manifest; a customer who writes about a test is kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from voc_synth.config import ColumnMap, Config, SourceConfig
from voc_synth.ingest import ingest
from voc_synth.ingest.probe_records import is_test_entry

# A helpdesk export as the tools write it: subject and description, staff tests among the tickets.
EXPORT = """Ticket ID,Created,Subject,Description,Status
T-1,2026-05-02 09:14,TEST please ignore,test,closed
T-2,2026-05-02 09:20,Where is my parcel??,"Ordered the lamp on the 28th, tracking hasn't moved since Tuesday. Can someone look?",open
T-3,2026-05-03 11:02,test ticket,testing 123,solved
T-4,2026-05-03 12:40,Covid test kit,"The test kit arrived with the seal broken, I can't use it.",pending
T-5,2026-05-04 08:05,Re: your order,"Tested the kettle as soon as it came and the lid won't stay shut.",open
T-6,2026-05-04 16:31,Test,"Test - please ignore, just checking the web form",closed
"""


@pytest.mark.parametrize(("text", "test"), [
    ("TEST please ignore\n\ntest", True),
    ("testing 123", True),
    ("Test ticket - please ignore", True),
    ("this is just a test", True),
    ("Test - please ignore, just checking the web form", True),
    ("Test the kettle before you send it", False),
    ("Testing, do not reply", True),
    ("I tested the kettle and it leaks", False),
    ("The covid test kit arrived late", False),
    ("please ignore my last email", False),
    ("It's a test of patience, this delivery", False),
])
def test_a_test_entry_is_only_test_words(text: str, test: bool) -> None:
    assert is_test_entry(text) is test


def test_staff_tests_in_a_helpdesk_export_are_set_aside_with_a_reason(tmp_path: Path) -> None:
    (tmp_path / "tickets.csv").write_text(EXPORT, encoding="utf-8")
    columns = ColumnMap(text=["Subject", "Description"], id="Ticket ID", date="Created")
    config = Config(sources=[SourceConfig(path=Path("tickets.csv"), type="ticket", columns=columns)],
                    base_dir=tmp_path)

    result = ingest(config)

    skipped = {s["record"]: s for s in result.manifest["skipped_records"]}
    assert {r for r, s in skipped.items() if s["kind"] == "test entry"} == {"T-1", "T-3", "T-6"}
    assert "please ignore" in skipped["T-1"]["reason"]
    kept = set(result.documents["doc_id"])
    assert {"T-2", "T-4", "T-5"} <= kept
    totals = result.manifest["totals"]
    assert totals["skipped_by_reason"]["test entry"] == 3
