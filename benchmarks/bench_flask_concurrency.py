"""Concurrent Flask logins: latency of ``register_kakao`` against a pooled bare Authlib registration.

What runs concurrently is the part of a login that talks to Kakao: the callback view
(``authorize_access_token``: code exchange, with OIDC the id_token verified; then the profile).
Per wave, ``--logins`` logins per side are first started one by one, unmeasured (``/login``'s
``authorize_redirect`` and the browser's visit to the emulator's authorize page, which approves at
once); then as many threads as logins, released together by a barrier, each run one callback in a
Flask ``test_request_context`` carrying that login's session, as the worker threads of a threaded
WSGI server (gunicorn ``gthread``, waitress) would. Latency: from the barrier's release to the
callback's return.

Why in-process and not a served app: a WSGI server in front would add the same socket and parsing
work to both sides and its own queueing; driving the app's view functions from threads keeps the
comparison to what the two registrations do, with every thread contending for the same GIL and
cores. The emulator runs in **another process** (``emulator_process.py``; HTTPS with a local CA
by default), so its work is not this process's.

Sides (``registrations.py``): **ours** (``register_kakao``) and **pooled** (bare Authlib with one
shared ``HTTPAdapter``, PKCE, secret in the body). Waves alternate the sides (and which goes
first); each wave gives p50 and p99, and the ratios ours/pooled are given as min/median/max over
``--repeats`` waves per side. Target: ours' p50 within 1.2× pooled's.

``--diagnose`` adds **ours-direct**: ``register_kakao`` with its session's per-call worker pool
bypassed (``KakaoOAuth2Session._send_bounded`` patched, in this process only, to send in the
calling thread: no whole-call deadline). It is not a configuration anyone should run; it shows
how much of ours' latency the worker pool accounts for.

    python benchmarks/bench_flask_concurrency.py [--logins 200] [--repeats 5] [--openid]
        [--scheme https|http] [--diagnose]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlencode

from bench_login import Browser
from emulator_process import REDIRECT_URI, Coordinates, EmulatorProcess
from registrations import FLAVORS, drop_ca_bundle_overrides, userinfo

NOTES = """
p50/p99: callback latency in ms (median over the waves); ratios: ours' over pooled's, wave by
wave in the same order, min/median/max; wall: ms from the barrier to the last callback (median).
Wall time {seconds:.0f} s."""


def app_for(flavor: str, emulator: Coordinates, openid: bool) -> tuple[Any, Any]:
    import flask
    from authlib.integrations.flask_client import OAuth

    app = flask.Flask(f"bench-{flavor}")
    app.secret_key = "bench"
    registration = "ours" if flavor == "ours-direct" else flavor
    return app, FLAVORS[registration](OAuth(app), emulator, openid=openid)


def prepare(app: Any, kakao: Any, browser: Browser) -> tuple[dict[str, Any], str]:
    """One login up to its callback: the session the cookie carries, and the callback's query."""
    import flask

    with app.test_request_context("/login"):
        location = kakao.authorize_redirect(REDIRECT_URI).headers["Location"]
        session = dict(flask.session)
    return session, urlencode(browser.visit(location))


def callback(app: Any, kakao: Any, flavor: str, openid: bool) -> Callable[..., None]:
    import flask

    registration = "ours" if flavor == "ours-direct" else flavor

    def run(session: dict[str, Any], query: str) -> None:
        with app.test_request_context(f"/auth?{query}"):
            flask.session.update(session)
            token = kakao.authorize_access_token()
            if openid and "userinfo" not in token:
                raise RuntimeError(f"{flavor}: the id_token was not verified")
            userinfo(registration, kakao, token)

    return run


def percentile(values: list[float], q: int) -> float:
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank] * 1000


def wave(side: dict[str, Any], logins: int, browser: Browser) -> dict[str, float]:
    """``logins`` callbacks at once; p50, p99 and wall in ms."""
    prepared = [prepare(side["app"], side["kakao"], browser) for _ in range(logins)]
    barrier = threading.Barrier(logins + 1)
    latencies: list[float] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = 0.0

    def one(session: dict[str, Any], query: str) -> None:
        barrier.wait()
        try:
            side["callback"](session, query)
        except BaseException as exc:  # counted, and the run stops after the wave
            with lock:
                errors.append(exc)
            return
        done = time.perf_counter()
        with lock:
            latencies.append(done - start)

    with ThreadPoolExecutor(logins) as pool:
        futures = [pool.submit(one, session, query) for session, query in prepared]
        while barrier.n_waiting < logins:  # every thread parked at the barrier
            time.sleep(0.001)
        start = time.perf_counter()
        barrier.wait()
        for future in futures:
            future.result()
    if errors:
        raise RuntimeError(f"{side['flavor']}: {len(errors)} failed logins, first: {errors[0]!r}")
    return {
        "p50": percentile(latencies, 50),
        "p99": percentile(latencies, 99),
        "wall": max(latencies) * 1000,
    }


