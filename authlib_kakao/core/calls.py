"""The catalogue of Kakao calls: one row per endpoint, and the pure builder that turns a row plus
arguments into an :class:`~authlib_kakao.core.http.HTTPRequest`.

A row says everything the sync and async faces need to know: method, host, path, how the call
authenticates, which parameters Kakao wants as JSON strings, and the parser for the answer.
Adding an endpoint is adding a row (and a one-line method on the faces).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from authlib_kakao.core.endpoints import KakaoEndpoints
from authlib_kakao.core.http import Auth, HTTPRequest, HTTPResponse
from authlib_kakao.core.id_token import MAX_JWKS_KEYS, ParsedJWKS, parse_jwks_document
from authlib_kakao.core.responses import decode_json, parse_kapi
from authlib_kakao.errors import KakaoConfigError, KakaoResponseError

__all__ = ["CALLS", "JWKS", "USER_ME", "KakaoCall", "encode_params", "parse_jwks"]

T = TypeVar("T")


def encode_params(params: Mapping[str, object], json_params: frozenset[str]) -> dict[str, str]:
    """Kakao's wire form of ``params``: ``None`` dropped, booleans ``true``/``false``, and the
    names in ``json_params`` (lists, objects) as compact JSON strings (``["kakao_account.email"]``).
    """
    encoded: dict[str, str] = {}
    for name, value in params.items():
        if value is None:
            continue
        if name in json_params:
            items = list(value) if isinstance(value, (list, tuple, set, frozenset)) else value
            encoded[name] = json.dumps(items, ensure_ascii=False, separators=(",", ":"))
        elif isinstance(value, bool):
            encoded[name] = "true" if value else "false"
        else:
            encoded[name] = str(value)
    return encoded


@dataclass(frozen=True)
class KakaoCall(Generic[T]):
    """One Kakao endpoint: where it is, how it authenticates and how its answer is read."""

    name: str
    method: Literal["GET", "POST"]
    host: Literal["kauth", "kapi"]
    path: str
    auth: Auth
    parse: Callable[[HTTPResponse], T]
    json_params: frozenset[str] = frozenset()

    def url(self, endpoints: KakaoEndpoints) -> str:
        """The absolute URL of this call on ``endpoints`` (Kakao's, the emulator's, a proxy's)."""
        return endpoints.kauth(self.path) if self.host == "kauth" else endpoints.kapi(self.path)

    def request(
        self,
        endpoints: KakaoEndpoints,
        params: Mapping[str, object] | None = None,
        *,
        admin_key: str | None = None,
    ) -> HTTPRequest:
        """The request for this call: parameters in the query (GET) or the form (POST).

        Raises:
            KakaoConfigError: an admin call without an admin key.
        """
        encoded = encode_params(params or {}, self.json_params)
        headers: dict[str, str] = {}
        if self.auth == "admin":
            if not admin_key:
                raise KakaoConfigError(f"{self.name} needs the app's admin key (KakaoAK)")
            headers["Authorization"] = f"KakaoAK {admin_key}"
        in_query = self.method == "GET"
        return HTTPRequest(
            self.method,
            self.url(endpoints),
            auth=self.auth,
            headers=headers,
            query=encoded if in_query else {},
            form={} if in_query else encoded,
        )


def parse_jwks(resp: HTTPResponse) -> ParsedJWKS:
    """Kakao's JWKS with its keys imported once, or :class:`KakaoResponseError`."""
    data = decode_json(resp)
    keys = data.get("keys")
    if resp.status_code != 200 or not isinstance(keys, list):
        raise KakaoResponseError(
            "Kakao's JWKS endpoint did not answer a key set",
            status_code=resp.status_code,
            excerpt=resp.excerpt(),
        )
    if len(keys) > MAX_JWKS_KEYS:
        raise KakaoResponseError(
            f"Kakao's JWKS endpoint answered {len(keys)} keys, more than the {MAX_JWKS_KEYS} "
            f"accepted",
            status_code=resp.status_code,
        )
    return parse_jwks_document(data)


USER_ME: KakaoCall[dict[str, Any]] = KakaoCall(
    "user_me", "GET", "kapi", "/v2/user/me", "bearer", parse_kapi, frozenset({"property_keys"})
)
JWKS: KakaoCall[ParsedJWKS] = KakaoCall(
    "jwks", "GET", "kauth", "/.well-known/jwks.json", "none", parse_jwks
)

CALLS: dict[str, KakaoCall[Any]] = {call.name: call for call in (USER_ME, JWKS)}
"""Every call by name; tests and docs iterate over it."""
