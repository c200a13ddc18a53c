"""One small Kakao-login app per framework, all with the same routes, driven the same way.

Each harness builds a real app (Flask, Django, Starlette) whose views call the app returned by
``register_kakao``; the test client plays the browser, and the redirect to Kakao is followed over
real HTTP to the emulator. Tests are written once against :class:`Harness` and run on all three.

Routes: ``/login`` (query → authorize params), ``/auth`` (callback: stores the token), ``/me``
(``userinfo()``), ``/api`` (``get("v2/user/me")`` with the stored token: auto-refresh happens here),
``/refresh`` (explicit refresh). Errors come back as JSON ``{"exception", "code", "message"}``.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests

from authlib_kakao import register_kakao

__all__ = ["FRAMEWORKS", "Harness", "Result"]


@dataclass
class Store:
    """What the app keeps between requests (a real app would use its database)."""

    token: dict[str, Any] | None = None
    updates: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Result:
    status: int
    data: Any
    headers: dict[str, str]


def error_body(exc: Exception) -> dict[str, Any]:
    return {
        "exception": type(exc).__name__,
        "code": getattr(exc, "code", None),
        "message": str(exc),
    }


def jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


class Harness:
    """The common driver; subclasses build the framework app and its test client."""

    name = ""
    callback_base = ""  # the test client's host, for the redirect URI
    is_async = False

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.store = Store()

    # -- built by subclasses ----------------------------------------------------------------

    def build(self, **register_kwargs: Any) -> Any:
        raise NotImplementedError

    def get(self, path: str, query: dict[str, str] | None = None) -> Result:
        raise NotImplementedError

    # -- shared ------------------------------------------------------------------------------

    def register_kwargs(
        self, client_id: str, client_secret: str | None, **extra: Any
    ) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "kauth_url": self.base_url,
            "kapi_url": self.base_url,
            "client_id": client_id,
            "client_secret": client_secret,
            "update_token": self.update_token_callback(),
        }
        kwargs.update(extra)
        return kwargs

    def update_token_callback(self) -> Callable[..., Any]:
        store = self.store

        def record(
            token: dict[str, Any], refresh_token: str | None = None, access_token: str | None = None
        ) -> None:
            store.token = dict(token)
            store.updates.append({"token": dict(token), "refresh_token": refresh_token})

        if not self.is_async:
            return record

        async def update_token(
            token: dict[str, Any], refresh_token: str | None = None, access_token: str | None = None
        ) -> None:
            record(token, refresh_token, access_token)

        return update_token

    def start_login(self, **params: str) -> Result:
        """GET /login, follow the redirect to the emulator's authorize endpoint over real HTTP.

        The result's ``location`` is the emulator's redirect back; ``data`` the authorize URL."""
        login = self.get("/login", params)
        assert login.status in (302, 303, 307), (login.status, login.data)
        authorize_url = login.headers["location"]
        assert authorize_url.startswith(f"{self.base_url}/oauth/authorize?"), authorize_url
        kakao = requests.get(authorize_url, allow_redirects=False, timeout=10)
        assert kakao.status_code == 302, kakao.text
        return Result(302, authorize_url, {"location": kakao.headers["location"]})

    def callback(self, location: str) -> Result:
        parts = urlsplit(location)
        assert f"{parts.scheme}://{parts.netloc}" == self.callback_base, location
        query = dict(pair.split("=", 1) for pair in parts.query.split("&") if pair)
        from urllib.parse import unquote_plus

        return self.get(parts.path, {k: unquote_plus(v) for k, v in query.items()})

    def login(self, **params: str) -> Result:
        """The whole browser dance: /login → Kakao → /auth. Returns the /auth result."""
        return self.callback(self.start_login(**params).headers["location"])


FRAMEWORKS: dict[str, type[Harness]] = {}


def framework(cls: type[Harness]) -> type[Harness]:
    FRAMEWORKS[cls.name] = cls
    return cls


# -- Flask -------------------------------------------------------------------------------------


@framework
class FlaskHarness(Harness):
    name = "flask"
    callback_base = "http://localhost"

    def build(self, **register_kwargs: Any) -> Any:
        from authlib.integrations.flask_client import OAuth
        from flask import Flask, jsonify, request

        from authlib_kakao.integrations.flask import require_consent as flask_consent

        app = Flask(__name__)
        app.secret_key = "test-secret"
        oauth = OAuth(app)
        kakao = register_kakao(oauth, **register_kwargs)
        store = self.store

        def guarded(view: Callable[[], Any]) -> Callable[[], Any]:
            def run() -> Any:
                try:
                    return view()
                except Exception as exc:
                    return jsonify(error_body(exc)), 400

            run.__name__ = view.__name__
            return run

        @guarded
        def login() -> Any:
            return kakao.authorize_redirect(f"{self.callback_base}/auth", **request.args.to_dict())

        @guarded
        def auth() -> Any:
            store.token = dict(kakao.authorize_access_token())
            return jsonify(jsonable(store.token))

        @guarded
        def me() -> Any:
            return jsonify(jsonable(kakao.userinfo(token=store.token)))

        @guarded
        def api() -> Any:
            resp = kakao.get("v2/user/me", token=store.token)
            return jsonify({"status": resp.status_code})

        @guarded
        def refresh() -> Any:
            store.token = kakao.refresh_token(store.token)
            return jsonify(jsonable(store.token))

        @guarded
        @flask_consent(kakao, f"{self.callback_base}/auth")
        def shipping() -> Any:
            return jsonify(jsonable(kakao.shipping_addresses(token=store.token)))

        @guarded
        def logout() -> Any:
            return kakao.logout_redirect(f"{self.callback_base}/logged-out", state="st")

        for view in (login, auth, me, api, refresh, shipping, logout):
            app.add_url_rule(f"/{view.__name__}", view_func=view)
        self.client = app.test_client()
        self.kakao = kakao
        return kakao

    def get(self, path: str, query: dict[str, str] | None = None) -> Result:
        resp = self.client.get(path, query_string=query or {})
        data = resp.get_json(silent=True)
        return Result(resp.status_code, data, {k.lower(): v for k, v in resp.headers.items()})


# -- Django ------------------------------------------------------------------------------------

urlpatterns: list[Any] = []  # Django's ROOT_URLCONF is this module; build() fills it


def configure_django() -> None:
    import django
    from django.conf import settings

    if settings.configured:
        return
    settings.configure(
        SECRET_KEY="test-secret",
        ROOT_URLCONF=__name__,
        ALLOWED_HOSTS=["testserver"],
        SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies",
        MIDDLEWARE=["django.contrib.sessions.middleware.SessionMiddleware"],
        INSTALLED_APPS=["django.contrib.sessions"],
        USE_TZ=True,
    )
    django.setup()


@framework
class DjangoHarness(Harness):
    name = "django"
    callback_base = "http://testserver"

    def build(self, **register_kwargs: Any) -> Any:
        configure_django()
        from authlib.integrations.django_client import OAuth
        from django.http import JsonResponse
        from django.test import Client
        from django.urls import path

        from authlib_kakao.integrations.django import require_consent as django_consent

        oauth = OAuth()
        kakao = register_kakao(oauth, **register_kwargs)
        store = self.store

        def guarded(view: Callable[[Any], Any]) -> Callable[[Any], Any]:
            def run(request: Any) -> Any:
                try:
                    return view(request)
                except Exception as exc:
                    return JsonResponse(error_body(exc), status=400)

            return run

        def login(request: Any) -> Any:
            return kakao.authorize_redirect(
                request, f"{self.callback_base}/auth", **request.GET.dict()
            )

        def auth(request: Any) -> Any:
            store.token = dict(kakao.authorize_access_token(request))
            return JsonResponse(jsonable(store.token))

        def me(request: Any) -> Any:
            return JsonResponse(jsonable(kakao.userinfo(token=store.token)))

        def api(request: Any) -> Any:
            return JsonResponse({"status": kakao.get("v2/user/me", token=store.token).status_code})

        def refresh(request: Any) -> Any:
            store.token = kakao.refresh_token(store.token)
            return JsonResponse(jsonable(store.token))

        @django_consent(kakao, f"{self.callback_base}/auth")
        def shipping(request: Any) -> Any:
            return JsonResponse(jsonable(kakao.shipping_addresses(token=store.token)))

        def logout(request: Any) -> Any:
            return kakao.logout_redirect(request, f"{self.callback_base}/logged-out", state="st")

        views = (login, auth, me, api, refresh, shipping, logout)
        urlpatterns[:] = [path(v.__name__, guarded(v)) for v in views]
        from django.urls import clear_url_caches

        clear_url_caches()
        self.client = Client()
        self.kakao = kakao
        return kakao

    def get(self, path: str, query: dict[str, str] | None = None) -> Result:
        resp = self.client.get(path, query or {})
        try:
            data = json.loads(resp.content)
        except ValueError:
            data = None
        return Result(resp.status_code, data, {k.lower(): v for k, v in resp.headers.items()})


# -- Starlette / FastAPI ----------------------------------------------------------------------


@framework
class StarletteHarness(Harness):
    name = "starlette"
    callback_base = "http://testserver"
    is_async = True

    def build(self, **register_kwargs: Any) -> Any:
        from authlib.integrations.starlette_client import OAuth
        from fastapi import FastAPI, Request
        from fastapi.responses import JSONResponse
        from starlette.middleware.sessions import SessionMiddleware
        from starlette.testclient import TestClient

        from authlib_kakao.integrations.starlette import require_consent as starlette_consent

        oauth = OAuth()
        kakao = register_kakao(oauth, **register_kwargs)
        store = self.store
        app = FastAPI()
        app.add_middleware(SessionMiddleware, secret_key="test-secret")

        @app.exception_handler(Exception)
        async def as_json(request: Request, exc: Exception) -> JSONResponse:
            return JSONResponse(error_body(exc), status_code=400)

        @app.get("/login")
        async def login(request: Request) -> Any:
            return await kakao.authorize_redirect(
                request, f"{self.callback_base}/auth", **dict(request.query_params)
            )

        @app.get("/auth")
        async def auth(request: Request) -> Any:
            store.token = dict(await kakao.authorize_access_token(request))
            return JSONResponse(jsonable(store.token))

        @app.get("/me")
        async def me() -> Any:
            return JSONResponse(jsonable(await kakao.userinfo(token=store.token)))

        @app.get("/api")
        async def api() -> Any:
            return {"status": (await kakao.get("v2/user/me", token=store.token)).status_code}

        @app.get("/refresh")
        async def refresh() -> Any:
            store.token = await kakao.refresh_token(store.token)
            return JSONResponse(jsonable(store.token))

        @app.get("/shipping")
        @starlette_consent(kakao, f"{self.callback_base}/auth")
        async def shipping(request: Request) -> Any:
            return JSONResponse(jsonable(await kakao.shipping_addresses(token=store.token)))

        @app.get("/logout")
        async def logout(request: Request) -> Any:
            return await kakao.logout_redirect(
                request, f"{self.callback_base}/logged-out", state="st"
            )

        self.client = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
        self.kakao = kakao
        return kakao

    def get(self, path: str, query: dict[str, str] | None = None) -> Result:
        resp = self.client.get(path, params=query or {})
        try:
            data = resp.json()
        except ValueError:
            data = None
        return Result(resp.status_code, data, {k.lower(): v for k, v in resp.headers.items()})
