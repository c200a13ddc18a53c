"""RedisEventStore against a real redis-server: receivers that share it hand each event over once,
whichever of them Kakao's delivery and redelivery reach."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
import redis
import redis.asyncio
from redis_server import REDIS_SERVER, redis_server
from webhook_recorders import AsyncRecorder, Recorder
from webhook_tokens import USER_ID, set_claims, sign

from authlib_kakao.testing import KakaoEmulator
from authlib_kakao.webhooks import AsyncKakaoWebhooks, KakaoWebhooks, RedisEventStore

pytestmark = pytest.mark.skipif(
    REDIS_SERVER is None, reason="needs Debian's redis-server (apt-get install redis-server)"
)


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with redis_server() as url:
        yield url


@pytest.fixture
def client(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    yield client
    client.close()


def options(emulator: KakaoEmulator, recorder: Recorder, store: RedisEventStore) -> dict[str, Any]:
    return {
        "admin_key": emulator.app.admin_key,
        "app_id": emulator.app.app_id,
        "client_id": emulator.app.client_id,
        "kauth_url": emulator.url,
        "on_unlink": recorder,
        "on_security_event": recorder,
        "store": store,
    }


def unlink_call(emulator: KakaoEmulator) -> dict[str, Any]:
    query = urlencode({"app_id": emulator.app.app_id, "user_id": emulator.user.id,
                       "referrer_type": "ACCOUNT_DELETE"})  # fmt: skip
    return {"authorization": f"KakaoAK {emulator.app.admin_key}", "query": query}


def test_two_instances_hand_each_event_over_once(
    redis_url: str, client: redis.Redis, kakao_emulator: KakaoEmulator
) -> None:
    # Each instance has its own store object and Redis connection, as two processes would.
    first, second = Recorder(), Recorder()
    a = KakaoWebhooks(**options(kakao_emulator, first, RedisEventStore(redis_url)))
    b = KakaoWebhooks(**options(kakao_emulator, second, RedisEventStore(redis_url)))
    token = sign(set_claims(kakao_emulator.app.client_id), kakao_emulator.keys.current)

    assert a.handle_security_event(token).status == 202
    assert b.handle_security_event(token).status == 202
    assert b.handle_unlink(**unlink_call(kakao_emulator)).status == 200
    assert a.handle_unlink(**unlink_call(kakao_emulator)).status == 200
    for hooks in (a, b):
        assert hooks.drain(timeout=30)
        hooks.close()

    assert [type(e).__name__ for e in first.events] == ["SecurityEvent"]
    assert [type(e).__name__ for e in second.events] == ["UnlinkEvent"]
    assert len(client.keys("authlib_kakao:webhook:*")) == 2


def test_two_async_instances_hand_each_event_over_once(
    redis_url: str, client: redis.Redis, kakao_emulator: KakaoEmulator
) -> None:
    first, second = AsyncRecorder(), AsyncRecorder()
    token = sign(set_claims(kakao_emulator.app.client_id), kakao_emulator.keys.current)

    async def deliver_twice() -> list[int]:
        connections = [redis.asyncio.Redis.from_url(redis_url) for _ in range(2)]
        stores = [RedisEventStore(async_client=c) for c in connections]
        a = AsyncKakaoWebhooks(**options(kakao_emulator, first, stores[0]))
        b = AsyncKakaoWebhooks(**options(kakao_emulator, second, stores[1]))
        statuses = [
            (await a.handle_unlink(**unlink_call(kakao_emulator))).status,
            (await b.handle_unlink(**unlink_call(kakao_emulator))).status,
            (await b.handle_security_event(token)).status,
            (await a.handle_security_event(token)).status,
        ]
        for hooks in (a, b):
            await hooks.close()
        for connection in connections:
            await connection.aclose()
        return statuses

    assert asyncio.run(deliver_twice()) == [200, 200, 202, 202]
    assert [type(e).__name__ for e in first.events] == ["UnlinkEvent"]
    assert [type(e).__name__ for e in second.events] == ["SecurityEvent"]


def test_a_claim_is_held_for_its_ttl_and_can_be_given_up(
    redis_url: str, client: redis.Redis
) -> None:
    store = RedisEventStore(redis_url, prefix="test:")

    assert store.add("k", ttl=300) is True
    assert store.add("k", ttl=300) is False
    assert 0 < client.pttl("test:k") <= 300_000
    store.discard("k")
    assert store.add("k", ttl=300) is True
    assert "redis://" not in repr(store)


def test_the_keys_name_no_user_and_no_token(
    redis_url: str, client: redis.Redis, kakao_emulator: KakaoEmulator
) -> None:
    recorder = Recorder()
    hooks = KakaoWebhooks(**options(kakao_emulator, recorder, RedisEventStore(redis_url)))
    claims = set_claims(kakao_emulator.app.client_id)

    hooks.handle_security_event(sign(claims, kakao_emulator.keys.current))
    hooks.handle_unlink(**unlink_call(kakao_emulator))
    hooks.close()

    keys = b" ".join(client.keys("*")).decode()
    assert claims["jti"] not in keys
    assert str(USER_ID) not in keys
    assert str(kakao_emulator.user.id) not in keys


def test_a_claim_is_one_round_trip(redis_url: str, client: redis.Redis) -> None:
    store = RedisEventStore(redis_url, prefix="one-trip:")
    assert store.add("warm", 60)  # the connection is made (and introduced) here
    client.config_resetstat()

    assert store.add("jti-1", 60)
    assert not store.add("jti-1", 60)

    calls = {name: stats["calls"] for name, stats in client.info("commandstats").items()}
    assert calls == {"cmdstat_set": 2, "cmdstat_config|resetstat": 1}


def test_an_async_claim_is_one_round_trip(redis_url: str, client: redis.Redis) -> None:
    async def claims() -> list[bool]:
        async_client = redis.asyncio.Redis.from_url(redis_url)
        store = RedisEventStore(async_client=async_client, prefix="one-trip-async:")
        try:
            await store.add_async("warm", 60)
            client.config_resetstat()
            return [await store.add_async("jti-1", 60), await store.add_async("jti-1", 60)]
        finally:
            await async_client.aclose()

    assert asyncio.run(claims()) == [True, False]
    calls = {name: stats["calls"] for name, stats in client.info("commandstats").items()}
    assert calls == {"cmdstat_set": 2, "cmdstat_config|resetstat": 1}
