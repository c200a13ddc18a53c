"""Turn an HTTP response from Kakao into a JSON object or the right exception.

kauth (``/oauth/*``) answers errors as ``{error, error_description, error_code}``, kapi (``/v1``,
``/v2``) as ``{msg, code}``; anything else (HTML from a proxy, cut-off JSON, an empty body) is a
:class:`~authlib_kakao.errors.KakaoResponseError` carrying the status and a short excerpt.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from authlib_kakao.core.error_codes import ERROR_CODES
from authlib_kakao.errors import (
    KakaoAPIError,
    KakaoAuthError,
    KakaoResponseError,
    RateLimitError,
    TokenRateLimitError,
)

__all__ = ["HTTPResponse", "decode_json", "kapi_error", "kauth_error", "parse_kapi", "parse_kauth"]

_EXCERPT_CHARS = 120
# Old servers (and Kakao's 2019 SDK fixtures) send kauth errors without error_code; these
# descriptions identify the code unambiguously.
_LEGACY_DESCRIPTIONS = {
    "expired_or_invalid_refresh_token": "KOE322",
    "Bad client credentials": "KOE010",
}


@dataclass(frozen=True)
class HTTPResponse:
    """The parts of an HTTP response the parsers need; built by the transport from requests/httpx."""

    status_code: int
    headers: Mapping[str, str] = field(default_factory=dict)
    content: bytes = b""

    def excerpt(self) -> str:
        """The start of the body, one line, for error messages."""
        text = self.content[:_EXCERPT_CHARS].decode("utf-8", "replace")
        text = " ".join(text.split())
        return text + ("…" if len(self.content) > _EXCERPT_CHARS else "")


def decode_json(resp: HTTPResponse) -> dict[str, Any]:
    """The body as a JSON object, or :class:`KakaoResponseError`."""
    if not resp.content.strip():
        raise KakaoResponseError("Kakao answered with an empty body", status_code=resp.status_code)
    try:
        data = json.loads(resp.content)
    except (ValueError, UnicodeDecodeError):
        what = "an HTML page" if resp.content.lstrip()[:1] == b"<" else "a body that is not JSON"
        raise KakaoResponseError(
            f"Kakao answered with {what}", status_code=resp.status_code, excerpt=resp.excerpt()
        ) from None
    if not isinstance(data, dict):
        raise KakaoResponseError(
            "Kakao answered with JSON that is not an object",
            status_code=resp.status_code,
            excerpt=resp.excerpt(),
        )
    return data


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def kauth_error(resp: HTTPResponse, data: Mapping[str, Any]) -> KakaoAuthError:
    """The exception for a kauth error body (``error_code`` picks the class)."""
    error = _text(data.get("error")) or "kakao_error"
    description = _text(data.get("error_description")) or ""
    code = _text(data.get("error_code")) or _LEGACY_DESCRIPTIONS.get(description)
    if resp.status_code == 429 and code is None:
        code = "KOE237"
    row = ERROR_CODES.get(code) if code else None
    cls = row.exc if row and issubclass(row.exc, KakaoAuthError) else KakaoAuthError
    return cls(error, description, code=code, status_code=resp.status_code)


def _kapi_code(value: object) -> int | str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return value
    return None


def kapi_error(resp: HTTPResponse, data: Mapping[str, Any]) -> KakaoAPIError:
    """The exception for a kapi error body (``code`` picks the class)."""
    code = _kapi_code(data.get("code"))
    msg = _text(data.get("msg")) or ""
    row = ERROR_CODES.get(str(code)) if code is not None else None
    cls: type[KakaoAPIError] = KakaoAPIError
    if row and issubclass(row.exc, KakaoAPIError) and not issubclass(row.exc, KakaoAuthError):
        cls = row.exc
    elif resp.status_code == 429:
        cls = RateLimitError
    return cls(msg, code=code, status_code=resp.status_code, body=data)


def parse_kauth(resp: HTTPResponse) -> dict[str, Any]:
    """A kauth answer: the JSON object, or the mapped :class:`KakaoAuthError`."""
    data = _decode_or_status_error(resp, kauth=True)
    if "error" in data or "error_code" in data or resp.status_code >= 400:
        if not (data.get("error") or data.get("error_code")):
            raise KakaoResponseError(
                "Kakao answered an error status without an error body",
                status_code=resp.status_code,
                excerpt=resp.excerpt(),
            )
        raise kauth_error(resp, data)
    return data


def parse_kapi(resp: HTTPResponse) -> dict[str, Any]:
    """A kapi answer: the JSON object, or the mapped :class:`KakaoAPIError`."""
    data = _decode_or_status_error(resp, kauth=False)
    if resp.status_code >= 400:
        if "code" not in data and "msg" not in data:
            if resp.status_code == 429:
                raise RateLimitError("rate limited", status_code=429, body=data)
            raise KakaoResponseError(
                "Kakao answered an error status without an error body",
                status_code=resp.status_code,
                excerpt=resp.excerpt(),
            )
        raise kapi_error(resp, data)
    return data


def _decode_or_status_error(resp: HTTPResponse, *, kauth: bool) -> dict[str, Any]:
    try:
        return decode_json(resp)
    except KakaoResponseError:
        # A throttling proxy may answer 429 with any body; the status alone says enough.
        if resp.status_code == 429 and kauth:
            raise TokenRateLimitError(
                "too_many_requests", "rate limited", code="KOE237", status_code=429
            ) from None
        if resp.status_code == 429:
            raise RateLimitError("rate limited", status_code=429) from None
        raise
