"""Kakao's error bodies exactly as documented (reference §5), independent of the client's parser.

Kept apart from ``authlib_kakao.core`` on purpose: the emulator writes what Kakao writes, the client
parses what it reads, and each side's tests catch the other's mistakes.

:class:`WireError` is the one way a handler or the backend says no: it carries the ready answer
(a Kakao error body, an error page or an error redirect) and dispatch (``app.py``) sends it.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterable
from typing import Any

from authlib_kakao.testing.exchange import Response, html, json_response

__all__ = [
    "KAPI_ERRORS",
    "KAUTH_ERRORS",
    "WireError",
    "consent_required",
    "error_page",
    "kapi_error",
    "kapi_fail",
    "kauth_error",
    "kauth_fail",
    "page_fail",
]


class WireError(Exception):
    """Stop handling the request and answer ``response`` (raised by handlers and the backend)."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


# code -> (error, default description, HTTP status)
KAUTH_ERRORS: dict[str, tuple[str, str, int]] = {
    "KOE001": ("invalid_request", "Bad request.", 400),
    "KOE002": ("invalid_request", "Invalid request URL.", 404),
    "KOE003": ("server_error", "Temporary server error.", 500),
    # KOE004/005/008 bodies are UNCONFIRMED (the trouble-shooting page names only the cause).
    "KOE004": ("unauthorized_client", "Kakao Login is disabled for this app.", 403),
    "KOE005": ("access_denied", "This test app is only for its team members.", 403),
    "KOE006": ("invalid_request", "Invalid redirect_uri.", 400),
    "KOE007": ("invalid_request", "Invalid logout_redirect_uri.", 400),
    "KOE008": ("invalid_client", "Invalid app key type for this request.", 401),
    "KOE009": (
        "misconfigured",
        "invalid android_key_hash or ios_bundle_id or web_site_url",
        400,
    ),
    "KOE010": ("invalid_client", "Bad client credentials", 401),
    "KOE101": ("invalid_client", "Not exist client_id [{client_id}]", 401),
    "KOE102": ("invalid_client", "Required PLUS_FRIENDS_ON_AGREEMENT_SUPPORTED permission", 401),
    "KOE201": ("invalid_request", "Unsupported response type: {response_type}", 400),
    "KOE202": ("invalid_request", "implicit grant is not supported", 400),
    "KOE205": ("invalid_scope", "Invalid scope: {scope}", 400),
    "KOE237": ("too_many_requests", "Token issuance rate limit exceeded.", 429),
    "KOE303": ("invalid_grant", "Redirect URI mismatch.", 400),
    "KOE319": ("invalid_grant", "refresh_token is required", 400),
    "KOE320": ("invalid_grant", "authorization code not found for code={code}", 400),
    "KOE322": ("invalid_grant", "expired_or_invalid_refresh_token", 400),
    "KOE400": ("invalid_token", "invalid id_token", 400),
}

# code -> (default msg, HTTP status)
KAPI_ERRORS: dict[int, tuple[str, int]] = {
    -1: ("internal error", 400),
    -2: ("invalid parameter", 400),
    -3: ("not allowed", 403),
    -4: ("restricted account", 403),
    -5: ("no permission", 403),
    -6: ("not allowed by the Kakao service", 403),
    -7: ("service maintenance", 400),
    -8: ("invalid header", 400),
    -9: ("API not found", 404),
    -10: ("API limit has been exceeded.", 429),
    -101: ("NotRegisteredUserException", 400),
    -102: ("already registered", 400),
    -103: ("not exist kakao account", 400),
    -201: ("user property not found", 400),
    -401: ("this access token does not exist", 401),
    -402: ("insufficient scopes.", 403),
    # -405's HTTP status is not documented; 403 like the other permission refusals.
    -405: ("required age verification.", 403),
    -406: ("under-age user is not allowed", 401),
    # Kakao Talk Channel (kakaotalk-channel/trouble-shooting); the msg texts are UNCONFIRMED.
    -541: ("kakao talk channel does not exist", 400),
    -819: ("kakao talk channel is not connected to the app", 400),
    -9798: ("service under maintenance", 503),
}


def kauth_error(error_code: str, /, description: str | None = None, **fmt: str) -> Response:
    """The ``{error, error_description, error_code}`` body kauth sends for ``error_code``."""
    error, template, status = KAUTH_ERRORS[error_code]
    text = description if description is not None else template.format_map(_Blank(fmt))
    # Unquoted, as Kakao's own sample writes it (samples.json kapi_invalid_token), on every
    # 400/401 error: strict clients choke on it, lenient ones must ignore it (§9.11).
    headers = {"www-authenticate": f"Bearer error={error}"} if status in (400, 401) else {}
    return json_response(
        {"error": error, "error_description": text, "error_code": error_code}, status, headers
    )


def kapi_error(
    code: int, msg: str | None = None, *, status: int | None = None, **extra: Any
) -> Response:
    """The ``{msg, code}`` body kapi sends; -401 carries ``WWW-Authenticate`` as Kakao's does."""
    default_msg, default_status = KAPI_ERRORS.get(code, ("error", 400))
    # Exactly Kakao's sample header (samples.json kapi_invalid_token): unquoted.
    headers = {"www-authenticate": "Bearer error=invalid_token"} if code == -401 else {}
    body = {"msg": msg if msg is not None else default_msg, "code": code, **extra}
    return json_response(body, status or default_status, headers)


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def error_page(code: str, note: str | None = None, **fmt: str) -> Response:
    """Kakao's error page for a configuration mistake at kauth: the KOE code in an HTML page.

    ``note``: help only the emulator gives (Kakao's page has none), e.g. the accepted redirect URIs.
    """
    error, template, status = KAUTH_ERRORS[code]
    description = template.format(**{k: fmt.get(k, "") for k in re.findall(r"{(\w+)}", template)})
    extra = f"<p class='emulator-note'>{html_lib.escape(note)}</p>" if note else ""
    body = (
        "<!DOCTYPE html><html lang='ko'><head><meta charset='utf-8'><title>Kakao Login error</title>"
        f"</head><body><h1>{code}</h1><p class='error'>{html_lib.escape(error)}</p>"
        f"<p class='description'>{html_lib.escape(description)}</p>{extra}</body></html>"
    )
    return html(body, status)


def kauth_fail(error_code: str, /, description: str | None = None, **fmt: str) -> WireError:
    """A :class:`WireError` answering ``kauth_error(error_code, ...)``."""
    return WireError(kauth_error(error_code, description, **fmt))


def kapi_fail(code: int, msg: str | None = None, **extra: Any) -> WireError:
    """A :class:`WireError` answering ``kapi_error(code, msg, **extra)``."""
    return WireError(kapi_error(code, msg, **extra))


def consent_required(api_type: str, required: list[str], allowed: Iterable[str]) -> WireError:
    """-402: the call needs consent items the user has not agreed to (HTTP 403, reference §5.2)."""
    return kapi_fail(
        -402, api_type=api_type, required_scopes=required, allowed_scopes=sorted(allowed)
    )


def page_fail(code: str, note: str | None = None, **fmt: str) -> WireError:
    """A :class:`WireError` answering :func:`error_page`."""
    return WireError(error_page(code, note, **fmt))
