"""Every error authlib-kakao raises, split by who is at fault.

::

    KakaoError
    ├── KakaoConfigError (also ValueError)     you called us wrong: bad registration, sync callback on async
    ├── KakaoAuthError (also authlib OAuthError) kauth said no: .error .description .code .status_code .hint
    │   └── InvalidIDTokenError                 the id_token failed verification (signature, iss, aud, ...)
    │       └── UnknownSigningKeyError          its kid is not in the JWKS (the provider refetches once)
    ├── KakaoAPIError                           kapi said no: .code (-401) .msg .status_code .hint
    │   ├── InvalidAccessTokenError   (-401)
    │   ├── ConsentRequiredError      (-402)    .required_scopes .allowed_scopes
    │   ├── NotLinkedError            (-101)
    │   └── RateLimitError            (KOE237, -10, HTTP 429)
    ├── KakaoResponseError                      the body was not what Kakao sends: .status_code .excerpt
    └── KakaoTransportError                     network failure or timeout

A rate limit on the token endpoint (KOE237) raises :class:`TokenRateLimitError`, which is both a
:class:`KakaoAuthError` and a :class:`RateLimitError`, so either ``except`` clause catches it.

Messages read ``CODE: description — hint``. No client secret, admin key, token or code verifier is
ever part of a message or repr: descriptions that echo a credential are redacted when built.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from authlib.integrations.base_client.errors import OAuthError

__all__ = [
    "ConsentRequiredError",
    "InvalidAccessTokenError",
    "InvalidIDTokenError",
    "KakaoAPIError",
    "KakaoAuthError",
    "KakaoConfigError",
    "KakaoError",
    "KakaoResponseError",
    "KakaoTransportError",
    "NotLinkedError",
    "RateLimitError",
    "TokenRateLimitError",
    "UnknownSigningKeyError",
]

# Kakao echoes the presented code or key back in some descriptions
# ("authorization code not found for code=...", "Not exist client_id [...]" is harmless).
_ECHOED_SECRET = re.compile(r"(code|token|secret|key|verifier)=([^\s&,\]]+)", re.IGNORECASE)
# A body excerpt may be a token response cut short ({"access_token":"...) or an echoed request;
# error_code is Kakao's KOE code, not a credential.
_JSON_SECRET = re.compile(
    r'("(?!error_code")[\w-]*(?:token|secret|code|verifier|key)"\s*:\s*")([^"]*)', re.IGNORECASE
)
_AUTH_HEADER = re.compile(r"\b(Bearer|KakaoAK)\s+[^\s\"',;]+", re.IGNORECASE)


def redact(text: str) -> str:
    """Replace credentials that Kakao echoes in a description, or a body excerpt shows, with ``***``."""
    text = _ECHOED_SECRET.sub(lambda m: f"{m.group(1)}=***", text)
    text = _JSON_SECRET.sub(lambda m: f"{m.group(1)}***", text)
    return _AUTH_HEADER.sub(lambda m: f"{m.group(1)} ***", text)


class KakaoError(Exception):
    """Base class of every error raised by authlib-kakao."""

    hint: str = ""
    status_code: int | None = None


class KakaoConfigError(KakaoError, ValueError):
    """The library was called or configured wrongly; raised before any request is sent."""


class KakaoAuthError(OAuthError, KakaoError):  # type: ignore[misc]
    """Kakao's authorization server (kauth) refused: ``{error, error_description, error_code}``.

    Also an Authlib ``OAuthError``, so ``except OAuthError`` keeps working.
    """

    def __init__(
        self,
        error: str | None = None,
        description: str | None = None,
        *,
        code: str | None = None,
        status_code: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.code = code
        self.status_code = status_code
        self.hint = hint if hint is not None else (hint_for(code) or hint_for(error))
        super().__init__(error or "kakao_error", redact(description or ""))

    def __str__(self) -> str:
        return _message(self.code or self.error, self.description, self.hint)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(error={self.error!r}, code={self.code!r})"


class InvalidIDTokenError(KakaoAuthError):
    """The id_token failed verification: signature, ``alg``, ``iss``, ``aud``, time or ``nonce``."""

    def __init__(self, description: str, *, hint: str | None = None) -> None:
        super().__init__("invalid_id_token", description, hint=hint or _ID_TOKEN_HINT)


class UnknownSigningKeyError(InvalidIDTokenError):
    """The id_token names a ``kid`` that the JWKS does not have (Kakao may have rotated keys)."""


class KakaoAPIError(KakaoError):
    """Kakao's API server (kapi) refused: ``{msg, code}``."""

    def __init__(
        self,
        msg: str = "",
        *,
        code: int | str | None = None,
        status_code: int | None = None,
        hint: str | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> None:
        self.code = code
        self.msg = redact(msg)
        self.status_code = status_code
        self.hint = hint if hint is not None else hint_for(code)
        self.body: dict[str, Any] = dict(body or {})
        # Without Kakao's code (a bare 429 from a proxy) the status is the best label.
        label = code if code is not None else (f"HTTP {status_code}" if status_code else None)
        super().__init__(_message(label, self.msg, self.hint))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, status_code={self.status_code!r})"


