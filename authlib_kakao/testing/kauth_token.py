"""``POST /oauth/token`` (reference §2) and the id_tokens it issues (§3.3).

Client authentication is Kakao's: ``client_id`` and ``client_secret`` are read from the form body
only. An ``Authorization: Basic`` header is ignored, exactly as Kakao ignores it, so a client that
authenticates with Basic gets the error Kakao really answers (KOE101 "Not exist client_id [null]").

Refresh tokens rotate only near their end: a refresh answers a new refresh token when the presented
one has less than ``config.refresh_rotation_window`` left (and then the presented one dies);
otherwise ``refresh_token``/``refresh_token_expires_in`` are left out and the old one stays valid.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections import deque
from typing import TYPE_CHECKING, Any

from authlib_kakao.testing.http import Request, Response, json_response, route
from authlib_kakao.testing.state import AccessToken, App, AuthCode, RefreshToken, User
from authlib_kakao.testing.wire_errors import kauth_error

if TYPE_CHECKING:
    from authlib_kakao.testing.emulator import KakaoEmulator

__all__ = ["grant_tokens", "id_token_claims", "pkce_matches", "token"]


class _Refused(Exception):
    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


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


def _client(emu: KakaoEmulator, req: Request) -> App:
    client_id = req.form.get("client_id")
    if not client_id:
        raise _Refused(kauth_error("KOE101", client_id="null"))
    app = next((a for a in emu.state.apps.values() if a.client_id == client_id), None)
    if app is None:
        raise _Refused(kauth_error("KOE101", client_id=client_id))
    if app.client_secret is not None:
        given = req.form.get("client_secret") or ""
        if not hmac.compare_digest(given.encode(), app.client_secret.encode()):
            raise _Refused(kauth_error("KOE010"))
    return app


def _rate_limit(
    emu: KakaoEmulator,
    counters: dict[tuple[int, int], deque[float]],
    limit: tuple[int, float] | None,
    key: tuple[int, int],
) -> None:
    if limit is None:
        return
    count, window = limit
    now = emu.clock.now()
    issued = counters.setdefault(key, deque())
    while issued and issued[0] <= now - window:
        issued.popleft()
    if len(issued) >= count:
        raise _Refused(kauth_error("KOE237"))
    issued.append(now)


def id_token_claims(
    emu: KakaoEmulator, app: App, user: User, *, auth_time: float, nonce: str | None
) -> dict[str, Any]:
    """Kakao's id_token payload: identity claims plus the profile claims the user agreed to."""
    now = int(emu.clock.now())
    link = user.links.get(app.app_id)
    consents = link.consents if link else set()
    claims: dict[str, Any] = {
        "iss": emu.config.issuer,
        "aud": app.client_id,
        "sub": str(user.id),
        "iat": now,
        "exp": now + emu.config.access_token_lifetime,
        "auth_time": int(auth_time),
    }
    if nonce:
        claims["nonce"] = nonce
    if consents & {"profile_nickname", "profile"} and user.nickname:
        claims["nickname"] = user.nickname
    if consents & {"profile_image", "profile"} and user.thumbnail_image_url:
        claims["picture"] = user.thumbnail_image_url
    if (
        "account_email" in consents
        and user.email
        and user.is_email_valid
        and user.is_email_verified
    ):
        claims["email"] = user.email
    return claims


def _wants_id_token(emu: KakaoEmulator, app: App, scopes: list[str]) -> bool:
    return app.oidc and ("openid" in scopes or emu.config.id_token_without_openid_scope)


def grant_tokens(
    emu: KakaoEmulator,
    app: App,
    user: User,
    scopes: list[str],
    *,
    nonce: str | None,
    auth_time: float | None = None,
) -> dict[str, Any]:
    """Issue an access + refresh token (and id_token) for ``user``; the code-grant response body."""
    emu.state.sweep(emu.config.code_lifetime)
    now = emu.clock.now()
    cfg = emu.config
    with_id_token = _wants_id_token(emu, app, scopes)
    auth_time = now if auth_time is None else auth_time
    refresh = RefreshToken(
        secrets.token_urlsafe(32),
        app.app_id,
        user.id,
        now + cfg.refresh_token_lifetime,
        scopes,
        id_token=with_id_token,
        auth_time=auth_time,
    )
    access = AccessToken(
        secrets.token_urlsafe(32),
        app.app_id,
        user.id,
        now + cfg.access_token_lifetime,
        scopes,
        refresh.token,
    )
    emu.state.refresh_tokens[refresh.token] = refresh
    emu.state.access_tokens[access.token] = access
    body: dict[str, Any] = {
        "token_type": "bearer",
        "access_token": access.token,
        "expires_in": cfg.access_token_lifetime,
        "refresh_token": refresh.token,
        "refresh_token_expires_in": cfg.refresh_token_lifetime,
    }
    if with_id_token:
        claims = id_token_claims(emu, app, user, auth_time=auth_time, nonce=nonce)
        body["id_token"] = emu.keys.sign(claims)
    if scopes:
        body["scope"] = " ".join(scopes)
    return body


