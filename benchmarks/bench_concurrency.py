"""Concurrent complete logins through a real Starlette app: ours against bare Authlib, over HTTPS.

Three processes: the emulator (HTTPS, local CA, auto-approve, no issue limits), the Starlette app
(``starlette_app.py`` under uvicorn: ``/{ours,bare}/login`` and ``/auth``), and this one, which
fires waves of 100, 500 and 1,000 logins at once. Each login is one browser: its own httpx
``AsyncClient`` (own cookies, trusting the emulator's CA) following ``/login`` → the emulator's
authorize page (approves at once) → ``/auth`` (code exchange and profile, in the app).

Per wave: logins that completed, errors by exception type (``app:`` when the app answered with an
error, else the load generator's own), throughput (completed logins per second of the wave) and
p50/p99 latency of completed logins. Bounded: every login has ``--login-timeout`` and every wave
``--wave-timeout``; logins still running then are cancelled and counted as ``WaveTimeout``.
The three processes share the machine's cores, so the numbers compare ours and bare, not hosts.

    python benchmarks/bench_concurrency.py [--waves 100 500 1000] [--login-timeout 30]
"""

from __future__ import annotations

import argparse
import asyncio
import ssl
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx
from emulator_process import EmulatorProcess
from processes import AppProcess, cpu_seconds, free_port
from registrations import drop_ca_bundle_overrides

SIDES = ("ours", "bare")
NOTES = """
logins/s: completed logins per second of the wave; p50/p99: latency of completed logins;
app CPU, emu CPU: ms of the app's and the emulator's process CPU per login of the wave.
Wall time {seconds:.0f} s."""


@dataclass
class Wave:
    flavor: str
    size: int
    seconds: float = 0.0
    app_cpu: float = 0.0  # seconds of the app process's CPU during the wave
    emulator_cpu: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)

    @property
    def ok(self) -> int:
        return len(self.latencies)

    def percentile(self, q: int) -> float:
        """The q-th percentile latency in ms (nearest rank) of the completed logins."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
        return ordered[rank] * 1000


async def one_login(
    app_url: str, flavor: str, user: str, trust: ssl.SSLContext, timeout: float
) -> float:
    """One browser's whole login; its latency in seconds, or the exception that stopped it."""
    limits = httpx.Limits(max_connections=4)
    async with httpx.AsyncClient(
        verify=trust, follow_redirects=True, timeout=timeout, limits=limits
    ) as browser:
        start = time.perf_counter()
        resp = await browser.get(f"{app_url}/{flavor}/login", params={"user": user})
        elapsed = time.perf_counter() - start
    if resp.status_code != 200 or "sub" not in resp.json():
        raise AppError(resp)
    return elapsed


class AppError(Exception):
    """The app (or the emulator, for a redirect gone wrong) answered something else than a login."""

    def __init__(self, resp: httpx.Response) -> None:
        try:
            body = resp.json()
            label = f"app:{body['exception']}" + (f"({body['code']})" if body.get("code") else "")
        except (ValueError, KeyError, TypeError):
            label = f"HTTP {resp.status_code} from {resp.url.host}:{resp.url.port}"
        super().__init__(label)
        self.label = label


@dataclass
class Target:
    """The app under load and what to meter: its process and the emulator's."""

    url: str
    app_pid: int
    emulator_pid: int
    trust: ssl.SSLContext


async def wave(target: Target, flavor: str, size: int, args: argparse.Namespace) -> Wave:
    result = Wave(flavor, size)
    app_url, trust = target.url, target.trust

    async def login(i: int) -> None:
        try:
            latency = await asyncio.wait_for(
                one_login(app_url, flavor, f"user-{i}", trust, args.login_timeout),
                args.login_timeout,
            )
        except AppError as exc:
            result.errors[exc.label] += 1
        except asyncio.TimeoutError:
            result.errors["LoginTimeout"] += 1
        except Exception as exc:
            result.errors[type(exc).__name__] += 1
        else:
            result.latencies.append(latency)

    app_cpu, emulator_cpu = cpu_seconds(target.app_pid), cpu_seconds(target.emulator_pid)
    start = time.perf_counter()
    tasks = [asyncio.ensure_future(login(i)) for i in range(size)]
    _, pending = await asyncio.wait(tasks, timeout=args.wave_timeout)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    result.seconds = time.perf_counter() - start
    result.app_cpu = cpu_seconds(target.app_pid) - app_cpu
    result.emulator_cpu = cpu_seconds(target.emulator_pid) - emulator_cpu
    if pending:
        result.errors["WaveTimeout"] += len(pending)
    return result


HEADER = (
    f"{'flavor':<6} {'logins':>6} {'ok':>6} {'logins/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
    f"{'app CPU':>8} {'emu CPU':>8}  errors"
)


def print_wave(w: Wave) -> None:
    errors = ", ".join(f"{name} ×{n}" for name, n in w.errors.most_common()) or "-"
    print(
        f"{w.flavor:<6} {w.size:>6} {w.ok:>6} {w.ok / w.seconds:>9.1f} "
        f"{w.percentile(50):>8.0f} {w.percentile(99):>8.0f} "
        f"{w.app_cpu / w.size * 1000:>8.1f} {w.emulator_cpu / w.size * 1000:>8.1f}  {errors}",
        flush=True,
    )


async def run(target: Target, args: argparse.Namespace) -> None:
    # Warm both flavors (imports, first connections) before anything is measured.
    for flavor in SIDES:
        await wave(target, flavor, 5, args)
    for index, size in enumerate(args.waves):
        for flavor in SIDES if index % 2 == 0 else SIDES[::-1]:
            print_wave(await wave(target, flavor, size, args))
            await asyncio.sleep(args.pause)  # let closed connections drain between waves


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--waves", type=int, nargs="+", default=[100, 500, 1000])
    parser.add_argument("--login-timeout", type=float, default=30.0, help="seconds per login")
    parser.add_argument("--wave-timeout", type=float, default=45.0, help="seconds per wave")
    parser.add_argument("--pause", type=float, default=1.0, help="seconds between waves")
    parser.add_argument(
        "--system-cas",
        action="store_true",
        help="the app trusts the system's CAs plus the emulator's (what verify=True costs)",
    )
    args = parser.parse_args()
    drop_ca_bundle_overrides()
    started = time.perf_counter()
    port = free_port()
    redirect_uris = tuple(f"http://127.0.0.1:{port}/{flavor}/auth" for flavor in SIDES)
    with (
        EmulatorProcess(tls=True, issue_limits=False, redirect_uris=redirect_uris) as emulator,
        AppProcess(emulator.coordinates, port=port, system_cas=args.system_cas) as app,
    ):
        assert emulator.coordinates.ca_path is not None
        trust = ssl.create_default_context(cafile=emulator.coordinates.ca_path)
        target = Target(app.url, app.process.pid, emulator.pid, trust)
        print(
            f"concurrent logins through a Starlette app (uvicorn, own process) against the "
            f"emulator over HTTPS (own process); login timeout {args.login_timeout:.0f} s"
        )
        print(HEADER, flush=True)
        asyncio.run(run(target, args))
    print(NOTES.format(seconds=time.perf_counter() - started))


if __name__ == "__main__":
    main()
