"""The cluster session a run is using, if any: a context variable the record-by-record steps
consult (`current_session()`), so they run as partitions on the workers while it is set.

Kept free of Dask imports: the steps check it on every call, and a run without a scheduler must
not pay for importing `distributed`. A context variable rather than a global, because a worker
thread of an in-process cluster (`processes=False`) must not see the client's session and send
its partition back to the cluster (`local_only`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .session import ClusterSession

_ACTIVE: ContextVar[ClusterSession | None] = ContextVar("voc_synth_cluster_session", default=None)


def current_session() -> ClusterSession | None:
    """The cluster session the steps in this thread should use, or None (run here)."""
    return _ACTIVE.get()


@contextlib.contextmanager
def activated(session: ClusterSession | None) -> Iterator[None]:
    """Make `session` the current one for the enclosed block (None: run everything here)."""
    token = _ACTIVE.set(session)
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def local_only() -> contextlib.AbstractContextManager[None]:
    """Run the enclosed block in this process, whatever session is current (a partition's task)."""
    return activated(None)
