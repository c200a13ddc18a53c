"""Kakao's security events (reference §6.2): Security Event Tokens (SET, RFC 8417) that Kakao
pushes to the app as the OpenID Shared Signals Framework describes (push delivery, RFC 8935).

The body of the push is the token itself: a JWT signed by Kakao with one of the keys of its OIDC
JWKS, ``iss`` Kakao, ``aud`` the app's REST API key, an ``events`` object keyed by event-type URI.
It is verified with the id_token's own JWS checks (``core.id_token.verify_jws``): RS256 only,
the key its ``kid`` names. Pure: no I/O; :func:`security_event_flow` asks the connection's JWKS
cache for the key set.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from authlib_kakao.core.endpoints import KAKAO_ISSUER, KakaoEndpoints
from authlib_kakao.core.flows import Flow, key_set
from authlib_kakao.core.id_token import ParsedJWKS, ReadJWS, read_jws, verify_jws
from authlib_kakao.errors import InvalidIDTokenError, WebhookAuthError, WebhookPayloadError

__all__ = [
    "DEFAULT_LEEWAY",
    "EVENT_TYPES",
    "EventType",
    "SecurityEvent",
    "security_event_flow",
    "verify_security_event",
]

DEFAULT_LEEWAY = 120
"""Seconds of clock skew tolerated for ``iat`` (and ``exp``, when a token has one)."""

_NOUN = "security event token"
_MAX_TOKEN_CHARS = 64 * 1024  # Kakao's tokens are around a kilobyte
_MAX_JTI_CHARS = 256
_EXACT_INT = 2**53  # ints below this in size are floats exactly


class EventType:
    """The event-type URIs Kakao's security events carry (the keys of ``events``).

    Listed by third-party receivers of Kakao's events (reference §6.2, unconfirmed by Kakao);
    a type not listed here still arrives, under its own URI.
    """

    _OAUTH = "https://schemas.openid.net/secevent/oauth/event-type/"
    _RISC = "https://schemas.openid.net/secevent/risc/event-type/"
    _CAEP = "https://schemas.openid.net/secevent/caep/event-type/"

    USER_LINKED: Final = _OAUTH + "user-linked"
    USER_UNLINKED: Final = _OAUTH + "user-unlinked"
    USER_SCOPE_CONSENT: Final = _OAUTH + "user-scope-consent"
    USER_SCOPE_WITHDRAW: Final = _OAUTH + "user-scope-withdraw"
    TOKENS_REVOKED: Final = _OAUTH + "tokens-revoked"
    TOKEN_ISSUED: Final = _OAUTH + "token-issued"
    TOKEN_REVOKED: Final = _OAUTH + "token-revoked"
    ACCOUNT_CREDENTIAL_CHANGE_REQUIRED: Final = _RISC + "account-credential-change-required"
    ACCOUNT_DISABLED: Final = _RISC + "account-disabled"
    ACCOUNT_ENABLED: Final = _RISC + "account-enabled"
    ACCOUNT_PURGED: Final = _RISC + "account-purged"
    CREDENTIAL_COMPROMISE: Final = _RISC + "credential-compromise"
    IDENTIFIER_CHANGED: Final = _RISC + "identifier-changed"
    IDENTIFIER_RECYCLED: Final = _RISC + "identifier-recycled"
    SESSIONS_REVOKED: Final = _RISC + "sessions-revoked"
    ASSURANCE_LEVEL_CHANGE: Final = _CAEP + "assurance-level-change"
    CREDENTIAL_CHANGE: Final = _CAEP + "credential-change"
    USER_PROFILE_CHANGED: Final = (
        "https://schemas.kakao.com/platevent/kakao/event-type/user-profile-changed"
    )


EVENT_TYPES: frozenset[str] = frozenset(
    value for name, value in vars(EventType).items() if name.isupper() and not name.startswith("_")
)
"""Every URI of :class:`EventType`."""


@dataclass(frozen=True)
class SecurityEvent:
    """One verified security event token.

    Attributes:
        jti: the token's unique id (a redelivery carries the same one).
        iat: when Kakao issued it (Unix seconds).
        sub: the user's Kakao id as a string, when the token names one (``user_id``: as a number).
        events: event-type URI → that event's object (``subject``, ``reason`` …).
        iss: the issuer (Kakao).
        aud: the audiences the token names.
        toe: when the event happened (Unix seconds), if said.
        txn: the transaction id tying several events together, if said.
        claims: the whole verified payload.
    """

    jti: str
    iat: int
    sub: str | None
    events: dict[str, dict[str, Any]]
    iss: str
    aud: tuple[str, ...]
    toe: int | None = None
    txn: str | None = None
    claims: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def user_id(self) -> int | None:
        """``sub`` as Kakao's numeric user id, when it is one."""
        sub = self.sub
        return int(sub) if sub is not None and sub.isascii() and sub.isdigit() else None

    @property
    def types(self) -> tuple[str, ...]:
        """The event-type URIs of this token (usually one)."""
        return tuple(self.events)


