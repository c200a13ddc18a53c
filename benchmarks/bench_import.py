"""What ``import authlib_kakao`` costs, next to what bare Authlib's clients cost.

Each import runs in a fresh interpreter (``python -c``), the statements alternating so that a busy
machine slows all alike. The table shows the wall time of the import statement alone (min, median,
max) and its CPU time (median: far less disturbed when other processes share the cores), and which
HTTP libraries, web frameworks and parts of the JOSE stack (joserfc, cryptography,
``authlib.oidc``, ``authlib.jose``) it loaded.

Goal (issue 6): ``import authlib_kakao`` within 20 ms of ``import authlib.integrations.requests_client``;
the package loads its names lazily, so the row that counts is ``from authlib_kakao import register_kakao``.
Goal (issue 15): that row loads no JOSE stack (only OpenID Connect and webhooks verify with it), so
in a Flask app our import adds next to nothing to Authlib's own ``flask_client`` (the last two rows).

    python benchmarks/bench_import.py [--runs 21]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

HEAVY = ("requests", "httpx", "httpx2", "flask", "django", "starlette", "uvicorn", "asyncio")
JOSE = ("joserfc", "cryptography", "authlib.oidc", "authlib.jose")
PROBE = (
    "import json, sys, time\n"
    "start, cpu = time.perf_counter(), time.process_time()\n"
    "{module}\n"
    "took = [time.perf_counter() - start, time.process_time() - cpu]\n"
    "print(json.dumps([took, [m for m in {heavy!r} if m in sys.modules]]))\n"
)
REGISTER = "from authlib_kakao import register_kakao"
FLASK = "from authlib.integrations.flask_client import OAuth"
MODULES = (
    "import authlib.integrations.requests_client",
    "import authlib_kakao",
    REGISTER,
    FLASK,
    f"{FLASK}; {REGISTER}",
)


def measure(module: str) -> tuple[float, float, list[str]]:
    """Wall and CPU seconds of one import statement in a fresh interpreter, and what it loaded."""
    code = PROBE.format(module=module, heavy=HEAVY + JOSE)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    (wall, cpu), loaded = json.loads(out.stdout)
    return float(wall), float(cpu), list(loaded)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    wall: dict[str, list[float]] = {m: [] for m in MODULES}
    cpu: dict[str, list[float]] = {m: [] for m in MODULES}
    loaded: dict[str, list[str]] = {}
    for _ in range(args.runs):
        for module in MODULES:
            took, used, loaded[module] = measure(module)
            wall[module].append(took * 1000)
            cpu[module].append(used * 1000)
    width = max(map(len, MODULES)) + 2
    print(f"{'statement':<{width}}{'wall min':>9}{'median':>8}{'max':>7}{'cpu':>7} ms  loads")
    for module in MODULES:
        ms = wall[module]
        shown = f"{min(ms):>9.1f}{statistics.median(ms):>8.1f}{max(ms):>7.1f}"
        shown += f"{statistics.median(cpu[module]):>7.1f}"
        print(f"{module:<{width}}{shown}     {', '.join(loaded[module]) or '-'}")
    base, ours, flask, both = (statistics.median(wall[m]) for m in (MODULES[0], *MODULES[2:]))
    verdict = "within" if ours - base <= 20 else "OVER"
    print(f"\nregister_kakao - requests_client: {ours - base:+.1f} ms ({verdict} the 20 ms goal)")
    print(f"register_kakao on top of flask_client: {both - flask:+.1f} ms wall, ", end="")
    print(f"{statistics.median(cpu[MODULES[-1]]) - statistics.median(cpu[FLASK]):+.1f} ms CPU")
    jose = [m for m in loaded[REGISTER] if m in JOSE]
    print(f"JOSE stack loaded by register_kakao: {', '.join(jose) or 'none'} (issue 15 goal: none)")


if __name__ == "__main__":
    main()
