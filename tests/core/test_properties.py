"""Whatever a server or a browser sends, the core answers with a result or a documented error.

Property-based (hypothesis): any JSON, any bytes, any status goes through the token, userinfo,
error-body and id_token paths; the only exceptions allowed are authlib_kakao's.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from joserfc import jwt
from joserfc.jwk import RSAKey

from authlib_kakao.core.claims import normalize_userinfo
from authlib_kakao.core.id_token import parse_jwks_document, verify_id_token
from authlib_kakao.core.messages import HTTPResponse
from authlib_kakao.core.responses import parse_kapi, parse_kauth, redirect_error
from authlib_kakao.core.tokens import merge_refreshed_token, normalize_token_body
from authlib_kakao.errors import InvalidIDTokenError, KakaoError

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**400)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=20,
)
# Objects that use the names Kakao's payloads use, so the interesting paths are reached.
KAKAO_NAMES = ["access_token", "token_type", "expires_in", "refresh_token", "scope", "id_token",
               "refresh_token_expires_in", "error", "error_description", "error_code", "msg",
               "code", "id", "kakao_account", "properties", "connected_at", "profile", "email",
               "phone_number", "birthday", "birthyear", "sub", "iss", "aud", "exp", "iat", "nonce",
               "azp", "required_scopes"]  # fmt: skip
objects = st.dictionaries(
    st.sampled_from(KAKAO_NAMES) | st.text(max_size=8), json_values, max_size=10
)
statuses = st.sampled_from([200, 201, 204, 302, 400, 401, 403, 404, 429, 500, 502, 503])
bodies = objects.map(lambda d: json.dumps(d).encode()) | st.binary(max_size=200)

KEY = RSAKey.generate_key(2048, parameters={"kid": "k", "alg": "RS256"})
JWKS = parse_jwks_document({"keys": [KEY.as_dict(private=False)]})


def only_ours(call: Any, *args: Any) -> Any:
    try:
        return call(*args)
    except KakaoError:
        return None


@settings(max_examples=100, deadline=None)
@given(status=statuses, body=bodies)
def test_token_answers(status: int, body: bytes) -> None:
    token = only_ours(normalize_token_body, HTTPResponse(status, {}, body))
    if token is not None:
        assert isinstance(token["access_token"], str)
        merged = merge_refreshed_token({"refresh_token": "old", "scope": "a"}, token)
        assert isinstance(merged, dict)


@settings(max_examples=100, deadline=None)
@given(data=objects)
def test_user_profiles(data: dict[str, Any]) -> None:
    claims = only_ours(normalize_userinfo, data)
    if claims is not None:
        assert claims["sub"] == str(claims["kakao_id"])
        assert set(claims["sub"]) <= set("0123456789")


@settings(max_examples=100, deadline=None)
@given(status=statuses, body=bodies)
def test_error_bodies_on_both_hosts(status: int, body: bytes) -> None:
    for parse in (parse_kapi, parse_kauth):
        result = only_ours(parse, HTTPResponse(status, {}, body))
        assert result is None or isinstance(result, dict)


@settings(max_examples=200, deadline=None)
@given(error=json_values, description=json_values)
def test_redirect_errors_are_one_bounded_line(error: Any, description: Any) -> None:
    exc = redirect_error(error, description)

    assert "\n" not in str(exc)
    assert len(exc.description) <= 300


CLAIM_NAMES = ["iss", "aud", "sub", "exp", "iat", "nonce", "auth_time", "azp", "nickname"]


@settings(max_examples=150, deadline=None)
@given(
    changed=st.dictionaries(st.sampled_from(CLAIM_NAMES), json_values, max_size=3),
    dropped=st.sets(st.sampled_from(CLAIM_NAMES), max_size=2),
)
def test_id_tokens_with_any_claims(changed: dict[str, Any], dropped: set[str]) -> None:
    # A valid token, some claims replaced by anything or dropped: verified or refused, never more.
    now = int(time.time())
    valid = {"iss": "https://kauth.kakao.com", "aud": "app", "sub": "1", "exp": now + 600,
             "iat": now}  # fmt: skip
    claims = {k: v for k, v in {**valid, **changed}.items() if k not in dropped}
    try:
        token = jwt.encode({"alg": "RS256", "kid": "k"}, claims, KEY)
    except (TypeError, ValueError):  # JSON cannot carry NaN/infinity: not a token anyone sends
        return
    try:
        verified = verify_id_token(token, JWKS, issuer="https://kauth.kakao.com",
                                   audiences=["app"], nonce=None, now=time.time())  # fmt: skip
    except InvalidIDTokenError:
        assert claims != valid  # the untouched token always verifies
        return
    assert isinstance(verified["sub"], str)
    assert verified["sub"] == claims["sub"]
    assert claims["iss"] == valid["iss"]


@settings(max_examples=200, deadline=None)
@given(token=st.text(max_size=200) | st.binary(max_size=100).map(lambda b: b.decode("latin-1")))
def test_id_tokens_that_are_not_tokens(token: str) -> None:
    with pytest.raises(InvalidIDTokenError):  # nothing random is signed with our key
        verify_id_token(
            token, JWKS, issuer="https://kauth.kakao.com", audiences=["app"], nonce=None
        )
