"""Single-flight: concurrent callers asking for the same thing share one call's result.

When many first logins arrive together, each would fetch Kakao's JWKS (and Kakao may block a client
that fetches it too often). With :class:`SingleFlight` (threads: Flask, Django) or
:class:`AsyncSingleFlight` (asyncio tasks: Starlette) the first caller for a key makes the call and
every caller that arrives while it is in flight gets its result, or its exception.

Nothing is cached: once the call ends, the next caller starts a new one.
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable, Hashable
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

if TYPE_CHECKING:
    import asyncio

__all__ = ["AsyncSingleFlight", "SingleFlight"]

T = TypeVar("T")


class _Call(Generic[T]):
    __slots__ = ("done", "error", "value")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: T | None = None
        self.error: BaseException | None = None


class SingleFlight:
    """Coalesce concurrent calls per key across threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: dict[Hashable, _Call[Any]] = {}

    def do(self, key: Hashable, call: Callable[[], T]) -> T:
        """``call()``'s result, shared with every caller of the same ``key`` while it runs."""
        with self._lock:
            flight = self._calls.get(key)
            leader = flight is None
            if flight is None:
                flight = self._calls[key] = _Call()
        if not leader:
            # The leader's call is bounded by its own timeout and always ends in `finally`.
            flight.done.wait()
            if flight.error is not None:
                raise flight.error
            return cast("T", flight.value)  # set by the leader, which did not raise
        try:
            flight.value = call()
            return flight.value
        except BaseException as exc:
            flight.error = exc
            raise
        finally:
            with self._lock:
                del self._calls[key]
            flight.done.set()


class AsyncSingleFlight:
    """Coalesce concurrent calls per key across the tasks of one event loop (any loop at a time)."""

    def __init__(self) -> None:
        self._calls: dict[tuple[int, Hashable], asyncio.Future[Any]] = {}

    async def do(self, key: Hashable, call: Callable[[], Awaitable[T]]) -> T:
        """``await call()``'s result, shared with every caller of the same ``key`` while it runs."""
        import asyncio  # here: a sync app never needs it

        loop = asyncio.get_running_loop()
        slot = (id(loop), key)
        while (flight := self._calls.get(slot)) is not None:
            try:
                return await asyncio.shield(flight)
            except asyncio.CancelledError:
                if not flight.cancelled():
                    raise  # this task itself was cancelled
                # The leader was cancelled: one of the waiters takes over.
        flight = self._calls[slot] = loop.create_future()
        try:
            value = await call()
        except asyncio.CancelledError:
            flight.cancel()
            raise
        except BaseException as exc:
            flight.set_exception(exc)
            flight.exception()  # retrieved here, so a flight without waiters logs nothing
            raise
        else:
            flight.set_result(value)
            return value
        finally:
            del self._calls[slot]
