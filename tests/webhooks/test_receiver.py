"""KakaoWebhooks and AsyncKakaoWebhooks against the served emulator: Kakao's JWKS fetched through
the provider's flow (once, cached, refetched for a new kid), each event handed over once, Kakao
answered at once. Both faces run every test, through the same calls."""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from webhook_recorders import AsyncRecorder, Recorder
from webhook_tokens import foreign_key, set_claims, sign

from authlib_kakao import KakaoConfigError, WebhookAuthError, WebhookPayloadError
from authlib_kakao.testing import KakaoEmulator
from authlib_kakao.webhooks import (
    AsyncInlineDispatcher,
    AsyncKakaoWebhooks,
    InlineDispatcher,
    KakaoWebhooks,
    MemoryEventStore,
    ReferrerType,
    SecurityEvent,
    UnlinkEvent,
    WebhookResponse,
)

JWKS_PATH = "/.well-known/jwks.json"


class Clock:
    """Monotonic seconds that move only when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Face:
    """A KakaoWebhooks or AsyncKakaoWebhooks whose methods are called the same way.

    The async receiver runs on one event loop for the whole test, so the callbacks it starts as
    tasks run between calls, as they would in a server.
    """

    def __init__(self, is_async: bool, emulator: KakaoEmulator, **options: Any) -> None:
        self.recorder: Recorder = AsyncRecorder() if is_async else Recorder()
        self.loop = asyncio.new_event_loop() if is_async else None
        defaults: dict[str, Any] = {
            "admin_key": emulator.app.admin_key,
            "app_id": emulator.app.app_id,
            "client_id": emulator.app.client_id,
            "kauth_url": emulator.url,
            "on_unlink": self.recorder,
            "on_security_event": self.recorder,
        }
        cls = AsyncKakaoWebhooks if is_async else KakaoWebhooks
        self.hooks: Any = cls(**{**defaults, **options})

    def __call__(self, method: str, *args: Any, **kwargs: Any) -> Any:
        result = getattr(self.hooks, method)(*args, **kwargs)
        if inspect.isawaitable(result):
            assert self.loop is not None
            return self.loop.run_until_complete(result)
        return result

    def drain(self) -> None:
        assert self("drain") in (True, None)

    def close(self) -> None:
        self("close")
        if self.loop is not None:
            self.loop.close()


@pytest.fixture(params=[False, True], ids=["sync", "async"])
def is_async(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


@pytest.fixture
def make(is_async: bool, kakao_emulator: KakaoEmulator) -> Iterator[Any]:
    """``make(**options)``: a receiver face pointed at the served emulator."""
    faces: list[Face] = []

    def build(**options: Any) -> Face:
        faces.append(Face(is_async, kakao_emulator, **options))
        return faces[-1]

    yield build
    for face in faces:
        face.close()


def signed(emulator: KakaoEmulator, **changes: Any) -> str:
    """A security event signed with the emulator's current key, as Kakao would sign it."""
    return sign(set_claims(emulator.app.client_id, **changes), emulator.keys.current)


def unlink_query(emulator: KakaoEmulator, **changes: Any) -> str:
    params = {"app_id": emulator.app.app_id, "user_id": emulator.user.id,
              "referrer_type": "UNLINK_FROM_APPS", **changes}  # fmt: skip
    return urlencode(params)


def test_a_security_event_reaches_the_callback_once_with_one_jwks_request(
    make: Any, kakao_emulator: KakaoEmulator
) -> None:
    face = make()
    first, second = signed(kakao_emulator), signed(kakao_emulator)

    answers = [face("handle_security_event", body) for body in (first, first, second, first)]

    assert [a.status for a in answers] == [202, 202, 202, 202]
    events = face.recorder.wait_for(2)
    face.drain()
    assert len(face.recorder.events) == 2
    assert all(isinstance(e, SecurityEvent) for e in events)
    assert kakao_emulator.count(JWKS_PATH) == 1


