"""The Redis clients behind :class:`~authlib_kakao.refresh.RedisRefreshLock` and
:class:`~authlib_kakao.webhooks.store.RedisEventStore`: one sync client, one asyncio client per
event loop (asyncio connections belong to the loop that opened them), made on first use."""

from __future__ import annotations

from typing import Any

__all__ = ["RedisClients"]


class RedisClients:
    """A Redis URL or ready-made clients (``redis.Redis`` / ``redis.asyncio.Redis``)."""

    def __init__(
        self, owner: str, url: str | None, client: Any = None, async_client: Any = None
    ) -> None:
        if url is None and client is None and async_client is None:
            raise ValueError(f"{owner} needs a url or a client")
        self.url = url
        self._client = client
        self._async_clients: dict[int, Any] = {}
        if async_client is not None:
            self._async_clients[0] = async_client

    def sync(self) -> Any:
        """The sync client."""
        if self._client is None:
            import redis

            self._client = redis.Redis.from_url(str(self.url), socket_timeout=5)
        return self._client

    def for_loop(self) -> Any:
        """The running event loop's asyncio client."""
        if 0 in self._async_clients:
            return self._async_clients[0]
        import asyncio  # here: a sync app never needs it

        loop = id(asyncio.get_running_loop())
        if loop not in self._async_clients:
            import redis.asyncio

            self._async_clients[loop] = redis.asyncio.Redis.from_url(
                str(self.url), socket_timeout=5
            )
        return self._async_clients[loop]
