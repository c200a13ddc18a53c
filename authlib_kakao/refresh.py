"""One refresh per storm: concurrent refreshes of one refresh token become a single grant.

When a user's access token expires and their browser fires 50 requests at once, each request would
refresh on its own: 50 grants reach Kakao, 20 of them fail with KOE237 (the issuance limit) and, when
the refresh token rotates, 49 fail with KOE322 and the user is logged out. Here:

* **in a process** (threads and asyncio tasks), concurrent refreshes of the same refresh token share
  one grant (:mod:`authlib_kakao.singleflight`), and requests that arrive a little later with the
  same old token get the result too (it is remembered for ``remember`` seconds);
* **across processes and hosts**, a :class:`RefreshLock` (:class:`RedisRefreshLock`) lets one holder
  refresh; the others wait for it and then read the new token from the app's token store (Authlib's
  ``fetch_token``) instead of refreshing again. A holder that dies mid-refresh loses the lock when
  its lease ends.

Theory of operation, for the holder: take the lock, read the store; if the stored token is newer
than the one this request holds (another process refreshed it), use it; otherwise refresh (Authlib
calls ``update_token``, which stores the new token) and release. Only the holder calls
``update_token``; every waiter ends with the same new token.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

from authlib_kakao.redis_clients import RedisClients, millis
from authlib_kakao.singleflight import AsyncSingleFlight, SingleFlight

__all__ = ["RedisRefreshLock", "RefreshLock", "Refresher", "is_newer", "storm_key"]

log = logging.getLogger(__name__)

Token = dict[str, Any]


class RefreshLock(Protocol):
    """A lock shared by every process of the app, one per refresh token (its ``key``).

    ``acquire`` waits at most ``wait`` seconds and returns whether the lock is held; a holder that
    never releases loses it after ``lease`` seconds. Both a sync and an async form, so one lock
    serves Flask/Django and Starlette apps alike.
    """

    def acquire(self, key: str, *, lease: float, wait: float) -> bool: ...

    def release(self, key: str) -> None: ...

    async def acquire_async(self, key: str, *, lease: float, wait: float) -> bool: ...

    async def release_async(self, key: str) -> None: ...


def is_newer(stored: object, old: Mapping[str, Any], now: float | None = None) -> bool:
    """Whether ``stored`` (from the token store) replaces ``old``: another access token that has
    not expired."""
    if not isinstance(stored, Mapping) or not stored.get("access_token"):
        return False
    if stored.get("access_token") == old.get("access_token"):
        return False
    expires_at = stored.get("expires_at")
    current = time.time() if now is None else now
    return not isinstance(expires_at, (int, float)) or expires_at > current


def storm_key(old: Mapping[str, Any]) -> str:
    """The storm a refresh belongs to: every request holding this very token (access and refresh
    token alike; a later expiry of the refreshed token is another storm, even when Kakao kept the
    refresh token). A digest names it: tokens are credentials."""
    pair = f"{old.get('refresh_token')}\n{old.get('access_token')}"
    return hashlib.sha256(pair.encode()).hexdigest()[:32]


class _Recent:
    """Refresh results of the last ``seconds``, by refresh-token digest (bounded, thread-safe)."""

    def __init__(self, seconds: float, size: int = 4096) -> None:
        self.seconds = seconds
        self.size = size
        self._items: OrderedDict[str, tuple[float, Token]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Token | None:
        with self._lock:
            item = self._items.get(key)
            if item is None or item[0] < time.monotonic():
                return None
            return dict(item[1])

    def put(self, key: str, token: Mapping[str, Any]) -> None:
        with self._lock:
            self._items[key] = (time.monotonic() + self.seconds, dict(token))
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


class Refresher:
    """The refresh coordination of one registered app (see the module docstring).

    Args:
        lock: the cross-process lock, or ``None`` for one process.
        lease: how long a lock holder may take before others may take over (seconds).
        remember: how long a refresh result serves latecomers holding the old token (seconds).
    """

    def __init__(
        self, *, lock: RefreshLock | None = None, lease: float = 15.0, remember: float = 60.0
    ) -> None:
        self.lock = lock
        self.lease = lease
        self._recent = _Recent(remember)
        self._threads = SingleFlight()
        self._tasks = AsyncSingleFlight()

    def refresh(
        self,
        old: Mapping[str, Any],
        refresh: Callable[[], Token],
        stored: Callable[[], Any] | None,
    ) -> Token:
        """The new token for ``old``: shared, remembered, or refreshed by ``refresh()`` here."""
        key = storm_key(old)
        recent = self._recent.get(key)
        if recent is not None:
            return recent
        return self._threads.do(
            key, lambda: self._remember(key, self._lead(key, old, refresh, stored))
        )

    async def refresh_async(
        self,
        old: Mapping[str, Any],
        refresh: Callable[[], Awaitable[Token]],
        stored: Callable[[], Awaitable[Any]] | None,
    ) -> Token:
        """:meth:`refresh` for asyncio tasks."""
        key = storm_key(old)
        recent = self._recent.get(key)
        if recent is not None:
            return recent

        async def lead() -> Token:
            return self._remember(key, await self._lead_async(key, old, refresh, stored))

        return await self._tasks.do(key, lead)

    def _remember(self, key: str, token: Token) -> Token:
        self._recent.put(key, token)
        return token

    def _lead(
        self, key: str, old: Mapping[str, Any], refresh: Callable[[], Token], stored: Any
    ) -> Token:
        lock = self.lock
        if lock is None:
            return refresh()
        held = self._guard(lambda: lock.acquire(key, lease=self.lease, wait=self.lease))
        try:
            current = stored() if stored is not None else None
            return (
                dict(current)
                if isinstance(current, Mapping) and is_newer(current, old)
                else refresh()
            )
        finally:
            if held:
                self._guard(lambda: lock.release(key))

    async def _lead_async(
        self, key: str, old: Mapping[str, Any], refresh: Callable[[], Awaitable[Token]], stored: Any
    ) -> Token:
        if self.lock is None:
            return await refresh()
        held = await self._guard_async(
            self.lock.acquire_async(key, lease=self.lease, wait=self.lease)
        )
        try:
            current = await stored() if stored is not None else None
            if isinstance(current, Mapping) and is_newer(current, old):
                return dict(current)
            return await refresh()
        finally:
            if held:
                await self._guard_async(self.lock.release_async(key))

    @staticmethod
    def _guard(call: Callable[[], Any]) -> Any:
        """A lock that fails (Redis down) must not fail the login: refresh without it, loudly."""
        try:
            return call()
        except Exception as exc:
            log.warning("refresh lock unavailable, refreshing without it (%s)", type(exc).__name__)
            return False

    @staticmethod
    async def _guard_async(call: Awaitable[Any]) -> Any:
        try:
            return await call
        except Exception as exc:
            log.warning("refresh lock unavailable, refreshing without it (%s)", type(exc).__name__)
            return False


# Compare-and-delete: only the holder's own token releases the lock.
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""
_POLL = 0.02


class RedisRefreshLock:
    """A :class:`RefreshLock` in Redis (``SET key holder NX PX lease``; released by its holder).

    Args:
        url: the Redis URL (``redis://host:6379/0``); clients (sync and asyncio) are made on first
            use. Or pass ``client`` / ``async_client`` (``redis.Redis`` / ``redis.asyncio.Redis``).
        prefix: the key prefix; keys carry a digest of the refresh token, never the token.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        client: Any = None,
        async_client: Any = None,
        prefix: str = "authlib_kakao:refresh:",
    ) -> None:
        self._redis = RedisClients("RedisRefreshLock", url, client, async_client)
        self.prefix = prefix
        # By key and caller: a thread and a task of this process may each lead the same storm
        # (after a lease ran out), and one must not release the other's lock.
        self._holders: dict[tuple[str, int], str] = {}

    def __repr__(self) -> str:
        return f"RedisRefreshLock(prefix={self.prefix!r})"  # the URL may carry a password

    def acquire(self, key: str, *, lease: float, wait: float) -> bool:
        """Take the lock, waiting up to ``wait`` seconds; ``False`` when still held by another."""
        holder, end = uuid.uuid4().hex, time.monotonic() + wait
        while True:
            if self._redis.sync().set(self.prefix + key, holder, nx=True, px=millis(lease)):
                self._holders[key, threading.get_ident()] = holder
                return True
            if time.monotonic() >= end:
                return False
            time.sleep(_POLL)

    def release(self, key: str) -> None:
        holder = self._holders.pop((key, threading.get_ident()), None)
        if holder is not None:
            self._redis.sync().eval(_RELEASE, 1, self.prefix + key, holder)

    async def acquire_async(self, key: str, *, lease: float, wait: float) -> bool:
        import asyncio  # here: a sync app never needs it

        holder, end = uuid.uuid4().hex, time.monotonic() + wait
        while True:
            if await self._redis.for_loop().set(
                self.prefix + key, holder, nx=True, px=millis(lease)
            ):
                self._holders[key, id(asyncio.current_task())] = holder
                return True
            if time.monotonic() >= end:
                return False
            await asyncio.sleep(_POLL)

    async def release_async(self, key: str) -> None:
        import asyncio

        holder = self._holders.pop((key, id(asyncio.current_task())), None)
        if holder is not None:
            await self._redis.for_loop().eval(_RELEASE, 1, self.prefix + key, holder)
