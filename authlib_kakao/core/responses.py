"""Turn an HTTP response from Kakao into a JSON object or the right exception.

kauth (``/oauth/*``) answers errors as ``{error, error_description, error_code}``, kapi (``/v1``,
``/v2``) as ``{msg, code}``; anything else (HTML from a proxy, cut-off JSON, an empty body) is a
:class:`~authlib_kakao.errors.KakaoResponseError` carrying the status and a short excerpt.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from authlib_kakao.core.error_codes import ERROR_CODES, HTTP_429
from authlib_kakao.errors import (
    KakaoAPIError,
    KakaoAuthError,
    KakaoError,
    KakaoResponseError,
    redact,
)

__all__ = ["HTTPResponse", "decode_json", "kapi_error", "kauth_error", "parse_kapi", "parse_kauth"]

E = TypeVar("E", bound=KakaoError)

_EXCERPT_CHARS = 120
_CODE_CHARS = 40
# Old servers (and Kakao's 2019 SDK fixtures) send kauth errors without error_code. Only the two
# bodies that reference §2.3/§2.5 pair with a code are mapped, and only on an exact (error,
# description) match: a guessed code would give a wrong hint, no code gives the error's own.
_LEGACY_CODES = {
    ("invalid_grant", "expired_or_invalid_refresh_token"): "KOE322",
    ("invalid_client", "Bad client credentials"): "KOE010",
}


@dataclass(frozen=True)
class HTTPResponse:
    """The parts of an HTTP response the parsers need; built by the transport from requests/httpx."""

    status_code: int
    headers: Mapping[str, str] = field(default_factory=dict)
    content: bytes = b""

    @property
    def ok(self) -> bool:
        """A 2xx status."""
        return 200 <= self.status_code < 300

    def excerpt(self) -> str:
        """The start of the body on one line, credentials masked, for error messages.

        A token response cut short is still a token response: its ``access_token`` is masked.
        """
        text = self.content[:_EXCERPT_CHARS].decode("utf-8", "replace")
        text = redact(" ".join(text.split()))
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
    """The exception for a kauth error body: ``error_code`` picks the class and the hint.

    Mistyped fields are dropped, never a crash. Without ``error_code`` the hint comes from the
    ``error`` value (``access_denied``); a 429 without a code is KOE237, the token rate limit.
    """
    error = _text(data.get("error")) or "kakao_error"
    description = _text(data.get("error_description")) or ""
    code = _text(data.get("error_code"))
    code = code[:_CODE_CHARS] if code else _LEGACY_CODES.get((error, description))
    if resp.status_code == 429 and code is None:
        code = "KOE237"
    cls, hint = _lookup(code, KakaoAuthError)
    if cls is KakaoAuthError and not hint:
        hint = _lookup(error, KakaoAuthError)[1]  # only the hint: the class follows the code
    return cls(error, description, code=code, status_code=resp.status_code, hint=hint)


def _lookup(key: object, kind: type[E]) -> tuple[type[E], str]:
    """The class and hint the table gives ``key``, when that class is a ``kind``; else (kind, "").

    kauth rows never serve kapi and back: TokenRateLimitError is both, and belongs to kauth.
    """
    row = ERROR_CODES.get(str(key)) if key is not None else None
    if row is None or not issubclass(row.exc, kind):
        return kind, ""
    if kind is KakaoAPIError and issubclass(row.exc, KakaoAuthError):
        return kind, ""
    return row.exc, row.hint


def _kapi_code(value: object) -> int | str | None:
    """Kakao's ``code`` as the int it should be; odd values kept as text, never a crash."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip():
        try:
            return int(value.strip())
        except ValueError:
            return value.strip()[:_CODE_CHARS]
    return None


def _is_kapi_error_body(data: Mapping[str, Any]) -> bool:
    """``{msg, code<0}``: an error even behind a proxy that rewrote the status to 200."""
    code = _kapi_code(data.get("code"))
    return isinstance(code, int) and code < 0 and "msg" in data


def kapi_error(resp: HTTPResponse, data: Mapping[str, Any]) -> KakaoAPIError:
    """The exception for a kapi error body: ``code`` picks the class and the hint.

    Mistyped fields are dropped or kept as text, never a crash; a 429 whose code is unknown or
    missing is a :class:`RateLimitError`.
    """
    code = _kapi_code(data.get("code"))
    msg = _text(data.get("msg")) or ""
    cls, hint = _lookup(code, KakaoAPIError)
    if not hint and resp.status_code == 429:
        cls, hint = _lookup(HTTP_429, KakaoAPIError)
    return cls(msg, code=code, status_code=resp.status_code, hint=hint, body=data)


def parse_kauth(resp: HTTPResponse) -> dict[str, Any]:
    """A kauth answer: the JSON object, or the mapped :class:`KakaoAuthError`.

    Raises:
        KakaoAuthError: an error body (``error``/``error_code``), whatever the status.
        KakaoResponseError: not a JSON object, or a non-2xx status without an error body.
    """
    data = _decode_or_status_error(resp, kauth=True)
    if data.get("error") or data.get("error_code"):
        raise kauth_error(resp, data)
    if not resp.ok:
        raise KakaoResponseError(
            "Kakao answered an error status without an error body",
            status_code=resp.status_code,
            excerpt=resp.excerpt(),
        )
    return data


def parse_kapi(resp: HTTPResponse) -> dict[str, Any]:
    """A kapi answer: the JSON object, or the mapped :class:`KakaoAPIError`.

    Raises:
        KakaoAPIError: a non-2xx status, or a ``{msg, code<0}`` body (a subclass by code).
        KakaoResponseError: not a JSON object, or a non-2xx status without an error body.
    """
    data = _decode_or_status_error(resp, kauth=False)
    if not resp.ok or _is_kapi_error_body(data):
        if "code" not in data and "msg" not in data and resp.status_code != 429:
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
        if resp.status_code != 429:
            raise
        if kauth:
            raise kauth_error(resp, {"error": "too_many_requests"}) from None
        raise kapi_error(resp, {}) from None
