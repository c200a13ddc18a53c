"""Client CPU per login: ``register_kakao`` against a bare Authlib registration, same run, same emulator.

One login is what the app does: ``authorize_redirect`` (state, and nonce for OIDC, into the
session), then on the callback ``authorize_access_token`` (code exchange; with OIDC the id_token
verified) and the profile (ours ``userinfo``, bare ``get("v2/user/me")``). The browser's visit to
Kakao's authorize page happens between the two and is not counted.

Three sides (see ``registrations.py``): **ours** (``register_kakao``), **pooled** (bare Authlib as a
careful user pools it: PKCE, secret in the body, one shared connection pool) and **bare** (bare
Authlib as its docs show it). Measured with ``time.process_time()`` around the app's calls only,
over ``--logins`` logins per side after a warm-up, in batches that take the sides in turn (and
rotate which goes first) so machine noise hits all three; each row is measured ``--repeats``
times and the ratios ours/pooled and ours/bare are given as min/median/max over the repeats.
Targets: ours ≤ 1.05× pooled, ≤ 0.6× bare. The emulator runs in **another process** (``emulator_process.py``, HTTP and HTTPS
with a local CA), so the CPU counted is the client's: Authlib, our code, requests/httpx, TLS, and
the framework's session (Flask ``test_request_context``, starlette ``Request`` objects; the same for
both sides). What "bare" is: see ``registrations.py``.

Rows: Flask (requests) and Starlette (httpx), plain OAuth and OIDC, over HTTP and HTTPS.

    python benchmarks/bench_login.py [--logins 300] [--batch 25] [--warmup 10] [--repeats 3]
        [--schemes http https https-sys]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import warnings
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import requests
from emulator_process import REDIRECT_URI, Coordinates, EmulatorProcess
from registrations import FLAVORS, drop_ca_bundle_overrides, userinfo, userinfo_async

SIDES = ("ours", "pooled", "bare")
SCHEMES = ("http", "https", "https-sys")
NOTES = """
Trust per scheme: http, no TLS (httpx still builds a default SSL context, loading the system's
CAs, for every client Authlib creates: one per call); https, requests gets the emulator CA's path
and httpx one prebuilt SSLContext; https-sys, both get a path to the system's CAs plus the
emulator's, as with verify=True against the real Kakao. Bare OIDC verifies the id_token (jwks_uri
and issuer given); ours also checks aud, exp, nonce and refuses a login without an id_token.
Wall time {seconds:.0f} s."""


@dataclass
class Row:
    """One row's repeats: per repeat, CPU ms per login for each side."""

    repeats: list[dict[str, float]]


class Browser:
    """Follows the redirect to Kakao's authorize page (auto-approve) and reads the callback."""

    def __init__(self, emulator: Coordinates) -> None:
        self.http = requests.Session()
        self.http.verify = emulator.verify

    def visit(self, authorize_url: str) -> dict[str, str]:
        resp = self.http.get(authorize_url, allow_redirects=False, timeout=30)
        location = resp.headers["location"]
        assert location.startswith(REDIRECT_URI), location
        return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


# -- Flask (requests) --------------------------------------------------------------------------


def flask_login(
    emulator: Coordinates, flavor: str, openid: bool, system_cas: bool
) -> Callable[[], float]:
    """A Flask app with one registration; returns a function doing one login, giving its CPU."""
    import flask
    from authlib.integrations.flask_client import OAuth

    app = flask.Flask(__name__)
    app.secret_key = "bench"
    kakao = FLAVORS[flavor](OAuth(app), emulator, openid=openid, system_cas=system_cas)
    browser = Browser(emulator)

    def login() -> float:
        start = time.process_time()
        with app.test_request_context("/login"):
            location = kakao.authorize_redirect(REDIRECT_URI).headers["Location"]
            session = dict(flask.session)  # what the cookie would carry to the callback
        cpu = time.process_time() - start
        callback = browser.visit(location)
        start = time.process_time()
        with app.test_request_context(f"/auth?{urlencode(callback)}"):
            flask.session.update(session)
            token = kakao.authorize_access_token()
            if openid and "userinfo" not in token:
                raise RuntimeError(f"{flavor}: the id_token was not verified")
            userinfo(flavor, kakao, token)
        return cpu + time.process_time() - start

    return login


# -- Starlette (httpx) -------------------------------------------------------------------------


def starlette_request(path: str, session: dict[str, Any], query: str = "") -> Any:
    """A starlette ``Request`` as SessionMiddleware hands it to a view."""
    from starlette.requests import Request

    scope = {
        "type": "http",
        "method": "GET",
        "scheme": "http",
        "server": ("localhost", 80),
        "path": path,
        "query_string": query.encode(),
        "headers": [(b"host", b"localhost")],
        "session": session,
    }
    return Request(scope)


def starlette_login(
    emulator: Coordinates, flavor: str, openid: bool, system_cas: bool
) -> Callable[[], Awaitable[float]]:
    """Like :func:`flask_login`, on Starlette: ``Request`` objects with a session, as a view gets."""
    from authlib.integrations.starlette_client import OAuth

    kakao = FLAVORS[flavor](OAuth(), emulator, openid=openid, is_async=True, system_cas=system_cas)
    browser = Browser(emulator)

    async def login() -> float:
        session: dict[str, Any] = {}
        start = time.process_time()
        redirect = await kakao.authorize_redirect(
            starlette_request("/login", session), REDIRECT_URI
        )
        cpu = time.process_time() - start
        callback = browser.visit(redirect.headers["location"])  # blocking: nothing else runs
        start = time.process_time()
        token = await kakao.authorize_access_token(
            starlette_request("/auth", session, urlencode(callback))
        )
        if openid and "userinfo" not in token:
            raise RuntimeError(f"{flavor}: the id_token was not verified")
        await userinfo_async(flavor, kakao, token)
        return cpu + time.process_time() - start

    return login


