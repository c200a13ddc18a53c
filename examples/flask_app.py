"""Kakao login on Flask, complete: login, callback, profile, refresh, logout and the unlink webhook.

Tokens live in a SQLAlchemy model (Flask-SQLAlchemy); ``update_token`` stores every refreshed token,
``fetch_token`` reads the logged-in user's. Run it from a checkout::

    python -m pip install -e ".[examples]"
    python examples/flask_app.py                  # then open http://127.0.0.1:5000/

Which Kakao it logs in at:

* ``KAKAO_EMULATOR_URL`` set: that emulator (``authlib-kakao emulator --port 8089 --oidc``);
* else ``KAKAO_CLIENT_ID`` set: the real Kakao, with ``KAKAO_CLIENT_SECRET`` (if the app has one),
  ``KAKAO_ADMIN_KEY`` and ``KAKAO_APP_ID`` (for the unlink webhook). Register
  ``http://127.0.0.1:5000/auth`` as a Redirect URI, ``http://127.0.0.1:5000/logged-out`` as a Logout
  Redirect URI and switch OpenID Connect on;
* else a :class:`~authlib_kakao.testing.KakaoEmulator` started here, for as long as the app runs
  (log in as ``user@example.com`` / ``password``).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from contextlib import ExitStack, suppress
from typing import Any

import requests
from authlib.integrations.flask_client import OAuth
from flask import Flask, redirect, request, session, url_for
from flask_sqlalchemy import SQLAlchemy
from markupsafe import escape
from sqlalchemy import BigInteger, String, delete, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from authlib_kakao import KakaoError, register_kakao

PORT = 5000


class Base(DeclarativeBase):
    """The models' base class."""


db = SQLAlchemy(model_class=Base)


class KakaoToken(db.Model):  # type: ignore[name-defined,misc]
    """One Kakao user's token. ``update_token`` finds the row by the refresh token it replaces."""

    # Kakao's user ids are 64-bit and above 2**53: an integer column, never a float.
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    access_token: Mapped[str] = mapped_column(String(255))
    refresh_token: Mapped[str | None] = mapped_column(String(255), index=True)
    expires_at: Mapped[int]
    refresh_token_expires_at: Mapped[int | None]
    scope: Mapped[str] = mapped_column(String(1000), default="")

    def update(self, token: Mapping[str, Any]) -> None:
        """Copy in a token from Authlib (a login's, or a refresh's with the kept refresh token)."""
        self.access_token = token["access_token"]
        self.refresh_token = token.get("refresh_token")
        self.expires_at = int(token["expires_at"])
        self.refresh_token_expires_at = token.get("refresh_token_expires_at")
        self.scope = token.get("scope", "")

    def to_token(self) -> dict[str, Any]:
        """The token as Authlib takes it (``token=`` or from ``fetch_token``)."""
        return {
            "token_type": "bearer",
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_at": self.expires_at,
            "refresh_token_expires_at": self.refresh_token_expires_at,
            "scope": self.scope,
        }


