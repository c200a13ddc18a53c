"""``/_emulator/*`` for what happens on Kakao's side and the webhooks it sends (reference §6).

Each state-changing endpoint makes its change before answering, then sends the webhooks and SETs
from a thread (a handler runs on the server's event loop, and the receiver may call the emulator
back); the answer lists the calls about to be made (``jti`` of each SET included). Their outcome
lands in ``GET /_emulator/webhooks``, which can wait for it (``?wait=N``).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from authlib_kakao.testing import account_events, event_tokens
from authlib_kakao.testing.backend import KakaoBackend
from authlib_kakao.testing.control import bad_request, read_json, target_app
from authlib_kakao.testing.exchange import Request, Response, json_response
from authlib_kakao.testing.state import User
from authlib_kakao.testing.surface import serves
from authlib_kakao.testing.webhooks_out import KINDS, REFERRER_TYPES, Outgoing, deliver_later

__all__ = [
    "MAX_WAIT",
    "delete_account",
    "disable_account",
    "enable_account",
    "list_paused",
    "redeliver",
    "resume_webhook",
    "revoke_tokens",
    "send_security_event",
    "unlink_from_kakao",
    "webhook_deliveries",
    "withdraw_scopes",
]

MAX_WAIT = 60.0  # seconds a GET /_emulator/webhooks?wait=N may block


def _user(backend: KakaoBackend, data: dict[str, Any]) -> User:
    user = backend.users.get(int(data.get("user_id") or backend.user.id))
    if user is None:
        raise bad_request("unknown user_id")
    return user


def _sent(backend: KakaoBackend, calls: list[Outgoing], **extra: Any) -> Response:
    """Send ``calls`` from a thread; answer what is being sent."""
    listed = [
        {
            "kind": c.kind, "app_id": c.app_id, "user_id": c.user_id,
            "url": c.request.full_url.split("?", 1)[0], "referrer_type": c.referrer_type,
            "jti": c.jti, "txn": c.txn, "event_type": c.event_type,
        }
        for c in calls
    ]  # fmt: skip
    deliver_later(backend, calls)
    return json_response({"ok": True, "calls": listed, **extra})


def _attempt(change: Any, *args: Any, **kwargs: Any) -> list[Outgoing]:
    """Run a change from ``account_events``; its ``ValueError`` becomes HTTP 400."""
    try:
        calls: list[Outgoing] = change(*args, **kwargs)
    except ValueError as exc:
        raise bad_request(str(exc)) from None
    return calls


def unlink_from_kakao(backend: KakaoBackend, req: Request) -> Response:
    """Body: ``user_id``, ``app_id``, ``referrer_type`` (default ``UNLINK_FROM_APPS``).

    Unlinks now; the unlink webhook (and the ``user-unlinked`` SET) follow.
    """
    data = read_json(req)
    app = target_app(backend, data)
    user = _user(backend, data)
    referrer = data.get("referrer_type", "UNLINK_FROM_APPS")
    if referrer not in REFERRER_TYPES:
        raise bad_request(f"referrer_type: one of {list(REFERRER_TYPES)}")
    calls = _attempt(account_events.unlink, backend, user, app, referrer)
    return _sent(backend, calls, webhook=app.webhook_url)


def delete_account(backend: KakaoBackend, req: Request) -> Response:
    """Body: ``user_id``, ``forced`` (``FORCED_ACCOUNT_DELETE``). The account is gone."""
    data = read_json(req)
    user = _user(backend, data)
    forced = bool(data.get("forced"))
    return _sent(backend, _attempt(account_events.delete_account, backend, user, forced=forced))


def revoke_tokens(backend: KakaoBackend, req: Request) -> Response:
    """Body: ``user_id``, ``app_id`` (absent: every linked app). Tokens die; SETs follow."""
    data = read_json(req)
    app = target_app(backend, data) if "app_id" in data else None
    user = _user(backend, data)
    return _sent(backend, _attempt(account_events.revoke_tokens, backend, user, app))


def disable_account(backend: KakaoBackend, req: Request) -> Response:
    """Body: ``user_id``, ``reason`` (RISC: ``hijacking``, ``bulk-account``)."""
    data = read_json(req)
    user = _user(backend, data)
    reason = data.get("reason")
    calls = _attempt(account_events.set_disabled, backend, user, True, reason=reason)
    return _sent(backend, calls)


def enable_account(backend: KakaoBackend, req: Request) -> Response:
    """Body: ``user_id``."""
    user = _user(backend, read_json(req))
    return _sent(backend, _attempt(account_events.set_disabled, backend, user, False))


def withdraw_scopes(backend: KakaoBackend, req: Request) -> Response:
    """Body: ``user_id``, ``app_id``, ``scopes`` (list of agreed optional items)."""
    data = read_json(req)
    app = target_app(backend, data)
    user = _user(backend, data)
    scopes = data.get("scopes")
    if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
        raise bad_request("scopes: a list of consent item ids")
    return _sent(backend, _attempt(account_events.withdraw_scopes, backend, user, app, scopes))


def send_security_event(backend: KakaoBackend, req: Request) -> Response:
    """Body: ``user_id``, ``app_id``, ``event`` (URI or short name), optional ``reason``,
    ``payload`` (object), ``txn``, ``toe``. No state changes."""
    data = read_json(req)
    app = target_app(backend, data)
    user_id = _user(backend, data).id
    payload = data.get("payload") or {}
    if not isinstance(payload, dict):
        raise bad_request("payload: a JSON object")
    if data.get("reason"):
        payload = {**payload, "reason": data["reason"]}
    toe = data.get("toe")
    if toe is not None and not isinstance(toe, (int, float)):
        raise bad_request("toe: a Unix time")
    call = _attempt(
        lambda: [
            event_tokens.security_event(
                backend, app, user_id, str(data.get("event", "")), payload=payload,
                txn=data.get("txn"), toe=toe,
            )
        ]
    )  # fmt: skip
    return _sent(backend, call)


def redeliver(backend: KakaoBackend, req: Request) -> Response:
    """Body: ``jti``. The same SET again (same bytes, same ``jti``)."""
    jti = str(read_json(req).get("jti", ""))
    return _sent(backend, _attempt(lambda: [event_tokens.redelivery(backend, jti)]))


@serves(KakaoBackend.webhook_deliveries)
def webhook_deliveries(backend: KakaoBackend, req: Request) -> Response:
    """The delivery log, oldest first (``?kind=unlink|security_event`` filters).

    ``?wait=N`` first waits (up to ``?timeout=`` seconds, default 10) until the log holds N
    entries, answering 408 with the log so far if it does not. Served off the event loop.
    """
    query = req.query
    try:
        wait = int(query.get("wait", 0))
        timeout = min(float(query.get("timeout", 10)), MAX_WAIT)
    except ValueError:
        raise bad_request("wait: an integer; timeout: seconds") from None
    complete = backend.wait_for_deliveries(wait, timeout) if wait else True
    kind = query.get("kind")
    log = [asdict(d) for d in backend.webhook_deliveries(kind)]
    return json_response(log, 200 if complete else 408)


@serves(KakaoBackend.webhook_paused)
def list_paused(backend: KakaoBackend, req: Request) -> Response:
    """Paused webhooks: ``[{app_id, kind, paused_at}]``."""
    paused = [
        {"app_id": app_id, "kind": kind, "paused_at": at}
        for (app_id, kind), at in backend.paused_webhooks.items()
    ]
    return json_response(paused)


@serves(KakaoBackend.resume_webhook)
def resume_webhook(backend: KakaoBackend, req: Request) -> Response:
    """Body: ``app_id``, ``kind`` (``unlink`` default, or ``security_event``)."""
    data = read_json(req)
    app = target_app(backend, data)
    kind = data.get("kind", "unlink")
    if kind not in KINDS:
        raise bad_request(f"kind: one of {list(KINDS)}")
    backend.resume_webhook(app, kind)
    return json_response({"ok": True})
