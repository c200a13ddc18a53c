"""One app instance behind a load balancer (run by test_instances; the flows cross instances).

    python instance_app.py FRAMEWORK STATE PORT EMULATOR_URL CLIENT_ID SECRET REDIS_URL

FRAMEWORK: flask | django | starlette. STATE: where the login's state lives between /login and
/auth, which is what must be shared: ``cookie`` (the framework's signed-cookie session, one secret
for every instance) or ``redis`` (Flask: Authlib's ``cache=``; Django: a Redis-backed session).
Tokens live in Redis under the user's id, read by ``fetch_token`` and written by ``update_token``.
Routes: /login, /auth, /me (userinfo), /api (a kapi call that refreshes an expired token),
/logout.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import redis

from authlib_kakao import register_kakao
from authlib_kakao.refresh import RedisRefreshLock

SECRET_KEY = "one-secret-for-every-instance"


def token_key(user: Any) -> str:
    return f"token:{user}"


def keep(store: redis.Redis, user: str, token: dict[str, Any]) -> None:
    """Store the user's token, findable by its refresh token for ``update_token``."""
    store.set(token_key(user), json.dumps(dict(token)))
    store.set(f"by_refresh_token:{token.get('refresh_token')}", user)


def stored_refresh(store: redis.Redis, token: dict[str, Any], refresh_token: Any) -> None:
    """``update_token``: the refreshed token replaces the one its old refresh token belongs to."""
    user = store.get(f"by_refresh_token:{refresh_token}")
    if user is not None:
        keep(store, user.decode(), token)


