"""Exceptions voc_synth raises for problems a user can fix.

Every error carries a message that says what was wrong and how to fix it; the CLI prints the
message (no traceback) and exits with the matching code: 1 for bad input, 2 for bad usage.
"""

from __future__ import annotations


class VocSynthError(Exception):
    """Base class for errors caused by input or configuration, not by a bug."""

    exit_code = 1


class InputError(VocSynthError):
    """The input files or their contents cannot be used (missing column, no usable text...)."""

    exit_code = 1


class ConfigError(VocSynthError):
    """The configuration file or CLI options are invalid."""

    exit_code = 2


class MissingModelError(VocSynthError):
    """A model the pipeline needs is not available locally (and cannot be fetched)."""

    exit_code = 1


class ClusterError(VocSynthError):
    """A Dask cluster cannot be reached or used (no scheduler, no workers, a worker that keeps
    dying, workers with another voc_synth or model version)."""

    exit_code = 1