class InvalidAccessTokenError(KakaoAPIError):
    """-401: the access token (or admin key) is invalid or expired."""


class ConsentRequiredError(KakaoAPIError):
    """-402: the user has not agreed to a consent item this call needs."""

    @property
    def required_scopes(self) -> list[str]:
        """Consent item ids to ask for (``consent_redirect(scopes=...)``)."""
        return _str_list(self.body.get("required_scopes"))

    @property
    def allowed_scopes(self) -> list[str]:
        """Consent item ids the user has already agreed to."""
        return _str_list(self.body.get("allowed_scopes"))


class NotLinkedError(KakaoAPIError):
    """-101: the user is not linked to this app (unlinked or never signed up)."""


class RateLimitError(KakaoAPIError):
    """Kakao throttled the caller: KOE237 (token issue), -10 (quota) or HTTP 429."""


class TokenRateLimitError(KakaoAuthError, RateLimitError):  # type: ignore[misc]
    """KOE237: too many tokens issued for one user; both a kauth and a rate-limit error."""

    def __init__(
        self,
        error: str | None = None,
        description: str | None = None,
        *,
        code: str | None = None,
        status_code: int | None = None,
        hint: str | None = None,
    ) -> None:
        KakaoAuthError.__init__(
            self, error, description, code=code, status_code=status_code, hint=hint
        )
        # The MRO runs KakaoAPIError.__init__ inside the call above with Authlib's message;
        # restore the kauth view of the attributes both parents define.
        self.code = code
        self.status_code = status_code
        self.hint = hint if hint is not None else hint_for(code)
        self.msg = self.description
        self.body = {}

    __str__ = KakaoAuthError.__str__
    __repr__ = KakaoAuthError.__repr__


class KakaoResponseError(KakaoError):
    """The response was not what Kakao sends: HTML, non-JSON, empty, or fields of the wrong type."""

    def __init__(self, message: str, *, status_code: int | None = None, excerpt: str = "") -> None:
        self.status_code = status_code
        self.excerpt = redact(excerpt)
        self.hint = (
            "A proxy, firewall or wrong kauth_url/kapi_url may be answering instead of Kakao; "
            "check the URLs and the excerpt."
        )
        detail = f" (HTTP {status_code})" if status_code is not None else ""
        shown = f": {self.excerpt!r}" if self.excerpt else ""
        super().__init__(f"{message}{detail}{shown} — {self.hint}")


class KakaoTransportError(KakaoError):
    """The request never got an answer: connection refused, reset, DNS failure or timeout."""

    def __init__(self, message: str, *, timeout: bool = False) -> None:
        self.timeout = timeout
        self.hint = (
            "Kakao did not answer in time; retry, or raise the timeout= given to register_kakao."
            if timeout
            else "Check network access to kauth.kakao.com / kapi.kakao.com (or your kauth_url)."
        )
        super().__init__(f"{redact(message)} — {self.hint}")


_ID_TOKEN_HINT = (
    "Do not trust this login. Check that client_id (or allowed_audiences) matches the app key "
    "that started the login and that the server clock is right."
)


def _message(code: object, description: str, hint: str) -> str:
    label = "" if code is None else str(code)
    head = f"{label}: {description}" if label and description else label or description
    return f"{head} — {hint}" if hint else head


def _str_list(value: object) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return []


def hint_for(code: object) -> str:
    """The actionable one-line hint for a Kakao error code, or ``""`` when unknown."""
    from authlib_kakao.core.error_codes import ERROR_CODES

    entry = ERROR_CODES.get(str(code)) if code is not None else None
    return entry.hint if entry else ""
