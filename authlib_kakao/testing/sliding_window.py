"""The one rate limiter the emulator uses: a sliding window per key, on the emulator's clock.

Kakao's limits are all "at most N per T seconds" (token issues per user, ``/v1/user/ids`` calls per
app, JWKS and tokeninfo fetches); each is a :class:`SlidingWindow` holding the times of the events
still inside the window. The caller holds the backend's lock and passes the clock's ``now``, so
tests advance time instead of sleeping.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable

__all__ = ["Limit", "SlidingWindow"]

# (count, seconds): at most ``count`` events in any ``seconds``-long window; None: no limit.
Limit = tuple[int, float] | None


class SlidingWindow:
    """Event times per key; :meth:`has_room` says whether one more fits under a limit."""

    def __init__(self) -> None:
        self._events: dict[Hashable, deque[float]] = {}

    def has_room(self, key: Hashable, limit: Limit, now: float) -> bool:
        """Whether one more event for ``key`` at ``now`` stays within ``limit`` (not counted)."""
        if limit is None:
            return True
        count, window = limit
        events = self._events.get(key)
        if events is None:
            return count > 0
        while events and events[0] <= now - window:
            events.popleft()
        return len(events) < count

    def count(self, key: Hashable, now: float) -> None:
        """Record one event for ``key`` at ``now``."""
        self._events.setdefault(key, deque()).append(now)

    def take(self, key: Hashable, limit: Limit, now: float) -> bool:
        """Count one event if it fits under ``limit``; False (nothing counted) when it does not."""
        if not self.has_room(key, limit, now):
            return False
        if limit is not None:
            self.count(key, now)
        return True
