"""What ``import authlib_kakao`` costs, next to what bare Authlib's requests client costs.

Each import runs in a fresh interpreter (``python -c``), the two alternating so that a busy
machine slows both alike; the table shows the median wall time of the import statement alone, the
difference, and which HTTP libraries and web frameworks the import loaded (the goal: none).
Goal (issue 6): ``import authlib_kakao`` within 20 ms of ``import authlib.integrations.requests_client``;
the package loads its names lazily, so the row that counts is ``from authlib_kakao import register_kakao``.

    python benchmarks/bench_import.py [--runs 21]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

HEAVY = ("requests", "httpx", "httpx2", "flask", "django", "starlette", "uvicorn", "asyncio")
PROBE = (
    "import json, sys, time\n"
    "start = time.perf_counter()\n"
    "{module}\n"
    "took = time.perf_counter() - start\n"
    "print(json.dumps([took, [m for m in {heavy!r} if m in sys.modules]]))\n"
)
MODULES = (
    "import authlib.integrations.requests_client",
    "import authlib_kakao",
    "from authlib_kakao import register_kakao",
)


def measure(module: str) -> tuple[float, list[str]]:
    code = PROBE.format(module=module, heavy=HEAVY)
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
    base, ours = (statistics.median(times[m]) * 1000 for m in (MODULES[0], MODULES[-1]))
    print(f"{'statement':<46}{'median ms':>10}  loads")
    for module in MODULES:
        median = statistics.median(times[module]) * 1000
        print(f"{module:<46}{median:>10.1f}  {', '.join(loaded[module]) or '-'}")
    verdict = "within" if ours - base <= 20 else "OVER"
    print(f"\nregister_kakao - requests_client: {ours - base:+.1f} ms ({verdict} the 20 ms goal)")


if __name__ == "__main__":
    main()
