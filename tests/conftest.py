"""Shared fixtures: paths to the project's corpora and a guard that fails any network use."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "corpora" / "demo_shop"


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a network connection fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")


class RecordingProgress:
    """A `ProgressFactory` that records what a step opened and how far it advanced."""

    def __init__(self) -> None:
        self.opened: list[tuple[str, int | None]] = []
        self.advanced: list[int] = []

    def __call__(self, description: str, total: int | None = None):  # type: ignore[no-untyped-def]
        import contextlib

        recorder = self

        class Task:
            def advance(self, n: int = 1) -> None:
                recorder.advanced.append(n)

        @contextlib.contextmanager
        def context():  # type: ignore[no-untyped-def]
            recorder.opened.append((description, total))
            yield Task()

        return context()


@pytest.fixture
def recording_progress() -> RecordingProgress:
    return RecordingProgress()
