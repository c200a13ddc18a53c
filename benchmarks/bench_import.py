"""What ``import authlib_kakao`` costs, next to what bare Authlib's clients cost.

Each import runs in a fresh interpreter (``python -c``), the statements alternating so that a busy
machine slows all alike; the table shows the min, median and max wall time of the import statement
alone and which HTTP libraries and web frameworks, and which of the JOSE stack (joserfc,
cryptography, ``authlib.oidc``, ``authlib.jose``) the import loaded.
Goal (issue 6): ``import authlib_kakao`` within 20 ms of ``import authlib.integrations.requests_client``;
the package loads its names lazily, so the row that counts is ``from authlib_kakao import register_kakao``.
Goal (issue 15): that row loads no JOSE stack (only OpenID Connect and webhooks verify), so in a
Flask app our import adds nothing to Authlib's own ``flask_client`` (the last two rows).

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
    "start = time.perf_counter()\n"
    "{module}\n"
    "took = time.perf_counter() - start\n"
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


def measure(module: str) -> tuple[float, list[str]]:
    code = PROBE.format(module=module, heavy=HEAVY + JOSE)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    took, loaded = json.loads(out.stdout)
    return float(took), list(loaded)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    times: dict[str, list[float]] = {m: [] for m in MODULES}
    loaded: dict[str, list[str]] = {}
    for _ in range(args.runs):
        for module in MODULES:
            took, loaded[module] = measure(module)
            times[module].append(took)
    base, ours, flask, both = (
        statistics.median(times[m]) * 1000 for m in (MODULES[0], *MODULES[2:])
    )
    print(f"{'statement':<75}{'min':>7}{'median':>8}{'max':>7} ms  loads")
    for module in MODULES:
        ms = [t * 1000 for t in times[module]]
        spread = f"{min(ms):>7.1f}{statistics.median(ms):>8.1f}{max(ms):>7.1f}"
        print(f"{module:<75}{spread}     {', '.join(loaded[module]) or '-'}")
    verdict = "within" if ours - base <= 20 else "OVER"
    print(f"\nregister_kakao - requests_client: {ours - base:+.1f} ms ({verdict} the 20 ms goal)")
    print(f"register_kakao on top of flask_client: {both - flask:+.1f} ms (medians; noise is ms)")
    jose = [m for m in loaded[REGISTER] if m in JOSE]
    print(f"JOSE stack loaded by register_kakao: {', '.join(jose) or 'none'} (issue 15 goal: none)")


if __name__ == "__main__":
    main()