def emulator_keys(url: str) -> dict[str, Any]:
    """The emulator's app keys, read from its control plane, as Flask config."""
    app = requests.get(f"{url}/_emulator/state", timeout=10).json()["app"]
    return {
        "KAKAO_CLIENT_ID": app["client_id"],
        "KAKAO_CLIENT_SECRET": app["client_secret"],
        "KAKAO_ADMIN_KEY": app["admin_key"],
        "KAKAO_APP_ID": app["app_id"],
    }


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The app; ``config`` overrides what the environment says (tests pass the emulator's URL)."""
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=os.environ.get("SECRET_KEY", "dev-only-change-me"),
        SQLALCHEMY_DATABASE_URI=os.environ.get("DATABASE_URL", "sqlite:///kakao_example.db"),
        KAKAO_CLIENT_ID=os.environ.get("KAKAO_CLIENT_ID"),
        KAKAO_CLIENT_SECRET=os.environ.get("KAKAO_CLIENT_SECRET") or None,
        KAKAO_ADMIN_KEY=os.environ.get("KAKAO_ADMIN_KEY"),
        KAKAO_APP_ID=os.environ.get("KAKAO_APP_ID"),
        KAKAO_EMULATOR_URL=os.environ.get("KAKAO_EMULATOR_URL"),
        # Another site's form may not carry the session cookie, nor a script read it.
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
    )
    app.config.update(config or {})
    hosts: dict[str, Any] = {}  # kauth_url and kapi_url: Kakao's own unless an emulator
    if app.config["KAKAO_EMULATOR_URL"]:
        url = app.config["KAKAO_EMULATOR_URL"]
        app.config.update(emulator_keys(url))
        hosts = {"kauth_url": url, "kapi_url": url}
    db.init_app(app)
    with app.app_context():
        db.create_all()

    def fetch_token() -> dict[str, Any] | None:
        """The logged-in user's token: what ``kakao.userinfo()`` and friends use by default."""
        row = db.session.get(KakaoToken, session.get("user_id", 0))
        return row.to_token() if row is not None else None

    def update_token(
        token: dict[str, Any], refresh_token: str | None = None, access_token: str | None = None
    ) -> None:
        """Store a refreshed token: called once per refresh, even when many requests raced."""
        row = db.session.scalar(select(KakaoToken).filter_by(refresh_token=refresh_token))
        if row is not None:
            row.update(token)
            db.session.commit()

    # KAKAO_CLIENT_ID and KAKAO_CLIENT_SECRET come from app.config, as Authlib reads them.
    oauth = OAuth(app)
    kakao = register_kakao(
        oauth, openid=True, fetch_token=fetch_token, update_token=update_token, **hosts
    )

    @app.get("/")
    def home() -> str:
        row = db.session.get(KakaoToken, session.get("user_id", 0))
        if row is None:
            return '<a href="/login">Log in with Kakao</a>'
        # The logout forms carry the session's token: another site cannot post them.
        csrf = session.setdefault("csrf", secrets.token_urlsafe(24))
        hidden = f'<input type="hidden" name="csrf" value="{csrf}">'
        return (
            f"<p>Logged in as {escape(session.get('nickname', ''))}. "
            '<a href="/profile">Profile</a></p>'
            f'<form method="post" action="/logout">{hidden}<button>Log out</button></form>'
            f'<form method="post" action="/logout">{hidden}<input type="hidden" '
            'name="kakao_account" value="1"><button>Log out of Kakao too</button></form>'
        )

    @app.get("/login")
    def login() -> Any:
        return kakao.authorize_redirect(url_for("auth", _external=True))

    @app.get("/auth")
    def auth() -> Any:
        token = kakao.authorize_access_token()  # the id_token is verified: claims in "userinfo"
        claims = token["userinfo"]
        user_id = int(claims["sub"])
        row = db.session.get(KakaoToken, user_id) or KakaoToken(user_id=user_id)
        row.update(token)
        db.session.add(row)
        db.session.commit()
        session["user_id"] = user_id
        session["nickname"] = claims.get("nickname", "")
        return redirect(url_for("home"))

    @app.get("/profile")
    def profile() -> Any:
        if "user_id" not in session:
            return redirect(url_for("login"))
        # No token= here: fetch_token reads the stored token; an expired one is refreshed on the
        # way and the new one stored by update_token.
        return dict(kakao.userinfo())

    @app.post("/logout")
    def logout() -> Any:
        sent, expected = request.form.get("csrf", ""), session.get("csrf", "")
        if not sent or not expected or not secrets.compare_digest(sent, expected):
            return "This form did not come from this site.", 400
        row = db.session.get(KakaoToken, session.get("user_id", 0))
        if row is not None:
            # An expired or revoked token cannot log out at Kakao: logging out here still counts.
            with suppress(KakaoError):
                kakao.logout(token=row.to_token())  # ends the token at Kakao
            db.session.delete(row)
            db.session.commit()
        session.clear()
        if request.form.get("kakao_account"):
            # Also end the Kakao Account's session in this browser (shared computers).
            return kakao.logout_redirect(url_for("logged_out", _external=True))
        return redirect(url_for("home"))

    @app.get("/logged-out")
    def logged_out() -> str:
        # A plain page, not one that needs a login: a login here would loop through Kakao.
        return 'Logged out. <a href="/">Home</a>'

    @app.route("/kakao/unlink", methods=["GET", "POST"])
    def unlink_webhook() -> Any:
        """Kakao's unlink webhook: the user left the app on Kakao's side; forget their token."""
        # Imported here, where it is used: the rest of the app runs without the webhook module.
        from authlib_kakao.webhooks import (
            WebhookAuthError,
            WebhookPayloadError,
            verify_unlink_callback,
        )

        if not app.config["KAKAO_ADMIN_KEY"]:
            return "the unlink webhook needs KAKAO_ADMIN_KEY", 404
        params = request.form if request.method == "POST" else request.args
        try:
            event = verify_unlink_callback(
                authorization=request.headers.get("Authorization"),
                params=params.to_dict(flat=False),  # every value: a repeated field is refused
                admin_key=app.config["KAKAO_ADMIN_KEY"],
                app_id=app.config["KAKAO_APP_ID"],
            )
        except WebhookAuthError:
            return "", 401
        except WebhookPayloadError:
            return "", 400
        db.session.execute(delete(KakaoToken).where(KakaoToken.user_id == event.user_id))
        db.session.commit()
        return "", 200

    app.extensions["kakao"] = kakao
    return app


def start_emulator(stack: ExitStack, base_url: str) -> str:
    """Serve a Kakao emulator until ``stack`` closes; its URL. OpenID Connect is on, and the
    unlink webhook points at this app (its redirect URIs already include port 5000's /auth)."""
    from authlib_kakao.testing import EmulatorConfig, KakaoEmulator

    emulator = KakaoEmulator(config=EmulatorConfig(app_preset="personal_oidc"))
    url = stack.enter_context(emulator.serve())
    emulator.app.webhook_url = f"{base_url}/kakao/unlink"
    print(f"Kakao is an emulator at {url}: log in as user@example.com / password")
    return url


def main() -> None:
    """Serve the example on http://127.0.0.1:5000/ until Ctrl-C."""
    base_url = f"http://127.0.0.1:{PORT}"
    with ExitStack() as stack:
        config: dict[str, Any] = {}
        if not os.environ.get("KAKAO_EMULATOR_URL") and not os.environ.get("KAKAO_CLIENT_ID"):
            config["KAKAO_EMULATOR_URL"] = start_emulator(stack, base_url)
        print(f"Open {base_url}/")
        create_app(config).run(host="127.0.0.1", port=PORT)


if __name__ == "__main__":
    main()
