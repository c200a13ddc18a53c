"""A refresh storm: 50 concurrent API requests of one user whose stored access token has expired.

Each request reads the user's token from the app's server-side store and calls
``kakao.get("v2/user/me", token=token)``; Authlib sees the token expired and refreshes it on the
way (``update_token`` stores the new one). Nothing coordinates the 50 refreshes unless the library
does. Counted: the refresh grants Kakao received (``POST /oauth/token`` in the emulator's request
log, by status: the log keeps no form, but after the storm's set-up login every token request is
a refresh), the requests that succeeded, and the errors by type and Kakao code (KOE237: the
per-user issue limit, 30 refreshes an hour; KOE322: a refresh token that another refresh rotated
away). Finally one more request checks that the user is still logged in.

Apps: threads (a Flask app, 50 threads through its test client), asyncio (a Starlette app, 50
tasks through httpx's ASGI transport), and two processes (two ``starlette_app.py`` under uvicorn
sharing one Redis as token store, 25 requests each). Ours (``register_kakao``) against bare Authlib.
Ours is given ``refresh_lock=RedisRefreshLock(redis_url)`` when ``authlib_kakao.refresh`` exists.

Kakao rotates a refresh token only in its last 30 days: by default both that and ``--rotate``
(every refresh rotates, the emulator's ``refresh_rotation_window``) are run.

    python benchmarks/bench_refresh_storm.py [--requests 50] [--rotate | --no-rotate]
"""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import json
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import httpx
from emulator_process import Coordinates, EmulatorProcess
from processes import AppProcess, RedisProcess
from registrations import FLAVORS, drop_ca_bundle_overrides
from starlette_app import TokenStore, build_app, error_fields, refresh_lock_or_none

SIDES = ("ours", "bare")
USER = "user-1"
ACCESS_TOKEN_LIFETIME = 21599  # the emulator's (and Kakao's) default, in seconds
current_user: contextvars.ContextVar[str] = contextvars.ContextVar("current_user")


@dataclass
class Storm:
    """What one storm did: each request's outcome, the grants Kakao saw, the check after."""

    rotation: str
    app: str
    flavor: str
    outcomes: Counter[str] = field(default_factory=Counter)
    grants: Counter[int] = field(default_factory=Counter)  # refresh grants by HTTP status
    after: str = ""

    @property
    def ok(self) -> int:
        return self.outcomes["ok"]

    def errors(self) -> str:
        found = [(label, n) for label, n in self.outcomes.most_common() if label != "ok"]
        return ", ".join(f"{label} ×{n}" for label, n in found) or "-"


def outcome(status: int, body: Any) -> str:
    """``ok`` or the error label of one ``/api`` answer."""
    if status == 200:
        return "ok"
    if isinstance(body, dict) and "exception" in body:
        code = body.get("code")
        return f"{body['exception']}({code})" if code else str(body["exception"])
    return f"HTTP {status}"


# -- threads: a Flask app -----------------------------------------------------------------------


class Gate:
    """Holds requests until ``parties`` of them arrived (none while ``parties`` is 0)."""

    def __init__(self) -> None:
        self.barrier: threading.Barrier | None = None

    def expect(self, parties: int) -> None:
        self.barrier = threading.Barrier(parties) if parties else None

    def wait(self) -> None:
        if self.barrier is not None:
            self.barrier.wait(timeout=30)


def flask_app(
    emulator: Coordinates, flavor: str, redis_url: str | None, gate: Gate
) -> tuple[Any, dict[str, Any]]:
    """A Flask app with ``/api``; its token store is a dict (one process).

    ``gate``: each request waits there after reading the stored token, so that all of them carry
    the expired one (as when they land within the same millisecond). Without it, threads started
    one after another read the store at different times and later ones may find a token that an
    earlier refresh already replaced: a milder storm than the one measured here.
    """
    from authlib.integrations.flask_client import OAuth
    from flask import Flask, jsonify, request

    app = Flask(__name__)
    app.secret_key = "bench"
    store: dict[str, Any] = {}
    store_lock = threading.Lock()

    def update_token(token: Any, refresh_token: Any = None, access_token: Any = None) -> None:
        with store_lock:
            store[current_user.get()] = dict(token)

    def fetch_token(*args: Any, **kwargs: Any) -> Any:
        with store_lock:
            return store.get(current_user.get())

    extra: dict[str, Any] = {"update_token": update_token, "fetch_token": fetch_token}
    lock = refresh_lock_or_none(redis_url) if flavor == "ours" else None
    if lock is not None:
        extra["refresh_lock"] = lock
    kakao = FLAVORS[flavor](OAuth(app), emulator, **extra)

    @app.route("/api")
    def api() -> Any:
        current_user.set(request.args.get("user", USER))
        try:
            with store_lock:
                token = store.get(current_user.get())
            gate.wait()
            return jsonify({"status": kakao.get("v2/user/me", token=token).status_code})
        except Exception as exc:
            return jsonify(error_fields(exc)), 500

    return app, store