class RedisCache:
    """The cache interface Authlib's ``OAuth(app, cache=...)`` uses, over Redis."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client

    def get(self, key: str) -> Any:
        value = self.client.get(key)
        return value.decode() if value is not None else None

    def set(self, key: str, value: str, timeout: int | None = None) -> None:
        self.client.set(key, value, ex=timeout)

    def delete(self, key: str) -> None:
        self.client.delete(key)


def flask_app(state: str, options: dict[str, Any], store: redis.Redis) -> Any:
    from authlib.integrations.flask_client import OAuth
    from flask import Flask, jsonify, redirect, request, session

    app = Flask(__name__)
    app.secret_key = SECRET_KEY
    oauth = OAuth(app, cache=RedisCache(store) if state == "redis" else None)

    def fetch_token() -> Any:
        return json.loads(store.get(token_key(session.get("user"))) or "null")

    def update_token(token: dict[str, Any], refresh_token: Any = None, **_: Any) -> None:
        stored_refresh(store, token, refresh_token)

    kakao = register_kakao(oauth, fetch_token=fetch_token, update_token=update_token, **options)

    @app.get("/login")
    def login() -> Any:
        return kakao.authorize_redirect(request.args["redirect_uri"])

    @app.get("/auth")
    def auth() -> Any:
        token = kakao.authorize_access_token()
        session["user"] = kakao.userinfo(token=token)["sub"]
        keep(store, session["user"], token)
        return jsonify(user=session["user"])

    @app.get("/me")
    def me() -> Any:
        return jsonify(dict(kakao.userinfo()))

    @app.get("/api")
    def api() -> Any:
        return jsonify(status=kakao.get("v2/user/me").status_code)

    @app.get("/logout")
    def logout() -> Any:
        store.delete(token_key(session.pop("user", None)))
        return redirect("/")

    @app.errorhandler(Exception)
    def failed(exc: Exception) -> Any:
        return jsonify(error=type(exc).__name__, code=getattr(exc, "code", None)), 400

    return app


def django_app(state: str, options: dict[str, Any], store: redis.Redis, redis_url: str) -> Any:
    import django
    from django.conf import settings

    settings.configure(
        SECRET_KEY=SECRET_KEY,
        ROOT_URLCONF=__name__,
        ALLOWED_HOSTS=["*"],
        MIDDLEWARE=["django.contrib.sessions.middleware.SessionMiddleware"],
        INSTALLED_APPS=["django.contrib.sessions"],
        SESSION_ENGINE=(
            "django.contrib.sessions.backends.signed_cookies"
            if state == "cookie"
            else "django.contrib.sessions.backends.cache"
        ),
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": redis_url,
            }
        },
    )
    django.setup()
    from authlib.integrations.django_client import OAuth
    from django.http import HttpResponseRedirect, JsonResponse
    from django.urls import path

    def fetch_token(request: Any) -> Any:
        return json.loads(store.get(token_key(request.session.get("user"))) or "null")

    def update_token(token: dict[str, Any], refresh_token: Any = None, **_: Any) -> None:
        stored_refresh(store, token, refresh_token)

    kakao = register_kakao(OAuth(), fetch_token=fetch_token, update_token=update_token, **options)

    def guarded(view: Any) -> Any:
        def run(request: Any) -> Any:
            try:
                return view(request)
            except Exception as exc:
                return JsonResponse({"error": type(exc).__name__,
                                     "code": getattr(exc, "code", None)}, status=400)  # fmt: skip

        return run

    def login(request: Any) -> Any:
        return kakao.authorize_redirect(request, request.GET["redirect_uri"])

    def auth(request: Any) -> Any:
        token = kakao.authorize_access_token(request)
        request.session["user"] = kakao.userinfo(token=token)["sub"]
        keep(store, request.session["user"], token)
        return JsonResponse({"user": request.session["user"]})

    def me(request: Any) -> Any:
        return JsonResponse(dict(kakao.userinfo(request=request)))

    def api(request: Any) -> Any:
        return JsonResponse({"status": kakao.get("v2/user/me", request=request).status_code})

    def logout(request: Any) -> Any:
        store.delete(token_key(request.session.pop("user", None)))
        return HttpResponseRedirect("/")

    module: Any = sys.modules[__name__]
    module.urlpatterns = [path(v.__name__, guarded(v)) for v in (login, auth, me, api, logout)]
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


def starlette_app(options: dict[str, Any], store: redis.Redis) -> Any:
    from authlib.integrations.starlette_client import OAuth
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.sessions import SessionMiddleware
    from starlette.requests import Request
    from starlette.responses import JSONResponse, RedirectResponse
    from starlette.routing import Route

    async def fetch_token(request: Request) -> Any:
        return json.loads(store.get(token_key(request.session.get("user"))) or "null")

    async def update_token(token: dict[str, Any], refresh_token: Any = None, **_: Any) -> None:
        stored_refresh(store, token, refresh_token)

    kakao = register_kakao(OAuth(), fetch_token=fetch_token, update_token=update_token, **options)

    async def login(request: Request) -> Any:
        return await kakao.authorize_redirect(request, request.query_params["redirect_uri"])

    async def auth(request: Request) -> Any:
        token = await kakao.authorize_access_token(request)
        request.session["user"] = (await kakao.userinfo(token=token))["sub"]
        keep(store, request.session["user"], token)
        return JSONResponse({"user": request.session["user"]})

    async def me(request: Request) -> Any:
        return JSONResponse(dict(await kakao.userinfo(request=request)))

    async def api(request: Request) -> Any:
        return JSONResponse(
            {"status": (await kakao.get("v2/user/me", request=request)).status_code}
        )

    async def logout(request: Request) -> Any:
        store.delete(token_key(request.session.pop("user", None)))
        return RedirectResponse("/")

    async def failed(request: Request, exc: Exception) -> Any:
        return JSONResponse({"error": type(exc).__name__, "code": getattr(exc, "code", None)}, 400)

    routes = [Route(f"/{v.__name__}", v) for v in (login, auth, me, api, logout)]
    middleware = [Middleware(SessionMiddleware, secret_key=SECRET_KEY)]
    return Starlette(routes=routes, middleware=middleware, exception_handlers={Exception: failed})


def main() -> None:
    framework, state, port, url, client_id, secret, redis_url = sys.argv[1:]
    store = redis.Redis.from_url(redis_url)
    options: dict[str, Any] = {"kauth_url": url, "kapi_url": url, "client_id": client_id,
                               "client_secret": secret,
                               "refresh_lock": RedisRefreshLock(redis_url)}  # fmt: skip
    if framework == "starlette":
        import uvicorn

        config = uvicorn.Config(starlette_app(options, store), host="127.0.0.1", port=int(port),
                                log_level="warning")  # fmt: skip
        server = uvicorn.Server(config)
        server.run()
        return
    from werkzeug.serving import make_server

    app = (
        flask_app(state, options, store)
        if framework == "flask"
        else django_app(state, options, store, redis_url)
    )
    make_server("127.0.0.1", int(port), app, threaded=True).serve_forever()


if __name__ == "__main__":
    main()
