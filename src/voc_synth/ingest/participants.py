"""The participants roster (`sources[i].participants`): persona/segment metadata per interview.

A CSV with a `participant_id` column (also accepted: `participant`, `pid`, `id`) and any
other columns. Metadata columns are joined onto that participant's interview documents and
segments. Columns that identify a person (name, email, phone) are never passed through: their
values become names to redact and the re-identification map, and let a transcript whose
speaker is labelled "Dana" be matched to its participant id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from .columns import norm_header
from .encoding import detect_encoding
from .records import SkippedRecord, UnusableFile
from .speakers import normalise_pid
from .tabular import cell_text, read_csv

ID_COLUMNS = ("participantid", "participant", "pid", "id", "participantcode")
IDENTIFYING = ("name", "fullname", "firstname", "lastname", "surname", "participantname",
               "email", "emailaddress", "phone", "phonenumber", "mobile", "address")
FILE_COLUMNS = ("file", "filename", "transcript", "path")


@dataclass
class Roster:
    """Metadata by participant id, plus what links a file or a name to an id."""

    metadata: dict[str, dict[str, str]] = field(default_factory=dict)
    by_file: dict[str, str] = field(default_factory=dict)      # file name → participant id
    by_name: dict[str, str] = field(default_factory=dict)      # lower-case name → participant id
    names: dict[str, str] = field(default_factory=dict)        # participant id → real name
    known_names: list[str] = field(default_factory=list)

    def lookup(self, pid: str | None, file_name: str, label: str | None = None) -> str | None:
        """The roster's participant id for a transcript, by id, file name, or speaker name."""
        if pid and pid.upper() in self.metadata:
            return pid.upper()
        if file_name in self.by_file:
            return self.by_file[file_name]
        if label:
            low = label.lower()
            if low in self.by_name:
                return self.by_name[low]
            first = low.split()[0] if low.split() else ""
            matches = {v for k, v in self.by_name.items() if k.split() and k.split()[0] == first}
            if len(matches) == 1:
                return matches.pop()
        return None


def load_roster(path: Path, label: str, index: int) -> Roster:
    """Read a participants CSV. Raises `InputError` when it is missing or has no id column."""
    if not path.is_file():
        raise InputError(f"sources[{index}].participants: {label} does not exist.")
    try:
        table = read_csv(path, detect_encoding(path))
    except UnusableFile as err:
        raise InputError(f"sources[{index}].participants: {label} cannot be read ({err.reason}).") from None
    by_norm = {norm_header(h): h for h in table.headers}
    id_col = next((by_norm[c] for c in ID_COLUMNS if c in by_norm), None)
    if id_col is None:
        raise InputError(
            f"sources[{index}].participants: {label} has no participant id column "
            f"(expected one of participant_id, participant, pid, id; found {', '.join(table.headers)})."
        )
    identifying = [h for h in table.headers if norm_header(h) in IDENTIFYING]
    file_cols = [h for h in table.headers if norm_header(h) in FILE_COLUMNS]
    roster = Roster()
    for _locator, row in table.rows:
        if isinstance(row, SkippedRecord):
            continue
        pid = normalise_pid(cell_text(row.get(id_col)).strip()) if cell_text(row.get(id_col)).strip() else ""
        if not pid:
            continue
        pid = pid.upper()
        roster.metadata[pid] = {
            h: cell_text(v) for h, v in row.items()
            if h != id_col and h not in identifying and h not in file_cols
        }
        for col in file_cols:
            value = cell_text(row.get(col)).strip()
            if value:
                roster.by_file[Path(value).name] = pid
        for col in identifying:
            value = cell_text(row.get(col)).strip()
            if not value:
                continue
            roster.known_names.append(value)
            if norm_header(col) in ("name", "fullname", "participantname", "firstname"):
                roster.by_name[value.lower()] = pid
                roster.names.setdefault(pid, value)
    return roster