def storm_threads(
    emulator: Coordinates, flavor: str, token: dict[str, Any], requests: int, redis_url: str | None
) -> tuple[Counter[str], str]:
    gate = Gate()
    gate.expect(requests)
    app, store = flask_app(emulator, flavor, redis_url, gate)
    store[USER] = token
    outcomes: Counter[str] = Counter()
    record = threading.Lock()

    def one() -> None:
        resp = app.test_client().get("/api", query_string={"user": USER})
        with record:
            outcomes[outcome(resp.status_code, resp.get_json(silent=True))] += 1

    threads = [threading.Thread(target=one, daemon=True) for _ in range(requests)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    stuck = sum(thread.is_alive() for thread in threads)
    if stuck:
        outcomes["StormTimeout"] += stuck
    gate.expect(0)  # the check after the storm passes alone
    resp = app.test_client().get("/api", query_string={"user": USER})
    return outcomes, outcome(resp.status_code, resp.get_json(silent=True))


# -- asyncio: a Starlette app in this process -----------------------------------------------------


async def fire(
    clients: list[httpx.AsyncClient], path: str, requests: int, timeout: float = 60.0
) -> Counter[str]:
    """GET ``path`` ``requests`` times at once, spread over ``clients`` in turn; outcomes counted.

    Each app holds its share of requests until all of them read the stored token (``hold``).
    """
    outcomes: Counter[str] = Counter()
    storm = uuid.uuid4().hex
    shares = Counter(i % len(clients) for i in range(requests))

    async def one(index: int) -> None:
        client = clients[index]
        params = {"user": USER, "storm": storm, "hold": str(shares[index])}
        try:
            resp = await client.get(path, params=params)
            outcomes[outcome(resp.status_code, json.loads(resp.content or b"null"))] += 1
        except Exception as exc:
            outcomes[f"request failed: {type(exc).__name__}"] += 1

    tasks = [asyncio.ensure_future(one(i % len(clients))) for i in range(requests)]
    _, pending = await asyncio.wait(tasks, timeout=timeout)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    if pending:
        outcomes["StormTimeout"] += len(pending)
    return outcomes


def storm_asyncio(
    emulator: Coordinates, flavor: str, token: dict[str, Any], requests: int, redis_url: str | None
) -> tuple[Counter[str], str]:
    store = TokenStore()
    app = build_app(emulator, store, callback_base="http://testserver", redis_url=redis_url)

    async def run() -> tuple[Counter[str], str]:
        await store.put(flavor, USER, token)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            outcomes = await fire([client], f"/{flavor}/api", requests)
            after = await fire([client], f"/{flavor}/api", 1)
        return outcomes, next(iter(after))

    return asyncio.run(run())


# -- two processes sharing Redis ----------------------------------------------------------------


def storm_processes(
    apps: list[AppProcess], redis_url: str, flavor: str, token: dict[str, Any], requests: int
) -> tuple[Counter[str], str]:
    import redis

    with redis.Redis.from_url(redis_url) as db:
        db.set(f"token:{flavor}:{USER}", json.dumps(token))

    async def run() -> tuple[Counter[str], str]:
        async with (
            httpx.AsyncClient(base_url=apps[0].url, timeout=30) as first,
            httpx.AsyncClient(base_url=apps[1].url, timeout=30) as second,
        ):
            # Each process gets every other request: 25 and 25.
            outcomes = await fire([first, second], f"/{flavor}/api", requests)
            after = await fire([second], f"/{flavor}/api", 1)
        return outcomes, next(iter(after))

    return asyncio.run(run())


# -- the run -------------------------------------------------------------------------------------


def expired_token(emulator: EmulatorProcess) -> dict[str, Any]:
    """A fresh login's token as the app stored it, now expired for the app and for Kakao."""
    body = emulator.login_body()
    # The app's copy says it expired a minute ago; Kakao's clock moves past its lifetime too.
    emulator.advance_clock(ACCESS_TOKEN_LIFETIME + 60)
    return {**body, "expires_at": int(time.time()) - 60}


def one_storm(
    emulator: EmulatorProcess,
    rotation: str,
    app: str,
    flavor: str,
    run: Callable[..., tuple[Counter[str], str]],
) -> Storm:
    emulator.reset()  # fresh tokens, issue counters and clock for every storm
    token = expired_token(emulator)
    seen = len(emulator.log("/oauth/token"))  # the login's own code exchange is not counted
    outcomes, after = run(token=token)
    grants = Counter(entry["status"] for entry in emulator.log("/oauth/token")[seen:])
    return Storm(rotation, app, flavor, outcomes, grants, after)


HEADER = (
    f"{'rotation':<9} {'app':<20} {'flavor':<6} {'ok':>4} {'grants':>7} {'200':>4} "
    f"{'after':<22} errors"
)


def print_storm(storm: Storm) -> None:
    granted = storm.grants.get(200, 0)
    print(
        f"{storm.rotation:<9} {storm.app:<20} {storm.flavor:<6} {storm.ok:>4} "
        f"{sum(storm.grants.values()):>7} {granted:>4} {storm.after:<22} {storm.errors()}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=50, help="concurrent requests per storm")
    which = parser.add_mutually_exclusive_group()
    which.add_argument(
        "--rotate", action="store_true", help="only the storm where every refresh rotates (KOE322)"
    )
    which.add_argument(
        "--no-rotate", action="store_true", help="only Kakao's default rotation (last 30 days)"
    )
    parser.add_argument("--apps", nargs="+", default=list(APPS), choices=list(APPS))
    args = parser.parse_args()
    drop_ca_bundle_overrides()
    rotations = (
        ["every"] if args.rotate else ["default"] if args.no_rotate else ["default", "every"]
    )
    started = time.perf_counter()
    with ExitStack() as stack:
        try:
            redis_url: str | None = stack.enter_context(RedisProcess()).url
        except (RuntimeError, OSError) as exc:
            redis_url = None
            print(f"(no Redis: {exc}; the two-process storm is skipped)")
        lock = refresh_lock_or_none(redis_url)
        print(
            f"refresh lock: {lock!r}"
            if lock is not None
            else "(no refresh lock available in this version)"
        )
        print(
            f"{args.requests} concurrent requests, one user, one expired token; Kakao's issue "
            "limits on; emulator in its own process"
        )
        print(HEADER, flush=True)
        for rotation in rotations:
            with ExitStack() as per_rotation:
                emulator = per_rotation.enter_context(
                    EmulatorProcess(rotate_every_refresh=rotation == "every")
                )
                coordinates = emulator.coordinates
                for app in args.apps:
                    if app == "2 processes + Redis":
                        if redis_url is None:
                            continue
                        processes = [
                            per_rotation.enter_context(AppProcess(coordinates, redis_url=redis_url))
                            for _ in range(2)
                        ]
                    for flavor in SIDES:
                        if app == "threads (Flask)":
                            run = partial(
                                storm_threads, coordinates, flavor, requests=args.requests,
                                redis_url=redis_url,
                            )  # fmt: skip
                        elif app == "asyncio (Starlette)":
                            run = partial(
                                storm_asyncio, coordinates, flavor, requests=args.requests,
                                redis_url=redis_url,
                            )  # fmt: skip
                        else:
                            assert redis_url is not None
                            run = partial(
                                storm_processes, processes, redis_url, flavor,
                                requests=args.requests,
                            )  # fmt: skip
                        print_storm(one_storm(emulator, rotation, app, flavor, run))
    print(NOTES.format(seconds=time.perf_counter() - started))


APPS = ("threads (Flask)", "asyncio (Starlette)", "2 processes + Redis")
NOTES = """
ok: requests answered 200; grants: refresh grants Kakao received (POST /oauth/token), 200: those
granted; after: one more request once the storm is over (is the user still logged in?).
rotation default: Kakao rotates a refresh token only in its last 30 days; every: each refresh
rotates it and the old one dies (KOE322 for every other refresh holding it).
Wall time {seconds:.0f} s."""


if __name__ == "__main__":
    main()
