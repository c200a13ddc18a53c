"""One connection pool per registered app: keep-alive connections and one TLS set-up, reused.

Authlib builds a new HTTP session for every call, and with it a new connection pool: every call to
Kakao opens a TCP connection and does a TLS handshake, and on httpx creates a new SSL context
(~35 ms of CPU, blocking the event loop). Our session classes take their connections from here:

* requests (Flask, Django): one ``HTTPAdapter`` mounted on every session; sessions close after
  each call, so the shared adapter ignores their ``close()`` and only :meth:`close` ends it.
* httpx (Starlette): one transport per event loop (httpx connections belong to the loop that
  opened them), likewise immune to the per-call ``aclose()``. It is closed by :meth:`aclose`, or
  when its loop shuts down: ``asyncio.run`` (and uvicorn, anyio) finalise a loop's async
  generators before closing it, and one of ours is parked there to close the transport.

The user's own ``client_kwargs`` shape the pool (``verify``, ``cert``, ``proxy``, ``limits``,
``http2``, ``trust_env`` …); a user who brings ``transport`` or ``mounts`` keeps them, unpooled.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import weakref
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import asyncio

__all__ = ["ConnectionPool"]

# AsyncHTTPTransport options a user may give in client_kwargs.
_TRANSPORT_OPTIONS = (
    "verify",
    "cert",
    "trust_env",
    "http1",
    "http2",
    "limits",
    "proxy",
    "uds",
    "local_address",
    "retries",
    "socket_options",
)
# With any of these the user has chosen their own transports.
_OWN_TRANSPORT = ("transport", "mounts", "app", "proxies")


def _httpx_module(client_cls: type) -> Any:
    """httpx or httpx2: whichever module the Authlib client class is built on."""
    for base in client_cls.__mro__:
        if base.__name__ == "AsyncClient":
            return sys.modules[base.__module__.split(".")[0]]
    raise TypeError(f"{client_cls!r} is not an httpx AsyncClient")


class ConnectionPool:
    """The connections of one registered app, shared by every call it makes."""

    def __init__(self, client_kwargs: Mapping[str, Any]) -> None:
        self._options = {k: v for k, v in client_kwargs.items() if k in _TRANSPORT_OPTIONS}
        self._pooled = not any(key in client_kwargs for key in _OWN_TRANSPORT)
        self._lock = threading.Lock()
        self._adapter: Any = None
        self._loops: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopPool] = (
            weakref.WeakKeyDictionary()
        )

    # -- requests ---------------------------------------------------------------------------

    def mount(self, session: Any) -> None:
        """Give a requests session the shared adapter for http and https."""
        with self._lock:
            if self._adapter is None:
                self._adapter = _shared_adapter_class()(pool_connections=4, pool_maxsize=32)
        session.mount("https://", self._adapter)
        session.mount("http://", self._adapter)

    def close(self) -> None:
        """Close the shared requests connections (a later call opens new ones)."""
        with self._lock:
            adapter, self._adapter = self._adapter, None
        if adapter is not None:
            adapter.close_for_real()

    # -- httpx ------------------------------------------------------------------------------

    def transport(self, client_cls: type) -> Any:
        """The running loop's shared transport for ``client_cls``, or ``None`` (user's own)."""
        if not self._pooled:
            return None
        import asyncio  # here: a sync app never needs it

        loop = asyncio.get_running_loop()
        pool = self._loops.get(loop)
        if pool is None:
            httpx = _httpx_module(client_cls)
            pool = self._loops[loop] = _LoopPool(httpx, self._options)
            pool.close_with(loop, self._loops)
        return pool.shared

    async def aclose(self) -> None:
        """Close this loop's shared httpx connections (a later call opens new ones)."""
        import asyncio

        pool = self._loops.pop(asyncio.get_running_loop(), None)
        if pool is not None:
            await pool.aclose()


def _shared_adapter_class() -> type:
    from requests.adapters import HTTPAdapter

    from authlib_kakao.http.deadline import connection_pool_classes

    pool_classes = connection_pool_classes()

    class SharedAdapter(HTTPAdapter):
        """An adapter that outlives the sessions it is mounted on, whose connections register
        their sockets with the call's deadline (``http.deadline``)."""

        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = pool_classes

        def proxy_manager_for(self, *args: Any, **kwargs: Any) -> Any:
            manager = super().proxy_manager_for(*args, **kwargs)
            manager.pool_classes_by_scheme = pool_classes
            return manager

        def close(self) -> None:
            """Sessions close after every call; the pool stays (see ``close_for_real``)."""

        def close_for_real(self) -> None:
            super().close()

    return SharedAdapter


class _LoopPool:
    """One loop's transport, and a wrapper sessions may "close" without closing it."""

    def __init__(self, httpx: Any, options: Mapping[str, Any]) -> None:
        self.inner = httpx.AsyncHTTPTransport(**options)
        inner = self.inner

        class Shared(httpx.AsyncBaseTransport):  # type: ignore[misc]  # httpx or httpx2: Any
            async def handle_async_request(self, request: Any) -> Any:
                return await inner.handle_async_request(request)

            async def aclose(self) -> None:
                """Per-call clients close their transport; the pool stays."""

        self.shared = Shared()
        self._closer: Any = None
        self._closed = False

    def close_with(
        self,
        loop: asyncio.AbstractEventLoop,
        registry: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopPool],
    ) -> None:
        """Close the transport when ``loop`` finalises its async generators (it shuts down)."""

        # Weakly: this generator is kept by the registry's value, which must not keep its key.
        loop_ref = weakref.ref(loop)

        async def closer() -> AsyncIterator[None]:
            try:
                yield
            finally:
                owner = loop_ref()
                if owner is not None and registry.get(owner) is self:
                    del registry[owner]
                await self.aclose()

        self._closer = closer()
        # Runs the generator to its `yield` now; the loop's first-iteration hook registers it.
        with contextlib.suppress(StopIteration):
            self._closer.__anext__().send(None)

    async def aclose(self) -> None:
        if not self._closed:
            self._closed = True
            await self.inner.aclose()
