"""Single-flight: concurrent callers of one key share one call, its result and its failure."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from authlib_kakao.singleflight import AsyncSingleFlight, SingleFlight

# Long enough for every thread to reach the shared wait; nothing is asserted about time.
SETTLE = 0.2


def test_threads_asking_together_share_one_call() -> None:
    flights, calls, release = SingleFlight(), [], threading.Event()

    def fetch() -> str:
        calls.append(1)
        release.wait()
        return "jwks"

    with ThreadPoolExecutor(20) as pool:
        futures = [pool.submit(flights.do, "jwks_uri", fetch) for _ in range(20)]
        time.sleep(SETTLE)
        release.set()
        results = [f.result() for f in futures]

    assert results == ["jwks"] * 20
    assert len(calls) == 1


def test_a_failure_reaches_every_waiting_thread_and_the_next_caller_tries_again() -> None:
    flights, release = SingleFlight(), threading.Event()

    def fail() -> str:
        release.wait()
        raise ConnectionError("down")

    with ThreadPoolExecutor(5) as pool:
        futures = [pool.submit(flights.do, "k", fail) for _ in range(5)]
        time.sleep(SETTLE)
        release.set()
        errors = [f.exception() for f in futures]

    assert all(isinstance(e, ConnectionError) for e in errors)
    assert flights.do("k", lambda: "back") == "back"


def test_different_keys_do_not_wait_for_each_other() -> None:
    flights = SingleFlight()

    assert flights.do("a", lambda: flights.do("b", lambda: "inner")) == "inner"


async def test_tasks_asking_together_share_one_call() -> None:
    flights, calls = AsyncSingleFlight(), []
    release = asyncio.Event()

    async def fetch() -> str:
        calls.append(1)
        await release.wait()
        return "jwks"

    tasks = [asyncio.create_task(flights.do("jwks_uri", fetch)) for _ in range(50)]
    await asyncio.sleep(0)  # every task runs up to its wait
    release.set()

    assert await asyncio.gather(*tasks) == ["jwks"] * 50
    assert len(calls) == 1


async def test_a_failure_reaches_every_waiting_task() -> None:
    flights = AsyncSingleFlight()
    release = asyncio.Event()

    async def fail() -> str:
        await release.wait()
        raise ConnectionError("down")

    tasks = [asyncio.create_task(flights.do("k", fail)) for _ in range(5)]
    await asyncio.sleep(0)
    release.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)

    assert all(isinstance(r, ConnectionError) for r in results)


async def test_when_the_leader_is_cancelled_a_waiter_takes_over() -> None:
    flights, calls = AsyncSingleFlight(), []
    release = asyncio.Event()

    async def fetch() -> str:
        calls.append(1)
        await release.wait()
        return "jwks"

    leader = asyncio.create_task(flights.do("k", fetch))
    await asyncio.sleep(0)
    waiter = asyncio.create_task(flights.do("k", fetch))
    await asyncio.sleep(0)
    leader.cancel()
    await asyncio.sleep(0)
    release.set()

    assert await waiter == "jwks"
    assert len(calls) == 2
    with pytest.raises(asyncio.CancelledError):
        await leader


async def test_a_cancelled_waiter_does_not_disturb_the_others() -> None:
    flights = AsyncSingleFlight()
    release = asyncio.Event()

    async def fetch() -> str:
        await release.wait()
        return "jwks"

    leader = asyncio.create_task(flights.do("k", fetch))
    quitter = asyncio.create_task(flights.do("k", fetch))
    await asyncio.sleep(0)
    quitter.cancel()
    release.set()

    assert await leader == "jwks"
    with pytest.raises(asyncio.CancelledError):
        await quitter
