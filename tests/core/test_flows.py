"""Flows, catalogue rows and pumps without sockets: canned responses are sent into the generators."""

from __future__ import annotations

import base64
import json
import time
from typing import Any
from urllib.parse import urlsplit

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from authlib_kakao.core.calls import CALLS, JWKS, USER_ME, KakaoCall, encode_params
from authlib_kakao.core.endpoints import KakaoEndpoints
from authlib_kakao.core.flows import Flow, call_flow, id_token_flow, send, userinfo_flow
from authlib_kakao.core.id_token import MAX_JWKS_KEYS, ParsedJWKS, parse_jwks_document
from authlib_kakao.core.messages import HTTPRequest, HTTPResponse, Sleep
from authlib_kakao.core.responses import parse_kapi
from authlib_kakao.errors import (
    InvalidAccessTokenError,
    InvalidIDTokenError,
    KakaoConfigError,
    KakaoResponseError,
    UnknownSigningKeyError,
)
from authlib_kakao.http.transport import pump, pump_async

ENDPOINTS = KakaoEndpoints("http://kauth.test/", "http://kapi.test")
NOW = int(time.time())
KEY = RSAKey.generate_key(2048, parameters={"kid": "k1", "alg": "RS256"})
OTHER_KEY = RSAKey.generate_key(2048, parameters={"kid": "k2", "alg": "RS256"})


def ok(body: Any, status: int = 200) -> HTTPResponse:
    return HTTPResponse(status, {"content-type": "application/json"}, json.dumps(body).encode())


def jwks(*keys: RSAKey) -> dict[str, Any]:
    return {"keys": [key.as_dict(private=False) for key in keys]}


def id_token(key: RSAKey = KEY) -> str:
    claims = {"iss": "https://kauth.kakao.com", "aud": "rest-key", "sub": "42", "iat": NOW,
              "exp": NOW + 600, "nonce": "n"}  # fmt: skip
    return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


def drive(flow: Flow[Any], responses: list[HTTPResponse]) -> tuple[Any, list[HTTPRequest]]:
    """Run ``flow`` by hand: record each request, answer it with the next canned response."""
    sent: list[HTTPRequest] = []
    answers = iter(responses)

    def answer(request: HTTPRequest) -> HTTPResponse:
        sent.append(request)
        return next(answers)

    return pump(flow, answer), sent


# -- the catalogue ---------------------------------------------------------------------------


def test_every_catalogue_row_builds_a_request_on_its_host() -> None:
    for call in CALLS.values():
        request = call.request(ENDPOINTS, admin_key="admin" if call.auth == "admin" else None)
        base = "http://kauth.test" if call.host == "kauth" else "http://kapi.test"

        assert request.url == f"{base}{call.path}"
        assert (request.method, request.auth) == (call.method, call.auth)


def test_json_array_parameters_are_sent_as_kakaos_json_strings() -> None:
    request = USER_ME.request(
        ENDPOINTS, {"property_keys": ["kakao_account.email"], "secure_resource": True}
    )

    assert request.query == {
        "property_keys": '["kakao_account.email"]',
        "secure_resource": "true",
    }
    assert request.form == {}


@pytest.mark.parametrize(
    ("params", "wire"),
    [({"a": None}, {}), ({"a": False}, {"a": "false"}), ({"a": 7}, {"a": "7"}),
     ({"keys": ("x", "y")}, {"keys": '["x","y"]'}), ({"keys": {"nickname": "홍"}},
     {"keys": '{"nickname":"홍"}'})],
)  # fmt: skip
def test_encode_params(params: dict[str, object], wire: dict[str, str]) -> None:
    assert encode_params(params, frozenset({"keys"})) == wire


def test_a_post_call_puts_its_parameters_in_the_form_and_an_admin_key_in_the_header() -> None:
    call: KakaoCall[dict[str, Any]] = KakaoCall(
        "logout_by_id", "POST", "kapi", "/v1/user/logout", "admin", parse_kapi
    )

    request = call.request(
        ENDPOINTS, {"target_id_type": "user_id", "target_id": 42}, admin_key="AK"
    )

    assert request.form == {"target_id_type": "user_id", "target_id": "42"}
    assert request.query == {}
    assert request.headers == {"Authorization": "KakaoAK AK"}
    assert "AK" not in repr(request).replace("KakaoAK", "")
    with pytest.raises(KakaoConfigError, match="admin key"):
        call.request(ENDPOINTS, {})


def test_request_path_never_shows_the_query() -> None:
    request = HTTPRequest("GET", "http://kapi.test/v2/user/me?secret=1")

    assert request.path == "/v2/user/me"


# -- single calls ----------------------------------------------------------------------------