class _UnknownKid(WebhookAuthError):
    """The token names a key the JWKS at hand lacks: the receiver may refetch the JWKS once."""

    def public(self) -> WebhookAuthError:
        return WebhookAuthError(self.description, status_code=400, err="invalid_key")


def _malformed(description: str) -> WebhookPayloadError:
    return WebhookPayloadError(description, status_code=400, err="invalid_request")


def _bad_key(description: str) -> WebhookAuthError:
    return WebhookAuthError(description, status_code=400, err="invalid_key")


def _unknown_kid(description: str) -> _UnknownKid:
    return _UnknownKid(description, status_code=400, err="invalid_key")


def _token_text(token: str | bytes) -> str:
    if isinstance(token, bytes):
        try:
            token = token.decode("ascii")
        except UnicodeError:
            raise _malformed(f"the {_NOUN} is not a JWS compact token") from None
    if not isinstance(token, str):
        raise _malformed(f"the {_NOUN} is not a JWS compact token")
    token = token.strip()  # a body may end with a newline
    if len(token) > _MAX_TOKEN_CHARS:
        raise _malformed(f"the {_NOUN} is longer than {_MAX_TOKEN_CHARS} characters")
    return token


def _seconds(claims: Mapping[str, Any], name: str) -> float | None:
    value = claims.get(name)
    if value is None:
        return None
    if type(value) is int and -_EXACT_INT < value < _EXACT_INT:  # the usual case, no float trouble
        return float(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _malformed(f"the {_NOUN}'s {name} is not a number")
    try:
        seconds = float(value)
    except OverflowError:  # 10**400 is a valid JSON number but no float
        seconds = math.inf
    if not math.isfinite(seconds):
        raise _malformed(f"the {_NOUN}'s {name} is not a usable time")
    return seconds


def _audiences(audience: str | Collection[str]) -> frozenset[str]:
    if isinstance(audience, (str, tuple)):  # a receiver's own, the same every call: checked once
        try:
            return _checked_audiences(audience)
        except TypeError:  # an unhashable member: refused below as before
            pass
    return _audience_set(audience)


@functools.lru_cache(maxsize=64)
def _checked_audiences(audience: str | tuple[str, ...]) -> frozenset[str]:
    return _audience_set(audience)


def _audience_set(audience: str | Collection[str]) -> frozenset[str]:
    wanted = frozenset((audience,) if isinstance(audience, str) else audience)
    if not wanted or not all(isinstance(a, str) and a for a in wanted):
        raise WebhookAuthError(
            "no audience to check security events against: give the app's REST API key",
            status_code=400,
            err="invalid_audience",
        )
    return wanted


def _event(
    claims: dict[str, Any],
    *,
    issuer: str,
    audiences: frozenset[str],
    leeway: float,
    max_age: float | None,
    now: float,
) -> SecurityEvent:
    # Who the token is from and for comes first: a token meant for someone else says no more.
    get = claims.get
    if get("iss") != issuer:
        raise WebhookAuthError(
            f"the {_NOUN} was not issued by {issuer}", status_code=400, err="invalid_issuer"
        )
    aud = get("aud")
    if isinstance(aud, str):
        named: tuple[str, ...] = (aud,)
    else:
        # Only strings can name an app; anything else (a hash-unfriendly object) is skipped.
        named = tuple(a for a in aud if isinstance(a, str)) if isinstance(aud, list) else ()
    if audiences.isdisjoint(named):
        raise WebhookAuthError(
            f"the {_NOUN} was issued for another app (aud)", status_code=400, err="invalid_audience"
        )
    events = get("events")
    if not isinstance(events, dict) or not events:
        # Also what tells a SET from an id_token, which has the same issuer, key and audience.
        raise _malformed(f"the {_NOUN} has no events object")
    copied: dict[str, dict[str, Any]] = {}
    for uri, body in events.items():
        if not isinstance(body, dict):
            raise _malformed(f"the {_NOUN}'s events are not all objects")
        copied[str(uri)] = dict(body)
    jti = get("jti")
    if not isinstance(jti, str) or not jti or len(jti) > _MAX_JTI_CHARS:
        raise _malformed(f"the {_NOUN} has no usable jti")
    iat = _seconds(claims, "iat")
    if iat is None:
        raise _malformed(f"the {_NOUN} has no iat")
    if iat - leeway > now:
        raise _malformed(f"the {_NOUN} was issued in the future (check the server clock)")
    if max_age is not None and iat + max_age + leeway < now:
        raise _malformed(f"the {_NOUN} is older than {max_age:g} seconds")
    exp = _seconds(claims, "exp")  # SETs carry none as a rule; one that does is honoured
    if exp is not None and exp + leeway < now:
        raise _malformed(f"the {_NOUN} has expired")
    sub = get("sub")
    if isinstance(sub, int) and not isinstance(sub, bool):
        sub = str(sub)
    if sub is not None and (not isinstance(sub, str) or not sub):
        raise _malformed(f"the {_NOUN}'s sub is not a user id")
    try:
        toe = _seconds(claims, "toe")  # informative only: a garbled one is dropped, not refused
    except WebhookPayloadError:
        toe = None
    txn = get("txn")
    return SecurityEvent(
        jti=jti,
        iat=int(iat),
        sub=sub,
        events=copied,
        iss=issuer,
        aud=named,
        toe=None if toe is None else int(toe),
        txn=txn if isinstance(txn, str) else None,
        claims=claims,
    )


def verify_security_event(
    token: str | bytes,
    *,
    audience: str | Collection[str],
    jwks: Mapping[str, Any] | ParsedJWKS,
    issuer: str = KAKAO_ISSUER,
    leeway: float = DEFAULT_LEEWAY,
    max_age: float | None = None,
    now: float | None = None,
) -> SecurityEvent:
    """Verify one security event token, as Kakao pushed it (the raw request body).

    Args:
        token: the body, ``str`` or ``bytes``.
        audience: the REST API key, or it and the other app keys accepted (``allowed_audiences``).
        jwks: Kakao's JWKS, parsed or as its document.
        issuer: the expected ``iss``.
        leeway: seconds of clock skew tolerated.
        max_age: refuse tokens issued longer ago than this (seconds); ``None``: any age.

    Raises:
        WebhookAuthError: not signed RS256 by a key of ``jwks`` (``alg: none``, HS256, a foreign
            ``kid``, a bad signature), or ``iss`` / ``aud`` not the expected ones.
        WebhookPayloadError: not a token, or ``jti``, ``iat`` or ``events`` missing or garbled.
    """
    try:
        return _verify(
            _token_text(token),
            jwks,
            issuer=issuer,
            audiences=_audiences(audience),
            leeway=leeway,
            max_age=max_age,
            now=time.time() if now is None else now,
        )
    except _UnknownKid as exc:
        raise exc.public() from None


def _verify(
    text: str | ReadJWS,
    jwks: Mapping[str, Any] | ParsedJWKS,
    *,
    issuer: str,
    audiences: frozenset[str],
    leeway: float,
    max_age: float | None,
    now: float,
) -> SecurityEvent:
    try:
        claims = verify_jws(
            text,
            jwks,
            noun=_NOUN,
            malformed=_malformed,
            refused=_bad_key,
            unknown_key=_unknown_kid,
        )
    except InvalidIDTokenError as exc:  # only a JWKS document that cannot be read raises it
        raise _bad_key(f"the JWKS cannot be used ({exc.description})") from None
    return _event(
        claims, issuer=issuer, audiences=audiences, leeway=leeway, max_age=max_age, now=now
    )


def security_event_flow(
    token: str | bytes,
    *,
    endpoints: KakaoEndpoints,
    audience: str | Collection[str],
    leeway: float = DEFAULT_LEEWAY,
    max_age: float | None = None,
) -> Flow[SecurityEvent]:
    """Verify ``token`` against the key set its ``kid`` should be in (the connection's JWKS cache
    decides whether that takes a request to Kakao).

    A token that is not even a readable RS256 JWS with a ``kid`` is refused before any lookup.
    """
    text = _token_text(token)
    read = read_jws(text, noun=_NOUN, malformed=_malformed, refused=_bad_key)
    options: dict[str, Any] = {
        "issuer": endpoints.issuer,
        "audiences": _audiences(audience),
        "leeway": leeway,
        "max_age": max_age,
    }
    keys = yield from key_set(read.kid)
    try:
        return _verify(read, keys, now=time.time(), **options)
    except _UnknownKid as exc:
        raise exc.public() from None