def bypass_worker_pool() -> None:
    """Patch ours' session to send in the calling thread (``--diagnose`` only)."""
    from authlib_kakao.http.requests_session import KakaoOAuth2Session

    def send_inline(self: Any, request: Any, kwargs: dict[str, Any]) -> Any:
        return self._send_capped(request, kwargs)

    KakaoOAuth2Session._send_bounded = send_inline  # type: ignore[method-assign]


def spread(values: list[float]) -> str:
    return f"{min(values):.2f}/{statistics.median(values):.2f}/{max(values):.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--logins", type=int, default=200, help="concurrent logins per wave")
    parser.add_argument("--repeats", type=int, default=5, help="waves per side")
    parser.add_argument("--openid", action="store_true", help="OIDC logins (id_token verified)")
    parser.add_argument("--scheme", choices=("https", "http"), default="https")
    parser.add_argument("--diagnose", action="store_true", help="add ours-direct (see above)")
    args = parser.parse_args()
    drop_ca_bundle_overrides()
    # Both sides' pools keep 32 connections; with more threads urllib3 logs each one it drops.
    logging.getLogger("urllib3.connectionpool").setLevel(logging.ERROR)
    started = time.perf_counter()
    flavors = ["ours", "pooled"] + (["ours-direct"] if args.diagnose else [])
    results: dict[str, list[dict[str, float]]] = {flavor: [] for flavor in flavors}
    with EmulatorProcess(tls=args.scheme == "https", issue_limits=False) as emulator:
        coordinates = emulator.coordinates
        browser = Browser(coordinates)
        sides = {}
        for flavor in flavors:
            app, kakao = app_for(flavor, coordinates, args.openid)
            sides[flavor] = {
                "flavor": flavor,
                "app": app,
                "kakao": kakao,
                "callback": callback(app, kakao, flavor, args.openid),
            }
        for flavor in ("ours", "pooled"):  # warm-up: imports, first connections, the JWKS
            wave(sides[flavor], min(20, args.logins), browser)
        for index in range(args.repeats):
            for flavor in ("ours", "pooled") if index % 2 == 0 else ("pooled", "ours"):
                results[flavor].append(wave(sides[flavor], args.logins, browser))
        if args.diagnose:
            # ours-direct patches the class ours runs on: it is measured after ours is done,
            # against pooled again.
            bypass_worker_pool()
            wave(sides["ours-direct"], min(20, args.logins), browser)
            for _ in range(args.repeats):
                for flavor in ("ours-direct", "pooled"):
                    side = "pooled-again" if flavor == "pooled" else flavor
                    results.setdefault(side, []).append(wave(sides[flavor], args.logins, browser))
    mode = "OIDC" if args.openid else "plain"
    print(
        f"{args.logins} concurrent Flask login callbacks ({mode}, {args.scheme}), threads in one "
        f"process, emulator in another; {args.repeats} waves per side"
    )
    print(f"{'side':<13} {'p50 ms':>8} {'p99 ms':>8} {'wall ms':>8}")
    for side, waves in results.items():
        p50, p99, wall = (statistics.median(w[k] for w in waves) for k in ("p50", "p99", "wall"))
        print(f"{side:<13} {p50:>8.0f} {p99:>8.0f} {wall:>8.0f}")
    pairs = [("ours", "pooled")] + ([("ours-direct", "pooled-again")] if args.diagnose else [])
    print(f"\n{'ratio':<26} {'p50 min/med/max':>17} {'p99 min/med/max':>17}")
    for mine, theirs in pairs:
        ratios = {
            q: [m[q] / t[q] for m, t in zip(results[mine], results[theirs], strict=True)]
            for q in ("p50", "p99")
        }
        label = f"{mine}/{theirs}"
        print(f"{label:<26} {spread(ratios['p50']):>17} {spread(ratios['p99']):>17}")
    print("target: ours/pooled p50 ≤ 1.20")
    print(NOTES.format(seconds=time.perf_counter() - started))


if __name__ == "__main__":
    main()
