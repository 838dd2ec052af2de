"""The researcher notebooks as committed: executed, readable on the web, small, and testing
something. (Running them is nbval's job: `pytest --nbval-lax notebooks/`.)"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
EXPECTED = [
    "01_quickstart.ipynb",
    "02_interviews.ipynb",
    "03_tickets_and_reviews.ipynb",
    "04_validate_and_export.ipynb",
]
MAX_BYTES = 1_000_000  # outputs are stored; no multi-megabyte embedded HTML or widget state
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


def _load(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOKS / name, as_version=4)


def _outputs_text(nb: nbformat.NotebookNode) -> str:
    return json.dumps([cell.get("outputs", []) for cell in nb.cells if cell.cell_type == "code"])


def test_the_four_notebooks_are_there_and_listed_in_the_readme() -> None:
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == EXPECTED
    readme = (NOTEBOOKS / "README.md").read_text(encoding="utf-8")
    for name in EXPECTED:
        assert name in readme


@pytest.mark.parametrize("name", EXPECTED)
def test_committed_executed_with_outputs(name: str) -> None:
    nb = _load(name)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert all(cell.execution_count is not None for cell in code), "run every cell before committing"
    counts = [cell.execution_count for cell in code]
    assert counts == list(range(1, len(code) + 1)), "executed top to bottom in one fresh kernel"
    errors = [o for cell in code for o in cell.get("outputs", []) if o.output_type == "error"]
    assert not errors, errors
    stderr = [o.text for cell in code for o in cell.get("outputs", [])
              if o.output_type == "stream" and o.name == "stderr"]
    assert not stderr, f"warnings or progress bars in the stored outputs: {stderr}"


@pytest.mark.parametrize("name", EXPECTED)
def test_small_and_free_of_personal_data(name: str) -> None:
    path = NOTEBOOKS / name
    assert path.stat().st_size < MAX_BYTES, f"{name} is {path.stat().st_size // 1024} KB"
    nb = _load(name)
    assert "widgets" not in nb.metadata or len(json.dumps(nb.metadata["widgets"])) < 50_000
    assert not EMAIL.findall(_outputs_text(nb))


@pytest.mark.parametrize("name", EXPECTED)
def test_tests_something_and_uses_the_public_api(name: str) -> None:
    nb = _load(name)
    sources = [cell.source for cell in nb.cells if cell.cell_type == "code"]
    assert any(s.startswith("# NBVAL_CHECK_OUTPUT") for s in sources), "some deterministic output is checked"
    assert any(re.search(r"^\s*assert ", s, re.MULTILINE) for s in sources), "key facts are asserted"
    assert any("import voc_synth as vs" in s for s in sources)
    # nbval runs with the notebooks folder as working directory; paths must not depend on it.
    assert any("find_repo_root(Path.cwd())" in s for s in sources)
    markdown = [cell for cell in nb.cells if cell.cell_type == "markdown"]
    assert markdown and markdown[0].source.startswith("# "), "a title a newcomer can read"
