"""OpenID Connect through each framework: verified claims, no discovery, JWKS cached, attacks refused."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from harness import Harness

from authlib_kakao.http.jwks import JWKSCache
from authlib_kakao.testing import KakaoEmulator


def test_oidc_login_puts_verified_claims_in_the_token(
    harness: Harness, build: Callable[..., Any], kakao_emulator: KakaoEmulator
) -> None:
    build(openid=True)

    token = harness.login().data

    claims = token["userinfo"]
    assert claims["sub"] == str(kakao_emulator.user.id)
    assert claims["aud"] == kakao_emulator.app.client_id
    assert claims["iss"] == "https://kauth.kakao.com"
    assert claims["nickname"] == kakao_emulator.user.nickname
    assert claims["nonce"]
    assert "openid" in token["scope"].split()


def test_no_discovery_and_the_jwks_is_fetched_once(
    harness: Harness, build: Callable[..., Any], kakao_emulator: KakaoEmulator
) -> None:
    build(openid=True)

    harness.login()
    harness.login()

    assert kakao_emulator.count("/.well-known/openid-configuration") == 0
    assert kakao_emulator.count("/.well-known/jwks.json") == 1
    assert kakao_emulator.count("/oauth/token") == 2


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_key_rotation_refetches_the_jwks_once_the_refetch_interval_has_passed(
    harness: Harness, build: Callable[..., Any], kakao_emulator: KakaoEmulator
) -> None:
    kakao = build(openid=True)
    clock = FakeClock()
    kakao.connection.jwks = JWKSCache(refetch_interval=60, clock=clock)
    harness.login()
    kakao_emulator.rotate_keys()

    # Within the interval of the last fetch, a token's unknown kid does not make us ask Kakao.
    clock.now += 30
    assert harness.login().data["exception"] == "UnknownSigningKeyError"
    assert kakao_emulator.count("/.well-known/jwks.json") == 1

    clock.now += 31
    assert "userinfo" in harness.login().data
    assert "userinfo" in harness.login().data
    assert kakao_emulator.count("/.well-known/jwks.json") == 2


def test_additional_consent_keeps_openid_in_the_scope(
    harness: Harness, build: Callable[..., Any], kakao_emulator: KakaoEmulator
) -> None:
    build(openid=True)

    token = harness.login(scope="account_email").data

    assert "userinfo" in token
    assert "openid" in token["scope"].split()


def test_id_token_without_openid_is_dropped(
    harness: Harness, build: Callable[..., Any], kakao_emulator: KakaoEmulator
) -> None:
    kakao_emulator.config.id_token_without_openid_scope = True  # OIDC on in the console
    build()

    token = harness.login().data

    assert "id_token" not in token
    assert "userinfo" not in token


def test_token_minted_for_another_app_is_refused(
    harness: Harness, build: Callable[..., Any], kakao_emulator: KakaoEmulator
) -> None:
    """A correctly signed Kakao id_token whose aud is another app's key (a mix-up attack)."""
    build(openid=True)
    login = harness.start_login()
    now = int(kakao_emulator.clock.now())
    forged = kakao_emulator.keys.sign(
        {"iss": "https://kauth.kakao.com", "aud": "someone-elses-app", "sub": "1", "iat": now,
         "exp": now + 600, "auth_time": now}
    )  # fmt: skip
    body = {"token_type": "bearer", "access_token": "a", "expires_in": 600, "id_token": forged}
    kakao_emulator.inject_fault("/oauth/token", status=200, body=json.dumps(body))

    result = harness.callback(login.headers["location"])

    assert result.status == 400
    assert result.data["exception"] == "InvalidIDTokenError"
    assert "another app" in result.data["message"]


def test_allowed_audiences_accepts_another_app_key(
    harness: Harness, kakao_emulator: KakaoEmulator
) -> None:
    app = kakao_emulator.app
    harness.build(**harness.register_kwargs(app.client_id, app.client_secret, openid=True,
                                            allowed_audiences=["native-key"]))  # fmt: skip

    assert harness.login().status == 200


@pytest.mark.parametrize("issuer", ["https://evil.example"])
def test_wrong_issuer_is_refused(
    harness: Harness, build: Callable[..., Any], kakao_emulator: KakaoEmulator, issuer: str
) -> None:
    kakao_emulator.config.issuer = issuer
    build(openid=True)

    result = harness.login()

    assert result.status == 400
    assert result.data["exception"] == "InvalidIDTokenError"
    assert "issued by" in result.data["message"]


def test_issuer_can_be_overridden(
    harness: Harness, build: Callable[..., Any], kakao_emulator: KakaoEmulator
) -> None:
    kakao_emulator.config.issuer = "http://kauth.test"
    build(openid=True, issuer="http://kauth.test")

    assert harness.login().status == 200


def test_openid_login_without_an_id_token_is_refused(
    harness: Harness, build: Callable[..., Any], kakao_emulator: KakaoEmulator
) -> None:
    build(openid=True)
    body = '{"access_token":"stripped","token_type":"bearer","expires_in":21599,"scope":"openid"}'
    kakao_emulator.inject_fault("/oauth/token", status=200, body=body)

    result = harness.login()

    assert result.status == 400
    assert result.data["exception"] == "InvalidIDTokenError"
    assert "no id_token" in result.data["message"]
    assert harness.store.token is None  # nobody was logged in
