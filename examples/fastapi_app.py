"""Kakao login on FastAPI, complete: login, callback, profile, refresh, logout and the unlink webhook.

Everything is awaited; tokens live in an async store (in memory here: swap in Redis or a database
with the same four coroutines). ``update_token`` stores every refreshed token, ``fetch_token`` reads
the logged-in user's. Run it from a checkout::

    python -m pip install -e ".[examples]"
    python examples/fastapi_app.py                # then open http://127.0.0.1:8000/

Which Kakao it logs in at:

* ``KAKAO_EMULATOR_URL`` set: that emulator (``authlib-kakao emulator --port 8089 --oidc``);
* else ``KAKAO_CLIENT_ID`` set: the real Kakao, with ``KAKAO_CLIENT_SECRET`` (if the app has one),
  ``KAKAO_ADMIN_KEY`` and ``KAKAO_APP_ID`` (for the unlink webhook). Register
  ``http://127.0.0.1:8000/auth`` as a Redirect URI, ``http://127.0.0.1:8000/logged-out`` as a Logout
  Redirect URI and switch OpenID Connect on;
* else a :class:`~authlib_kakao.testing.KakaoEmulator` started here, for as long as the app runs
  (log in as ``user@example.com`` / ``password``).

With your own server: ``uvicorn --factory fastapi_app:create_app`` (from ``examples/``; set
``KAKAO_EMULATOR_URL`` or ``KAKAO_CLIENT_ID`` first: the factory starts no emulator).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Mapping
from contextlib import ExitStack, asynccontextmanager, suppress
from dataclasses import dataclass, replace
from html import escape
from typing import Any
from urllib.parse import parse_qs

import requests
from authlib.integrations.starlette_client import OAuth
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.middleware.sessions import SessionMiddleware

from authlib_kakao import KakaoError, register_kakao

PORT = 8000


@dataclass(frozen=True)
class Settings:
    """Where the keys come from: the environment, or a test."""

    client_id: str | None = None
    client_secret: str | None = None
    admin_key: str | None = None
    app_id: str | None = None
    emulator_url: str | None = None
    secret_key: str = "dev-only-change-me"

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        """``KAKAO_CLIENT_ID``, ``KAKAO_CLIENT_SECRET``, ``KAKAO_ADMIN_KEY``, ``KAKAO_APP_ID``,
        ``KAKAO_EMULATOR_URL`` and ``SECRET_KEY``."""
        return cls(
            client_id=environ.get("KAKAO_CLIENT_ID"),
            client_secret=environ.get("KAKAO_CLIENT_SECRET") or None,
            admin_key=environ.get("KAKAO_ADMIN_KEY"),
            app_id=environ.get("KAKAO_APP_ID"),
            emulator_url=environ.get("KAKAO_EMULATOR_URL"),
            secret_key=environ.get("SECRET_KEY", cls.secret_key),
        )

    def with_emulator_keys(self) -> Settings:
        """The emulator's app keys, read from its control plane (when ``emulator_url`` is set)."""
        if not self.emulator_url:
            return self
        app = requests.get(f"{self.emulator_url}/_emulator/state", timeout=10).json()["app"]
        return replace(
            self,
            client_id=app["client_id"],
            client_secret=app["client_secret"],
            admin_key=app["admin_key"],
            app_id=str(app["app_id"]),
        )


class MemoryTokenStore:
    """Tokens by Kakao user id. Async, like a Redis or database store would be; in memory, so
    each coroutine runs without a pause and needs no lock."""

    def __init__(self) -> None:
        self._tokens: dict[int, dict[str, Any]] = {}

    async def get(self, user_id: int) -> dict[str, Any] | None:
        """The user's token, if logged in."""
        token = self._tokens.get(user_id)
        return dict(token) if token is not None else None

    async def put(self, user_id: int, token: Mapping[str, Any]) -> None:
        """Keep the user's token (after a login)."""
        self._tokens[user_id] = {k: v for k, v in token.items() if k != "userinfo"}

    async def replace(self, refresh_token: str | None, token: Mapping[str, Any]) -> None:
        """Put a refreshed token where the token with ``refresh_token`` was (``update_token``);
        a database would find it through an index on the refresh token."""
        for user_id, held in self._tokens.items():
            if refresh_token and held.get("refresh_token") == refresh_token:
                await self.put(user_id, token)
                return

    async def delete(self, user_id: int) -> None:
        """Forget the user's token (logout, unlink)."""
        self._tokens.pop(user_id, None)