def test_concurrent_first_events_share_one_jwks_request(
    make: Any, is_async: bool, kakao_emulator: KakaoEmulator
) -> None:
    face = make()
    bodies = [signed(kakao_emulator) for _ in range(20)]
    if is_async:

        async def all_at_once() -> list[WebhookResponse]:
            return list(await asyncio.gather(*map(face.hooks.handle_security_event, bodies)))

        answers = face.loop.run_until_complete(all_at_once())
    else:
        start = threading.Barrier(len(bodies))
        answers = []

        def deliver(body: str) -> None:
            start.wait()
            answers.append(face.hooks.handle_security_event(body))

        threads = [threading.Thread(target=deliver, args=(b,)) for b in bodies]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert [a.status for a in answers] == [202] * 20
    face.recorder.wait_for(20)
    assert kakao_emulator.count(JWKS_PATH) == 1


def test_a_rotated_key_is_fetched_once_more(make: Any, kakao_emulator: KakaoEmulator) -> None:
    face = make(jwks_refetch_interval=0)
    assert face("handle_security_event", signed(kakao_emulator)).status == 202

    kakao_emulator.rotate_keys()
    answer = face("handle_security_event", signed(kakao_emulator))

    assert answer.status == 202
    face.recorder.wait_for(2)
    assert kakao_emulator.count(JWKS_PATH) == 2


def test_a_foreign_kid_is_refused_after_one_refetch(
    make: Any, kakao_emulator: KakaoEmulator
) -> None:
    face = make(jwks_refetch_interval=0)
    foreign = sign(set_claims(kakao_emulator.app.client_id), foreign_key())

    answer = face("handle_security_event", foreign)

    assert answer.status == 400
    assert json.loads(answer.body)["err"] == "invalid_key"
    assert kakao_emulator.count(JWKS_PATH) == 1  # fetched for it, found wanting, not again


def test_made_up_kids_cannot_make_us_hammer_kakaos_jwks(
    make: Any, kakao_emulator: KakaoEmulator
) -> None:
    clock = Clock()
    face = make(clock=clock)  # the default: one refetch a minute at most
    assert face("handle_security_event", signed(kakao_emulator)).status == 202
    foreign = [sign(set_claims(kakao_emulator.app.client_id), foreign_key(), kid=f"kid-{i}")
               for i in range(10)]  # fmt: skip

    assert {face("handle_security_event", body).status for body in foreign} == {400}
    assert kakao_emulator.count(JWKS_PATH) == 1

    kakao_emulator.rotate_keys()  # a genuine new key waits for the interval to pass
    rotated = signed(kakao_emulator)
    assert face("handle_security_event", rotated).status == 400
    clock.advance(60)
    assert face("handle_security_event", rotated).status == 202
    assert kakao_emulator.count(JWKS_PATH) == 2


def test_a_jwks_older_than_its_max_age_is_fetched_again(
    make: Any, kakao_emulator: KakaoEmulator
) -> None:
    clock = Clock()
    face = make(clock=clock, jwks_max_age=3600)
    face("handle_security_event", signed(kakao_emulator))
    clock.advance(3600)

    assert face("handle_security_event", signed(kakao_emulator)).status == 202
    assert kakao_emulator.count(JWKS_PATH) == 2


@pytest.mark.parametrize(
    "fault",
    [{"status": 500}, {"drop": True}, {"status": 200, "body": "html"}],
    ids=["500", "dropped", "200 with a proxy's page"],
)
def test_kakaos_jwks_out_of_reach_answers_503_and_the_redelivery_is_handled(
    make: Any, kakao_emulator: KakaoEmulator, fault: dict[str, Any]
) -> None:
    face = make()
    body = signed(kakao_emulator)
    kakao_emulator.inject_fault(JWKS_PATH, **fault)

    refused = face("handle_security_event", body)
    face.drain()
    assert refused.status == 503
    assert face.recorder.events == []

    assert face("handle_security_event", body).status == 202
    face.recorder.wait_for(1)
    assert kakao_emulator.count(JWKS_PATH) == 2  # the bad answer was not kept


