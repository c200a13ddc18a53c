"""How an accepted webhook event reaches the app's callback without holding Kakao's answer.

Kakao waits 3 seconds for the webhook's answer. A receiver answers as soon as an event is verified
and handed to its dispatcher; the dispatcher decides where the callback runs: background threads
(:class:`ThreadDispatcher`, for Flask and Django), tasks of the event loop (:class:`TaskDispatcher`,
for Starlette), or in the request for a callback that only enqueues work on a durable queue
(:class:`InlineDispatcher`, :class:`AsyncInlineDispatcher`).
"""

from __future__ import annotations

import concurrent.futures
import inspect
import logging
import threading
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol, cast

if TYPE_CHECKING:
    import asyncio

__all__ = [
    "AsyncDispatcher",
    "AsyncInlineDispatcher",
    "Callback",
    "Dispatcher",
    "InlineDispatcher",
    "TaskDispatcher",
    "ThreadDispatcher",
]

log = logging.getLogger("authlib_kakao.webhooks")

Callback = Callable[[Any], object]
"""The app's callback: called with an ``UnlinkEvent`` or a ``SecurityEvent`` (may be async)."""


def _log_callback_failure(callback: Callback) -> None:
    name = getattr(callback, "__qualname__", type(callback).__name__)
    log.error("the Kakao webhook callback %s failed", name, exc_info=True)


class Dispatcher(Protocol):
    """Hands an event to a callback without holding the webhook's answer (sync receivers).

    Raising from ``submit`` means the event was not handed over: the receiver answers 503 and
    forgets it, so Kakao's redelivery is handled. ``drain(timeout)`` and ``close()`` are used
    when the dispatcher has them.
    """

    def submit(self, callback: Callback, event: Any) -> None: ...


class AsyncDispatcher(Protocol):
    """:class:`Dispatcher` for async receivers: ``submit`` is awaited (``drain()`` too, if any)."""

    async def submit(self, callback: Callback, event: Any) -> None: ...


class ThreadDispatcher:
    """Runs each callback on a small pool of background threads; the default of
    :class:`KakaoWebhooks`. A callback's exception is logged, never raised.

    In-process work dies with the process: work that must survive a restart belongs in a real
    queue (Celery, RQ …), which the callback only feeds (then :class:`InlineDispatcher` will do).
    """

    def __init__(self, max_workers: int = 4) -> None:
        self.max_workers = max_workers
        self._lock = threading.Lock()
        self._executor: concurrent.futures.ThreadPoolExecutor | None = None
        self._pending: set[concurrent.futures.Future[None]] = set()

    def submit(self, callback: Callback, event: Any) -> None:
        """Start ``callback(event)`` on a background thread."""
        with self._lock:
            if self._executor is None:
                self._executor = concurrent.futures.ThreadPoolExecutor(
                    self.max_workers, thread_name_prefix="kakao-webhook"
                )
            future = self._executor.submit(self._call, callback, event)
            self._pending.add(future)
        future.add_done_callback(self._forget)

    @staticmethod
    def _call(callback: Callback, event: Any) -> None:
        try:
            callback(event)
        except Exception:
            _log_callback_failure(callback)

    def _forget(self, future: concurrent.futures.Future[None]) -> None:
        with self._lock:
            self._pending.discard(future)

    def drain(self, timeout: float | None = None) -> bool:
        """Wait until every callback started so far has returned; ``False`` on ``timeout``."""
        with self._lock:
            pending = list(self._pending)
        _, not_done = concurrent.futures.wait(pending, timeout)
        return not not_done

    def close(self) -> None:
        """Wait for the running callbacks and stop the threads (a later event starts new ones)."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True)


class InlineDispatcher:
    """Runs the callback in the webhook's request, before the answer: only for a callback that
    merely enqueues the work (``task.delay(event.user_id)``); a failing one makes the answer 503."""

    def submit(self, callback: Callback, event: Any) -> None:
        """Call ``callback(event)`` now."""
        callback(event)


class TaskDispatcher:
    """Runs each callback as a task of the running event loop; the default of
    :class:`AsyncKakaoWebhooks`. A coroutine function is awaited in the task, a plain function
    runs in a worker thread (so it never blocks the loop). Exceptions are logged, never raised.
    """

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    async def submit(self, callback: Callback, event: Any) -> None:
        """Start ``callback(event)`` in the background of the running loop."""
        import asyncio  # here: a sync app never needs it

        # The loop keeps only weak references to tasks: this set keeps them alive until done.
        task = asyncio.get_running_loop().create_task(self._call(callback, event))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @staticmethod
    async def _call(callback: Callback, event: Any) -> None:
        import asyncio

        try:
            if _is_async(callback):
                await cast("Awaitable[object]", callback(event))  # _is_async said so
            else:
                await asyncio.to_thread(callback, event)
        except Exception:
            _log_callback_failure(callback)

    async def drain(self) -> None:
        """Wait until every callback this loop started has returned."""
        import asyncio

        loop = asyncio.get_running_loop()
        while pending := [t for t in self._tasks if t.get_loop() is loop and not t.done()]:
            await asyncio.wait(pending)


class AsyncInlineDispatcher:
    """:class:`InlineDispatcher` for async receivers: the callback is awaited before the answer."""

    async def submit(self, callback: Callback, event: Any) -> None:
        """Call (and await) ``callback(event)`` now."""
        result = callback(event)
        if inspect.isawaitable(result):
            await result


def _is_async(callback: Callback) -> bool:
    call = getattr(callback, "__call__", None)  # noqa: B004 (an object with async __call__)
    return inspect.iscoroutinefunction(callback) or inspect.iscoroutinefunction(call)
