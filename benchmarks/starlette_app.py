"""The Starlette login app of the scale benchmarks: ours and bare side by side, one app.

Routes, for each flavor (``ours``: ``register_kakao``; ``bare``: Authlib as a user writes it):

* ``/{flavor}/login``: ``authorize_redirect`` to Kakao (the emulator);
* ``/{flavor}/auth``: the callback: code exchange and profile; answers ``{"sub": ...}``;
* ``/{flavor}/api``: the user's stored token → ``GET v2/user/me``; an expired token is refreshed
  by Authlib on the way and the new one stored by ``update_token``. With ``?storm=ID&hold=N`` a
  request waits, after reading the token, until N requests of storm ID have read it here: then
  all of them carry the same (expired) token, as when they land within the same millisecond.

The user is named by the ``user`` query parameter (a real app would take it from its session).
Tokens live in a :class:`TokenStore`: in memory, or in Redis (``--redis-url``) so that several
app processes share them. Any error answers 500 with ``{"exception", "code"}``.

Served by uvicorn in its own process:

    python benchmarks/starlette_app.py --port N --emulator '<Coordinates JSON>' [--redis-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import json
import logging
import warnings
from typing import Any

from emulator_process import Coordinates
from registrations import FLAVORS, drop_ca_bundle_overrides, userinfo_async

__all__ = ["TokenStore", "build_app", "error_fields", "refresh_lock_or_none"]

# Which user the current request is for: update_token (called by Authlib deep inside the request)
# reads it to know where the refreshed token belongs.
current_user: contextvars.ContextVar[str] = contextvars.ContextVar("current_user")


def error_fields(exc: BaseException) -> dict[str, Any]:
    """An exception as the benchmarks count it: its type and Kakao's code or OAuth's error."""
    code = getattr(exc, "code", None) or getattr(exc, "error", None)
    return {"exception": type(exc).__name__, "code": code}


def refresh_lock_or_none(redis_url: str | None) -> Any:
    """``RedisRefreshLock(redis_url)`` when this authlib-kakao has it, else ``None``."""
    if redis_url is None:
        return None
    try:
        from authlib_kakao.refresh import RedisRefreshLock  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    return RedisRefreshLock(redis_url)


class TokenStore:
    """Each user's token, per flavor: a dict, or Redis when ``redis_url`` is given (async API)."""

    def __init__(self, redis_url: str | None = None) -> None:
        self.memory: dict[str, dict[str, Any]] = {}
        self.redis: Any = None
        if redis_url is not None:
            import redis.asyncio

            self.redis = redis.asyncio.Redis.from_url(redis_url)

    async def get(self, flavor: str, user: str) -> dict[str, Any] | None:
        if self.redis is None:
            return self.memory.get(f"{flavor}:{user}")
        raw = await self.redis.get(f"token:{flavor}:{user}")
        return None if raw is None else dict(json.loads(raw))

    async def put(self, flavor: str, user: str, token: dict[str, Any]) -> None:
        if self.redis is None:
            self.memory[f"{flavor}:{user}"] = dict(token)
        else:
            await self.redis.set(f"token:{flavor}:{user}", json.dumps(dict(token)))


def build_app(
    emulator: Coordinates,
    store: TokenStore,
    *,
    callback_base: str,
    redis_url: str | None = None,
    system_cas: bool = False,
) -> Any:
    """The app: both flavors registered against ``emulator``, tokens in ``store``.

    ``callback_base``: this app's own base URL, for the redirect URI (``{base}/{flavor}/auth``).
    ``redis_url``: ours gets ``refresh_lock=RedisRefreshLock(redis_url)`` when available.
    ``system_cas``: trust the system's CAs plus the emulator's (see ``registrations``).
    """
    from authlib.integrations.starlette_client import OAuth
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.sessions import SessionMiddleware
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    oauth = OAuth()
    apps: dict[str, Any] = {}
    for flavor, register in FLAVORS.items():

        def callbacks(flavor: str = flavor) -> dict[str, Any]:
            async def update_token(
                token: dict[str, Any], refresh_token: Any = None, access_token: Any = None
            ) -> None:
                await store.put(flavor, current_user.get(), token)

            async def fetch_token(*args: Any, **kwargs: Any) -> dict[str, Any] | None:
                return await store.get(flavor, current_user.get())

            return {"update_token": update_token, "fetch_token": fetch_token}

        extra = callbacks()
        lock = refresh_lock_or_none(redis_url) if flavor == "ours" else None
        if lock is not None:
            extra["refresh_lock"] = lock
        apps[flavor] = register(
            oauth, emulator, is_async=True, system_cas=system_cas, name=flavor, **extra
        )

    def view(handler: Any) -> Any:
        async def run(request: Request) -> Response:
            flavor = request.path_params["flavor"]
            current_user.set(request.query_params.get("user", "user-1"))
            try:
                result: Response = await handler(request, flavor, apps[flavor])
                return result
            except Exception as exc:
                return JSONResponse(error_fields(exc), status_code=500)

        return run

    async def login(request: Request, flavor: str, kakao: Any) -> Response:
        response: Response = await kakao.authorize_redirect(
            request, f"{callback_base}/{flavor}/auth"
        )
        return response

    async def auth(request: Request, flavor: str, kakao: Any) -> Response:
        token = dict(await kakao.authorize_access_token(request))
        profile = await userinfo_async(flavor, kakao, token)
        await store.put(flavor, current_user.get(), token)
        return JSONResponse({"sub": str(profile.get("sub", profile.get("id")))})

    holds: dict[str, tuple[list[int], asyncio.Event]] = {}

    async def hold(storm: str, parties: int) -> None:
        arrived, everyone = holds.setdefault(storm, ([0], asyncio.Event()))
        arrived[0] += 1
        if arrived[0] >= parties:
            everyone.set()
        await asyncio.wait_for(everyone.wait(), 30)

    async def api(request: Request, flavor: str, kakao: Any) -> Response:
        token = await store.get(flavor, current_user.get())
        if "hold" in request.query_params:
            await hold(request.query_params["storm"], int(request.query_params["hold"]))
        # request= as Authlib's Starlette docs pass it: fetch_token(request) reads the store.
        resp = await kakao.get("v2/user/me", token=token, request=request)
        return JSONResponse({"status": resp.status_code})

    routes = [
        Route("/{flavor:str}/login", view(login)),
        Route("/{flavor:str}/auth", view(auth)),
        Route("/{flavor:str}/api", view(api)),
    ]
    middleware = [Middleware(SessionMiddleware, secret_key="bench", https_only=False)]
    return Starlette(routes=routes, middleware=middleware)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--emulator", required=True, help="Coordinates as JSON")
    parser.add_argument("--redis-url", help="keep tokens in Redis (and lock refreshes with it)")
    parser.add_argument("--system-cas", action="store_true", help="see registrations.py")
    parser.add_argument("--backlog", type=int, default=4096)
    args = parser.parse_args()
    import uvicorn

    drop_ca_bundle_overrides()
    # --system-cas hands httpx a CA path on purpose (what its verify=True costs); it deprecates it.
    warnings.filterwarnings("ignore", message="`verify=<str>` is deprecated")
    base = f"http://127.0.0.1:{args.port}"
    app = build_app(
        Coordinates.from_json(args.emulator),
        TokenStore(args.redis_url),
        callback_base=base,
        redis_url=args.redis_url,
        system_cas=args.system_cas,
    )
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=args.port,
        log_level=logging.WARNING,
        access_log=False,
        backlog=args.backlog,
        timeout_graceful_shutdown=1,
    )


if __name__ == "__main__":
    main()
