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
from collections import deque
from collections.abc import Iterable
from typing import Any

from authlib_kakao.testing.keys import SigningKeys
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
)
from authlib_kakao.testing.wire_errors import kauth_fail

__all__ = ["TokenLifecycle", "pkce_matches"]

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
    access_token_issues: dict[tuple[int, int], deque[float]]
    refresh_token_issues: dict[tuple[int, int], deque[float]]
    issued_since_sweep: int
    approval: Approval
    session_user_id: int | None
    app: App
    user: User

    def app_by_client_id(self, client_id: str) -> App | None:
        raise NotImplementedError  # KakaoBackend's

    def link(
        self, user: User, app: App | None = None, consents: Iterable[str] | None = None
    ) -> Link:
        raise NotImplementedError  # KakaoBackend's

    # -- client authentication -----------------------------------------------------------------

    def authenticate_client(self, client_id: str | None, client_secret: str | None) -> App:
        """The app whose REST API key is ``client_id``; KOE101 / KOE010 when not."""
        if not client_id:
            raise kauth_fail("KOE101", client_id="null")
        app = self.app_by_client_id(client_id)
        if app is None:
            raise kauth_fail("KOE101", client_id=client_id)
        if app.client_secret is not None:
            given = client_secret or ""
            if not hmac.compare_digest(given.encode(), app.client_secret.encode()):
                raise kauth_fail("KOE010")
        return app

    # -- logging in (kauth /oauth/authorize) -------------------------------------------------------

    def approve_as(self, user: User | None = None, consents: Iterable[str] | None = None) -> None:
        """Auto-approve mode: ``user`` (default user) logs in and agrees to ``consents`` (all asked)."""
        self.approval = Approval(
            user_id=None if user is None else user.id,
            consents=None if consents is None else list(consents),
        )

    def deny_consent(self) -> None:
        """Auto-approve mode: the next logins press "Cancel"."""
        self.approval = Approval(deny=True)

    def approved_user(self) -> User | None:
        """Auto-approve mode: who logs in."""
        return self.users.get(self.approval.user_id or self.user.id)

    def session_user(self) -> User | None:
        """Consent-page mode: who is logged in to Kakao in "the browser"."""
        return self.users.get(self.session_user_id or 0)

    def sign_in(self, login_id: str, password: str | None) -> User | None:
        """The consent page's login form: start the browser session, or None for bad credentials."""
        with self.lock:
            user = next(
                (u for u in self.users.values() if u.login_id and u.login_id == login_id), None
            )
            if user is None or password != user.password:
                return None
            self.session_user_id = user.id
            return user

    def sign_out(self) -> None:
        """Kakao-account logout: end the browser session."""
        self.session_user_id = None

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

    def issue_tokens(
        self,
        user: User | None = None,
        app: App | None = None,
        scopes: Iterable[str] | None = None,
        openid: bool = False,
    ) -> dict[str, Any]:
        """Tokens without an authorize round trip; Kakao's token response body."""
        target_app = app or self.app
        target_user = user or self.user
        with self.lock:
            link = target_user.links.get(target_app.app_id)
            agreed = sorted(link.consents) if link else []
            granted = list(scopes) if scopes is not None else agreed
            if openid and "openid" not in granted:
                granted.append("openid")
            return self.grant_tokens(target_app, target_user, granted, nonce=None)

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
            if redirect_uri != code.redirect_uri:
                raise kauth_fail("KOE303")
            if code.code_challenge is not None and not pkce_matches(
                code_verifier, code.code_challenge, code.code_challenge_method
            ):
                raise kauth_fail("KOE320", "code_verifier does not match the code_challenge")
            user = self.users.get(code.user_id)
            if user is None or app.app_id not in user.links:
                raise kauth_fail("KOE320", code=code_value)
            return code, user

    # -- tokens --------------------------------------------------------------------------------

    def exchange_code(
        self, app: App, code_value: str, redirect_uri: str | None, code_verifier: str | None
    ) -> dict[str, Any]:
        """The authorization-code grant: consume the code, check the issue limit, issue tokens."""
        with self.lock:
            code, user = self.consume_code(app, code_value, redirect_uri, code_verifier)
            self.check_issue_rate("access", app.app_id, user.id)
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
    ) -> dict[str, Any]:
        """Issue an access + refresh token (and id_token) for ``user``; the code-grant body."""
        with self.lock:
            self.sweep()
            cfg = self.config
            now = self.clock.now()
            with_id_token = app.oidc and ("openid" in scopes or cfg.id_token_without_openid_scope)
            auth_time = now if auth_time is None else auth_time
            refresh = self._new_refresh_token(app, user, scopes, with_id_token, auth_time)
            access = self._new_access_token(app, user, scopes, refresh.token)
            body: dict[str, Any] = {
                "token_type": "bearer",
                "access_token": access.token,
                "expires_in": cfg.access_token_lifetime,
                "refresh_token": refresh.token,
                "refresh_token_expires_in": cfg.refresh_token_lifetime,
            }
            if with_id_token:
                body["id_token"] = self.sign_id_token(app, user, auth_time=auth_time, nonce=nonce)
            if scopes:
                body["scope"] = " ".join(scopes)
            return body

    def refresh(self, app: App, presented: str | None) -> dict[str, Any]:
        """The refresh grant: a new access token, and a new refresh token near the old one's end."""
        if not presented:
            raise kauth_fail("KOE319")
        with self.lock:
            cfg = self.config
            old = self.refresh_tokens.get(presented)
            now = self.clock.now()
            if old is None or old.app_id != app.app_id or old.expires_at <= now:
                raise kauth_fail("KOE322")
            user = self.users.get(old.user_id)
            if user is None or app.app_id not in user.links:
                raise kauth_fail("KOE322")
            self.check_issue_rate("refresh", app.app_id, user.id)
            self.sweep()
            refresh = old
            body: dict[str, Any] = {"token_type": "bearer"}
            if old.expires_at - now < cfg.refresh_rotation_window:
                del self.refresh_tokens[old.token]
                refresh = self._new_refresh_token(
                    app, user, old.scopes, old.id_token, old.auth_time
                )
                body["refresh_token"] = refresh.token
                body["refresh_token_expires_in"] = cfg.refresh_token_lifetime
            access = self._new_access_token(app, user, old.scopes, refresh.token)
            body["access_token"] = access.token
            body["expires_in"] = cfg.access_token_lifetime
            if old.id_token:
                body["id_token"] = self.sign_id_token(
                    app, user, auth_time=old.auth_time, nonce=None
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

    def _new_access_token(
        self, app: App, user: User, scopes: list[str], refresh_token: str
    ) -> AccessToken:
        expires_at = self.clock.now() + self.config.access_token_lifetime
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

    def check_issue_rate(self, kind: str, app_id: int, user_id: int) -> None:
        """Count one ``kind`` ("access" or "refresh") issue for the user; KOE237 over the limit."""
        cfg = self.config
        if kind == "access":
            counters, limit = self.access_token_issues, cfg.access_token_rate_limit
        else:
            counters, limit = self.refresh_token_issues, cfg.refresh_token_rate_limit
        if limit is None:
            return
        count, window = limit
        with self.lock:
            now = self.clock.now()
            issued = counters.setdefault((app_id, user_id), deque())
            while issued and issued[0] <= now - window:
                issued.popleft()
            if len(issued) >= count:
                raise kauth_fail("KOE237")
            issued.append(now)

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
        self, app: App, user: User, *, auth_time: float, nonce: str | None
    ) -> dict[str, Any]:
        """Kakao's id_token payload: identity claims plus the profile claims the user agreed to."""
        now = int(self.clock.now())
        link = user.links.get(app.app_id)
        consents = link.consents if link else set()
        claims: dict[str, Any] = {
            "iss": self.config.issuer,
            "aud": app.client_id,
            "sub": str(user.id),
            "iat": now,
            "exp": now + self.config.access_token_lifetime,
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

    def sign_id_token(self, app: App, user: User, *, auth_time: float, nonce: str | None) -> str:
        """A signed id_token for ``user`` at ``app``."""
        return self.keys.sign(self.id_token_claims(app, user, auth_time=auth_time, nonce=nonce))

    def tokeninfo(self, id_token: str) -> dict[str, Any]:
        """The payload of an id_token this emulator signed and that has not expired; else KOE400."""
        claims = self.keys.verify(id_token)
        if claims is None:
            raise kauth_fail("KOE400", "invalid id_token signature")
        if int(claims.get("exp", 0)) <= self.clock.now():
            raise kauth_fail("KOE400", "id_token expired")
        return claims
