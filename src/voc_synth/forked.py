"""Run one function in a forked child process while the caller goes on with other work.

For pure-Python work that the GIL would otherwise serialise (XlsxWriter writing a 100k-row
workbook while the other report files are written). The child is a fork, so it sees the
caller's objects as they are — nothing is pickled on the way in; only the return value comes
back. Where "fork" is not available, the function simply runs in the caller's process.
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from collections.abc import Callable
from typing import Any


def fork_available() -> bool:
    """Whether this platform can fork a child that shares the caller's memory."""
    return "fork" in multiprocessing.get_all_start_methods()


def usable_cores() -> int:
    """The CPU cores this process may run on (its affinity where the OS reports it)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class ForkedCall:
    """`fn(*args)` started in a forked child; `result()` waits for it and returns its value,
    or raises `RuntimeError` with the child's traceback. Leaving a `with` block early (an error
    in the caller) stops the child."""

    def __init__(self, fn: Callable[..., Any], *args: Any):
        self._value: Any = None
        self._done = False
        if not fork_available():
            self._value, self._done, self._proc = fn(*args), True, None
            return
        context = multiprocessing.get_context("fork")
        self._recv, send = context.Pipe(duplex=False)
        self._proc = context.Process(target=_child, args=(send, fn, args), daemon=True)
        self._proc.start()
        send.close()

    def result(self) -> Any:
        if self._done:
            return self._value
        assert self._proc is not None
        try:
            ok, payload = self._recv.recv()
        except EOFError:
            self._proc.join()
            raise RuntimeError(f"A worker process stopped without an answer (exit code {self._proc.exitcode}); "
                               "if it was killed, the machine may have run out of memory.") from None
        finally:
            self._recv.close()
        self._proc.join()
        self._done = True
        if not ok:
            raise RuntimeError(f"A worker process failed:\n{payload}")
        self._value = payload
        return payload

    def __enter__(self) -> ForkedCall:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if self._proc is not None and self._proc.is_alive() and exc_type is not None:
            self._proc.terminate()
            self._proc.join()


def _child(send: Any, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        send.send((True, fn(*args)))
    except BaseException:  # noqa: BLE001 - everything goes back to the parent
        send.send((False, traceback.format_exc()))
    finally:
        send.close()
