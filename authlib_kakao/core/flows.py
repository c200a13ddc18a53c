"""Kakao operations as generators: they yield requests (or a pause, a result, a key-set lookup) and
are sent responses.

A sync pump (requests) and an async pump (httpx) in ``transport`` drive the same generator, so every
operation exists once (the pattern of httpx's ``Auth.auth_flow``), and tests drive it with canned
responses, no sockets. A step sends :class:`HTTPResponse` back for a request, the key set for a
:class:`KeySet` and ``None`` for a sleep.
"""

from __future__ import annotations

from collections.abc import Collection, Generator, Iterable, Mapping, Sequence
from typing import TypeVar
from urllib.parse import parse_qsl, urlsplit

from authlib_kakao.core.calls import (
    APP_USERS,
    SERVICE_TERMS,
    TOKEN_INFO,
    USER_IDS,
    USER_ME,
    KakaoCall,
)
from authlib_kakao.core.claims import kakao_id, normalize_userinfo
from authlib_kakao.core.endpoints import KakaoEndpoints
from authlib_kakao.core.id_token import ParsedJWKS, read_jws, verify_id_token
from authlib_kakao.core.messages import Emit, HTTPRequest, HTTPResponse, KeySet, Sleep
from authlib_kakao.core.shapes import AppUser, IDTokenClaims, UserInfoClaims
from authlib_kakao.errors import (
    APIRateLimitError,
    InvalidAccessTokenError,
    InvalidIDTokenError,
    KakaoConfigError,
    KakaoError,
)

__all__ = [
    "APP_USERS_BATCH",
    "APP_USERS_BATCH_WITH_KEYS",
    "Flow",
    "Step",
    "app_users_flow",
    "call_flow",
    "id_token_flow",
    "key_set",
    "missing_service_terms_flow",
    "sdk_login_flow",
    "send",
    "user_ids_flow",
    "user_ids_page_params",
    "userinfo_flow",
]

T = TypeVar("T")
Step = HTTPRequest | Sleep | Emit | KeySet
Flow = Generator[Step, object, T]
"""Yields steps, is sent what each step produced, returns the result."""


def send(request: HTTPRequest) -> Flow[HTTPResponse]:
    """Yield ``request``; return the response the pump sends back."""
    resp = yield request
    if not isinstance(resp, HTTPResponse):
        raise TypeError(f"a pump sent {type(resp).__name__} for a request, not an HTTPResponse")
    return resp


def call_flow(call: KakaoCall[..., T], request: HTTPRequest) -> Flow[T]:
    """Send ``request`` and parse the answer with ``call``'s parser; errors name the call."""
    resp = yield from send(request)
    try:
        return call.parse(resp)
    except KakaoError as exc:
        raise exc.mask(resp.sent_credentials).at(request.method, request.path) from None


def userinfo_flow(
    endpoints: KakaoEndpoints, params: Mapping[str, object] | None = None
) -> Flow[UserInfoClaims]:
    """``/v2/user/me`` as OpenID Connect claims."""
    me = yield from call_flow(USER_ME, USER_ME.request(endpoints, params))
    return normalize_userinfo(me)


def key_set(kid: str) -> Flow[ParsedJWKS]:
    """Yield a :class:`KeySet` step; return the key set the connection's JWKS cache answers."""
    keys = yield KeySet(kid)
    if not isinstance(keys, ParsedJWKS):
        raise TypeError(f"a pump sent {type(keys).__name__} for a key set, not a ParsedJWKS")
    return keys


def id_token_flow(
    id_token: str,
    *,
    endpoints: KakaoEndpoints,
    audiences: Collection[str],
    nonce: str | None,
    leeway: int,
) -> Flow[IDTokenClaims]:
    """Verify ``id_token`` against the key set its ``kid`` should be in; its claims.

    The header is checked first (RS256, a ``kid``), so a token that could never verify costs no
    request; whether the key set is fetched is the JWKS cache's rule, not the token's.
    """
    read = read_jws(id_token)
    keys = yield from key_set(read.kid)
    return verify_id_token(
        read, keys, issuer=endpoints.issuer, audiences=audiences, nonce=nonce, leeway=leeway
    )


# -- operations of more than one request ------------------------------------------------------

APP_USERS_BATCH = 100  # ids per /v2/app/users call (reference §4)
APP_USERS_BATCH_WITH_KEYS = 20  # ... when property_keys are asked for
_PAGE_PARAMS = ("limit", "order", "from_id")
_FIRST_BACKOFF, _MAX_BACKOFF = 1.0, 30.0


def user_ids_page_params(next_url: str) -> dict[str, str]:
    """The paging parameters of Kakao's ``after_url``/``before_url``; its host is never used, so
    the admin key only ever goes to the configured ``kapi_url``."""
    return {k: v for k, v in parse_qsl(urlsplit(next_url).query) if k in _PAGE_PARAMS}


def _retry_after(resp: HTTPResponse) -> float | None:
    value = {k.lower(): v for k, v in resp.headers.items()}.get("retry-after", "")
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if 0 <= seconds <= _MAX_BACKOFF * 4 else None