def _authorization_code(emu: KakaoEmulator, app: App, req: Request) -> dict[str, Any]:
    code_value = req.form.get("code") or ""
    # A code dies on its first presentation, whatever the outcome (Kakao answers KOE320 after).
    code: AuthCode | None = emu.state.codes.pop(code_value, None)
    expired = code is not None and code.issued_at + emu.config.code_lifetime <= emu.clock.now()
    if code is None or code.app_id != app.app_id or expired:
        raise _Refused(kauth_error("KOE320", code=code_value))
    if req.form.get("redirect_uri") != code.redirect_uri:
        raise _Refused(kauth_error("KOE303"))
    if code.code_challenge is not None and not pkce_matches(
        req.form.get("code_verifier"), code.code_challenge, code.code_challenge_method
    ):
        raise _Refused(kauth_error("KOE320", "code_verifier does not match the code_challenge"))
    user = emu.state.users.get(code.user_id)
    if user is None or app.app_id not in user.links:
        raise _Refused(kauth_error("KOE320", code=code_value))
    _rate_limit(
        emu,
        emu.state.access_token_issues,
        emu.config.access_token_rate_limit,
        (app.app_id, user.id),
    )
    return grant_tokens(emu, app, user, code.scopes, nonce=code.nonce, auth_time=code.auth_time)


def _refresh(emu: KakaoEmulator, app: App, req: Request) -> dict[str, Any]:
    presented = req.form.get("refresh_token")
    if not presented:
        raise _Refused(kauth_error("KOE319"))
    old = emu.state.refresh_tokens.get(presented)
    now = emu.clock.now()
    if old is None or old.app_id != app.app_id or old.expires_at <= now:
        raise _Refused(kauth_error("KOE322"))
    user = emu.state.users.get(old.user_id)
    if user is None or app.app_id not in user.links:
        raise _Refused(kauth_error("KOE322"))
    _rate_limit(
        emu,
        emu.state.refresh_token_issues,
        emu.config.refresh_token_rate_limit,
        (app.app_id, user.id),
    )
    cfg = emu.config
    emu.state.sweep(cfg.code_lifetime)
    refresh = old
    body: dict[str, Any] = {"token_type": "bearer"}
    if old.expires_at - now < cfg.refresh_rotation_window:
        del emu.state.refresh_tokens[old.token]
        refresh = RefreshToken(
            secrets.token_urlsafe(32),
            app.app_id,
            user.id,
            now + cfg.refresh_token_lifetime,
            old.scopes,
            id_token=old.id_token,
            auth_time=old.auth_time,
        )
        emu.state.refresh_tokens[refresh.token] = refresh
        body["refresh_token"] = refresh.token
        body["refresh_token_expires_in"] = cfg.refresh_token_lifetime
    access = AccessToken(
        secrets.token_urlsafe(32),
        app.app_id,
        user.id,
        now + cfg.access_token_lifetime,
        old.scopes,
        refresh.token,
    )
    emu.state.access_tokens[access.token] = access
    body["access_token"] = access.token
    body["expires_in"] = cfg.access_token_lifetime
    if old.id_token:
        claims = id_token_claims(emu, app, user, auth_time=old.auth_time, nonce=None)
        body["id_token"] = emu.keys.sign(claims)
    if cfg.refresh_returns_scope and old.scopes:
        body["scope"] = " ".join(old.scopes)
    return body


@route("POST", path="/oauth/token")
def token(emu: KakaoEmulator, req: Request) -> Response:
    """Exchange a code or a refresh token for tokens."""
    try:
        app = _client(emu, req)
        grant_type = req.form.get("grant_type")
        if grant_type == "authorization_code":
            return json_response(_authorization_code(emu, app, req))
        if grant_type == "refresh_token":
            return json_response(_refresh(emu, app, req))
        return kauth_error("KOE001", f"unsupported grant_type: {grant_type}")
    except _Refused as refused:
        return refused.response
