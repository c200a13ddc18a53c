"""The Redis clients behind :class:`~authlib_kakao.refresh.RedisRefreshLock` and
:class:`~authlib_kakao.webhooks.store.RedisEventStore`: one sync client, one asyncio client per
event loop (asyncio connections belong to the loop that opened them), made on first use."""

from __future__ import annotations

import weakref
from typing import Any

from authlib_kakao.errors import KakaoConfigError

__all__ = ["RedisClients", "millis"]


class RedisClients:
    """A Redis URL, or ready-made clients (``redis.Redis`` / ``redis.asyncio.Redis``)."""

    def __init__(
        self, owner: str, url: str | None, client: Any = None, async_client: Any = None
    ) -> None:
        if url is None and client is None and async_client is None:
            raise KakaoConfigError(f"{owner} needs a url or a client")
        self._owner = owner
        self._url = url
        self._client = client
        self._async_client = async_client
        # Keyed by the loop itself, weakly: a loop's id is reused once it is gone.
        self._per_loop: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()

    def sync(self) -> Any:
        """The sync client."""
        if self._client is None:
            import redis

            self._client = redis.Redis.from_url(self._need_url("client"), socket_timeout=5)
        return self._client

    def for_loop(self) -> Any:
        """The running event loop's asyncio client."""
        if self._async_client is not None:
            return self._async_client
        import asyncio  # here: a sync app never needs it

        loop = asyncio.get_running_loop()
        client = self._per_loop.get(loop)
        if client is None:
            import redis.asyncio

            client = redis.asyncio.Redis.from_url(self._need_url("async_client"), socket_timeout=5)
            self._per_loop[loop] = client
        return client

    def _need_url(self, missing: str) -> str:
        if self._url is None:
            raise KakaoConfigError(
                f"{self._owner} has no {missing}: pass url= (or both client= and async_client=)"
            )
        return self._url


def millis(seconds: float) -> int:
    """A Redis ``PX`` from seconds (at least 1: ``PX 0`` is an error)."""
    return max(1, int(seconds * 1000))
