"""Kakao's errors, broken answers and network failures, as each framework's app sees them."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest
from harness import Harness

from authlib_kakao.testing import KakaoEmulator


def code_of(location: str) -> str:
    return location.split("code=")[1].split("&")[0]


def test_reused_code_is_koe320(
    harness: Harness, build: Callable[..., Any], kakao_emulator: KakaoEmulator
) -> None:
    build()
    first = harness.start_login().headers["location"]
    used = code_of(first)
    assert harness.callback(first).status == 200
    # A second login's callback carrying the first, already used code (a replay).
    replay = harness.start_login().headers["location"]

    result = harness.callback(replay.replace(code_of(replay), used))

    assert result.status == 400
    assert (result.data["exception"], result.data["code"]) == ("KakaoAuthError", "KOE320")
    assert used not in result.data["message"]  # the code Kakao echoes is redacted


def test_wrong_client_secret_is_koe010(harness: Harness, kakao_emulator: KakaoEmulator) -> None:
    harness.build(**harness.register_kwargs(kakao_emulator.app.client_id, "wrong-secret"))

    result = harness.login()

    assert (result.data["exception"], result.data["code"]) == ("KakaoAuthError", "KOE010")
    assert "KAKAO_CLIENT_SECRET" in result.data["message"]  # the hint says what to check
    assert "wrong-secret" not in result.data["message"]


def test_redirect_uri_mismatch_is_koe303(
    harness: Harness, build: Callable[..., Any], kakao_emulator: KakaoEmulator
) -> None:
    build()
    login = harness.start_login()
    kakao_emulator.state.codes[
        code_of(login.headers["location"])
    ].redirect_uri = "http://elsewhere/auth"

    result = harness.callback(login.headers["location"])

    assert result.data["code"] == "KOE303"


def test_cancelled_consent_is_access_denied(
    harness: Harness, build: Callable[..., Any], kakao_emulator: KakaoEmulator
) -> None:
    build()
    kakao_emulator.deny_consent()
    kakao_emulator.clear_log()

    result = harness.login()

    assert result.status == 400
    assert result.data["exception"] == "KakaoAuthError"
    assert result.data["message"].startswith("access_denied: User denied access — ")
    assert kakao_emulator.count("/oauth/token") == 0


def test_state_mismatch_is_authlibs_mismatching_state_error(
    harness: Harness, build: Callable[..., Any], kakao_emulator: KakaoEmulator
) -> None:
    build()
    location = harness.start_login().headers["location"]
    forged = location.replace("state=", "state=forged")

    result = harness.callback(forged)

    assert result.data["exception"] == "MismatchingStateError"
    assert kakao_emulator.count("/oauth/token") == 0


def refresh_grants(kakao_emulator: KakaoEmulator) -> int:
    return kakao_emulator.count("/oauth/token") - 1  # the login's code grant


def test_a_token_revoked_before_its_expiry_is_refreshed_once_and_the_call_retried(
    harness: Harness, build: Callable[..., Any], kakao_emulator: KakaoEmulator
) -> None:
    build()
    token = harness.login().data
    kakao_emulator.state.access_tokens.pop(token["access_token"])  # revoked elsewhere

    result = harness.get("/me")

    assert result.status == 200
    assert result.data["sub"] == str(kakao_emulator.user.id)
    assert refresh_grants(kakao_emulator) == 1
    assert harness.store.updates[-1]["token"]["access_token"] != token["access_token"]


def test_a_revoked_token_that_cannot_be_refreshed_says_so(
    harness: Harness, build: Callable[..., Any], kakao_emulator: KakaoEmulator
) -> None:
    build()
    token = harness.login().data
    kakao_emulator.state.access_tokens.pop(token["access_token"])
    kakao_emulator.state.refresh_tokens.pop(token["refresh_token"])  # logged out everywhere

    result = harness.get("/me")

    assert (result.data["exception"], result.data["code"]) == ("KakaoAuthError", "KOE322")
    assert refresh_grants(kakao_emulator) == 1


def test_a_revoked_token_on_a_call_unsafe_to_repeat_is_not_retried(
    kakao_emulator: KakaoEmulator,
) -> None:
    from authlib.integrations.flask_client import OAuth
    from flask import Flask

    from authlib_kakao import register_kakao

    app = kakao_emulator.app
    kakao = register_kakao(OAuth(Flask(__name__)), kauth_url=kakao_emulator.url,
                           kapi_url=kakao_emulator.url, client_id=app.client_id,
                           client_secret=app.client_secret)  # fmt: skip
    token = kakao_emulator.issue_tokens()
    kakao_emulator.state.access_tokens.pop(token["access_token"])
    token["expires_at"] = int(time.time()) + 3600

    resp = kakao.post("v2/user/me", token=token)

    assert resp.status_code == 401
    assert kakao_emulator.count("/oauth/token") == 0


def test_unlinked_user_is_not_linked_error(
    harness: Harness, build: Callable[..., Any], kakao_emulator: KakaoEmulator
) -> None:
    build()
    harness.login()
    kakao_emulator.user.links.clear()  # unlinked on Kakao's side; the token still exists

    result = harness.get("/me")

    assert result.data["exception"] in {"NotLinkedError", "InvalidAccessTokenError"}


def test_koe237_is_a_rate_limit_error(
    harness: Harness, build: Callable[..., Any], kakao_emulator: KakaoEmulator
) -> None:
    kakao_emulator.config.access_token_rate_limit = (1, 600)
    build()
    harness.login()

    result = harness.login()

    assert (result.data["exception"], result.data["code"]) == ("TokenRateLimitError", "KOE237")


def test_expired_refresh_token_is_koe322(
    harness: Harness, build: Callable[..., Any], kakao_emulator: KakaoEmulator
) -> None:
    build()
    harness.login()
    kakao_emulator.clock.advance(5184000)
    assert harness.store.token is not None
    harness.store.token["expires_at"] = 1

    result = harness.get("/api")

    assert result.data["code"] == "KOE322"


@pytest.mark.parametrize(
    ("fault", "exception"),
    [({"body": "html", "status": 502}, "KakaoResponseError"),
     ({"body": "malformed", "status": 200}, "KakaoResponseError"),
     ({"body": "empty", "status": 200}, "KakaoResponseError"),
     ({"status": 500}, "KakaoAuthError"),
     ({"drop": True}, "KakaoTransportError"),
     ({"hang": True}, "KakaoTransportError")],
)  # fmt: skip
def test_token_endpoint_failures(
    harness: Harness, kakao_emulator: KakaoEmulator, fault: dict[str, Any], exception: str
) -> None:
    app = kakao_emulator.app
    harness.build(**harness.register_kwargs(app.client_id, app.client_secret, timeout=0.25))
    login = harness.start_login()
    kakao_emulator.inject_fault("/oauth/token", **fault)

    result = harness.callback(login.headers["location"])

    assert result.status == 400
    assert result.data["exception"] == exception
    assert result.data["message"].endswith("[POST /oauth/token]")


@pytest.mark.parametrize(
    ("fault", "exception"),
    [({"body": "html", "status": 503}, "KakaoResponseError"),
     ({"body": "malformed", "status": 200}, "KakaoResponseError"),
     ({"drop": True}, "KakaoTransportError"),
     ({"hang": True}, "KakaoTransportError")],
)  # fmt: skip
def test_userinfo_failures(
    harness: Harness, kakao_emulator: KakaoEmulator, fault: dict[str, Any], exception: str
) -> None:
    app = kakao_emulator.app
    harness.build(**harness.register_kwargs(app.client_id, app.client_secret, timeout=0.25))
    harness.login()
    kakao_emulator.inject_fault("/v2/user/me", **fault)

    result = harness.get("/me")

    assert result.data["exception"] == exception
    assert result.data["message"].endswith("[GET /v2/user/me]")


def test_jwks_failure_is_a_response_error(
    harness: Harness, build: Callable[..., Any], kakao_emulator: KakaoEmulator
) -> None:
    build(openid=True)
    kakao_emulator.inject_fault("/.well-known/jwks.json", body="html", status=502)

    result = harness.login()

    assert result.data["exception"] == "KakaoResponseError"


def test_unreachable_kakao_is_a_transport_error(
    harness: Harness, kakao_emulator: KakaoEmulator
) -> None:
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"
    app = kakao_emulator.app
    harness.build(**harness.register_kwargs(app.client_id, app.client_secret))
    login = harness.start_login()
    harness.kakao.access_token_url = f"{dead}/oauth/token"

    result = harness.callback(login.headers["location"])

    assert result.data["exception"] == "KakaoTransportError"
    assert f"could not reach {dead.removeprefix('http://')} (" in result.data["message"]
    assert result.data["message"].endswith("[POST /oauth/token]")


def test_missing_consent_is_consent_required_with_scopes(
    harness: Harness, build: Callable[..., Any], kakao_emulator: KakaoEmulator
) -> None:
    build()
    harness.login()
    body = (
        '{"msg":"[account_email] insufficient scopes.","code":-402,"api_type":"USER_ME",'
        '"required_scopes":["account_email"],"allowed_scopes":["profile_nickname"]}'
    )
    kakao_emulator.inject_fault("/v2/user/me", status=403, body=body)

    result = harness.get("/me")

    assert (result.data["exception"], result.data["code"]) == ("ConsentRequiredError", -402)
    assert "required_scopes" in result.data["message"]


def test_a_callback_without_code_is_a_kakao_auth_error(
    harness: Harness, build: Callable[..., Any], kakao_emulator: KakaoEmulator
) -> None:
    build()
    location = harness.start_login().headers["location"]

    state = location.split("state=")[1].split("&")[0]

    result = harness.callback(f"{harness.callback_base}/auth?state={state}")

    assert result.status == 400
    assert (result.data["exception"], result.data["code"]) == ("KakaoAuthError", None)
    assert result.data["message"].startswith("missing_code: ")


def test_a_forged_error_description_becomes_one_bounded_line(
    harness: Harness, build: Callable[..., Any], kakao_emulator: KakaoEmulator
) -> None:
    build()
    location = harness.start_login().headers["location"]
    state = location.split("state=")[1].split("&")[0]
    forged = quote("bad\r\n2026-01-01 INFO admin logged in\u2028" + "x" * 5000)

    result = harness.callback(
        f"{harness.callback_base}/auth?error=access_denied&error_description={forged}&state={state}"
    )

    message = result.data["message"]
    assert result.data["exception"] == "KakaoAuthError"
    assert not set("\r\n\u2028") & set(message)
    assert "bad 2026-01-01 INFO admin logged in" in message
    assert len(message) < 600


def test_an_expired_token_without_refresh_token_says_log_in_again(
    harness: Harness, build: Callable[..., Any], kakao_emulator: KakaoEmulator
) -> None:
    build()
    harness.login()
    assert harness.store.token is not None
    del harness.store.token["refresh_token"]
    harness.store.token["expires_at"] = 1

    result = harness.get("/api")

    assert result.data["exception"] == "InvalidAccessTokenError"
    assert "no refresh_token" in result.data["message"]
    assert "Log the user in again" in result.data["message"]


@pytest.mark.parametrize("echoed", ["refresh_token", "access_token"])
def test_a_token_echoed_in_a_refresh_error_never_reaches_the_message(
    harness: Harness, build: Callable[..., Any], kakao_emulator: KakaoEmulator, echoed: str
) -> None:
    build()
    harness.login()
    assert harness.store.token is not None
    credential = harness.store.token[echoed]  # sent by the refresh, or the one it replaces
    harness.store.token["expires_at"] = 1
    body = json.dumps(
        {"error": "invalid_grant", "error_code": "KOE322",
         "error_description": f"token {credential} is invalid"}
    )  # fmt: skip
    kakao_emulator.inject_fault("/oauth/token", status=400, body=body)

    result = harness.get("/api")

    assert result.data["code"] == "KOE322"
    assert "token *** is invalid" in result.data["message"]
    assert credential not in json.dumps(result.data)


def test_an_access_token_echoed_by_kapi_never_reaches_the_message(
    harness: Harness, build: Callable[..., Any], kakao_emulator: KakaoEmulator
) -> None:
    build()
    token = harness.login().data
    assert harness.store.token is not None
    del harness.store.token["refresh_token"]  # nothing to refresh with: the -401 is final
    body = json.dumps({"msg": f"this access token does not exist: {token['access_token']}",
                       "code": -401})  # fmt: skip
    kakao_emulator.inject_fault("/v2/user/me", status=401, body=body)

    result = harness.get("/me")

    assert result.data["exception"] == "InvalidAccessTokenError"
    assert result.data["message"].startswith("-401: this access token does not exist: ***")
    assert token["access_token"] not in json.dumps(result.data)


def test_the_answer_size_limit_is_configurable(
    harness: Harness, build: Callable[..., Any], kakao_emulator: KakaoEmulator
) -> None:
    build(max_response_bytes=64)  # Kakao's token answer is a few hundred bytes

    result = harness.login()

    assert result.data["exception"] == "KakaoResponseError"
    assert "larger than 64 bytes" in result.data["message"]
    assert result.data["message"].endswith("[POST /oauth/token]")
