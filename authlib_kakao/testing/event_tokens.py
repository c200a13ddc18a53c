"""Security Event Tokens the emulator sends (reference §6.2: Kakao's account-status-change webhook).

Kakao's webhooks are built on the OpenID Shared Signals Framework: when something happens to a
Kakao Account, each app that configured a receiver URL gets a SET (RFC 8417) POSTed as the raw JWT
(RFC 8935 push delivery), and answers 202. The emulator's SET:

* header ``{"alg": "RS256", "kid": <a kid of /.well-known/jwks.json>, "typ": "secevent+jwt"}``,
  signed with the same keys as its id_tokens;
* claims ``iss`` (``config.issuer``, Kakao's), ``aud`` (the app's REST API key), ``sub`` (the user
  id as a string), ``iat``, ``jti`` (unique per SET, kept on redelivery), ``toe`` (when the event
  happened), ``txn`` (shared by every SET one change produces) and ``events``: exactly one event
  (as RISC requires), ``{<event-type URI>: {"subject": {...}, ...}}``.

Kakao documents the endpoint and the category names; the wire details above come from
third-party receivers (UNCONFIRMED), as do these emulator choices: the subject is
``{"subject_type": "iss-sub", "iss", "sub"}``; ``user-unlinked`` carries ``reason`` (the unlink
webhook's ``referrer_type``); ``user-scope-withdraw`` carries ``scopes``. ``sse-configuration``
(the older page) is served at ``/.well-known/sse-configuration``.
"""

from __future__ import annotations

import secrets
import urllib.request
from collections.abc import Mapping
from typing import Any

from authlib_kakao.testing.backend import KakaoBackend
from authlib_kakao.testing.state import App, WebhookDelivery
from authlib_kakao.testing.webhooks_out import SECURITY_EVENT, Outgoing, check_url

__all__ = [
    "ACCOUNT_CREDENTIAL_CHANGE_REQUIRED",
    "ACCOUNT_DISABLED",
    "ACCOUNT_ENABLED",
    "ACCOUNT_PURGED",
    "ASSURANCE_LEVEL_CHANGE",
    "CREDENTIAL_CHANGE",
    "CREDENTIAL_COMPROMISE",
    "DELIVERY_METHOD_PUSH",
    "EVENT_TYPES",
    "IDENTIFIER_CHANGED",
    "IDENTIFIER_RECYCLED",
    "SECEVENT_CONTENT_TYPE",
    "SESSIONS_REVOKED",
    "TOKENS_REVOKED",
    "TOKEN_ISSUED",
    "TOKEN_REVOKED",
    "USER_LINKED",
    "USER_PROFILE_CHANGED",
    "USER_SCOPE_CONSENT",
    "USER_SCOPE_WITHDRAW",
    "USER_UNLINKED",
    "event_uri",
    "new_txn",
    "redelivery",
    "security_event",
    "set_claims",
    "sse_configuration",
    "subscribed",
]

_OAUTH = "https://schemas.openid.net/secevent/oauth/event-type/"
_RISC = "https://schemas.openid.net/secevent/risc/event-type/"
_CAEP = "https://schemas.openid.net/secevent/caep/event-type/"
_KAKAO = "https://schemas.kakao.com/platevent/kakao/event-type/"

# OAUTH category: no consent item needed.
USER_LINKED = _OAUTH + "user-linked"
USER_UNLINKED = _OAUTH + "user-unlinked"
USER_SCOPE_CONSENT = _OAUTH + "user-scope-consent"
USER_SCOPE_WITHDRAW = _OAUTH + "user-scope-withdraw"
TOKENS_REVOKED = _OAUTH + "tokens-revoked"
TOKEN_ISSUED = _OAUTH + "token-issued"
TOKEN_REVOKED = _OAUTH + "token-revoked"
# RISC and CAEP: need the "Kakao Account status change" consent item on Kakao.
ACCOUNT_CREDENTIAL_CHANGE_REQUIRED = _RISC + "account-credential-change-required"
ACCOUNT_DISABLED = _RISC + "account-disabled"
ACCOUNT_ENABLED = _RISC + "account-enabled"
ACCOUNT_PURGED = _RISC + "account-purged"
CREDENTIAL_COMPROMISE = _RISC + "credential-compromise"
IDENTIFIER_CHANGED = _RISC + "identifier-changed"
IDENTIFIER_RECYCLED = _RISC + "identifier-recycled"
SESSIONS_REVOKED = _RISC + "sessions-revoked"
ASSURANCE_LEVEL_CHANGE = _CAEP + "assurance-level-change"
CREDENTIAL_CHANGE = _CAEP + "credential-change"
USER_PROFILE_CHANGED = _KAKAO + "user-profile-changed"