def test_verify_security_event_returns_the_event_or_raises(
    make: Any, kakao_emulator: KakaoEmulator
) -> None:
    face = make()

    event = face("verify_security_event", signed(kakao_emulator, sub="42"))
    assert event.user_id == 42
    with pytest.raises(WebhookAuthError):
        face("verify_security_event", signed(kakao_emulator, aud="other-app"))
    with pytest.raises(WebhookPayloadError):
        face("verify_security_event", signed(kakao_emulator, events=None))


def test_an_unlink_is_handed_over_once_within_its_window(
    make: Any, kakao_emulator: KakaoEmulator
) -> None:
    clock = Clock()
    face = make(store=MemoryEventStore(clock=clock))
    call = {"authorization": f"KakaoAK {kakao_emulator.app.admin_key}",
            "query": unlink_query(kakao_emulator)}  # fmt: skip

    assert face("handle_unlink", **call).status == 200
    assert face("handle_unlink", **call).status == 200
    face.drain()
    assert face.recorder.events == [
        UnlinkEvent(
            kakao_emulator.app.app_id, kakao_emulator.user.id, ReferrerType.UNLINK_FROM_APPS
        )
    ]

    clock.advance(300)  # UNLINK_WINDOW: the user may have signed up and left again since
    assert face("handle_unlink", **call).status == 200
    face.recorder.wait_for(2)


def test_another_referrer_type_is_another_unlink(make: Any, kakao_emulator: KakaoEmulator) -> None:
    face = make()
    auth = f"KakaoAK {kakao_emulator.app.admin_key}"

    face("handle_unlink", authorization=auth, query=unlink_query(kakao_emulator))
    face("handle_unlink", authorization=auth,
         query=unlink_query(kakao_emulator, referrer_type="ACCOUNT_DELETE"))  # fmt: skip

    assert len(face.recorder.wait_for(2)) == 2


def test_a_post_body_and_a_get_query_are_one_unlink(
    make: Any, kakao_emulator: KakaoEmulator
) -> None:
    face = make()
    auth = f"KakaoAK {kakao_emulator.app.admin_key}"
    query = unlink_query(kakao_emulator)

    face("handle_unlink", authorization=auth, query=query)
    face("handle_unlink", authorization=auth, body=query.encode(),
         content_type="application/x-www-form-urlencoded")  # fmt: skip
    face.drain()

    assert len(face.recorder.events) == 1


def test_a_body_past_the_limit_is_refused(make: Any, kakao_emulator: KakaoEmulator) -> None:
    face = make(max_body_bytes=1024)
    auth = f"KakaoAK {kakao_emulator.app.admin_key}"

    assert face("handle_unlink", authorization=auth, body=b"x" * 1025).status == 413
    assert face("handle_security_event", "x" * 1025).status == 413
    assert face("handle_unlink", authorization="KakaoAK no", body=b"x" * 1025).status == 401


class FlakyQueue:
    """A dispatcher whose first hand-over fails (the app's queue was down)."""

    def __init__(self, is_async: bool) -> None:
        self.failures = 1
        self.handed: list[Any] = []
        self.is_async = is_async

    def _submit(self, callback: Any, event: Any) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("queue down")
        self.handed.append(event)

    def submit(self, callback: Any, event: Any) -> Any:
        if not self.is_async:
            return self._submit(callback, event)

        async def submit() -> None:
            self._submit(callback, event)

        return submit()


