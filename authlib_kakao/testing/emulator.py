"""``KakaoEmulator``: the façade a test holds — one offline Kakao, its state and its servers.

Every method works on the current :class:`~authlib_kakao.testing.backend.KakaoBackend`
(``emulator.state``); :meth:`KakaoEmulator.reset` replaces that backend with a fresh one. The
backend's operations appear here by ``surface.delegate``, with the backend's signatures and types;
the methods written out here add what a test's thread needs (cookies, webhook delivery). The ASGI
app and the threaded server are imported only when asked for (``asgi``, ``serve``), so importing
this module loads neither the handlers nor uvicorn.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from authlib_kakao.testing import account_events, event_tokens
from authlib_kakao.testing.backend import DEFAULT_APP_ID, DEFAULT_USER_ID, KakaoBackend
from authlib_kakao.testing.keys import SigningKeys
from authlib_kakao.testing.state import (
    App,
    Clock,
    EmulatorConfig,
    User,
    WebhookDelivery,
)
from authlib_kakao.testing.surface import delegate
from authlib_kakao.testing.webhooks_out import (
    UNLINK,
    WebhookDeliveryError,
    WebhookPausedError,
    deliver_all,
)

if TYPE_CHECKING:
    import ssl

    from authlib_kakao.testing.server import LocalTLS

__all__ = ["DEFAULT_APP_ID", "DEFAULT_USER_ID", "KakaoEmulator"]


class KakaoEmulator:
    """An offline Kakao (kauth + kapi): one app and one user, shaped by presets.

    By default the app is a personal developer's (nickname and profile image, OIDC off:
    ``config.app_preset``), the user has agreed to what such an app gets
    (``config.user_preset``), and ``/oauth/authorize`` behaves like Kakao in a browser: the
    login + consent page, and a session cookie afterwards.

    Args:
        config: presets, lifetimes, rate limits and the switches for behaviour Kakao leaves
            unconfirmed.
        auto_approve: answer ``/oauth/authorize`` with a code at once, as the user chosen with
            :meth:`approve_as` (the default user) who agrees to whatever is asked: an explicit
            choice for headless tests, where no browser session exists. Not what Kakao does.
        consent_page: the opposite switch, kept for older callers (``consent_page=False`` means
            ``auto_approve=True``).
    """

    state: KakaoBackend

    def __init__(
        self,
        *,
        config: EmulatorConfig | None = None,
        auto_approve: bool | None = None,
        consent_page: bool | None = None,
    ) -> None:
        self.url: str | None = None  # the base URL while serve() runs
        self._tls: LocalTLS | None = None  # the certificate while serve(tls=True) runs
        # Generated once: a reset goes back to this key (and kid) instead of paying for a new one.
        self._first_key = SigningKeys().first
        page = _page_mode(auto_approve, consent_page)
        self.state = self._fresh_state(config or EmulatorConfig(), page)

    def _fresh_state(self, config: EmulatorConfig, consent_page: bool) -> KakaoBackend:
        state = KakaoBackend(
            config=config,
            keys=SigningKeys(self._first_key),
            clock=Clock(),
            consent_page=consent_page,
            base_url=self.url,
        )
        state.reset_hook = self.reset
        return state

    # -- state -------------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget everything: default app and user, fresh clock, log, faults and signing keys.

        Config and the consent-page switch stay. Requests still hanging on a fault are released.
        """
        old = self.state
        self.state = self._fresh_state(old.config, old.consent_page)
        old.release()

    @property
    def config(self) -> EmulatorConfig:
        """Lifetimes, limits and switches (kept across :meth:`reset`)."""
        return self.state.config

    @config.setter
    def config(self, value: EmulatorConfig) -> None:
        self.state.config = value

    @property
    def consent_page(self) -> bool:
        """Whether ``/oauth/authorize`` shows the login + consent page (kept across resets)."""
        return self.state.consent_page

    @consent_page.setter
    def consent_page(self, value: bool) -> None:
        self.state.consent_page = value

    @property
    def auto_approve(self) -> bool:
        """Whether ``/oauth/authorize`` answers with a code at once (headless tests; kept across
        resets). False (the default): the login + consent page and its session cookie."""
        return not self.state.consent_page

    @auto_approve.setter
    def auto_approve(self, value: bool) -> None:
        self.state.consent_page = not value

    @property
    def clock(self) -> Clock:
        """The emulator's time: advance it (or freeze it) instead of sleeping."""
        return self.state.clock

    @property
    def keys(self) -> SigningKeys:
        """The id_token signing keys (the JWKS)."""
        return self.state.keys

    @property
    def app(self) -> App:
        """The default app."""
        return self.state.app

    @property
    def user(self) -> User:
        """The default user (``config.user_preset``), linked to the default app."""
        return self.state.user

    # -- operations: the backend's, same signature (surface.delegate; a test compares them) -----

    add_app = delegate(KakaoBackend.add_app)
    update_app = delegate(KakaoBackend.update_app)
    add_user = delegate(KakaoBackend.add_user)
    link = delegate(KakaoBackend.link)
    unlink = delegate(KakaoBackend.unlink)
    link_talk_channel = delegate(KakaoBackend.link_talk_channel)
    set_channel_relation = delegate(KakaoBackend.set_channel_relation)
    approve_as = delegate(KakaoBackend.approve_as)
    deny_consent = delegate(KakaoBackend.deny_consent)
    issue_tokens = delegate(KakaoBackend.issue_tokens)
    rotate_keys = delegate(KakaoBackend.rotate_keys)
    requests = delegate(KakaoBackend.requests)
    count = delegate(KakaoBackend.count)
    clear_log = delegate(KakaoBackend.clear_log)
    inject_fault = delegate(KakaoBackend.inject_fault)
    clear_faults = delegate(KakaoBackend.clear_faults)
    find_refresh_token = delegate(KakaoBackend.find_refresh_token)
    webhook_deliveries = delegate(KakaoBackend.webhook_deliveries)
    webhook_paused = delegate(KakaoBackend.webhook_paused)
    resume_webhook = delegate(KakaoBackend.resume_webhook)

    # -- what the façade adds: cookies, webhook delivery from the test's thread ----------------

    def sign_in(self, user: User | None = None, *, keep: bool = False) -> dict[str, str]:
        """Log ``user`` (default user) in to Kakao as a browser would; returns the cookie.

        Hand the result to a cookie-keeping client (``cookies=emu.sign_in()``) so its
        ``/oauth/authorize`` requests find a Kakao session (24 h; a month with ``keep``).
        """
        from authlib_kakao.testing.lifecycle import SESSION_COOKIE

        return {SESSION_COOKIE: self.state.start_web_session(user or self.user, keep=keep)}

    def expire_preregistrations(self) -> list[int]:
        """Unlink users preregistered on auto-link OFF apps for longer than
        ``config.signup_deadline``, calling each app's webhook with ``INCOMPLETE_SIGN_UP``
        (and its ``user-unlinked`` SET, if it has a receiver); returns the unlink webhooks'
        statuses (apps without a webhook URL are only unlinked)."""
        statuses: list[int] = []
        for user, app in self.state.expired_preregistrations():
            calls = account_events.unlink(
                self.state, user, app, "INCOMPLETE_SIGN_UP", require_webhook=False
            )
            entries = deliver_all(self.state, calls)
            if app.webhook_url:
                statuses.append(_unlink_status(entries))
        return statuses

    def unlink_from_kakao(
        self, user: User, app: App | None = None, referrer_type: str = "UNLINK_FROM_APPS"
    ) -> int:
        """Unlink on Kakao's side and call the app's unlink webhook; returns the webhook's status.

        ``referrer_type``: one of ``webhooks_out.REFERRER_TYPES``. An app in an app group gets
        ``group_user_token`` too; an app with a ``security_event_url`` also gets a
        ``user-unlinked`` SET (see :meth:`webhook_deliveries`).

        Raises:
            ValueError: unknown ``referrer_type``, no ``webhook_url``, user not linked
                (nothing changes then).
            WebhookDeliveryError: no answer within ``config.webhook_timeout`` (the unlink has
                happened); :class:`WebhookPausedError` when the webhook is paused.
        """
        calls = account_events.unlink(self.state, user, app or self.app, referrer_type)
        return _unlink_status(deliver_all(self.state, calls))

    # -- Kakao-side account changes and security events (reference §6) ------------------------

    def delete_account(self, user: User, *, forced: bool = False) -> list[WebhookDelivery]:
        """The Kakao Account is deleted (``forced``: by Kakao, e.g. after long dormancy).

        Every link, token and session dies, then the account (its id answers ``-101``). Each
        linked app gets its unlink webhook (``ACCOUNT_DELETE`` / ``FORCED_ACCOUNT_DELETE``) and
        ``user-unlinked`` + ``account-purged`` SETs; returns the log entries.
        """
        return deliver_all(
            self.state, account_events.delete_account(self.state, user, forced=forced)
        )

    def revoke_tokens(self, user: User, app: App | None = None) -> list[WebhookDelivery]:
        """Kakao revokes the user's tokens for ``app`` (None: every linked app): they answer
        ``-401`` (refresh: KOE322) from now on; each app gets a ``tokens-revoked`` SET."""
        return deliver_all(self.state, account_events.revoke_tokens(self.state, user, app))

    def disable_account(self, user: User, *, reason: str | None = None) -> list[WebhookDelivery]:
        """Kakao disables the account: kapi answers ``-4`` for it, its web sessions end; linked
        apps get an ``account-disabled`` SET (with RISC's ``reason``, e.g. ``"hijacking"``)."""
        calls = account_events.set_disabled(self.state, user, True, reason=reason)
        return deliver_all(self.state, calls)

    def enable_account(self, user: User) -> list[WebhookDelivery]:
        """Kakao enables the account again; linked apps get an ``account-enabled`` SET."""
        return deliver_all(self.state, account_events.set_disabled(self.state, user, False))

    def withdraw_scopes(
        self, user: User, scopes: Iterable[str], app: App | None = None
    ) -> list[WebhookDelivery]:
        """The user withdraws optional consent items in their Kakao Account (not through the
        app): the items leave the link and its tokens; the app gets a ``user-scope-withdraw``
        SET. ``ValueError`` for an item not agreed to or a required one."""
        calls = account_events.withdraw_scopes(self.state, user, app or self.app, list(scopes))
        return deliver_all(self.state, calls)

    def send_security_event(
        self,
        user: User,
        event: str,
        app: App | None = None,
        *,
        reason: str | None = None,
        payload: dict[str, Any] | None = None,
        txn: str | None = None,
        toe: float | None = None,
    ) -> WebhookDelivery:
        """POST one SET about ``user`` to ``app``'s ``security_event_url``; no state changes.

        ``event``: an event-type URI (``event_tokens.TOKENS_REVOKED``, ...) or its short name
        (``"tokens-revoked"``); ``reason`` and ``payload`` go into the event beside ``subject``.
        Returns the (last) log entry: ``status``, ``ok`` (202), ``jti``, ``token``.
        """
        extra = {**(payload or {}), **({"reason": reason} if reason else {})}
        call = event_tokens.security_event(
            self.state, app or self.app, user.id, event, payload=extra, txn=txn, toe=toe
        )
        return deliver_all(self.state, [call])[-1]

    def redeliver(self, jti: str) -> WebhookDelivery:
        """Send the SET ``jti`` again, byte for byte (same ``jti``), as a retrying Kakao would:
        for testing a receiver's de-duplication. Returns the (last) log entry."""
        return deliver_all(self.state, [event_tokens.redelivery(self.state, jti)])[-1]

    def wait_for_deliveries(self, count: int, timeout: float = 10.0) -> list[WebhookDelivery]:
        """Wait until the log holds ``count`` entries (the control plane sends from a thread);
        returns the log. Raises ``TimeoutError`` after ``timeout`` seconds."""
        if not self.state.wait_for_deliveries(count, timeout):
            raise TimeoutError(f"{len(self.state.deliveries)} of {count} webhook deliveries")
        return self.webhook_deliveries()

    # -- serving -------------------------------------------------------------------------------

    @property
    def asgi(self) -> Any:
        """This emulator as an ASGI app, for in-process clients (``httpx.ASGITransport``)."""
        from authlib_kakao.testing.app import EmulatorASGI

        return EmulatorASGI(self)

    @property
    def ca_path(self) -> str | None:
        """While ``serve(tls=True)`` runs: the PEM file of the CA that signed the server's
        certificate (``verify=`` for requests and httpx); otherwise ``None``."""
        return self._tls.ca_path if self._tls is not None else None

    def ssl_context(self) -> ssl.SSLContext:
        """A client SSL context trusting this emulator's CA, for httpx (``verify=``) and others.

        Raises:
            RuntimeError: the emulator is not being served with ``tls=True``.
        """
        if self._tls is None:
            raise RuntimeError("ssl_context() needs the emulator served with serve(tls=True)")
        return self._tls.client_context()

    @contextmanager
    def serve(self, host: str = "127.0.0.1", port: int = 0, tls: bool = False) -> Iterator[str]:
        """Serve over real HTTP(S) in a background thread; yields the base URL (kauth = kapi).

        ``tls=True`` serves HTTPS (``https://127.0.0.1:PORT``) with a certificate from a local CA
        (needs ``trustme``); trust it with :attr:`ca_path` or :meth:`ssl_context`.
        """
        try:
            from authlib_kakao.testing.server import EmulatorServer
        except ImportError as exc:  # uvicorn comes with the extra
            raise ImportError(f"{exc}: pip install 'authlib-kakao[testing]'") from exc

        with EmulatorServer(self.asgi, host=host, port=port, tls=tls) as server:
            self.url = server.url
            self._tls = server.tls
            self.app.redirect_uris.append(f"{server.url}/_emulator/callback")
            try:
                yield server.url
            finally:
                self.url = None
                self._tls = None
                # Hanging requests end before the server waits for its connections to close.
                self.state.release()

    def __repr__(self) -> str:
        return f"<KakaoEmulator apps={len(self.state.apps)} users={len(self.state.users)}>"


def _unlink_status(entries: list[WebhookDelivery]) -> int:
    """The unlink webhook's final status among ``entries``; raises when it got no answer."""
    last = [e for e in entries if e.kind == UNLINK][-1]
    if last.paused:
        raise WebhookPausedError(
            f"app {last.app_id}'s unlink webhook is paused after long failures; "
            "resume_webhook() re-enables it"
        )
    if last.status is None:
        raise WebhookDeliveryError(last.error or "no answer")
    return last.status


def _page_mode(auto_approve: bool | None, consent_page: bool | None) -> bool:
    """Whether to serve the consent page, from either switch (they must agree if both given)."""
    if auto_approve is not None and consent_page is not None and auto_approve == consent_page:
        raise ValueError("auto_approve and consent_page contradict each other; pass one")
    if auto_approve is not None:
        return not auto_approve
    return True if consent_page is None else consent_page
