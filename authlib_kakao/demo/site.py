"""The demo's Flask app: every step of a Kakao login and what comes after, one button each."""

from __future__ import annotations

import os
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, redirect, render_template, request, session, url_for

from authlib_kakao.button import login_button
from authlib_kakao.errors import KakaoError

__all__ = ["DemoState", "create_app"]


class DemoState:
    """Tokens by browser session (server-side: a cookie should not carry them) and the webhook
    events received, newest first."""

    def __init__(self) -> None:
        self.tokens: dict[str, dict[str, Any]] = {}
        self.events: list[dict[str, Any]] = []
        self.lock = threading.Lock()


def create_app(options: dict[str, Any], *, emulator: Any = None) -> Flask:
    """The demo app, logging in with ``register_kakao(**options, openid=True)``."""
    from authlib.integrations.flask_client import OAuth

    from authlib_kakao import normalize_userinfo, register_kakao
    from authlib_kakao.integrations.flask import require_consent

    app = Flask(__name__)
    app.secret_key = secrets.token_hex(16)
    # Another site's form may not carry this session's cookie, nor script read it.
    app.config.update(SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_HTTPONLY=True)
    state = DemoState()
    kakao = register_kakao(OAuth(app), openid=True, **options)
    admin_key = (
        emulator.app.admin_key if emulator is not None else os.environ.get("KAKAO_ADMIN_KEY")
    )
    app_id = emulator.app.app_id if emulator is not None else None

    def token() -> dict[str, Any] | None:
        key = session.get("key")
        return state.tokens.get(key) if key else None

    def store(new: dict[str, Any]) -> None:
        key = session.setdefault("key", secrets.token_hex(16))
        kept = {k: v for k, v in dict(new).items() if k != "userinfo"}
        previous = state.tokens.get(key, {})
        sub = (new.get("userinfo") or {}).get("sub")
        kept["kakao_user_id"] = int(sub) if sub else previous.get("kakao_user_id")
        with state.lock:
            state.tokens[key] = kept

    def end_session() -> None:
        """Log out here: the token is forgotten on the server, so a copy of the old session
        cookie opens nothing."""
        key = session.get("key")
        if isinstance(key, str):
            with state.lock:
                state.tokens.pop(key, None)
        session.clear()

    def csrf_token() -> str:
        return str(session.setdefault("csrf", secrets.token_urlsafe(24)))

    @app.before_request
    def refuse_forged_posts() -> Any:
        # Every form of the demo carries the session's token; Kakao's webhook call carries its
        # admin key instead (checked by the webhook view).
        if request.method != "POST" or request.path.startswith("/webhooks/"):
            return None
        sent, expected = request.form.get("csrf", ""), session.get("csrf", "")
        if not sent or not expected or not secrets.compare_digest(sent, expected):
            return "This form did not come from the demo's own page.", 400
        return None

    def guarded(view: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return view(*args, **kwargs)
            except KakaoError as exc:  # shown on the page, as an app would log it
                return render_template("error.html", error=exc, kind=type(exc).__name__), 400

        run.__name__ = view.__name__
        return run

    @app.context_processor
    def common() -> dict[str, Any]:
        return {"emulator": emulator, "button": login_button, "events": state.events,
                "csrf_token": csrf_token}  # fmt: skip

    @app.get("/")
    def home() -> Any:
        return redirect(url_for("profile")) if token() else render_template("home.html")

    @app.get("/login")
    @guarded
    def login() -> Any:
        return kakao.authorize_redirect(url_for("auth", _external=True))

    @app.get("/auth")
    @guarded
    def auth() -> Any:
        store(kakao.authorize_access_token())
        return redirect(url_for("profile"))

    @app.get("/profile")
    @guarded
    def profile() -> Any:
        current = token()
        if current is None:
            return redirect(url_for("home"))
        raw = kakao.me(token=current)  # one call: the claims are its OIDC view
        return render_template(
            "profile.html",
            claims=normalize_userinfo(raw),
            raw=raw,
            token=current,
            expires_in=int(current.get("expires_at", 0) - time.time()),
            scopes=kakao.scopes(token=current)["scopes"],
            result=session.pop("result", None),
        )

    @app.post("/refresh")
    @guarded
    def refresh() -> Any:
        store(kakao.refresh_token(token() or {}))
        session["result"] = {"refresh": "a new access token"}
        return redirect(url_for("profile"))

    @app.post("/token-info")
    @guarded
    def token_info() -> Any:
        session["result"] = {"token_info": kakao.token_info(token=token())}
        return redirect(url_for("profile"))

    @app.get("/shipping")
    @guarded
    @require_consent(kakao, lambda: url_for("auth", _external=True))
    def shipping() -> Any:
        session["result"] = {"shipping_addresses": kakao.shipping_addresses(token=token())}
        return redirect(url_for("profile"))

    @app.post("/logout/token")
    @guarded
    def logout_token() -> Any:
        kakao.logout(token=token())
        end_session()
        return redirect(url_for("logged_out", how="token"))

    @app.post("/logout/kakao")
    @guarded
    def logout_kakao() -> Any:
        end_session()
        return kakao.logout_redirect(url_for("logged_out", _external=True))

    @app.post("/logout/local")
    def logout_local() -> Any:
        end_session()
        return redirect(url_for("logged_out", how="local"))

    @app.post("/unlink")
    @guarded
    def unlink() -> Any:
        kakao.unlink(token=token())
        end_session()
        return redirect(url_for("logged_out", how="unlink"))

    @app.get("/logged-out")
    def logged_out() -> Any:
        # A plain page, not one that needs a login: it ends Kakao's logout redirect, no loop.
        return render_template("logged_out.html", how=request.args.get("how", "kakao"))

    def forget(event: Any) -> None:
        with state.lock:
            state.events.insert(0, {"kind": "unlink", "user_id": event.user_id,
                                    "referrer_type": event.referrer_type, "at": time.time()})  # fmt: skip
            for key, held in list(state.tokens.items()):  # the user is gone: so are their tokens
                if held.get("kakao_user_id") == event.user_id:
                    del state.tokens[key]

    if admin_key:  # the unlink webhook is signed with it; without it there is nothing to check
        from authlib_kakao.webhooks import InlineDispatcher, KakaoWebhooks
        from authlib_kakao.webhooks.flask import unlink_view

        hooks = KakaoWebhooks(admin_key=admin_key, app_id=app_id, on_unlink=forget,
                              dispatcher=InlineDispatcher())  # fmt: skip
        app.add_url_rule("/webhooks/unlink", view_func=unlink_view(hooks), methods=["GET", "POST"])

    if emulator is not None:

        @app.post("/emulator/unlink")
        def unlink_from_kakao() -> Any:
            """What a user does in their Kakao account's "connected services": Kakao unlinks the
            app and calls its webhook (run in the background: Kakao's call comes back here)."""
            emulator_user = emulator.user
            thread = threading.Thread(target=emulator.unlink_from_kakao, args=(emulator_user,))
            thread.start()
            thread.join(timeout=5)
            end_session()
            return redirect(url_for("home"))

    @app.after_request
    def no_cache(response: Any) -> Any:
        response.headers["Cache-Control"] = "no-store"
        return response

    return app
