"""Journey frameworks: the built-in YAML files in this folder and the loader for users' own files.

A framework is a `name`, an optional `description` and an ordered list of `stages`, each with an
`id`, `name`, `description`, `keywords` and optionally `examples` (things a customer might say in
that stage), `goal` (what the customer wants in that stage) and `touchpoints` (typical channels).
`load_framework("ecommerce")` picks a built-in; `load_framework("path/to/file.yaml")` reads a
user's file. Problems are reported as `ConfigError`s naming the file, the stage and the key.
"""

from __future__ import annotations

import difflib
import re
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..errors import ConfigError
from ..tables import UNMAPPED_STAGE

__all__ = [
    "DEFAULT_FRAMEWORK",
    "Framework",
    "Stage",
    "builtin_frameworks",
    "framework_from_dict",
    "load_framework",
]

DEFAULT_FRAMEWORK = "ecommerce"

_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_STAGE_KEYS = ("id", "name", "description", "keywords", "examples", "goal", "touchpoints")


def _as_list(value: Any) -> Any:
    """Accept a comma-separated string or a single item where a list is expected."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class Stage(BaseModel):
    """One phase of a journey, in the framework's order."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str
    description: str
    keywords: list[str]
    examples: list[str] = Field(default_factory=list)
    goal: str = ""
    touchpoints: list[str] = Field(default_factory=list)

    @field_validator("keywords", "examples", "touchpoints", mode="before")
    @classmethod
    def _listify(cls, value: Any) -> Any:
        return _as_list(value)

    @field_validator("keywords", "examples", "touchpoints")
    @classmethod
    def _strip_items(cls, value: list[str]) -> list[str]:
        return [str(item).strip() for item in value if str(item).strip()]

    @field_validator("id")
    @classmethod
    def _check_id(cls, value: str) -> str:
        value = value.strip()
        if not _ID_PATTERN.match(value):
            raise ValueError(
                f"stage id {value!r} must start with a letter or digit and contain only letters, "
                "digits, '_', '-' or '.' (e.g. 'use_support')"
            )
        if value == UNMAPPED_STAGE:
            raise ValueError(f"'{UNMAPPED_STAGE}' is reserved for segments no stage fits")
        return value

    @field_validator("name", "description", "goal")
    @classmethod
    def _strip_text(cls, value: str) -> str:
        return " ".join(str(value).split())

    @property
    def text(self) -> str:
        """Everything the stage says about itself, as one passage (name, description, keywords, examples)."""
        parts = [f"{self.name}.", self.description]
        if self.keywords:
            parts.append("Keywords: " + ", ".join(self.keywords) + ".")
        parts.extend(self.examples)
        return " ".join(p for p in parts if p)