async def form_fields(request: Request) -> dict[str, list[str]]:
    """A form-encoded body, every value kept (read by hand: Starlette's ``request.form()`` needs
    the python-multipart package)."""
    body = (await request.body()).decode("utf-8", "replace")
    return parse_qs(body, keep_blank_values=True)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app; ``settings`` default to the environment's."""
    settings = (settings or Settings.from_environ()).with_emulator_keys()
    store = MemoryTokenStore()

    async def fetch_token(request: Request) -> dict[str, Any] | None:
        """The logged-in user's token: what ``kakao.userinfo(request=request)`` and friends use."""
        user_id = request.session.get("user_id")
        return await store.get(user_id) if user_id is not None else None

    async def update_token(
        token: dict[str, Any], refresh_token: str | None = None, access_token: str | None = None
    ) -> None:
        """Store a refreshed token: called once per refresh, even when many requests raced."""
        await store.replace(refresh_token, token)

    hosts: dict[str, Any] = {}  # kauth_url and kapi_url: Kakao's own unless an emulator
    if settings.emulator_url:
        hosts = {"kauth_url": settings.emulator_url, "kapi_url": settings.emulator_url}
    kakao = register_kakao(
        OAuth(),
        openid=True,
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        fetch_token=fetch_token,
        update_token=update_token,
        **hosts,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await kakao.close()  # the pooled connections to Kakao

    app = FastAPI(lifespan=lifespan)
    # Authlib keeps the login's state, PKCE verifier and nonce in the session between /login and
    # /auth; the session cookie is signed with this key.
    app.add_middleware(SessionMiddleware, secret_key=settings.secret_key)
    app.state.kakao = kakao
    app.state.tokens = store

    @app.get("/", response_class=HTMLResponse)
    async def home(request: Request) -> str:
        user_id = request.session.get("user_id")
        if user_id is None or await store.get(user_id) is None:
            return '<a href="/login">Log in with Kakao</a>'
        return (
            f"<p>Logged in as {escape(request.session.get('nickname', ''))}. "
            '<a href="/profile">Profile</a></p>'
            '<form method="post" action="/logout"><button>Log out</button></form>'
            '<form method="post" action="/logout"><input type="hidden" name="kakao_account" '
            'value="1"><button>Log out of Kakao too</button></form>'
        )

    @app.get("/login")
    async def login(request: Request) -> Response:
        response: Response = await kakao.authorize_redirect(request, request.url_for("auth"))
        return response

    @app.get("/auth")
    async def auth(request: Request) -> Response:
        token = await kakao.authorize_access_token(request)  # id_token verified: "userinfo"
        claims = token["userinfo"]
        user_id = int(claims["sub"])
        await store.put(user_id, token)
        request.session["user_id"] = user_id
        request.session["nickname"] = claims.get("nickname", "")
        return RedirectResponse(request.url_for("home"), status_code=303)

    @app.get("/profile")
    async def profile(request: Request) -> Any:
        if request.session.get("user_id") is None:
            return RedirectResponse(request.url_for("login"), status_code=303)
        # request=: fetch_token reads the stored token; an expired one is refreshed on the way and
        # the new one stored by update_token.
        return dict(await kakao.userinfo(request=request))

    @app.post("/logout")
    async def logout(request: Request) -> Response:
        user_id = request.session.get("user_id")
        token = await store.get(user_id) if user_id is not None else None
        if user_id is not None and token is not None:
            # An expired or revoked token cannot log out at Kakao: logging out here still counts.
            with suppress(KakaoError):
                await kakao.logout(token=token)  # ends the token at Kakao
            await store.delete(user_id)
        request.session.clear()
        if (await form_fields(request)).get("kakao_account"):
            # Also end the Kakao Account's session in this browser (shared computers).
            logged_out = str(request.url_for("logged_out"))
            response: Response = await kakao.logout_redirect(request, logged_out)
            # Starlette's RedirectResponse says 307, which would make the browser POST this form
            # to Kakao's logout page as well; 303 makes it a GET.
            response.status_code = 303
            return response
        return RedirectResponse(request.url_for("home"), status_code=303)

    @app.get("/logged-out", response_class=HTMLResponse)
    async def logged_out() -> str:
        # A plain page, not one that needs a login: a login here would loop through Kakao.
        return 'Logged out. <a href="/">Home</a>'

    @app.api_route("/kakao/unlink", methods=["GET", "POST"])
    async def unlink_webhook(request: Request) -> Response:
        """Kakao's unlink webhook: the user left the app on Kakao's side; forget their token."""
        # Imported here, where it is used: the rest of the app runs without the webhook module.
        from authlib_kakao.webhooks import (
            WebhookAuthError,
            WebhookPayloadError,
            verify_unlink_callback,
        )

        if not settings.admin_key:
            return Response("the unlink webhook needs KAKAO_ADMIN_KEY", status_code=404)
        if request.method == "POST":
            params = await form_fields(request)
        else:
            params = parse_qs(request.url.query, keep_blank_values=True)
        try:
            event = verify_unlink_callback(
                authorization=request.headers.get("Authorization"),
                params=params,  # every value: a repeated field is refused
                admin_key=settings.admin_key,
                app_id=settings.app_id,
            )
        except WebhookAuthError:
            return Response(status_code=401)
        except WebhookPayloadError:
            return Response(status_code=400)
        await store.delete(event.user_id)
        return Response(status_code=200)

    return app


def start_emulator(stack: ExitStack, base_url: str) -> str:
    """Serve a Kakao emulator until ``stack`` closes; its URL. OpenID Connect is on, and the
    unlink webhook points at this app (its redirect URIs already include port 8000's /auth)."""
    from authlib_kakao.testing import EmulatorConfig, KakaoEmulator

    emulator = KakaoEmulator(config=EmulatorConfig(app_preset="personal_oidc"))
    url = stack.enter_context(emulator.serve())
    emulator.app.webhook_url = f"{base_url}/kakao/unlink"
    print(f"Kakao is an emulator at {url}: log in as user@example.com / password")
    return url


def main() -> None:
    """Serve the example on http://127.0.0.1:8000/ until Ctrl-C."""
    import uvicorn

    base_url = f"http://127.0.0.1:{PORT}"
    settings = Settings.from_environ()
    with ExitStack() as stack:
        if not settings.emulator_url and not settings.client_id:
            settings = replace(settings, emulator_url=start_emulator(stack, base_url))
        print(f"Open {base_url}/")
        uvicorn.run(create_app(settings), host="127.0.0.1", port=PORT)


if __name__ == "__main__":
    main()
