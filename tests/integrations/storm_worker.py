"""One app instance in a refresh storm across processes (run by test_refresh_across_processes).

It registers Kakao with a Redis refresh lock and a token store in Redis (Authlib's ``fetch_token``
and ``update_token``), waits for the common start time, fires its share of concurrent API calls
that all find the same expired token in the store, and prints a JSON summary.

    python storm_worker.py FRAMEWORK EMULATOR_URL CLIENT_ID SECRET REDIS_URL START_AT CALLS
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import redis

from authlib_kakao import register_kakao
from authlib_kakao.refresh import RedisRefreshLock

STORE_KEY = "storm:token"


def result(call: Any) -> str:
    try:
        return str(call().status_code)
    except Exception as exc:
        return str(getattr(exc, "code", None) or type(exc).__name__)


def main() -> None:
    framework, url, client_id, secret, redis_url, start_at, calls = sys.argv[1:]
    store = redis.Redis.from_url(redis_url)
    options: dict[str, Any] = {
        "kauth_url": url, "kapi_url": url, "client_id": client_id, "client_secret": secret,
        "refresh_lock": RedisRefreshLock(redis_url),
    }  # fmt: skip
    count = int(calls)
    if framework == "flask":
        from authlib.integrations.flask_client import OAuth
        from flask import Flask

        app = Flask(__name__)

        def fetch_token() -> Any:
            return json.loads(store.get(STORE_KEY) or "null")

        def update_token(token: dict[str, Any], **_: Any) -> None:
            store.set(STORE_KEY, json.dumps(dict(token)))

        kakao = register_kakao(
            OAuth(app), fetch_token=fetch_token, update_token=update_token, **options
        )

        def call() -> Any:
            with app.app_context():
                return kakao.get("v2/user/me")

        time.sleep(max(0.0, float(start_at) - time.time()))
        with ThreadPoolExecutor(count) as pool:
            outcomes = list(pool.map(lambda _: result(call), range(count)))
    else:
        from authlib.integrations.starlette_client import OAuth as StarletteOAuth

        async def afetch_token(request: Any) -> Any:
            return json.loads(store.get(STORE_KEY) or "null")

        async def aupdate_token(token: dict[str, Any], **_: Any) -> None:
            store.set(STORE_KEY, json.dumps(dict(token)))

        kakao = register_kakao(
            StarletteOAuth(), fetch_token=afetch_token, update_token=aupdate_token, **options
        )

        async def one() -> str:
            try:
                return str((await kakao.get("v2/user/me", request="a browser request")).status_code)
            except Exception as exc:
                return str(getattr(exc, "code", None) or type(exc).__name__)

        async def storm() -> list[str]:
            await asyncio.sleep(max(0.0, float(start_at) - time.time()))
            return list(await asyncio.gather(*(one() for _ in range(count))))

        outcomes = asyncio.run(storm())
    print(json.dumps(outcomes))


if __name__ == "__main__":
    main()
