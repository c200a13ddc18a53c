"""The ready-made endpoints on Flask, Django, Starlette and FastAPI.

Kakao's calls arrive over real HTTP: the emulator's own unlink-webhook sender, and security event
tokens signed with the emulator's key and posted to the served app, whose receiver fetches the
emulator's JWKS. Calls Kakao would never make go through each framework's test client. Either way
the app's callback sees each genuine event once and nothing else.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from webhook_apps import APPS, SECURITY_EVENTS, UNLINK, WebhookApp
from webhook_tokens import (
    alg_none,
    foreign_key,
    hs256_with_public_key,
    set_claims,
    sign,
    tampered,
)

from authlib_kakao.testing import KakaoEmulator
from authlib_kakao.testing.webhooks_out import send_unlink_webhook, unlink_webhook_request
from authlib_kakao.webhooks import ReferrerType, SecurityEvent, UnlinkEvent

JWKS_PATH = "/.well-known/jwks.json"


@pytest.fixture(params=sorted(APPS))
def app(request: pytest.FixtureRequest, kakao_emulator: KakaoEmulator) -> Iterator[WebhookApp]:
    webhook_app = APPS[request.param](kakao_emulator)
    yield webhook_app
    webhook_app.close()


# -- Kakao's calls, over real HTTP ---------------------------------------------------------------


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_kakaos_unlink_webhook_reaches_the_callback_once(
    app: WebhookApp, kakao_emulator: KakaoEmulator, method: str
) -> None:
    user = kakao_emulator.add_user()
    with app.serve() as url:
        kakao_emulator.app.webhook_url = f"{url}{UNLINK}"
        kakao_emulator.app.webhook_method = method

        assert kakao_emulator.unlink_from_kakao(user, referrer_type="ACCOUNT_DELETE") == 200
        app.recorder.wait_for(1)
        # Kakao delivers the same call again (its answer was lost, say).
        again = unlink_webhook_request(kakao_emulator.app, user.id, "ACCOUNT_DELETE")
        assert send_unlink_webhook(again) == 200

    assert app.recorder.events == [
        UnlinkEvent(kakao_emulator.app.app_id, user.id, ReferrerType.ACCOUNT_DELETE)
    ]
    assert user.id > 2**53  # an exact 64-bit id, never a float


def test_a_security_event_reaches_the_callback_once(
    app: WebhookApp, kakao_emulator: KakaoEmulator
) -> None:
    claims = set_claims(kakao_emulator.app.client_id, sub=str(kakao_emulator.user.id))
    token = sign(claims, kakao_emulator.keys.current)
    with app.serve() as url:
        answers = [
            httpx.post(
                f"{url}{SECURITY_EVENTS}",
                content=token,
                timeout=30,
                headers={"Content-Type": "application/secevent+jwt"},
            )
            for _ in range(2)  # the push, and its redelivery
        ]
        app.recorder.wait_for(1)

    assert [a.status_code for a in answers] == [202, 202]
    [event] = app.recorder.events
    assert isinstance(event, SecurityEvent)
    assert (event.jti, event.user_id) == (claims["jti"], kakao_emulator.user.id)
    assert kakao_emulator.count(JWKS_PATH) == 1


def test_kakao_gets_its_answer_while_the_callback_still_works(
    app: WebhookApp, kakao_emulator: KakaoEmulator
) -> None:
    query = urlencode({"app_id": kakao_emulator.app.app_id, "user_id": kakao_emulator.user.id,
                       "referrer_type": "UNLINK_FROM_APPS"})  # fmt: skip
    auth = {"Authorization": f"KakaoAK {kakao_emulator.app.admin_key}"}
    app.recorder.gate.clear()  # the callback is slow: it cannot finish before the test says so

    answer = app.call("GET", UNLINK, headers=auth, query=query)
    token = sign(set_claims(kakao_emulator.app.client_id), kakao_emulator.keys.current)
    pushed = app.call("POST", SECURITY_EVENTS, body=token.encode())

    assert (answer.status, pushed.status) == (200, 202)
    assert app.recorder.events == []  # both answered, neither callback done
    app.recorder.gate.set()
    assert len(app.recorder.wait_for(2)) == 2


# -- calls Kakao never makes, through each framework's test client ------------------------------


def unlink_cases(emulator: KakaoEmulator) -> dict[str, tuple[dict[str, str], dict[str, Any], int]]:
    """name -> (headers, parameters, expected status)."""
    key = emulator.app.admin_key
    good = {"app_id": emulator.app.app_id, "user_id": emulator.user.id,
            "referrer_type": "UNLINK_FROM_APPS"}  # fmt: skip
    return {
        "no key": ({}, good, 401),
        "wrong key": ({"Authorization": f"KakaoAK {key[::-1]}"}, good, 401),
        "REST API key": ({"Authorization": f"KakaoAK {emulator.app.client_id}"}, good, 401),
        "wrong scheme": ({"Authorization": f"Bearer {key}"}, good, 401),
        "wrong app": ({"Authorization": f"KakaoAK {key}"}, {**good, "app_id": 1}, 400),
        "garbled user id": ({"Authorization": f"KakaoAK {key}"}, {**good, "user_id": "1e5"}, 400),
        "no user id": ({"Authorization": f"KakaoAK {key}"}, {**good, "user_id": ""}, 400),
    }


# The names of unlink_cases(), which needs the emulator's keys to build its calls.
UNLINK_CASES = ["no key", "wrong key", "REST API key", "wrong scheme", "wrong app",
                "garbled user id", "no user id"]  # fmt: skip


@pytest.mark.parametrize("method", ["POST", "GET"])
@pytest.mark.parametrize("case", UNLINK_CASES)
def test_a_bad_unlink_call_is_refused_and_reaches_nobody(
    app: WebhookApp,
    kakao_emulator: KakaoEmulator,
    caplog: pytest.LogCaptureFixture,
    case: str,
    method: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    headers, params, status = unlink_cases(kakao_emulator)[case]
    form = urlencode(params)

    if method == "GET":
        answer = app.call("GET", UNLINK, headers=headers, query=form)
    else:
        answer = app.call("POST", UNLINK, headers=headers, body=form.encode(),
                          content_type="application/x-www-form-urlencoded")  # fmt: skip
    app.drain()

    assert answer.status == status
    assert app.recorder.events == []
    if status == 401:
        assert answer.headers["www-authenticate"] == "KakaoAK"
    shown = caplog.text + answer.body.decode()
    assert kakao_emulator.app.admin_key not in shown
    assert kakao_emulator.app.admin_key[::-1] not in shown


def test_a_referrer_type_kakao_adds_later_is_still_an_unlink(
    app: WebhookApp, kakao_emulator: KakaoEmulator
) -> None:
    form = urlencode({"app_id": kakao_emulator.app.app_id, "user_id": kakao_emulator.user.id,
                      "referrer_type": "SOMETHING_NEW"})  # fmt: skip
    headers = {"Authorization": f"KakaoAK {kakao_emulator.app.admin_key}"}

    answer = app.call("POST", UNLINK, headers=headers, body=form.encode(),
                      content_type="application/x-www-form-urlencoded")  # fmt: skip

    assert answer.status == 200
    assert app.recorder.wait_for(1)[0].referrer_type == "SOMETHING_NEW"


def test_other_methods_are_not_allowed(app: WebhookApp) -> None:
    assert app.call("PUT", UNLINK).status == 405
    assert app.call("GET", SECURITY_EVENTS).status == 405


Forge = Callable[[KakaoEmulator], str]


def _claims(emulator: KakaoEmulator, **changes: Any) -> dict[str, Any]:
    return set_claims(emulator.app.client_id, **changes)


SET_CASES: dict[str, tuple[Forge, str]] = {
    "bad signature": (
        lambda e: tampered(sign(_claims(e), e.keys.current), sub="1"),
        "invalid_key",
    ),
    "foreign kid": (lambda e: sign(_claims(e), foreign_key()), "invalid_key"),
    "alg none": (lambda e: alg_none(_claims(e), e.keys.current.kid), "invalid_key"),
    "HS256 with the public key": (
        lambda e: hs256_with_public_key(_claims(e), e.keys.current),
        "invalid_key",
    ),
    "wrong aud": (
        lambda e: sign(_claims(e, aud="another-app"), e.keys.current),
        "invalid_audience",
    ),
    "wrong iss": (
        lambda e: sign(_claims(e, iss="https://kauth.example"), e.keys.current),
        "invalid_issuer",
    ),
    "events missing": (lambda e: sign(_claims(e, events=None), e.keys.current), "invalid_request"),
    "not a token": (lambda e: "<html>hello</html>", "invalid_request"),
}


@pytest.mark.parametrize("case", SET_CASES.values(), ids=SET_CASES.keys())
def test_a_bad_security_event_is_refused_and_reaches_nobody(
    app: WebhookApp,
    kakao_emulator: KakaoEmulator,
    caplog: pytest.LogCaptureFixture,
    case: tuple[Forge, str],
) -> None:
    caplog.set_level(logging.DEBUG)
    forge, err = case
    token = forge(kakao_emulator)

    answer = app.call("POST", SECURITY_EVENTS, body=token.encode(),
                      content_type="application/secevent+jwt")  # fmt: skip
    app.drain()

    assert answer.status == 400
    assert json.loads(answer.body)["err"] == err
    assert answer.headers["content-type"] == "application/json"
    assert app.recorder.events == []
    shown = caplog.text + answer.body.decode()
    assert all(part not in shown for part in token.split(".") if len(part) > 8)


def test_the_emulators_own_security_event_reaches_the_callback_once(
    app: WebhookApp, kakao_emulator: KakaoEmulator
) -> None:
    """End to end: Kakao (the emulator) revokes the user's tokens and pushes a signed SET; the
    served receiver verifies it against the emulator's JWKS; a redelivery changes nothing."""
    from authlib_kakao.webhooks import EventType

    with app.serve() as url:
        kakao_emulator.app.security_event_url = f"{url}{SECURITY_EVENTS}"
        [pushed] = kakao_emulator.revoke_tokens(kakao_emulator.user)
        again = kakao_emulator.redeliver(str(pushed.jti))
        app.recorder.wait_for(1)

    assert (pushed.status, again.status, again.jti) == (202, 202, pushed.jti)
    [event] = app.recorder.events
    assert isinstance(event, SecurityEvent)
    assert event.jti == pushed.jti
    assert event.user_id == kakao_emulator.user.id
    assert EventType.TOKENS_REVOKED in event.events
