"""Every error authlib-kakao raises, split by who is at fault.

::

    KakaoError                                  every error: .hint .status_code .method .path
    ├── KakaoConfigError (also ValueError)     you called us wrong: bad registration, sync callback on async
    ├── KakaoAuthError (also authlib OAuthError) kauth said no: .error .description .code
    │   ├── InvalidIDTokenError                 the id_token failed verification (signature, iss, aud, ...)
    │   │   └── UnknownSigningKeyError          its kid is not in the JWKS (the provider refetches once)
    │   └── TokenRateLimitError  (KOE237)       also a RateLimitError
    ├── KakaoAPIError                           kapi said no: .code (-401) .msg .body
    │   ├── InvalidAccessTokenError   (-401)
    │   ├── ConsentRequiredError      (-402)    .required_scopes .allowed_scopes
    │   ├── NotLinkedError            (-101)
    │   └── APIRateLimitError   (-10, HTTP 429) also a RateLimitError
    ├── RateLimitError                          marker: Kakao throttled the caller (catch both kinds)
    ├── KakaoResponseError                      the body was not what Kakao sends: .excerpt
    ├── KakaoTransportError                     network failure or timeout: .timeout
    ├── WebhookAuthError                        a webhook call is not Kakao's: key, scheme, signature, iss, aud
    └── WebhookPayloadError                     a webhook call's content is wrong: fields, app, claims

Messages read ``CODE: description — hint [METHOD /path]``. The hint comes from the error-code
table (``core.error_codes``), handed in by the parsers that build these errors; this module knows
no table. ``.method`` and ``.path`` name the call that failed (never its query, which may carry
credentials). No client secret, admin key, token or code verifier is ever part of a message or
repr: descriptions that echo a credential are redacted when built.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import re
import sys
from collections.abc import Iterable, Mapping
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar

_AUTHLIB_ERRORS = "authlib.integrations.base_client.errors"
_AUTHLIB_CLIENT = "authlib.integrations.base_client"


def _load_authlib_errors() -> ModuleType:
    """Authlib's ``base_client.errors`` module, loaded without running its package's ``__init__``.

    ``KakaoAuthError`` must subclass the very ``OAuthError`` Authlib raises and catches; it lives
    in that small module, which needs only ``authlib.common.errors``. But ``import
    authlib.integrations.base_client.errors`` first runs ``base_client/__init__.py``, which loads
    Authlib's OpenID Connect client and with it ``authlib.oidc``, joserfc and cryptography (tens
    of ms, issue #15), none of which a plain-OAuth login or ``KakaoAdmin`` needs.

    So while that package is not loaded yet, the module is executed from its own file and put in
    ``sys.modules`` under its real name, as the import system would. Python never executes a
    module that is already in ``sys.modules``: when the package's ``__init__`` later runs ``from
    .errors import OAuthError`` (importing any Authlib web client does), it gets this module
    object, so Authlib and we share one ``OAuthError`` class (``tests/test_light_import.py``).
    """
    if _AUTHLIB_ERRORS in sys.modules or _AUTHLIB_CLIENT in sys.modules:
        return importlib.import_module(_AUTHLIB_ERRORS)  # already paid for: the ordinary way
    # find_spec of the package imports its parent (authlib.integrations, empty), not the package.
    package = importlib.util.find_spec(_AUTHLIB_CLIENT)
    locations = package.submodule_search_locations if package is not None else None
    spec = importlib.machinery.PathFinder.find_spec(_AUTHLIB_ERRORS, locations)
    if spec is None or spec.loader is None:  # an unusual install: take the ordinary, heavy way
        return importlib.import_module(_AUTHLIB_ERRORS)
    module = importlib.util.module_from_spec(spec)
    sys.modules[_AUTHLIB_ERRORS] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[_AUTHLIB_ERRORS]
        raise
    return module


def bind_authlib_errors() -> None:
    """Make ``errors`` an attribute of Authlib's ``base_client`` package if it is loaded.

    The import system binds a submodule to its package only when it loads the submodule itself,
    so after the light load above the attribute path ``authlib.integrations.base_client.errors``
    (as ``mock.patch`` walks it) fails; ``from ... import OAuthError`` never does. And before the
    package loads at all, ``import authlib.integrations.base_client.errors`` does not load it
    (the module is in ``sys.modules``): use ``from``, or import an Authlib client first.
    ``register_kakao`` calls this: an Authlib registry exists by then, hence the package. A second
    ``OAuthError`` class (Authlib's module executed twice, e.g. reloaded) would silently break
    ``except OAuthError``: refused.
    """
    package = sys.modules.get(_AUTHLIB_CLIENT)
    if package is None:
        return
    if getattr(package, "OAuthError", OAuthError) is not OAuthError:
        raise RuntimeError(
            f"{_AUTHLIB_CLIENT}.OAuthError is not the class KakaoAuthError extends (Authlib's "
            f"errors module was executed twice, e.g. reloaded): 'except OAuthError' would miss "
            f"Kakao's errors"
        )
    vars(package).setdefault("errors", sys.modules[_AUTHLIB_ERRORS])


if TYPE_CHECKING:
    from authlib.integrations.base_client.errors import OAuthError
else:
    OAuthError = _load_authlib_errors().OAuthError

__all__ = [
    "APIRateLimitError",
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
    "WebhookAuthError",
    "WebhookPayloadError",
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


E = TypeVar("E", bound="KakaoError")
# Shorter values are too likely to be ordinary words or digits of a message.
_MIN_MASKED = 6


class KakaoError(Exception):
    """Base class of every error raised by authlib-kakao."""

    hint: str = ""
    status_code: int | None = None
    method: str | None = None
    path: str | None = None

    def at(self: E, method: str, path: str) -> E:
        """Name the call that failed (kept if already named, so the innermost call wins)."""
        if self.method is None:
            self.method, self.path = method.upper(), path
        return self

    def mask(self: E, credentials: Iterable[str]) -> E:
        """Replace every credential the failed call sent (its token, code, secret …) with ``***``
        wherever this error shows server text: message, description, excerpt, body and args."""
        values = sorted({c for c in credentials if len(c) >= _MIN_MASKED}, key=len, reverse=True)
        if not values:
            return self

        def clean(value: Any) -> Any:
            if isinstance(value, str):
                for credential in values:
                    value = value.replace(credential, "***")
                return value
            if isinstance(value, dict):
                return {clean(k): clean(v) for k, v in value.items()}
            if isinstance(value, list):
                return [clean(v) for v in value]
            return value

        for name in ("description", "msg", "excerpt", "body"):
            if name in vars(self):
                setattr(self, name, clean(vars(self)[name]))
        self.args = tuple(clean(arg) for arg in self.args)
        return self

    def _text(self) -> str:
        return super().__str__()

    def __str__(self) -> str:
        text = self._text()
        return f"{text} [{self.method} {self.path}]" if self.method else text


class KakaoConfigError(KakaoError, ValueError):
    """The library was called or configured wrongly; raised before any request is sent."""


class RateLimitError(KakaoError):
    """Marker: Kakao throttled the caller (KOE237 on kauth, -10 or HTTP 429 on kapi).

    Never raised itself: :class:`TokenRateLimitError` and :class:`APIRateLimitError` carry it, so
    one ``except RateLimitError`` catches both hosts' limits.
    """


class KakaoAuthError(OAuthError, KakaoError):  # type: ignore[misc]  # Authlib is untyped (Any)
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
        hint: str = "",
    ) -> None:
        self.code = code
        self.status_code = status_code
        self.hint = hint
        super().__init__(error or "kakao_error", redact(description or ""))

    def _text(self) -> str:
        return _message(self.code or self.error, self.description, self.hint)

    __str__ = KakaoError.__str__

    def __repr__(self) -> str:
        return f"{type(self).__name__}(error={self.error!r}, code={self.code!r})"


class InvalidIDTokenError(KakaoAuthError):
    """The id_token failed verification: signature, ``alg``, ``iss``, ``aud``, time or ``nonce``."""

    def __init__(self, description: str, *, hint: str | None = None) -> None:
        super().__init__("invalid_id_token", description, hint=hint or _ID_TOKEN_HINT)


class UnknownSigningKeyError(InvalidIDTokenError):
    """The id_token names a ``kid`` that the JWKS does not have (Kakao may have rotated keys)."""


class TokenRateLimitError(KakaoAuthError, RateLimitError):
    """KOE237: too many tokens issued for one user (kauth); also a :class:`RateLimitError`."""


class KakaoAPIError(KakaoError):
    """Kakao's API server (kapi) refused: ``{msg, code}``; the whole body is kept as ``.body``."""

    def __init__(
        self,
        msg: str = "",
        *,
        code: int | str | None = None,
        status_code: int | None = None,
        hint: str = "",
        body: Mapping[str, Any] | None = None,
    ) -> None:
        self.code = code
        self.msg = redact(msg)
        self.status_code = status_code
        self.hint = hint
        self.body: dict[str, Any] = dict(body or {})
        super().__init__(self.msg)

    def _text(self) -> str:
        # Without Kakao's code (a bare 429 from a proxy) the status is the best label.
        label = self.code if self.code is not None else None
        if label is None and self.status_code:
            label = f"HTTP {self.status_code}"
        return _message(label, self.msg, self.hint)

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


class APIRateLimitError(KakaoAPIError, RateLimitError):
    """-10 or HTTP 429 from kapi: a quota or rate limit; also a :class:`RateLimitError`."""


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


class WebhookAuthError(KakaoError):
    """A webhook call did not prove it comes from Kakao for this app.

    The unlink webhook's ``Authorization: KakaoAK`` header is missing, has another scheme or
    another key; a security event token is signed with another algorithm or key, or names another
    issuer or audience. ``.status_code`` is the HTTP status to answer (401 for the unlink webhook;
    400 for security events, as RFC 8935 wants) and ``.err`` its RFC 8935 error code. The
    presented key or token is never part of the message.
    """

    def __init__(
        self, description: str, *, status_code: int = 401, err: str = "authentication_failed"
    ) -> None:
        self.description = description
        self.status_code = status_code
        self.err = err
        self.hint = _WEBHOOK_AUTH_HINT
        super().__init__(f"{description} — {self.hint}")

    def __repr__(self) -> str:
        return f"{type(self).__name__}(err={self.err!r}, status_code={self.status_code!r})"


class WebhookPayloadError(KakaoError):
    """A webhook call is Kakao's shape but not usable: a field or claim is missing or garbled,
    or the call is about another app. ``.status_code`` (400) and ``.err`` as for
    :class:`WebhookAuthError`."""

    def __init__(
        self, description: str, *, status_code: int = 400, err: str = "invalid_request"
    ) -> None:
        self.description = description
        self.status_code = status_code
        self.err = err
        self.hint = _WEBHOOK_PAYLOAD_HINT
        super().__init__(f"{description} — {self.hint}")

    def __repr__(self) -> str:
        return f"{type(self).__name__}(err={self.err!r}, status_code={self.status_code!r})"


_WEBHOOK_AUTH_HINT = (
    "Ignore the call unless it keeps coming from Kakao: then check the admin key (and its "
    "rotation), client_id / allowed_audiences and kauth_url given to the receiver."
)
_WEBHOOK_PAYLOAD_HINT = (
    "Kakao sends app_id, user_id and referrer_type (unlink) or a token with jti, iat and events "
    "(security events); check app_id and the URL this webhook is registered for."
)
