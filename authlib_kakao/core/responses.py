"""Turn an HTTP response from Kakao into a JSON object or the right exception.

kauth (``/oauth/*``) answers errors as ``{error, error_description, error_code}``, kapi (``/v1``,
``/v2``) as ``{msg, code}``; anything else (HTML from a proxy, cut-off JSON, an empty body) is a
:class:`~authlib_kakao.errors.KakaoResponseError` carrying the status and a short excerpt.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

from authlib_kakao.core.error_codes import HTTP_429, KAPI, KAUTH, REDIRECT, lookup
from authlib_kakao.core.messages import HTTPResponse
from authlib_kakao.errors import KakaoAPIError, KakaoAuthError, KakaoResponseError

__all__ = [
    "decode_json",
    "kapi_error",
    "kauth_error",
    "parse_kapi",
    "parse_kapi_as",
    "parse_kauth",
    "redirect_error",
    "untrusted",
]

_S = TypeVar("_S", bound=Mapping[str, object])

_CODE_CHARS = 40
_ERROR_CHARS = 64
_DESCRIPTION_CHARS = 300
# C0/C1 controls, DEL, and the Unicode line/paragraph separators: anything that can break a log line.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Old servers (and Kakao's 2019 SDK fixtures) send kauth errors without error_code. Only the two
# bodies that reference §2.3/§2.5 pair with a code are mapped, and only on an exact (error,
# description) match: a guessed code would give a wrong hint, no code gives the error's own.
_LEGACY_CODES = {
    ("invalid_grant", "expired_or_invalid_refresh_token"): "KOE322",
    ("invalid_client", "Bad client credentials"): "KOE010",
}


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
    error = untrusted(data.get("error"), _ERROR_CHARS) or "kakao_error"
    description = untrusted(data.get("error_description"), _DESCRIPTION_CHARS)
    code = _text(data.get("error_code"))
    code = code[:_CODE_CHARS] if code else _LEGACY_CODES.get((error, description))
    if resp.status_code == 429 and code is None:
        code = "KOE237"
    row = lookup(code, KAUTH)
    if row is None:  # the hint may still follow the error value (access_denied); the class not
        hint_row = lookup(error, REDIRECT)
        return KakaoAuthError(
            error,
            description,
            code=code,
            status_code=resp.status_code,
            hint=hint_row.hint if hint_row else "",
        )
    cls: Any = row.exc
    error_obj: KakaoAuthError = cls(
        error, description, code=code, status_code=resp.status_code, hint=row.hint
    )
    return error_obj


def redirect_error(error: object, description: object) -> KakaoAuthError:
    """The exception for Kakao's ``?error=…&error_description=…`` redirect back to the app.

    Both values come from the browser, so anyone can forge them: control characters (a CR/LF
    would forge log lines) become spaces and the lengths are bounded.
    """
    text = untrusted(error, _ERROR_CHARS) or "kakao_error"
    row = lookup(text, REDIRECT)
    return KakaoAuthError(
        text, untrusted(description, _DESCRIPTION_CHARS), hint=row.hint if row else ""
    )


def untrusted(value: object, limit: int) -> str:
    """``value`` as one line of printable text of at most ``limit`` characters (``""`` if not text)."""
    if not isinstance(value, str):
        return ""
    line = " ".join(_CONTROL.sub(" ", value).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


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
    msg = untrusted(data.get("msg"), _DESCRIPTION_CHARS)
    row = lookup(code, KAPI)
    if row is None and resp.status_code == 429:
        row = lookup(HTTP_429, KAPI)
    cls: Any = row.exc if row else KakaoAPIError
    error_obj: KakaoAPIError = cls(
        msg, code=code, status_code=resp.status_code, hint=row.hint if row else "", body=data
    )
    return error_obj


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


def parse_kapi_as(shape: type[_S]) -> Callable[[HTTPResponse], _S]:
    """:func:`parse_kapi` typed as ``shape``, a TypedDict of :mod:`authlib_kakao.core.shapes`
    (``parse_kapi_as(UserMe)``), for the call catalogue.

    The type is static only: the answer is the dict Kakao sent, fields it adds later included,
    not checked against ``shape``.
    """

    def parse(resp: HTTPResponse) -> _S:
        return cast("_S", parse_kapi(resp))

    parse.__name__ = parse.__qualname__ = f"parse_kapi_as({shape.__name__})"
    return parse


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