# -- the alternating measurement ---------------------------------------------------------------


def batches(logins: int, batch: int) -> list[tuple[tuple[str, ...], int]]:
    """(order, size) per batch: the sides in turn, each batch starting with the next side."""
    plan, done, index = [], 0, 0
    while done < logins:
        size = min(batch, logins - done)
        shift = index % len(SIDES)
        plan.append((SIDES[shift:] + SIDES[:shift], size))
        done, index = done + size, index + 1
    return plan


def measure_sync(
    logins: dict[str, Callable[[], float]], count: int, batch: int
) -> dict[str, float]:
    cpu = dict.fromkeys(SIDES, 0.0)
    for order, size in batches(count, batch):
        for side in order:
            cpu[side] += sum(logins[side]() for _ in range(size))
    return {side: cpu[side] / count * 1000 for side in SIDES}


async def measure_async(
    logins: dict[str, Callable[[], Awaitable[float]]], count: int, batch: int
) -> dict[str, float]:
    cpu = dict.fromkeys(SIDES, 0.0)
    for order, size in batches(count, batch):
        for side in order:
            for _ in range(size):
                cpu[side] += await logins[side]()
    return {side: cpu[side] / count * 1000 for side in SIDES}


def repeated_sync(logins: dict[str, Callable[[], float]], args: argparse.Namespace) -> Row:
    for side in SIDES:
        for _ in range(args.warmup):
            logins[side]()
    return Row([measure_sync(logins, args.logins, args.batch) for _ in range(args.repeats)])


async def repeated_async(
    logins: dict[str, Callable[[], Awaitable[float]]], args: argparse.Namespace
) -> Row:
    for side in SIDES:
        for _ in range(args.warmup):
            await logins[side]()
    return Row([await measure_async(logins, args.logins, args.batch) for _ in range(args.repeats)])


def run(args: argparse.Namespace) -> list[tuple[str, Row]]:
    rows: list[tuple[str, Row]] = []
    with ExitStack() as stack:
        emulators = {
            tls: stack.enter_context(EmulatorProcess(tls=tls, issue_limits=False))
            for tls in {scheme != "http" for scheme in args.schemes}
        }
        for framework in args.frameworks:
            for mode in args.modes:
                for scheme in args.schemes:
                    emulator = emulators[scheme != "http"].coordinates
                    openid = mode == "oidc"
                    system_cas = scheme == "https-sys"
                    if framework == "flask":
                        sync = {s: flask_login(emulator, s, openid, system_cas) for s in SIDES}
                        row = repeated_sync(sync, args)
                    else:
                        tasks = {s: starlette_login(emulator, s, openid, system_cas) for s in SIDES}
                        row = asyncio.run(repeated_async(tasks, args))
                    label = f"{framework:<10} {mode:<6} {scheme:<9}"
                    rows.append((label, row))
                    print_row(label, row)
    return rows


def spread(values: list[float]) -> str:
    """min/median/max, as ratios are printed."""
    return f"{min(values):.2f}/{statistics.median(values):.2f}/{max(values):.2f}"


HEADER = (
    f"{'framework':<10} {'mode':<6} {'scheme':<9} {'ours':>7} {'pooled':>7} {'bare':>7}"
    f"  {'ours/pooled min/med/max':>24}  {'ours/bare min/med/max':>22}"
)


def print_row(label: str, row: Row) -> None:
    ms = {side: statistics.median(r[side] for r in row.repeats) for side in SIDES}
    to_pooled = [r["ours"] / r["pooled"] for r in row.repeats]
    to_bare = [r["ours"] / r["bare"] for r in row.repeats]
    print(
        f"{label} {ms['ours']:>7.2f} {ms['pooled']:>7.2f} {ms['bare']:>7.2f}"
        f"  {spread(to_pooled):>24}  {spread(to_bare):>22}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--logins", type=int, default=300, help="measured logins per side and row")
    parser.add_argument("--batch", type=int, default=25, help="logins per side before switching")
    parser.add_argument("--warmup", type=int, default=10, help="unmeasured logins per side first")
    parser.add_argument(
        "--repeats", type=int, default=3, help="measurements per row (ratios: min/median/max)"
    )
    parser.add_argument(
        "--frameworks", nargs="+", choices=("flask", "starlette"), default=["flask", "starlette"]
    )
    parser.add_argument("--modes", nargs="+", choices=("plain", "oidc"), default=["plain", "oidc"])
    parser.add_argument(
        "--schemes",
        nargs="+",
        choices=SCHEMES,
        default=["http", "https"],
        help="https: clients trust the emulator's CA only; https-sys: the system's CAs plus the "
        "emulator's, loaded as the libraries load them for the real Kakao (slower)",
    )
    args = parser.parse_args()
    drop_ca_bundle_overrides()
    # https-sys hands httpx a CA path on purpose (what its verify=True costs); httpx deprecates it.
    warnings.filterwarnings("ignore", message="`verify=<str>` is deprecated")
    print(
        f"client CPU ms per login (time.process_time, median of {args.repeats} repeats of "
        f"{args.logins} logins per side after {args.warmup} warm-up, alternating batches of "
        f"{args.batch}); ratios min/median/max over the repeats; emulator in another process"
    )
    print(HEADER, flush=True)
    started = time.perf_counter()
    run(args)
    print(NOTES.format(seconds=time.perf_counter() - started))


if __name__ == "__main__":
    main()
