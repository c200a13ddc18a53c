"""The app's callbacks in the webhook tests: they record what they are handed."""

from __future__ import annotations

import threading
from typing import Any

__all__ = ["AsyncRecorder", "Recorder"]


class Recorder:
    """The app's callback: records every event it is handed and wakes a test waiting for them."""

    def __init__(self) -> None:
        self.events: list[Any] = []
        self._changed = threading.Condition()
        # Open unless a test closes it: then the callback waits, as slow work would.
        self.gate = threading.Event()
        self.gate.set()

    def __call__(self, event: Any) -> None:
        assert self.gate.wait(timeout=30)
        with self._changed:
            self.events.append(event)
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
        import asyncio

        if not self.gate.is_set():
            await asyncio.to_thread(self.gate.wait, 30)  # a closed gate must not block the loop
        super().__call__(event)
