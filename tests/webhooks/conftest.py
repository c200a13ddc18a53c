"""Fixtures for the webhook tests: the app's callback and what it records."""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Any

import pytest

# One Django configuration per test process (harness.configure_django) and a private Redis
# (redis_server) are shared with the provider's integration tests.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "integrations"))


class Recorder:
    """The app's callback: records every event it is handed and wakes a test waiting for them."""

    def __init__(self) -> None:
        self.events: list[Any] = []
        self.threads: list[str] = []
        self._changed = threading.Condition()

    def __call__(self, event: Any) -> None:
        with self._changed:
            self.events.append(event)
            self.threads.append(threading.current_thread().name)
            self._changed.notify_all()

    def wait_for(self, count: int) -> list[Any]:
        """The events once ``count`` have arrived (waits on the callback, not on a clock)."""
        with self._changed:
            arrived = self._changed.wait_for(lambda: len(self.events) >= count, timeout=30)
        assert arrived, f"{len(self.events)} of {count} events reached the callback"
        return list(self.events)


class AsyncRecorder(Recorder):
    """The same, as a coroutine function (what an async app passes)."""

    async def __call__(self, event: Any) -> None:  # type: ignore[override]
        super().__call__(event)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def async_recorder() -> AsyncRecorder:
    return AsyncRecorder()
