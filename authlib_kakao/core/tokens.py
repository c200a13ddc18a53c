"""Kakao token responses, normalised; and the refresh merge Kakao's rules need (reference §2.4–2.5).

A refresh answers a new refresh token only when the old one has less than a month left. When it
does not, the old refresh token stays valid — so the merged token keeps it *and* its expiry, which
Authlib alone would forget.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from typing import Any, cast

from authlib_kakao.core.messages import HTTPResponse
from authlib_kakao.core.responses import parse_kauth
from authlib_kakao.core.scopes import scope_items
from authlib_kakao.core.shapes import KakaoToken
from authlib_kakao.errors import KakaoResponseError

__all__ = ["merge_refreshed_token", "normalize_token", "normalize_token_body"]

# Fields that describe the refresh token; they travel together.
_REFRESH_FIELDS = ("refresh_token", "refresh_token_expires_in", "refresh_token_expires_at")
# Reference §2.4: what Kakao's token endpoint sends.
_KNOWN_FIELDS = frozenset(
    {"access_token", "token_type", "expires_in", "scope", "id_token", *_REFRESH_FIELDS}
)


def _seconds(data: Mapping[str, Any], name: str) -> int | None:
    """``data[name]`` as whole seconds: accepts 21599, 21599.0, "21599", "21599.0"."""
    raw = data.get(name)
    if raw is None:
        return None
    value: object = raw
    if isinstance(raw, str):
        try:
            value = float(raw.strip())
        except ValueError:
            value = None
    # bool is an int to Python, never a lifetime to Kakao; 10**400 is finite but not a float.
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            if math.isfinite(value) and value >= 0:
                return int(value)
        except OverflowError:
            pass
    raise KakaoResponseError(
        f"Kakao's token response has an unusable {name} ({type(raw).__name__}, not seconds)"
    )


def normalize_token(data: Mapping[str, Any], *, now: float | None = None) -> KakaoToken:
    """A Kakao token response as Authlib expects it, the same whatever shape Kakao or a proxy sent.

    ``expires_in`` becomes an int and ``expires_at`` absolute; ``refresh_token_expires_in`` gains
    an absolute ``refresh_token_expires_at``; ``scope`` is space-separated; ``token_type`` is
    present. Unknown fields are kept.

    Raises:
        KakaoResponseError: no ``access_token``, or a lifetime that is not a number.
    """
    # A null known field means "not sent": dropping it keeps Authlib's `"refresh_token" in token`
    # checks and our refresh merge honest. Unknown fields are kept as they are.
    token = {k: v for k, v in data.items() if not (v is None and k in _KNOWN_FIELDS)}
    access_token = token.get("access_token")
    if not isinstance(access_token, str) or not access_token:
        raise KakaoResponseError("Kakao's token response has no access_token")
    issued = time.time() if now is None else now
    token_type = token.get("token_type")
    token["token_type"] = token_type if isinstance(token_type, str) and token_type else "bearer"
    expires_in = _seconds(token, "expires_in")
    if expires_in is not None:
        token["expires_in"] = expires_in
        token["expires_at"] = int(issued) + expires_in
    refresh_in = _seconds(token, "refresh_token_expires_in")
    if refresh_in is not None:
        token["refresh_token_expires_in"] = refresh_in
        token["refresh_token_expires_at"] = int(issued) + refresh_in
    if "scope" in token:
        items = scope_items(token["scope"])
        if items is None:
            del token["scope"]
        else:
            token["scope"] = " ".join(items)
    # access_token, token_type, the lifetimes and scope are checked above; the rest is as sent.
    return cast("KakaoToken", token)


def merge_refreshed_token(old: Mapping[str, Any], new: Mapping[str, Any]) -> KakaoToken:
    """The token to store after a refresh: ``new``, completed from ``old`` where Kakao left gaps.

    This follows Kakao's own SDKs (``OAuthToken.fromResponse``, reference §2.5): without a new
    ``refresh_token`` the old one is still valid, so it is kept *with* its expiry; a new one
    replaces both, and carries no old expiry. A missing ``scope`` keeps the old scope. The
    ``id_token`` (and Authlib's ``userinfo`` parsed from it) is never carried over: it describes
    one login, and Kakao sends a fresh one on refresh when the login had one.
    """
    merged = dict(new)
    fresh = merged.get("refresh_token")
    # Authlib copies the old refresh token into the new token itself, without its expiry: a
    # refresh token equal to the old one and without an expiry of its own is not a new one.
    rotated = bool(fresh) and (
        fresh != old.get("refresh_token") or "refresh_token_expires_in" in merged
    )
    if not rotated:
        for name in _REFRESH_FIELDS:
            if name in old:
                merged[name] = old[name]
            else:
                merged.pop(name, None)
    if "scope" not in merged and "scope" in old:
        merged["scope"] = old["scope"]
    return cast("KakaoToken", merged)  # ``new`` is a normalised token; ``old`` only completes it


def normalize_token_body(resp: HTTPResponse, *, now: float | None = None) -> KakaoToken:
    """Parse a token-endpoint answer: normalised token, or the mapped Kakao exception."""
    return normalize_token(parse_kauth(resp), now=now)
