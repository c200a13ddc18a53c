"""Multi-request operations as generators: they yield the URL to GET and are sent the response.

A sync pump (requests) and an async pump (httpx) drive the same generator, so the logic exists once
(the pattern of httpx's ``Auth.auth_flow``).
"""

from __future__ import annotations

from collections.abc import Collection, Generator, Mapping
from typing import Any

from authlib_kakao.core.id_token import verify_id_token
from authlib_kakao.core.responses import HTTPResponse, decode_json
from authlib_kakao.errors import KakaoResponseError, UnknownSigningKeyError

__all__ = ["Flow", "id_token_flow"]

# Yields a URL to GET, is sent its response, returns a result.
Flow = Generator[str, HTTPResponse, Any]


def _jwks(resp: HTTPResponse) -> dict[str, Any]:
    data = decode_json(resp)
    if resp.status_code != 200 or not isinstance(data.get("keys"), list):
        raise KakaoResponseError(
            "Kakao's JWKS endpoint did not answer a key set",
            status_code=resp.status_code,
            excerpt=resp.excerpt(),
        )
    return data


def id_token_flow(
    id_token: str,
    *,
    jwks: Mapping[str, Any] | None,
    jwks_uri: str,
    issuer: str,
    audiences: Collection[str],
    nonce: str | None,
    leeway: int,
) -> Generator[str, HTTPResponse, tuple[dict[str, Any], dict[str, Any] | None]]:
    """Verify ``id_token``, fetching the JWKS when none is cached and once more for an unknown kid.

    Returns the claims and the JWKS fetched on the way (``None`` when the cached one served), which
    the caller caches; Kakao may block clients that fetch its JWKS too often.
    """
    fetched: dict[str, Any] | None = None
    if jwks is None:
        jwks = fetched = _jwks((yield jwks_uri))
    options: dict[str, Any] = {
        "issuer": issuer,
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
    fetched = _jwks((yield jwks_uri))
    return verify_id_token(id_token, fetched, **options), fetched