def test_userinfo_flow_sends_one_bearer_get_and_returns_claims() -> None:
    claims, sent = drive(userinfo_flow(ENDPOINTS), [ok({"id": 4242424242424242424})])

    assert [(r.method, r.url, r.auth) for r in sent] == [
        ("GET", "http://kapi.test/v2/user/me", "bearer")
    ]
    assert claims["sub"] == "4242424242424242424"


def test_a_kakao_error_names_the_call_that_failed() -> None:
    body = {"msg": "this access token does not exist", "code": -401}

    with pytest.raises(InvalidAccessTokenError) as caught:
        drive(userinfo_flow(ENDPOINTS), [ok(body, status=401)])

    assert (caught.value.method, caught.value.path) == ("GET", "/v2/user/me")
    assert str(caught.value).endswith("[GET /v2/user/me]")


def test_a_flow_refuses_anything_but_a_response_for_a_request() -> None:
    flow = send(HTTPRequest("GET", "http://x.test/"))
    next(flow)

    with pytest.raises(TypeError, match="HTTPResponse"):
        flow.send(None)


# -- the id_token flow -----------------------------------------------------------------------


def verify(token: str, keys: ParsedJWKS) -> tuple[dict[str, Any], list[str]]:
    """Run the id_token flow, answering its key-set lookups with ``keys``; the kids it asked for."""
    asked: list[str] = []

    def key_set(kid: str) -> ParsedJWKS:
        asked.append(kid)
        return keys

    flow = id_token_flow(token, endpoints=ENDPOINTS, audiences=("rest-key",), nonce="n", leeway=0)
    return pump(
        flow, lambda request: pytest.fail(f"no request expected: {request!r}"), keys=key_set
    ), asked


def test_the_id_token_flow_asks_for_the_key_set_of_its_kid_and_sends_nothing() -> None:
    claims, asked = verify(id_token(), parse_jwks_document(jwks(KEY)))

    assert claims["sub"] == "42"
    assert asked == ["k1"]


def test_a_key_set_without_the_kid_is_an_unknown_signing_key() -> None:
    with pytest.raises(UnknownSigningKeyError):
        verify(id_token(), parse_jwks_document(jwks(OTHER_KEY)))


def test_a_token_that_names_no_usable_key_costs_no_lookup() -> None:
    unsigned = id_token().split(".")
    header = {"alg": "none", "kid": "k1"}
    forged = ".".join([jwt_header(header), unsigned[1], ""])

    with pytest.raises(InvalidIDTokenError, match="not RS256"):
        verify(forged, parse_jwks_document(jwks(KEY)))


def test_a_pump_without_a_key_set_refuses_a_verifying_flow() -> None:
    flow = id_token_flow(
        id_token(), endpoints=ENDPOINTS, audiences=("rest-key",), nonce="n", leeway=0
    )

    with pytest.raises(TypeError, match="key set"):
        pump(flow, lambda request: HTTPResponse(204))


def test_a_broken_jwks_answer_is_a_response_error_naming_the_call() -> None:
    request = JWKS.request(ENDPOINTS)
    with pytest.raises(KakaoResponseError) as caught:
        drive(call_flow(JWKS, request), [HTTPResponse(502, {}, b"<html>bad gateway</html>")])

    assert caught.value.path == urlsplit(JWKS.url(ENDPOINTS)).path


def jwt_header(header: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(header).encode()).rstrip(b"=").decode()


# -- the pumps ---------------------------------------------------------------------------------


def napping_flow() -> Flow[int]:
    """Waits (as a rate-limited pager would), then makes one call."""
    waited = yield Sleep(1.5)
    assert waited is None
    resp = yield from send(HTTPRequest("GET", "http://kapi.test/v1/user/ids"))
    return resp.status_code


def test_the_sync_pump_sleeps_when_a_flow_asks() -> None:
    naps: list[float] = []

    status = pump(napping_flow(), lambda request: HTTPResponse(204), sleep=naps.append)

    assert (status, naps) == (204, [1.5])


async def test_the_async_pump_drives_the_same_flow() -> None:
    naps: list[float] = []

    async def answer(request: HTTPRequest) -> HTTPResponse:
        return HTTPResponse(204)

    async def nap(seconds: float) -> None:
        naps.append(seconds)

    assert await pump_async(napping_flow(), answer, sleep=nap) == 204
    assert naps == [1.5]


def test_a_jwks_with_too_many_keys_is_refused_unread() -> None:
    many = {"keys": [{"kty": "RSA", "kid": str(i)} for i in range(MAX_JWKS_KEYS + 1)]}

    with pytest.raises(KakaoResponseError, match="more than the 32 accepted"):
        drive(call_flow(JWKS, JWKS.request(ENDPOINTS)), [ok(many)])
