"""A `Config` built from command-line flags, so a run needs no YAML:

    voc-synth run --reviews reviews.csv --text-column "Review Text" --id-column ID --out DIR

`--reviews/--tickets/--interviews/--surveys` each take a file or folder (repeatable); the
column flags apply to every tabular source given on the command line (interview transcripts
have no columns). Sources are appended to a base config (`--config FILE`) when there is one.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..config import ColumnMap, Config, SourceConfig
from ..errors import ConfigError

PathLike = Path | str


def _as_list(value: PathLike | Sequence[PathLike] | None) -> list[Path]:
    if value is None:
        return []
    if isinstance(value, str | Path):
        return [Path(value)]
    return [Path(v) for v in value]


def config_from_flags(
    *,
    reviews: PathLike | Sequence[PathLike] | None = None,
    tickets: PathLike | Sequence[PathLike] | None = None,
    interviews: PathLike | Sequence[PathLike] | None = None,
    surveys: PathLike | Sequence[PathLike] | None = None,
    text_columns: Sequence[str] | str | None = None,
    id_column: str | None = None,
    rating_column: str | None = None,
    date_column: str | None = None,
    keep_columns: Sequence[str] | str | None = None,
    customer_column: str | None = None,
    base: Config | None = None,
    base_dir: Path | None = None,
) -> Config:
    """A validated `Config` whose sources are the files and folders given as flags.

    Raises `ConfigError` when no source is given, or column flags are given without any
    tabular source to apply them to.
    """
    if isinstance(text_columns, str):
        text_columns = [text_columns]
    if isinstance(keep_columns, str):
        keep_columns = [keep_columns]
    tabular = {"review": _as_list(reviews), "ticket": _as_list(tickets), "survey": _as_list(surveys)}
    transcripts = _as_list(interviews)
    if not transcripts and not any(tabular.values()):
        raise ConfigError("No sources given: pass --reviews, --tickets, --interviews or --surveys FILE (or a config file).")
    column_flags = {
        "--text-column": bool(text_columns), "--id-column": bool(id_column),
        "--rating-column": bool(rating_column), "--date-column": bool(date_column),
        "--keep-column": bool(keep_columns),
    }
    used = [flag for flag, given in column_flags.items() if given]
    if used and not any(tabular.values()):
        raise ConfigError(f"{', '.join(used)} apply to tabular files (--reviews, --tickets, --surveys), and none was given.")

    columns = None
    if used or customer_column:
        columns = ColumnMap(
            id=id_column, text=list(text_columns or []), date=date_column, rating=rating_column,
            customer=customer_column, keep=list(keep_columns or []),
        )
    config = base.model_copy(deep=True) if base is not None else Config()
    config.base_dir = (base.base_dir if base is not None else (base_dir or Path.cwd())).resolve()

    def where(path: Path) -> Path:
        # With a base config, relative paths from the command line still mean "from here".
        return (Path.cwd() / path).resolve() if base is not None and not path.is_absolute() else path

    sources = list(config.sources)
    for path in transcripts:
        sources.append(SourceConfig(path=where(path), type="interview"))
    for source_type, paths in tabular.items():
        for path in paths:
            sources.append(SourceConfig(path=where(path), type=source_type,  # type: ignore[arg-type]
                                        columns=columns.model_copy() if columns else None))
    config.sources = sources
    return config


def name_interviewers(config: Config, names: Sequence[str]) -> None:
    """`--interviewer NAME`: every interview source takes `NAME` as an interviewer label, on top
    of its own labels (or the default role labels), so the guess is overridden, not replaced."""
    from .speakers import DEFAULT_INTERVIEWER_LABELS

    wanted = [n.strip() for n in names if n and n.strip()]
    for source in config.sources:
        if source.type in (None, "interview"):
            base = source.interviewer_labels if source.interviewer_labels is not None else DEFAULT_INTERVIEWER_LABELS
            source.interviewer_labels = list(dict.fromkeys([*base, *wanted]))
