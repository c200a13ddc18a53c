"""normalize_token and merge_refreshed_token over tests/data/tokens.json."""

from __future__ import annotations

from typing import Any

import pytest
from tables import load, resolve, table

from authlib_kakao.core.messages import HTTPResponse
from authlib_kakao.core.tokens import merge_refreshed_token, normalize_token, normalize_token_body
from authlib_kakao.errors import KakaoAuthError, KakaoResponseError

NOW = load("tokens")["now"]


@pytest.mark.parametrize("case", table("tokens", "normalize"))
def test_normalize_token(case: dict[str, Any]) -> None:
    token = normalize_token(resolve(case["input"]), now=NOW)

    for name, value in case["expected"].items():
        assert token[name] == value, name
    for name in case.get("expected_absent", []):
        assert name not in token


@pytest.mark.parametrize("case", table("tokens", "normalize_errors"))
def test_normalize_token_rejects_unusable_bodies(case: dict[str, Any]) -> None:
    with pytest.raises(KakaoResponseError, match="token response"):
        normalize_token(case["input"], now=NOW)


@pytest.mark.parametrize("case", table("tokens", "merge"))
def test_merge_refreshed_token(case: dict[str, Any]) -> None:
    merged = merge_refreshed_token(case["old"], case["new"])

    for name, value in case["expected"].items():
        assert merged[name] == value, name
    for name in case.get("expected_absent", []):
        assert name not in merged


@pytest.mark.parametrize("case", table("tokens", "refresh_chain"))
def test_login_then_refreshes_keep_a_usable_refresh_token(case: dict[str, Any]) -> None:
    token = normalize_token(resolve(case["login"]), now=NOW)

    for refresh, expected in zip(case["refreshes"], case["expected_after"], strict=True):
        fresh = normalize_token(resolve(refresh["body"]), now=NOW + refresh["at"])
        token = merge_refreshed_token(token, fresh)
        for name, value in expected.items():
            assert token[name] == value, name


def test_normalize_token_does_not_change_its_input() -> None:
    body = {"access_token": "a", "expires_in": "60"}

    normalize_token(body, now=NOW)

    assert body == {"access_token": "a", "expires_in": "60"}


def test_normalize_token_body_parses_and_normalises() -> None:
    resp = HTTPResponse(200, {}, b'{"access_token":"a","expires_in":"60","scope":"a,b"}')

    token = normalize_token_body(resp, now=NOW)

    assert (token["expires_at"], token["scope"]) == (NOW + 60, "a b")


def test_normalize_token_uses_the_clock_without_now() -> None:
    import time

    before = int(time.time())
    token = normalize_token({"access_token": "a", "expires_in": 60})
    after = int(time.time())

    assert before + 60 <= token["expires_at"] <= after + 60


def test_merge_does_not_change_its_inputs() -> None:
    old = {"access_token": "a1", "refresh_token": "r1", "refresh_token_expires_at": 5}
    new = {"access_token": "a2"}

    merge_refreshed_token(old, new)

    assert (old, new) == (
        {"access_token": "a1", "refresh_token": "r1", "refresh_token_expires_at": 5},
        {"access_token": "a2"},
    )


def test_normalize_token_body_rejects_a_body_that_is_not_a_token() -> None:
    resp = HTTPResponse(200, {}, b"<html>login</html>")

    with pytest.raises(KakaoResponseError) as caught:
        normalize_token_body(resp, now=NOW)

    assert caught.value.status_code == 200


def test_normalize_token_body_raises_kakaos_error() -> None:
    resp = HTTPResponse(
        400, {}, b'{"error":"invalid_grant","error_description":"x","error_code":"KOE322"}'
    )

    with pytest.raises(KakaoAuthError) as caught:
        normalize_token_body(resp)

    assert caught.value.code == "KOE322"
