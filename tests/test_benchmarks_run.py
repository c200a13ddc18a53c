"""The benchmarks still run against today's emulator (their numbers are theirs: nothing is timed).

Each runs at its smallest size in a subprocess, as the README runs it; a change to the emulator's
defaults that breaks a benchmark's logins fails here, not in the next person's measurement.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"

RUNS = {
    "bench_login": ["--logins=2", "--batch=1", "--warmup=1", "--repeats=1", "--schemes=http"],
    "bench_concurrency": ["--waves", "5"],
    "bench_refresh_storm": ["--requests", "5", "--apps", "threads (Flask)", "asyncio (Starlette)"],
    "bench_flask_concurrency": ["--logins", "3", "--repeats", "1", "--scheme", "http"],
    "bench_jwks": ["--logins", "10", "--crowd", "5", "--flood", "61"],
    "bench_webhooks": ["--tokens", "4", "--batch", "2", "--warmup", "1", "--repeats", "1"],
}


@pytest.mark.parametrize("name", RUNS)
def test_the_benchmark_runs_to_its_table(name: str) -> None:
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / f"{name}.py"), *RUNS[name]],
        capture_output=True, text=True, timeout=300, cwd=BENCHMARKS.parent,
    )  # fmt: skip

    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    assert "Wall time" in done.stdout
