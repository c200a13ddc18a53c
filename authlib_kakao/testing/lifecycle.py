"""The login, code and token lifecycle: the half of
:class:`~authlib_kakao.testing.backend.KakaoBackend` that logs users in and issues, refreshes and
revokes codes and tokens (reference §1, §2, §3.3, §7).

Theory of operation:

* an authorization code is issued by ``/oauth/authorize``, lives ``code_lifetime`` seconds and dies on
  first use, successful or not (Kakao answers KOE320 for a second use);
* the code grant issues an access token and a refresh token, plus an id_token when OIDC applies;
* a refresh issues a new access token; a new refresh token comes only when the presented one has
  less than ``refresh_rotation_window`` seconds left, and then the presented one dies;
* logout revokes the presenting access token (bearer) or every token of the user (admin key);
  unlink revokes every token of the user for that app and drops the link;
* issuing is rate limited per (app, user) on the emulator's clock (KOE237).

Client authentication is Kakao's: ``client_id`` and ``client_secret`` come from the form body only,
so a client that authenticates with HTTP Basic gets KOE101 "Not exist client_id [null]".
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
from collections.abc import Iterable, Mapping
from typing import Any

from authlib_kakao.testing.keys import SigningKeys
from authlib_kakao.testing.sliding_window import SlidingWindow
from authlib_kakao.testing.state import (
    AccessToken,
    App,
    Approval,
    AuthCode,
    Clock,
    EmulatorConfig,
    Link,
    RefreshToken,
    User,
    WebSession,
)
from authlib_kakao.testing.surface import operation
from authlib_kakao.testing.wire_errors import kauth_fail

__all__ = ["SESSION_COOKIE", "TokenLifecycle", "pkce_matches"]

# The cookie that carries the Kakao Account web session on the emulator's own host (Kakao's web
# login cookie has this name on kakao.com).
SESSION_COOKIE = "_kawlt"
KEY_KINDS = ("rest", "native", "javascript")

# Sweep dead codes and tokens once per this many issues, so memory follows only live ones.
SWEEP_EVERY = 1000


def pkce_matches(verifier: str | None, challenge: str, method: str | None) -> bool:
    """RFC 7636: S256 compares base64url(SHA-256(verifier)); plain compares the strings."""
    if not verifier:
        return False
    if (method or "plain") == "S256":
        digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
        expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    else:
        expected = verifier
    return hmac.compare_digest(expected, challenge)


class TokenLifecycle:
    """Who logs in, codes, access and refresh tokens, id_tokens and the issue-rate limits."""

    # Set by KakaoBackend.__init__; declared here for the type checker.
    config: EmulatorConfig
    clock: Clock
    keys: SigningKeys
    lock: threading.RLock
    users: dict[int, User]
    codes: dict[str, AuthCode]
    access_tokens: dict[str, AccessToken]
    refresh_tokens: dict[str, RefreshToken]
    rates: SlidingWindow
    issued_since_sweep: int
    approval: Approval
    web_sessions: dict[str, WebSession]
    app: App
    user: User

    def app_by_client_id(self, client_id: str) -> App | None:
        raise NotImplementedError  # KakaoBackend's

    def app_by_any_key(self, key: str) -> tuple[App, str] | None:
        raise NotImplementedError  # KakaoBackend's

    def link(
        self, user: User, app: App | None = None, consents: Iterable[str] | None = None
    ) -> Link:
        raise NotImplementedError  # KakaoBackend's

    # -- client authentication -----------------------------------------------------------------

    def authenticate_client(
        self,
        client_id: str | None,
        client_secret: str | None,
        *,
        platform: tuple[str | None, str | None] = (None, None),
    ) -> App:
        """The app one of whose keys is ``client_id``; KOE101 / KOE010 / KOE009 when not.

        The REST API key needs the client secret (when switched on); a native key needs a
        registered platform instead (``platform``: the request's ``android_key_hash`` and
        ``ios_bundle_id``), else KOE009; a JavaScript key needs neither.
        """
        if not client_id:
            raise kauth_fail("KOE101", client_id="null")
        found = self.app_by_any_key(client_id)
        if found is None:
            raise kauth_fail("KOE101", client_id=client_id)
        app, kind = found
        if kind == "native":
            key_hash, bundle_id = platform
            if not (
                (key_hash and key_hash in app.android_key_hashes)
                or (bundle_id and bundle_id in app.ios_bundle_ids)
            ):
                raise kauth_fail("KOE009")
            return app
        if kind == "javascript":
            return app
        if app.client_secret is not None:
            given = client_secret or ""
            if not hmac.compare_digest(given.encode(), app.client_secret.encode()):
                raise kauth_fail("KOE010")
        return app

    # -- logging in (kauth /oauth/authorize) -------------------------------------------------------

    @operation
    def approve_as(self, user: User | None = None, consents: Iterable[str] | None = None) -> None:
        """Auto-approve mode: ``user`` (default user) logs in and agrees to ``consents`` (all asked)."""
        self.approval = Approval(
            user_id=None if user is None else user.id,
            consents=None if consents is None else list(consents),
        )

    @operation
    def deny_consent(self) -> None:
        """Auto-approve mode: the next logins press "Cancel"."""
        self.approval = Approval(deny=True)

    def approved_user(self) -> User | None:
        """Auto-approve mode: who logs in."""
        return self.users.get(self.approval.user_id or self.user.id)

    def session_user(self, cookie: str | None) -> User | None:
        """Consent-page mode: who the browser presenting ``cookie`` is logged in to Kakao as."""
        session = self.web_sessions.get(cookie or "")
        if session is None:
            return None
        if session.expires_at <= self.clock.now():
            self.web_sessions.pop(cookie or "", None)
            return None
        return self.users.get(session.user_id)

    def start_web_session(self, user: User, *, keep: bool = False) -> str:
        """Log ``user`` in to Kakao in a browser; returns the session cookie's value.

        The session lasts 24 h (``config.web_session_lifetime``), a month when ``keep``
        ("stay signed in", ``config.web_session_lifetime_kept``), on the emulator's clock.
        """
        cfg = self.config
        lifetime = cfg.web_session_lifetime_kept if keep else cfg.web_session_lifetime
        cookie = secrets.token_urlsafe(32)
        with self.lock:
            self.web_sessions[cookie] = WebSession(user.id, self.clock.now() + lifetime)
        return cookie

    def sign_in(
        self, login_id: str, password: str | None, *, keep: bool = False
    ) -> tuple[User, str] | None:
        """The login form: the user and a new session cookie, or None for bad credentials."""
        with self.lock:
            user = next(
                (u for u in self.users.values() if u.login_id and u.login_id == login_id), None
            )
            if user is None or password != user.password:
                return None
            return user, self.start_web_session(user, keep=keep)

    def sign_out(self, cookie: str | None) -> None:
        """Kakao-account logout: end the session behind ``cookie``."""
        with self.lock:
            self.web_sessions.pop(cookie or "", None)

    @staticmethod
    def items_to_ask(app: App, user: User | None, scopes: list[str]) -> list[str]:
        """Consent items to ask for: the requested ones, or every configured one on first link."""
        link = user.links.get(app.app_id) if user else None
        wanted = [s for s in scopes if s != "openid"] or (
            list(app.consent_items) if link is None else []
        )
        agreed = link.consents if link else set()
        return [item for item in wanted if item not in agreed]

    def approve(self, app: App, user: User, agreed: list[str], service_terms: list[str]) -> None:
        """The user agrees to ``agreed`` items and ``service_terms`` tags (linking if needed)."""
        with self.lock:
            link = self.link(user, app, agreed)
            now = self.clock.now()
            for tag in service_terms:
                if tag in app.service_terms:
                    link.service_terms.setdefault(tag, now)

    @operation
    def issue_tokens(
        self,
        user: User | None = None,
        app: App | None = None,
        scopes: Iterable[str] | None = None,
        openid: bool = False,
        key: str = "rest",
    ) -> dict[str, Any]:
        """Tokens without an authorize round trip; Kakao's token response body.

        ``key`` is the app key the login used: ``"rest"`` (REST API key), or ``"native"`` /
        ``"javascript"`` for an SDK login, whose id_token ``aud`` is that key and whose access
        token lives as long as the SDK's (``config.native_access_token_lifetime``, ...).
        """
        if key not in KEY_KINDS:
            raise ValueError(f"key must be one of {', '.join(KEY_KINDS)}, not {key!r}")
        target_app = app or self.app
        target_user = user or self.user
        with self.lock:
            link = target_user.links.get(target_app.app_id)
            agreed = sorted(link.consents) if link else []
            granted = list(scopes) if scopes is not None else agreed
            if openid and "openid" not in granted:
                granted.append("openid")
            return self.grant_tokens(target_app, target_user, granted, nonce=None, key=key)

    # -- codes ---------------------------------------------------------------------------------

    def issue_code(
        self,
        app: App,
        user: User,
        redirect_uri: str,
        scopes: list[str],
        *,
        nonce: str | None = None,
        code_challenge: str | None = None,
        code_challenge_method: str | None = None,
    ) -> AuthCode:
        """A fresh authorization code for what ``user`` has agreed to (plus ``openid`` if asked)."""
        with self.lock:
            self.sweep()
            link = user.links[app.app_id]
            now = self.clock.now()
            code = AuthCode(
                code=secrets.token_urlsafe(48),
                app_id=app.app_id,
                user_id=user.id,
                redirect_uri=redirect_uri,
                scopes=sorted(link.consents) + (["openid"] if "openid" in scopes else []),
                issued_at=now,
                auth_time=now,
                nonce=nonce or None,
                code_challenge=code_challenge or None,
                code_challenge_method=code_challenge_method or None,
            )
            self.codes[code.code] = code
            return code

    def consume_code(
        self, app: App, code_value: str, redirect_uri: str | None, code_verifier: str | None
    ) -> tuple[AuthCode, User]:
        """Take ``code_value`` out of play and check it; KOE320 / KOE303 when it does not fit."""
        with self.lock:
            # A code dies on its first presentation, whatever the outcome (Kakao answers KOE320).
            code = self.codes.pop(code_value, None)
            expired = (
                code is not None and code.issued_at + self.config.code_lifetime <= self.clock.now()
            )
            if code is None or code.app_id != app.app_id or expired:
                raise kauth_fail("KOE320", code=code_value)
            # A missing redirect_uri is accepted (python-social-auth never sends one); only a
            # different one is KOE303, unless config.require_token_redirect_uri.
            missing = redirect_uri is None and not self.config.require_token_redirect_uri
            if not missing and redirect_uri != code.redirect_uri:
                raise kauth_fail("KOE303")
            if code.code_challenge is not None and not pkce_matches(
                code_verifier, code.code_challenge, code.code_challenge_method
            ):
                raise kauth_fail("KOE320", "code_verifier does not match the code_challenge")
            user = self.users.get(code.user_id)
            if user is None or not self.linked(user, app):
                raise kauth_fail("KOE320", code=code_value)
            return code, user

    def signup_expired(self, link: Link) -> bool:
        """A preregistered link whose signup deadline (``config.signup_deadline``) has passed."""
        deadline = link.connected_at + self.config.signup_deadline
        return not link.signed_up and deadline <= self.clock.now()

    def linked(self, user: User, app: App) -> bool:
        """Linked to ``app``, and not a preregistration that ran out (Kakao unlinks those)."""
        link = user.links.get(app.app_id)
        return link is not None and not self.signup_expired(link)

    # -- tokens --------------------------------------------------------------------------------

    def exchange_code(
        self, app: App, code_value: str, redirect_uri: str | None, code_verifier: str | None
    ) -> dict[str, Any]:
        """The authorization-code grant: consume the code, check the issue limit, issue tokens."""
        with self.lock:
            code, user = self.consume_code(app, code_value, redirect_uri, code_verifier)
            self.check_issue_rate(("access",), app.app_id, user.id)
            return self.grant_tokens(
                app, user, code.scopes, nonce=code.nonce, auth_time=code.auth_time
            )

    def grant_tokens(
        self,
        app: App,
        user: User,
        scopes: list[str],
        *,
        nonce: str | None,
        auth_time: float | None = None,
        key: str = "rest",
    ) -> dict[str, Any]:
        """Issue an access + refresh token (and id_token) for ``user``; the code-grant body."""
        with self.lock:
            self.sweep()
            cfg = self.config
            now = self.clock.now()
            with_id_token = app.oidc and ("openid" in scopes or cfg.id_token_without_openid_scope)
            auth_time = now if auth_time is None else auth_time
            refresh = self._new_refresh_token(app, user, scopes, with_id_token, auth_time)
            refresh.key = key
            access = self._new_access_token(app, user, scopes, refresh.token, key)
            body: dict[str, Any] = {
                "token_type": "bearer",
                "access_token": access.token,
                "expires_in": self.access_lifetime(key),
                "refresh_token": refresh.token,
                "refresh_token_expires_in": cfg.refresh_token_lifetime,
            }
            if with_id_token:
                body["id_token"] = self.sign_id_token(
                    app, user, auth_time=auth_time, nonce=nonce, key=key
                )
            if scopes:
                body["scope"] = " ".join(scopes)
            return body

    @staticmethod
    def key_kind(app: App, form: Mapping[str, str]) -> str:
        """Which of ``app``'s keys a token request's ``client_id`` is."""
        client_id = form.get("client_id")
        if client_id and client_id == app.native_key:
            return "native"
        if client_id and client_id == app.javascript_key:
            return "javascript"
        return "rest"

    def refresh(self, app: App, presented: str | None, key: str = "rest") -> dict[str, Any]:
        """The refresh grant: a new access token, and a new refresh token near the old one's end.

        A refresh token is refreshed only with the app key it was issued to (``key``).
        """
        if not presented:
            raise kauth_fail("KOE319")
        with self.lock:
            cfg = self.config
            old = self.refresh_tokens.get(presented)
            now = self.clock.now()
            if old is None or old.app_id != app.app_id or old.expires_at <= now or old.key != key:
                raise kauth_fail("KOE322")
            user = self.users.get(old.user_id)
            if user is None or not self.linked(user, app):
                raise kauth_fail("KOE322")
            # A refresh issues an access token too: it counts toward both limits (§7).
            self.check_issue_rate(("access", "refresh"), app.app_id, user.id)
            self.sweep()
            refresh = old
            body: dict[str, Any] = {"token_type": "bearer"}
            if old.expires_at - now < cfg.refresh_rotation_window:
                del self.refresh_tokens[old.token]
                refresh = self._new_refresh_token(
                    app, user, old.scopes, old.id_token, old.auth_time
                )
                refresh.key = old.key
                body["refresh_token"] = refresh.token
                body["refresh_token_expires_in"] = cfg.refresh_token_lifetime
            access = self._new_access_token(app, user, old.scopes, refresh.token, old.key)
            body["access_token"] = access.token
            body["expires_in"] = self.access_lifetime(old.key)
            if old.id_token:
                body["id_token"] = self.sign_id_token(
                    app, user, auth_time=old.auth_time, nonce=None, key=old.key
                )
            if cfg.refresh_returns_scope and old.scopes:
                body["scope"] = " ".join(old.scopes)
            return body

    def _new_refresh_token(
        self, app: App, user: User, scopes: list[str], id_token: bool, auth_time: float
    ) -> RefreshToken:
        expires_at = self.clock.now() + self.config.refresh_token_lifetime
        refresh = RefreshToken(
            secrets.token_urlsafe(32), app.app_id, user.id, expires_at, scopes,
            id_token=id_token, auth_time=auth_time,
        )  # fmt: skip
        self.refresh_tokens[refresh.token] = refresh
        return refresh

    def access_lifetime(self, key: str) -> int:
        """Access (and id_token) lifetime for a login with the app's ``key`` kind (§2.6)."""
        cfg = self.config
        if key == "native":
            return cfg.native_access_token_lifetime
        if key == "javascript":
            return cfg.javascript_access_token_lifetime
        return cfg.access_token_lifetime

    def _new_access_token(
        self, app: App, user: User, scopes: list[str], refresh_token: str, key: str = "rest"
    ) -> AccessToken:
        expires_at = self.clock.now() + self.access_lifetime(key)
        access = AccessToken(
            secrets.token_urlsafe(32), app.app_id, user.id, expires_at, scopes, refresh_token
        )
        self.access_tokens[access.token] = access
        return access

    def revoke_tokens(self, app_id: int, user_id: int) -> None:
        """Revoke every access and refresh token ``user_id`` holds for ``app_id``."""
        with self.lock:
            for store in (self.access_tokens, self.refresh_tokens):
                mine = [k for k, t in store.items() if (t.app_id, t.user_id) == (app_id, user_id)]
                for key in mine:
                    del store[key]

    def revoke_session(self, access: AccessToken) -> None:
        """Bearer logout: that access token and the refresh token issued with it die."""
        with self.lock:
            self.access_tokens.pop(access.token, None)
            if access.refresh_token is not None:
                self.refresh_tokens.pop(access.refresh_token, None)

    def drop_token_scopes(self, app_id: int, user_id: int, revoked: set[str]) -> None:
        """Remove ``revoked`` from the scopes of the user's live tokens for the app."""
        with self.lock:
            for store in (self.access_tokens, self.refresh_tokens):
                for token in store.values():
                    if (token.app_id, token.user_id) == (app_id, user_id):
                        token.scopes = [s for s in token.scopes if s not in revoked]

    # -- limits and housekeeping -----------------------------------------------------------------

    def check_issue_rate(self, kinds: Iterable[str], app_id: int, user_id: int) -> None:
        """Count one issue of each of ``kinds`` ("access", "refresh"); KOE237 over any limit.

        Every limit is checked before any is counted, so a refused grant counts nowhere.
        """
        limits = {
            "access": self.config.access_token_rate_limit,
            "refresh": self.config.refresh_token_rate_limit,
        }
        with self.lock:
            now = self.clock.now()
            keys = [(kind, app_id, user_id) for kind in kinds]
            if not all(self.rates.has_room(key, limits[key[0]], now) for key in keys):
                raise kauth_fail("KOE237")
            for key in keys:
                if limits[key[0]] is not None:
                    self.rates.count(key, now)

    def sweep(self) -> None:
        """Drop dead codes and tokens, once per :data:`SWEEP_EVERY` issues (amortised)."""
        self.issued_since_sweep += 1
        if self.issued_since_sweep < SWEEP_EVERY:
            return
        self.issued_since_sweep = 0
        now = self.clock.now()
        lifetime = self.config.code_lifetime
        for key in [k for k, c in self.codes.items() if c.issued_at + lifetime <= now]:
            del self.codes[key]
        for store in (self.access_tokens, self.refresh_tokens):
            for key in [k for k, t in store.items() if t.expires_at <= now]:
                del store[key]

    # -- id_tokens -------------------------------------------------------------------------------

    def id_token_claims(
        self, app: App, user: User, *, auth_time: float, nonce: str | None, key: str = "rest"
    ) -> dict[str, Any]:
        """Kakao's id_token payload: identity claims plus the profile claims the user agreed to.

        ``aud`` is the app key the login used (§3.3): the REST API key, or an SDK's key.
        """
        now = int(self.clock.now())
        link = user.links.get(app.app_id)
        consents = link.consents if link else set()
        audience = {"native": app.native_key, "javascript": app.javascript_key}.get(key)
        claims: dict[str, Any] = {
            "iss": self.config.issuer,
            "aud": audience or app.client_id,
            "sub": str(user.id),
            "iat": now,
            "exp": now + self.access_lifetime(key),
            "auth_time": int(auth_time),
        }
        if nonce:
            claims["nonce"] = nonce
        if consents & {"profile_nickname", "profile"} and user.nickname:
            claims["nickname"] = user.nickname
        if consents & {"profile_image", "profile"} and user.thumbnail_image_url:
            claims["picture"] = user.thumbnail_image_url
        email_ok = user.email and user.is_email_valid and user.is_email_verified
        if "account_email" in consents and email_ok:
            claims["email"] = user.email
        return claims

    def sign_id_token(
        self, app: App, user: User, *, auth_time: float, nonce: str | None, key: str = "rest"
    ) -> str:
        """A signed id_token for ``user`` at ``app`` (``aud``: the ``key`` kind's app key)."""
        claims = self.id_token_claims(app, user, auth_time=auth_time, nonce=nonce, key=key)
        return self.keys.sign(claims)

    def tokeninfo(self, id_token: str) -> dict[str, Any]:
        """The payload of an id_token this emulator signed and that has not expired; else KOE400."""
        claims = self.keys.verify(id_token)
        if claims is None:
            raise kauth_fail("KOE400", "invalid id_token signature")
        if int(claims.get("exp", 0)) <= self.clock.now():
            raise kauth_fail("KOE400", "id_token expired")
        return claims