def user_ids_flow(
    endpoints: KakaoEndpoints,
    admin_key: str,
    *,
    order: str = "asc",
    limit: int = 100,
    max_wait: float = 120.0,
) -> Generator[Step, object, None]:
    """Every user id of the app, page after page, each emitted once (:class:`Emit`).

    Follows the server's own ``after_url``; on Kakao's rate limit (100 calls a minute: HTTP 429 /
    -10) it sleeps (``Retry-After`` when given, else a growing back-off) and asks for the same page
    again, waiting up to ``max_wait`` seconds for the limit to lift each time it is met (a walk
    over a million users meets it many times). Ids come in the server's order; one that does not
    move forward (a repeat at a page boundary) is dropped.

    Raises:
        APIRateLimitError: still limited after ``max_wait`` seconds of waiting.
    """
    if order not in ("asc", "desc"):
        raise KakaoConfigError(f"order must be 'asc' or 'desc', not {order!r}")
    params: dict[str, object] = {"limit": limit, "order": order}
    waited, backoff, last = 0.0, _FIRST_BACKOFF, None
    while True:
        request = USER_IDS.request(endpoints, params, admin_key=admin_key)
        resp = yield from send(request)
        try:
            page = USER_IDS.parse(resp)
        except APIRateLimitError as exc:
            pause = _retry_after(resp) or backoff
            if waited + pause > max_wait:
                raise exc.mask(resp.sent_credentials).at(request.method, request.path) from None
            yield Sleep(pause)
            waited, backoff = waited + pause, min(backoff * 2, _MAX_BACKOFF)
            continue
        except KakaoError as exc:
            raise exc.mask(resp.sent_credentials).at(request.method, request.path) from None
        waited, backoff = 0.0, _FIRST_BACKOFF
        for raw in page.get("elements") or []:
            user_id = kakao_id(raw)
            ahead = last is None or (user_id is not None and (user_id > last) == (order == "asc"))
            if user_id is not None and ahead and user_id != last:
                last = user_id
                yield Emit(user_id)
        after = page.get("after_url")
        if not isinstance(after, str) or not after:
            return
        params = dict(user_ids_page_params(after))


def app_users_flow(
    endpoints: KakaoEndpoints,
    admin_key: str,
    ids: Iterable[int | str],
    property_keys: Sequence[str] | None = None,
) -> Flow[list[AppUser]]:
    """``/v2/app/users`` for any number of ids: batched (100 ids, 20 with ``property_keys``), in
    the order asked, users Kakao does not know left out."""
    wanted: list[int] = []
    for raw in ids:
        user_id = kakao_id(raw)
        if user_id is None:
            raise KakaoConfigError(f"user ids are non-negative integers, not {raw!r}")
        wanted.append(user_id)
    unique = list(dict.fromkeys(wanted))
    size = APP_USERS_BATCH_WITH_KEYS if property_keys else APP_USERS_BATCH
    found: dict[int, AppUser] = {}
    for start in range(0, len(unique), size):
        params = {"target_id_type": "user_id", "target_ids": unique[start : start + size],
                  "property_keys": list(property_keys) if property_keys else None}  # fmt: skip
        users = yield from call_flow(
            APP_USERS, APP_USERS.request(endpoints, params, admin_key=admin_key)
        )
        for user in users:
            user_id = kakao_id(user.get("id"))
            if user_id is not None:
                found[user_id] = user
    return [found[user_id] for user_id in wanted if user_id in found]


def missing_service_terms_flow(
    request: HTTPRequest, required_tags: Collection[str]
) -> Flow[list[str]]:
    """The ``required_tags`` the user has not agreed to (``request``: a ``service_terms`` call).

    Kakao does not ask a user again when an app adds a required term; this is how an app notices.
    """
    data = yield from call_flow(SERVICE_TERMS, request)
    agreed = {
        term.get("tag")
        for term in data.get("service_terms") or []
        if isinstance(term, Mapping) and term.get("agreed", True) is True
    }
    return [tag for tag in required_tags if tag not in agreed]


def sdk_login_flow(
    endpoints: KakaoEndpoints,
    *,
    app_id: int,
    id_token: str | None,
    audiences: Collection[str],
    leeway: int,
) -> Flow[UserInfoClaims]:
    """The claims of the user behind an access token from Kakao's SDK, if it is this app's.

    ``/v1/user/access_token_info`` must name ``app_id`` (a token of any other Kakao app is
    refused), then ``/v2/user/me`` gives the profile. An SDK id_token, when given, is verified
    (its ``aud`` is the SDK's app key: ``allowed_audiences``) and must name the same user.
    """
    info = yield from call_flow(TOKEN_INFO, TOKEN_INFO.request(endpoints))
    if kakao_id(info.get("app_id")) != app_id:
        raise InvalidAccessTokenError(
            f"the access token was issued to another Kakao app (app_id {info.get('app_id')!r})",
            hint="Refuse it: only tokens of this app (register_kakao(app_id=...)) log a user in.",
        ).at(TOKEN_INFO.method, TOKEN_INFO.path)
    me = yield from call_flow(USER_ME, USER_ME.request(endpoints, {"secure_resource": True}))
    claims = normalize_userinfo(me)
    if id_token is not None:
        verified = yield from id_token_flow(
            id_token, endpoints=endpoints, audiences=audiences, nonce=None, leeway=leeway
        )
        if verified.get("sub") != claims["sub"]:
            raise InvalidIDTokenError("the id_token names another user than the access token")
    return claims
