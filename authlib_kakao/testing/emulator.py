"""``KakaoEmulator``: one object that holds an offline Kakao's state and serves it over HTTP."""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from authlib_kakao.testing import webhooks_out
from authlib_kakao.testing.keys import SigningKeys
from authlib_kakao.testing.state import (
    DEFAULT_CONSENT_ITEMS,
    App,
    Clock,
    ConsentItem,
    EmulatorConfig,
    EmulatorState,
    Fault,
    Link,
    LoggedRequest,
    RefreshToken,
    ServiceTerm,
    User,
)

__all__ = ["DEFAULT_APP_ID", "DEFAULT_USER_ID", "KakaoEmulator"]

DEFAULT_APP_ID = 1_000_001
# 19 digits and above 2**53, like real Kakao ids: JSON clients that use doubles lose precision.
DEFAULT_USER_ID = 4_242_424_242_424_242_424
DEFAULT_REDIRECT_HOSTS = (
    "http://localhost",
    "http://testserver",
    "http://localhost:5000",
    "http://127.0.0.1:5000",
    "http://localhost:8000",
    "http://127.0.0.1:8000",
)


@dataclass
class _Approval:
    """Who "logs in" at /oauth/authorize in auto-approve mode, and what they agree to."""

    user_id: int | None = None  # None: the default user
    consents: list[str] | None = None  # None: everything asked for
    deny: bool = False  # press "Cancel"


