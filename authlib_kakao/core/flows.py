"""Kakao operations as generators: they yield requests (or a :class:`Sleep`) and are sent responses.

A sync pump (requests) and an async pump (httpx) in ``transport`` drive the same generator, so every
operation exists once (the pattern of httpx's ``Auth.auth_flow``), and tests drive it with canned
responses, no sockets. A step sends :class:`HTTPResponse` back for a request and ``None`` for a
sleep.
"""

from __future__ import annotations

from collections.abc import Collection, Generator, Mapping
from typing import Any, TypeVar

from authlib_kakao.core.calls import JWKS, USER_ME, KakaoCall
from authlib_kakao.core.claims import normalize_userinfo
from authlib_kakao.core.endpoints import KakaoEndpoints
from authlib_kakao.core.http import Emit, HTTPRequest, HTTPResponse, Sleep
from authlib_kakao.core.id_token import ParsedJWKS, verify_id_token
from authlib_kakao.errors import KakaoError, UnknownSigningKeyError

__all__ = ["Flow", "Step", "call_flow", "id_token_flow", "send", "userinfo_flow"]

T = TypeVar("T")
Step = HTTPRequest | Sleep | Emit
Flow = Generator[Step, object, T]
"""Yields steps, is sent what each step produced, returns the result."""


def send(request: HTTPRequest) -> Flow[HTTPResponse]:
    """Yield ``request``; return the response the pump sends back."""
    resp = yield request
    if not isinstance(resp, HTTPResponse):
        raise TypeError(f"a pump sent {type(resp).__name__} for a request, not an HTTPResponse")
    return resp


def call_flow(call: KakaoCall[T], request: HTTPRequest) -> Flow[T]:
    """Send ``request`` and parse the answer with ``call``'s parser; errors name the call."""
    resp = yield from send(request)
    try:
        return call.parse(resp)
    except KakaoError as exc:
        raise exc.mask(resp.sent_credentials).at(request.method, request.path) from None


def userinfo_flow(
    endpoints: KakaoEndpoints, params: Mapping[str, object] | None = None
) -> Flow[dict[str, Any]]:
    """``/v2/user/me`` as OpenID Connect claims."""
    me = yield from call_flow(USER_ME, USER_ME.request(endpoints, params))
    return normalize_userinfo(me)


def id_token_flow(
    id_token: str,
    *,
    jwks: ParsedJWKS | None,
    endpoints: KakaoEndpoints,
    audiences: Collection[str],
    nonce: str | None,
    leeway: int,
) -> Flow[tuple[dict[str, Any], ParsedJWKS | None]]:
    """Verify ``id_token``, fetching the JWKS when none is cached and once more for an unknown kid.

    Returns the claims and the JWKS fetched on the way (``None`` when the cached one served), which
    the caller caches parsed; Kakao may block clients that fetch its JWKS too often.
    """
    request = JWKS.request(endpoints)
    fetched: ParsedJWKS | None = None
    if jwks is None:
        jwks = fetched = yield from call_flow(JWKS, request)
    options: dict[str, Any] = {
        "issuer": endpoints.issuer,
        "audiences": audiences,
        "nonce": nonce,
        "leeway": leeway,
    }
    try:
        return verify_id_token(id_token, jwks, **options), fetched
    except UnknownSigningKeyError:
        if fetched is not None:
            raise  # the set was just fetched: refetching again would not help
    # Kakao rotated its keys since the cache was filled.
    fetched = yield from call_flow(JWKS, request)
    return verify_id_token(id_token, fetched, **options), fetched
