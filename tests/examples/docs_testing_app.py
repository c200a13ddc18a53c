# app.py: Kakao is registered by an app factory, so a test can say where Kakao is.
from typing import Any

from authlib.integrations.flask_client import OAuth
from flask import Flask, redirect, session, url_for

from authlib_kakao import register_kakao


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY="change-me",
        KAKAO_CLIENT_ID="...",  # the REST API key
        KAKAO_CLIENT_SECRET="...",
        KAKAO_URL=None,  # None: Kakao itself; a URL: an emulator (kauth and kapi alike)
    )
    app.config.update(config or {})
    where = app.config["KAKAO_URL"]
    hosts = {"kauth_url": where, "kapi_url": where} if where else {}
    kakao = register_kakao(OAuth(app), openid=True, **hosts)

    @app.route("/login")
    def login() -> Any:
        return kakao.authorize_redirect(url_for("auth", _external=True))

    @app.route("/auth")
    def auth() -> Any:
        session["user"] = kakao.authorize_access_token()["userinfo"]["sub"]
        return redirect("/")

    return app
