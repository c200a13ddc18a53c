"""Subprocesses the scale benchmarks start: the Starlette app under uvicorn, and Redis.

Each is a context manager that waits until its port accepts connections and, on exit, terminates
the process it started (by its own handle, nothing else) and kills it if it lingers.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from types import TracebackType
from typing import TypeVar

from emulator_process import Coordinates

__all__ = ["AppProcess", "RedisProcess", "cpu_seconds", "free_port"]

P = TypeVar("P", bound="_Process")
HERE = os.path.dirname(os.path.abspath(__file__))


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) process ``pid`` has used so far; NaN where /proc is missing."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            fields = f.read().rpartition(")")[2].split()
    except OSError:
        return float("nan")
    # Fields 14 and 15 of proc(5) (utime, stime), counted after the ")" that ends the name.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port} after {timeout} s: {process.args!r}")


class _Process:
    argv: list[str]
    port: int
    cwd: str | None = None

    def __enter__(self: P) -> P:
        # Output kept aside: uvicorn's and Redis's own logs would break the tables.
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            self.argv, cwd=self.cwd, stdout=self.log, stderr=subprocess.STDOUT
        )
        try:
            wait_for_port(self.port, self.process, timeout=30)
        except RuntimeError as exc:
            self.__exit__(None, None, None)
            self.log.seek(0)
            raise RuntimeError(f"{exc}\n{self.log.read().decode(errors='replace')}") from None
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


class AppProcess(_Process):
    """``starlette_app.py`` under uvicorn on a free port; ``url`` is its base URL."""

    def __init__(
        self,
        emulator: Coordinates,
        *,
        port: int | None = None,
        redis_url: str | None = None,
        system_cas: bool = False,
    ) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.argv = [
            sys.executable,
            os.path.join(HERE, "starlette_app.py"),
            "--port",
            str(self.port),
            "--emulator",
            emulator.to_json(),
        ]
        self.argv += ["--redis-url", redis_url] if redis_url else []
        self.argv += ["--system-cas"] if system_cas else []


class RedisProcess(_Process):
    """Our own ``redis-server`` on a free port in a temp dir, no persistence; ``url`` for clients."""

    def __init__(self, binary: str | None = None) -> None:
        found = binary or shutil.which("redis-server") or "/usr/bin/redis-server"
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.dir = tempfile.TemporaryDirectory(prefix="kakao-bench-redis-")
        self.cwd = self.dir.name
        self.argv = [found, "--port", str(self.port), "--bind", "127.0.0.1"]
        self.argv += ["--save", "", "--appendonly", "no", "--daemonize", "no"]

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        super().__exit__(exc_type, exc, tb)
        self.dir.cleanup()
