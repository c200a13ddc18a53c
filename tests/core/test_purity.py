"""The core is sans-I/O: importing it pulls in no HTTP client and no web framework."""

from __future__ import annotations

import subprocess
import sys

FORBIDDEN = ["requests", "httpx", "httpx2", "flask", "django", "starlette", "uvicorn"]


def test_core_imports_no_http_client_or_framework() -> None:
    code = (
        "import sys, pkgutil, importlib, authlib_kakao.core as core\n"
        "for m in pkgutil.iter_modules(core.__path__): importlib.import_module(f'authlib_kakao.core.{m.name}')\n"
        f"print(','.join(n for n in {FORBIDDEN!r} if n in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert out.stdout.strip() == ""