class Framework(BaseModel):
    """An ordered set of journey stages."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description: str = ""
    stages: list[Stage]
    source: str = Field(default="", exclude=True)

    @property
    def stage_ids(self) -> list[str]:
        return [s.id for s in self.stages]

    def stage(self, stage_id: str) -> Stage:
        for s in self.stages:
            if s.id == stage_id:
                return s
        raise KeyError(f"framework {self.name!r} has no stage {stage_id!r}; stages: {', '.join(self.stage_ids)}")

    def __len__(self) -> int:
        return len(self.stages)

    def to_dict(self) -> dict[str, Any]:
        """A plain dict in the YAML file layout."""
        return self.model_dump(mode="json", exclude_defaults=False)

    def _repr_html_(self) -> str:
        from html import escape

        rows = "".join(
            f"<tr><td>{i}</td><td><code>{escape(s.id)}</code></td><td>{escape(s.name)}</td>"
            f"<td>{escape(s.description)}</td><td>{escape(', '.join(s.keywords[:8]))}"
            f"{' …' if len(s.keywords) > 8 else ''}</td></tr>"
            for i, s in enumerate(self.stages, 1)
        )
        return (
            f"<p><b>Journey framework <code>{escape(self.name)}</code></b> — {len(self.stages)} stages"
            f"{' · ' + escape(self.description) if self.description else ''}</p>"
            "<table><thead><tr><th>#</th><th>id</th><th>name</th><th>description</th><th>keywords</th>"
            f"</tr></thead><tbody>{rows}</tbody></table>"
        )


def builtin_frameworks() -> list[str]:
    """Names of the frameworks shipped with voc_synth."""
    folder = resources.files(__name__)
    return sorted(p.name[: -len(".yaml")] for p in folder.iterdir() if p.name.endswith(".yaml"))


def _describe_stage(index: int, raw: Any) -> str:
    label = f"stage {index + 1}"
    if isinstance(raw, dict):
        ident = raw.get("id") or raw.get("name")
        if ident:
            label += f" ({ident!r})"
    return label


def framework_from_dict(data: Any, origin: str = "framework") -> Framework:
    """Build a validated `Framework` from a plain dict (as read from YAML).

    Raises `ConfigError` naming `origin`, the stage (1-based index and id) and the key at fault.
    """
    if not isinstance(data, dict):
        raise ConfigError(
            f"{origin}: a journey framework must be a YAML mapping with 'name' and 'stages', "
            f"got {type(data).__name__}."
        )
    problems: list[str] = []
    unknown = sorted(set(data) - {"name", "description", "stages"})
    if unknown:
        problems.append(f"unknown top-level key(s) {', '.join(map(repr, unknown))} "
                        "(allowed: name, description, stages)")
    if not data.get("name"):
        problems.append("missing key 'name' (the framework's name)")
    raw_stages = data.get("stages")
    if raw_stages is None:
        problems.append("missing key 'stages' (an ordered list of stages)")
        raw_stages = []
    elif not isinstance(raw_stages, list):
        problems.append(f"'stages' must be a list of stages, got {type(raw_stages).__name__}")
        raw_stages = []
    elif len(raw_stages) < 2:
        problems.append(f"'stages' needs at least 2 stages, got {len(raw_stages)}")

    stages: list[Stage] = []
    for index, raw in enumerate(raw_stages):
        where = _describe_stage(index, raw)
        if not isinstance(raw, dict):
            problems.append(f"{where}: must be a mapping with id, name, description and keywords, "
                            f"got {type(raw).__name__}")
            continue
        missing = [k for k in ("id", "name", "description", "keywords") if raw.get(k) in (None, "", [])]
        if missing:
            problems.append(f"{where}: missing key(s) {', '.join(map(repr, missing))} "
                            "(every stage needs id, name, description and keywords)")
            continue
        try:
            stages.append(Stage.model_validate(raw))
        except ValidationError as err:
            for problem in err.errors():
                key = ".".join(str(p) for p in problem["loc"]) or "(stage)"
                msg = problem["msg"].removeprefix("Value error, ")
                if problem["type"] == "extra_forbidden":
                    msg = f"unknown key (allowed: {', '.join(_STAGE_KEYS)})"
                problems.append(f"{where}: {key}: {msg}")

    seen: dict[str, int] = {}
    for index, stage in enumerate(stages):
        if stage.id in seen:
            problems.append(f"duplicate stage id {stage.id!r} (stages {seen[stage.id] + 1} and {index + 1}); "
                            "stage ids must be unique")
        else:
            seen[stage.id] = index

    if problems:
        raise ConfigError(f"{origin} is not a valid journey framework:\n"
                          + "\n".join(f"  - {p}" for p in problems))
    return Framework(name=str(data["name"]).strip(), description=" ".join(str(data.get("description") or "").split()),
                     stages=stages, source=origin)


def _read_yaml(path: Path, origin: str) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ConfigError(f"Could not read the journey framework file {origin}: {err}") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise ConfigError(f"{origin} is not valid YAML: {err}") from None


def _looks_like_path(value: str) -> bool:
    return value.lower().endswith((".yaml", ".yml")) or "/" in value or "\\" in value or value.startswith(("~", "."))


def load_framework(name_or_path: str | Path | Framework = DEFAULT_FRAMEWORK,
                   base_dir: str | Path | None = None) -> Framework:
    """A journey framework: a built-in by bare name (`ecommerce`, `lifecycle`, `nng`) or a YAML file.

    Relative paths resolve against `base_dir` (the config's folder) when given, else the working
    directory. Raises `ConfigError` for unknown names, missing files and invalid contents.
    """
    if isinstance(name_or_path, Framework):
        return name_or_path
    value = str(name_or_path).strip()
    if not value:
        raise ConfigError(f"No journey framework given; known built-ins: {', '.join(builtin_frameworks())}.")
    builtins = builtin_frameworks()
    path = Path(value).expanduser()
    if not path.is_absolute() and base_dir is not None:
        path = Path(base_dir) / path
    if isinstance(name_or_path, Path) or _looks_like_path(value) or (value not in builtins and path.is_file()):
        if not path.is_file():
            raise ConfigError(
                f"Journey framework file {path} does not exist. Pass a YAML file with 'name' and "
                f"'stages', or a built-in name; known built-ins: {', '.join(builtins)}."
            )
        return framework_from_dict(_read_yaml(path, str(path)), origin=str(path))
    if value not in builtins:
        close = difflib.get_close_matches(value, builtins, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ConfigError(
            f"Unknown journey framework {value!r}: it is neither a built-in nor an existing file; "
            f"known built-ins: {', '.join(builtins)}. Or pass a path to your own YAML file.{hint}"
        )
    resource = resources.files(__name__) / f"{value}.yaml"
    origin = f"built-in framework {value!r}"
    return framework_from_dict(yaml.safe_load(resource.read_text(encoding="utf-8")), origin=origin)