# Short name (the URI's last segment) -> URI, for the control plane and ``event_uri``.
EVENT_TYPES: dict[str, str] = {
    uri.rsplit("/", 1)[1]: uri
    for uri in (
        USER_LINKED, USER_UNLINKED, USER_SCOPE_CONSENT, USER_SCOPE_WITHDRAW, TOKENS_REVOKED,
        TOKEN_ISSUED, TOKEN_REVOKED, ACCOUNT_CREDENTIAL_CHANGE_REQUIRED, ACCOUNT_DISABLED,
        ACCOUNT_ENABLED, ACCOUNT_PURGED, CREDENTIAL_COMPROMISE, IDENTIFIER_CHANGED,
        IDENTIFIER_RECYCLED, SESSIONS_REVOKED, ASSURANCE_LEVEL_CHANGE, CREDENTIAL_CHANGE,
        USER_PROFILE_CHANGED,
    )
}  # fmt: skip
SECEVENT_CONTENT_TYPE = "application/secevent+jwt"
DELIVERY_METHOD_PUSH = "http://schemas.openid.net/secevent/risc/delivery-method/push"


def event_uri(event: str) -> str:
    """The event-type URI for a URI or a short name (``"tokens-revoked"``); else ``ValueError``."""
    if event in EVENT_TYPES.values():
        return event
    if event in EVENT_TYPES:
        return EVENT_TYPES[event]
    raise ValueError(f"unknown security event {event!r}; known: {', '.join(EVENT_TYPES)}")


def new_txn() -> str:
    """A transaction id: every SET one Kakao-side change produces shares it."""
    return secrets.token_hex(16)


def set_claims(
    backend: KakaoBackend,
    app: App,
    user_id: int,
    event: str,
    *,
    payload: Mapping[str, Any] | None = None,
    txn: str | None = None,
    toe: float | None = None,
) -> dict[str, Any]:
    """The claims of one SET for ``app`` about ``user_id``: one event, a fresh ``jti``."""
    issuer = backend.config.issuer
    now = int(backend.clock.now())
    subject = {"subject_type": "iss-sub", "iss": issuer, "sub": str(user_id)}
    return {
        "iss": issuer,
        "aud": app.client_id,
        "sub": str(user_id),
        "iat": now,
        "jti": secrets.token_hex(16),
        "toe": now if toe is None else int(toe),
        "txn": txn or new_txn(),
        "events": {event_uri(event): {"subject": subject, **(payload or {})}},
    }


def subscribed(app: App, event: str) -> bool:
    """Whether ``app`` has a receiver and subscribed to ``event`` (None: to every type)."""
    chosen = app.security_event_types
    return bool(app.security_event_url) and (chosen is None or event_uri(event) in chosen)


def _request(url: str, token: str) -> urllib.request.Request:
    headers = {"Content-Type": SECEVENT_CONTENT_TYPE, "Accept": "application/json"}
    return urllib.request.Request(  # noqa: S310 (scheme checked by check_url)
        url, data=token.encode("ascii"), headers=headers, method="POST"
    )


def security_event(
    backend: KakaoBackend,
    app: App,
    user_id: int,
    event: str,
    *,
    payload: Mapping[str, Any] | None = None,
    txn: str | None = None,
    toe: float | None = None,
) -> Outgoing:
    """A signed SET about ``user_id`` for ``app``'s receiver, ready for ``webhooks_out.deliver``.

    Raises ``ValueError`` for an unknown event or an app without ``security_event_url``.
    """
    url = check_url(app.security_event_url, "security_event_url", app)
    claims = set_claims(backend, app, user_id, event, payload=payload, txn=txn, toe=toe)
    token = backend.keys.sign(claims, typ="secevent+jwt")
    return Outgoing(
        kind=SECURITY_EVENT, app_id=app.app_id, user_id=user_id, request=_request(url, token),
        jti=claims["jti"], txn=claims["txn"], event_type=event_uri(event), token=token,
    )  # fmt: skip


def redelivery(backend: KakaoBackend, jti: str) -> Outgoing:
    """The SET ``jti`` again, byte for byte, to where it went (receivers' dedupe sees the same jti).

    Raises ``ValueError`` when no SET with that ``jti`` was sent.
    """
    sent: WebhookDelivery | None = next(
        (d for d in reversed(backend.deliveries) if d.jti == jti and d.token), None
    )
    if sent is None or sent.token is None:
        raise ValueError(f"no security event with jti {jti!r} was sent")
    return Outgoing(
        kind=SECURITY_EVENT, app_id=sent.app_id, user_id=sent.user_id,
        request=_request(sent.url, sent.token), jti=sent.jti, txn=sent.txn,
        event_type=sent.event_type, token=sent.token, redelivery=True,
    )  # fmt: skip


def sse_configuration(backend: KakaoBackend, base_url: str) -> dict[str, Any]:
    """``/.well-known/sse-configuration`` as Kakao's older page shows it (string, not list)."""
    return {
        "issuer": backend.config.issuer,
        "jwks_uri": f"{base_url}/.well-known/jwks.json",
        "delivery_methods_supported": DELIVERY_METHOD_PUSH,
    }