class KakaoEmulator:
    """An offline Kakao (kauth + kapi) with one app and one fully-consented user by default.

    Args:
        config: lifetimes, rate limits and the switches for behaviour Kakao leaves unconfirmed.
        consent_page: serve the HTML login + consent page at ``/oauth/authorize`` instead of
            approving at once (a person or a browser test clicks through it).
    """

    def __init__(self, *, config: EmulatorConfig | None = None, consent_page: bool = False) -> None:
        self.config = config or EmulatorConfig()
        self.consent_page = consent_page
        self.keys = SigningKeys()
        self.url: str | None = None  # the base URL while serve() runs
        self._ids = itertools.count(1)
        self.reset()

    # -- state -------------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget everything: one default app, one default user, a fresh clock, log and faults."""
        self.state = EmulatorState(clock=Clock())
        self.approval = _Approval()
        self.session_user_id: int | None = None  # the "browser session" of the consent page
        self.app = self._default_app()
        self.user = self.add_user(
            id=DEFAULT_USER_ID,
            nickname="홍길동",
            profile_image_url="http://k.kakaocdn.net/dn/emulator/img_640x640.jpg",
            thumbnail_image_url="http://k.kakaocdn.net/dn/emulator/img_110x110.jpg",
            email="user@example.com",
            name="홍길동",
            age_range="20~29",
            birthday="1130",
            birthyear="2002",
            gender="female",
            phone_number="+82 10-1234-5678",
            login_id="user@example.com",
        )
        self.user.links[self.app.app_id].service_terms = {
            tag: self.clock.now() for tag in self.app.service_terms
        }

    @property
    def clock(self) -> Clock:
        return self.state.clock

    def _default_app(self) -> App:
        return self.add_app(
            app_id=DEFAULT_APP_ID,
            client_id="emulator-rest-api-key",
            client_secret="emulator-client-secret",
            admin_key="emulator-admin-key",
            redirect_uris=[f"{h}/auth" for h in DEFAULT_REDIRECT_HOSTS] + self._own_callback(),
            logout_redirect_uris=[f"{h}/logged-out" for h in DEFAULT_REDIRECT_HOSTS],
        )

    def _own_callback(self) -> list[str]:
        # While served, the emulator's own /_emulator/callback page is a registered redirect URI,
        # so a person can try a login with nothing else running.
        return [f"{self.url}/_emulator/callback"] if self.url else []

    def add_app(self, **values: Any) -> App:
        """Register an app; unspecified keys are random, consent items and terms as the default app."""
        app_id = int(values.pop("app_id", DEFAULT_APP_ID + 1 + len(self.state.apps)))
        defaults: dict[str, Any] = {
            "client_id": secrets.token_hex(16),
            "admin_key": secrets.token_hex(16),
            "client_secret": secrets.token_urlsafe(24),
            "oidc": True,
            "consent_items": {
                item_id: ConsentItem(item_id, name, required=item_id == "profile_nickname")
                for item_id, name in DEFAULT_CONSENT_ITEMS
            },
            "property_keys": ["nickname", "profile_image", "thumbnail_image", "custom_field"],
            "service_terms": {
                "terms_service": ServiceTerm("terms_service", required=True),
                "terms_marketing": ServiceTerm("terms_marketing"),
            },
        }
        app = App(app_id=app_id, **{**defaults, **values})
        with self.state.lock:
            self.state.apps[app.app_id] = app
        return app

    def add_user(
        self,
        *,
        app: App | None = None,
        consents: Iterable[str] | None = None,
        linked: bool = True,
        **values: Any,
    ) -> User:
        """Create a Kakao Account; linked to ``app`` (default app) with ``consents`` (all items)."""
        with self.state.lock:
            if "id" not in values:
                values["id"] = self._next_user_id()
            user = User(**values)
            self.state.users[user.id] = user
        if linked:
            self.link(user, app, consents)
        return user

    def _next_user_id(self) -> int:
        while (candidate := 3_000_000_000_000_000_000 + next(self._ids)) in self.state.users:
            pass
        return candidate

    def link(
        self, user: User, app: App | None = None, consents: Iterable[str] | None = None
    ) -> Link:
        """Connect ``user`` to ``app`` as if they had logged in and agreed to ``consents``."""
        target = app or self.app
        agreed = set(target.consent_items) if consents is None else set(consents)
        with self.state.lock:
            link = user.links.get(target.app_id)
            if link is None:
                link = user.links[target.app_id] = Link(connected_at=self.clock.now())
            link.consents |= agreed
        return link

    def unlink(self, user: User, app: App | None = None) -> None:
        """Disconnect ``user`` from ``app`` and revoke their tokens for it (no webhook)."""
        target = app or self.app
        with self.state.lock:
            user.links.pop(target.app_id, None)
            self._revoke(target.app_id, user.id)

    def unlink_from_kakao(
        self, user: User, app: App | None = None, referrer_type: str = "UNLINK_FROM_APPS"
    ) -> int:
        """Unlink on Kakao's side and call the app's unlink webhook; returns the webhook's status."""
        return webhooks_out.unlink_from_kakao(self, user, app, referrer_type)

    def _revoke(self, app_id: int, user_id: int) -> None:
        state = self.state
        for store in (state.access_tokens, state.refresh_tokens):
            for key in [k for k, t in store.items() if (t.app_id, t.user_id) == (app_id, user_id)]:
                del store[key]

    # -- login ---------------------------------------------------------------------------------

    def approve_as(self, user: User | None = None, consents: Iterable[str] | None = None) -> None:
        """Auto-approve mode: ``user`` (default user) logs in and agrees to ``consents`` (all asked)."""
        self.approval = _Approval(
            user_id=None if user is None else user.id,
            consents=None if consents is None else list(consents),
        )

    def deny_consent(self) -> None:
        """Auto-approve mode: the next logins press "Cancel" (``error=access_denied``)."""
        self.approval = _Approval(deny=True)

    def issue_tokens(
        self,
        user: User | None = None,
        app: App | None = None,
        scopes: Iterable[str] | None = None,
        openid: bool = False,
    ) -> dict[str, Any]:
        """Issue tokens directly (no authorize round trip); returns Kakao's token response body."""
        from authlib_kakao.testing.kauth_token import grant_tokens

        target_app = app or self.app
        target_user = user or self.user
        link = target_user.links.get(target_app.app_id)
        agreed = sorted(link.consents) if link else []
        granted = list(scopes) if scopes is not None else agreed
        if openid and "openid" not in granted:
            granted.append("openid")
        with self.state.lock:
            return grant_tokens(self, target_app, target_user, granted, nonce=None)

    def rotate_keys(self, *, keep_old: bool = True) -> str:
        """Sign new id_tokens with a fresh key (published in the JWKS); returns its kid."""
        return self.keys.rotate(keep_old=keep_old)

    # -- observation and faults ---------------------------------------------------------------

    def requests(self, path: str | None = None) -> list[LoggedRequest]:
        """Requests served so far (optionally only to ``path``), oldest first."""
        return [r for r in self.state.log if path is None or r.path == path]

    def count(self, path: str, method: str | None = None) -> int:
        """How often ``path`` was requested (with ``method``, if given)."""
        return sum(1 for r in self.requests(path) if method is None or r.method == method.upper())

    def clear_log(self) -> None:
        self.state.log.clear()

    def inject_fault(
        self,
        path: str,
        *,
        status: int | None = None,
        delay: float = 0.0,
        body: str | None = None,
        drop: bool = False,
        times: int | None = 1,
    ) -> None:
        """Make the next ``times`` requests to ``path`` fail (``times=None``: until cleared).

        ``status`` answers that status with ``body`` instead of the real answer (500 when only a
        body is given); with neither, the real answer comes, only slowed by ``delay`` or cut by
        ``drop``.

        ``body``: ``None`` for a Kakao-shaped error body, ``"html"``, ``"malformed"`` (cut-off
        JSON), ``"empty"``, or a literal body. ``drop`` cuts the connection mid-answer (headers
        sent, promised body never);
        ``delay`` waits that many seconds first (to trip a client timeout).
        """
        with self.state.lock:
            self.state.faults[path] = Fault(status, delay, body, drop, times)

    def clear_faults(self) -> None:
        with self.state.lock:
            self.state.faults.clear()

    def find_refresh_token(self, token: str) -> RefreshToken | None:
        return self.state.refresh_tokens.get(token)

    # -- serving -------------------------------------------------------------------------------

    @property
    def asgi(self) -> Any:
        """This emulator as an ASGI app, for in-process clients (``httpx.ASGITransport``)."""
        from authlib_kakao.testing.app import EmulatorASGI

        return EmulatorASGI(self)

    @contextmanager
    def serve(self, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
        """Serve over real HTTP in a background thread; yields the base URL (kauth = kapi)."""
        try:
            from authlib_kakao.testing.server import EmulatorServer
        except ImportError as exc:  # uvicorn comes with the extra
            raise ImportError(f"{exc}: pip install 'authlib-kakao[testing]'") from exc

        with EmulatorServer(self.asgi, host=host, port=port) as server:
            self.url = server.url
            self.app.redirect_uris.extend(self._own_callback())
            try:
                yield server.url
            finally:
                self.url = None

    def __repr__(self) -> str:
        return f"<KakaoEmulator apps={len(self.state.apps)} users={len(self.state.users)}>"
