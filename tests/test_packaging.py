"""The package installs as documented: environment.yml mirrors pyproject.toml, the CLI starts,
and the README's two commands are the ones CI and users run."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml
from conftest import ROOT


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement, maxsplit=1)[0].strip().lower().replace("_", "-")


def test_environment_yml_matches_pyproject() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    project = pyproject["project"]
    wanted = {r for r in project["dependencies"] if _name(r) != "torch"}
    for extra in ("models", "notebooks", "audio", "dev"):
        wanted |= set(project["optional-dependencies"][extra])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    listed = {r for r in pip_section if not r.startswith("-e")}
    assert listed == wanted, (
        f"environment.yml and pyproject.toml differ: only in pyproject: {sorted(wanted - listed)}, "
        f"only in environment.yml: {sorted(listed - wanted)}"
    )
    assert "-e ." in pip_section, "environment.yml must install the package itself"
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python="))
    assert python == "python=" + project["requires-python"].removeprefix(">="), "Python versions differ"
    # torch comes from conda as the CPU build so the pip section never pulls CUDA packages.
    assert any(isinstance(d, str) and d.startswith("pytorch-cpu") for d in env["dependencies"])


def test_readme_starts_with_the_two_commands_and_ci_runs_the_second() -> None:
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```(?:bash|sh)?\n(.*?)```", readme, flags=re.S)
    assert blocks, "README has no command block"
    commands = [line.strip() for line in blocks[0].splitlines() if line.strip() and not line.startswith("#")]
    assert len(commands) == 2, f"README must open with exactly two commands, found {commands}"
    assert "voc-synth run corpora/demo_shop" in commands[0]
    assert "scripts/test.sh" in commands[1]
    ci = (ROOT / ".ci" / "run").read_text()
    assert "scripts/test.sh" in ci


def test_cli_help_lists_the_commands() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "voc_synth", "--help"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    for command in ("run", "report", "models", "cache", "corpora"):
        assert command in result.stdout


def test_unknown_option_is_a_usage_error() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "voc_synth", "run", "--no-such-flag"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2


def test_installed_wheel_carries_the_default_sentiment_model(tmp_path: Path) -> None:
    """A plain `pip install` (no checkout, no ./models) must still find the shipped classifier."""
    import zipfile

    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path / "dist")], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = (tmp_path / "dist").glob("voc_synth-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for name in ("embedded_sentiment.json", "embedded_sentiment.npz"):
        assert f"voc_synth/_shipped_models/sentiment/{name}" in names
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import voc_synth; "
            "from voc_synth.sentiment.embedded import default_model_path; "
            "print(voc_synth.__file__); print(default_model_path())")
    found = subprocess.run([sys.executable, "-c", code, str(site)], cwd=elsewhere, capture_output=True,
                           text=True, timeout=120, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert found.returncode == 0, found.stderr[-2000:]
    package_file, model_path = found.stdout.split()
    assert package_file.startswith(str(site)) and model_path.startswith(str(site))