def test_an_event_that_cannot_be_handed_over_is_answered_503_and_redelivered(
    make: Any, is_async: bool, kakao_emulator: KakaoEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    queue = FlakyQueue(is_async)
    face = make(dispatcher=queue)
    body = signed(kakao_emulator)

    assert face("handle_security_event", body).status == 503
    assert "could not hand a Kakao security event" in caplog.text
    assert face("handle_security_event", body).status == 202
    assert face("handle_security_event", body).status == 202
    assert len(queue.handed) == 1


def test_inline_dispatch_runs_the_callback_before_the_answer(
    make: Any, is_async: bool, kakao_emulator: KakaoEmulator
) -> None:
    face = make(dispatcher=AsyncInlineDispatcher() if is_async else InlineDispatcher())

    face("handle_security_event", signed(kakao_emulator))

    assert len(face.recorder.events) == 1  # no wait: it ran in the call


def test_a_failing_callback_is_logged_and_kakao_still_gets_its_answer(
    make: Any, kakao_emulator: KakaoEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(event: Any) -> None:
        raise RuntimeError("the database is down")

    face = make(on_security_event=broken)

    assert face("handle_security_event", signed(kakao_emulator)).status == 202
    face.drain()
    assert "callback" in caplog.text
    assert "RuntimeError: the database is down" in caplog.text


class BrokenStore:
    """An event store whose backend is down."""

    def add(self, key: str, ttl: float) -> bool:
        raise ConnectionError("redis down")

    def discard(self, key: str) -> None:
        raise ConnectionError("redis down")

    async def add_async(self, key: str, ttl: float) -> bool:
        raise ConnectionError("redis down")

    async def discard_async(self, key: str) -> None:
        raise ConnectionError("redis down")


def test_a_store_that_is_down_loses_no_event(
    make: Any, kakao_emulator: KakaoEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    face = make(store=BrokenStore())

    assert face("handle_security_event", signed(kakao_emulator)).status == 202
    face.recorder.wait_for(1)
    assert "event store failed" in caplog.text


def test_refusals_show_neither_the_admin_key_nor_the_token(
    make: Any, kakao_emulator: KakaoEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    face = make()
    key = kakao_emulator.app.admin_key
    near_miss = f"KakaoAK {key[:-1]}x"
    token = signed(kakao_emulator, aud="another-app")
    answers = [
        face("handle_unlink", authorization=near_miss, query=unlink_query(kakao_emulator)),
        face("handle_unlink", authorization=f"Bearer {key}", query=unlink_query(kakao_emulator)),
        face("handle_unlink", authorization=f"KakaoAK {key}", query="user_id=x"),
        face("handle_security_event", token),
    ]
    face.drain()

    assert [a.status for a in answers] == [401, 401, 400, 400]
    assert face.recorder.events == []
    shown = caplog.text + "".join(a.body.decode() for a in answers)
    assert key not in shown
    assert key[:-1] not in shown
    assert all(part not in shown for part in token.split("."))


def test_the_two_faces_take_the_same_arguments() -> None:
    for name in (
        "handle_unlink",
        "handle_security_event",
        "verify_security_event",
        "verify_unlink",
    ):
        sync, awaited = getattr(KakaoWebhooks, name), getattr(AsyncKakaoWebhooks, name)
        assert inspect.signature(sync) == inspect.signature(awaited), name
        assert inspect.iscoroutinefunction(awaited) or name == "verify_unlink", name


def test_a_receiver_for_a_registered_app_takes_its_keys(kakao_emulator: KakaoEmulator) -> None:
    from authlib.integrations.flask_client import OAuth
    from flask import Flask

    from authlib_kakao import register_kakao

    kakao = register_kakao(OAuth(Flask(__name__)), client_id="rest-key", client_secret="s",
                           kauth_url=kakao_emulator.url, kapi_url=kakao_emulator.url,
                           app_id=kakao_emulator.app.app_id, allowed_audiences=["js-key"])  # fmt: skip

    hooks = KakaoWebhooks.for_app(
        kakao, admin_key="admin", on_unlink=print, on_security_event=print
    )

    assert hooks.audiences == ("rest-key", "js-key")
    assert hooks.app_id == kakao_emulator.app.app_id
    assert hooks.endpoints.kauth_url == kakao_emulator.url
    assert "admin" not in repr(hooks)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "on_unlink, on_security_event or both"),
        ({"on_unlink": print}, "needs admin_key"),
        ({"on_security_event": print}, "needs client_id"),
        ({"on_unlink": print, "admin_key": ""}, "admin key"),
        ({"on_unlink": print, "admin_key": "k", "app_id": "x"}, "numeric id"),
    ],
)
def test_configuration_mistakes_are_refused_at_once(options: dict[str, Any], message: str) -> None:
    for cls in (KakaoWebhooks, AsyncKakaoWebhooks):
        with pytest.raises(KakaoConfigError, match=message):
            cls(**options)
