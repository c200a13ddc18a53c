"""Which webhook events were already handed to the app: one delivery each, across redeliveries.

Kakao (like any webhook sender) may deliver an event again: after a timeout, a lost answer, or
from another of its machines. A receiver claims each event's key in an :class:`EventStore` before
handing the event over; only the first claim wins. Security events are keyed by their ``jti``;
unlink events carry no id and are keyed by (app, user, referrer type) for a short window.

:class:`MemoryEventStore` serves one process; :class:`RedisEventStore` lets every process and
host of the app share the claims. Keys are digests, never user data.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Protocol

from authlib_kakao.redis_clients import RedisClients, millis

__all__ = ["EventStore", "MemoryEventStore", "RedisEventStore"]


class EventStore(Protocol):
    """Claims on event keys, each held for ``ttl`` seconds.

    ``add`` returns ``True`` for the first claim of a key (deliver the event) and ``False`` while
    it is held (a redelivery); ``discard`` gives a claim up (the event could not be handed over,
    so a redelivery must be). Both a sync and an async form, so one store serves Flask/Django and
    Starlette alike.
    """

    def add(self, key: str, ttl: float) -> bool: ...

    def discard(self, key: str) -> None: ...

    async def add_async(self, key: str, ttl: float) -> bool: ...

    async def discard_async(self, key: str) -> None: ...


class MemoryEventStore:
    """An :class:`EventStore` in this process's memory (thread-safe, bounded).

    Args:
        max_entries: claims kept at most; past it the oldest go first (a redelivery that old
            is then delivered again, never lost).
        clock: seconds on a monotonic clock (a test may move its own instead of waiting).
    """

    def __init__(
        self, max_entries: int = 100_000, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_entries = max_entries
        self._clock = clock
        self._expiry: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._expiry)

    def add(self, key: str, ttl: float) -> bool:
        """Claim ``key`` for ``ttl`` seconds; ``False`` if it is already held."""
        now = self._clock()
        with self._lock:
            expiry = self._expiry.get(key)
            if expiry is not None and expiry > now:
                return False
            self._expiry[key] = now + ttl
            self._expiry.move_to_end(key)
            while len(self._expiry) > self.max_entries:
                self._expiry.popitem(last=False)
            return True

    def discard(self, key: str) -> None:
        """Give up the claim on ``key``."""
        with self._lock:
            self._expiry.pop(key, None)

    async def add_async(self, key: str, ttl: float) -> bool:
        """:meth:`add` (memory does not block an event loop)."""
        return self.add(key, ttl)

    async def discard_async(self, key: str) -> None:
        """:meth:`discard`."""
        self.discard(key)


class RedisEventStore:
    """An :class:`EventStore` in Redis (``SET key 1 NX PX ttl``), shared by every process.

    Args:
        url: the Redis URL (``redis://host:6379/0``); clients (sync and asyncio) are made on first
            use. Or pass ``client`` / ``async_client`` (``redis.Redis`` / ``redis.asyncio.Redis``).
        prefix: the key prefix.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        client: Any = None,
        async_client: Any = None,
        prefix: str = "authlib_kakao:webhook:",
    ) -> None:
        self._redis = RedisClients("RedisEventStore", url, client, async_client)
        self.prefix = prefix

    def __repr__(self) -> str:
        return f"RedisEventStore(prefix={self.prefix!r})"  # the URL may carry a password

    def add(self, key: str, ttl: float) -> bool:
        """Claim ``key`` for ``ttl`` seconds; ``False`` if another process holds it."""
        return bool(self._redis.sync().set(self.prefix + key, b"1", nx=True, px=millis(ttl)))

    def discard(self, key: str) -> None:
        """Give up the claim on ``key``."""
        self._redis.sync().delete(self.prefix + key)

    async def add_async(self, key: str, ttl: float) -> bool:
        """:meth:`add` on the running event loop's client."""
        return bool(
            await self._redis.for_loop().set(self.prefix + key, b"1", nx=True, px=millis(ttl))
        )

    async def discard_async(self, key: str) -> None:
        """:meth:`discard` on the running event loop's client."""
        await self._redis.for_loop().delete(self.prefix + key)
