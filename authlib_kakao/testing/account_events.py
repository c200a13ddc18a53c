"""Things that happen to a Kakao Account on Kakao's side, and the webhooks Kakao sends for them.

Each function changes the state through the backend (under its lock) and returns the calls to
make — unlink webhooks (§6.1) and SETs (§6.2) — without making them: the façade sends them from
the test's thread, the control plane from a thread of its own (see ``webhooks_out``). One change's
SETs share a ``txn``. An app gets the unlink webhook when it has a ``webhook_url`` and a SET
when it has a ``security_event_url`` and subscribed to that event type.

| Change | State | Unlink webhook | SETs |
|---|---|---|---|
| :func:`unlink` | link and tokens gone | ``referrer_type`` | ``user-unlinked`` (``reason``) |
| :func:`delete_account` | every link, token, session and the account gone | ``ACCOUNT_DELETE`` / ``FORCED_ACCOUNT_DELETE`` | ``user-unlinked``, ``account-purged`` |
| :func:`revoke_tokens` | tokens gone (``-401``, KOE322) | — | ``tokens-revoked`` |
| :func:`set_disabled` | kapi ``-4``, sessions end / back to normal | — | ``account-disabled`` / ``account-enabled`` |
| :func:`withdraw_scopes` | items and their token scopes gone | — | ``user-scope-withdraw`` (``scopes``) |
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from authlib_kakao.testing import event_tokens as se
from authlib_kakao.testing.backend import KakaoBackend
from authlib_kakao.testing.state import App, User
from authlib_kakao.testing.webhooks_out import (
    REFERRER_TYPES,
    UNLINK,
    Outgoing,
    unlink_webhook_request,
)

__all__ = [
    "delete_account",
    "revoke_tokens",
    "set_disabled",
    "unlink",
    "withdraw_scopes",
]


def _sets(
    backend: KakaoBackend,
    apps: Iterable[App],
    user_id: int,
    events: list[tuple[str, dict[str, Any] | None]],
    txn: str,
) -> list[Outgoing]:
    """One SET per (subscribed app, event), all with ``txn``."""
    return [
        se.security_event(backend, app, user_id, event, payload=payload, txn=txn)
        for app in apps
        for event, payload in events
        if se.subscribed(app, event)
    ]


def _check_referrer(referrer_type: str) -> None:
    if referrer_type not in REFERRER_TYPES:
        known = ", ".join(REFERRER_TYPES)
        raise ValueError(f"unknown referrer_type {referrer_type!r}; Kakao sends one of {known}")


def _unlink_calls(
    backend: KakaoBackend,
    user_id: int,
    apps: list[App],
    referrer_type: str,
    *,
    purged: bool = False,
) -> list[Outgoing]:
    """Per app: the unlink webhook (if configured), then its SETs (one ``txn`` for all);
    ``purged``: the account itself is gone too (``account-purged``)."""
    txn = se.new_txn()
    events: list[tuple[str, dict[str, Any] | None]] = [
        (se.USER_UNLINKED, {"reason": referrer_type})
    ]
    if purged:
        events.append((se.ACCOUNT_PURGED, None))
    calls: list[Outgoing] = []
    for app in apps:
        if app.webhook_url:
            request = unlink_webhook_request(app, user_id, referrer_type)
            calls.append(Outgoing(UNLINK, app.app_id, user_id, request, referrer_type))
        calls += _sets(backend, [app], user_id, events, txn)
    return calls


def unlink(
    backend: KakaoBackend,
    user: User,
    app: App,
    referrer_type: str,
    *,
    require_webhook: bool = True,
) -> list[Outgoing]:
    """Kakao unlinks ``user`` from ``app`` (``referrer_type`` says why).

    Raises ``ValueError`` (and changes nothing) for an unknown ``referrer_type``, a user who is
    not linked, or, with ``require_webhook``, an app without a ``webhook_url``.
    """
    _check_referrer(referrer_type)
    if require_webhook:
        unlink_webhook_request(app, user.id, referrer_type)  # the URL's checks, before any change
    with backend.lock:
        if app.app_id not in user.links:
            raise ValueError(f"user {user.id} is not linked to app {app.app_id}")
        calls = _unlink_calls(backend, user.id, [app], referrer_type)
        backend.unlink(user, app)
    return calls


def delete_account(backend: KakaoBackend, user: User, *, forced: bool = False) -> list[Outgoing]:
    """The user deletes their Kakao Account (``forced``: Kakao deletes it, e.g. long dormancy)."""
    referrer = "FORCED_ACCOUNT_DELETE" if forced else "ACCOUNT_DELETE"
    with backend.lock:
        # The requests are built first: building checks every app's URLs before anything dies.
        calls = _unlink_calls(backend, user.id, backend.linked_apps(user), referrer, purged=True)
        backend.delete_account(user)
    return calls


def revoke_tokens(backend: KakaoBackend, user: User, app: App | None = None) -> list[Outgoing]:
    """Kakao revokes the user's tokens for ``app`` (None: every linked app)."""
    with backend.lock:
        apps = backend.revoke_user_tokens(user, app)
        return _sets(backend, apps, user.id, [(se.TOKENS_REVOKED, None)], se.new_txn())


def set_disabled(
    backend: KakaoBackend, user: User, disabled: bool, *, reason: str | None = None
) -> list[Outgoing]:
    """Kakao disables the account (RISC ``reason``: e.g. ``"hijacking"``) or enables it again."""
    event = se.ACCOUNT_DISABLED if disabled else se.ACCOUNT_ENABLED
    payload = {"reason": reason} if reason else None
    with backend.lock:
        apps = backend.set_account_disabled(user, disabled)
        return _sets(backend, apps, user.id, [(event, payload)], se.new_txn())


def withdraw_scopes(
    backend: KakaoBackend, user: User, app: App, scopes: list[str]
) -> list[Outgoing]:
    """The user withdraws consent items for ``app`` in their Kakao Account settings."""
    with backend.lock:
        backend.withdraw_scopes(user, app, scopes)
        payload: dict[str, Any] = {"scopes": list(scopes)}
        return _sets(backend, [app], user.id, [(se.USER_SCOPE_WITHDRAW, payload)], se.new_txn())
