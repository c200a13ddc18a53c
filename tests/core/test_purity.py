"""The core is sans-I/O: importing it pulls in no HTTP client and no web framework."""

from __future__ import annotations

import subprocess
import sys

FORBIDDEN = ["requests", "httpx", "httpx2", "flask", "django", "starlette", "uvicorn"]


def test_core_imports_no_http_client_or_framework() -> None:
    # The package __init__ re-exports the provider (which does I/O), so it is bypassed: what is
    # checked is what the core modules themselves pull in.
    code = (
        "import sys, types, pathlib, pkgutil, importlib, importlib.util\n"
        "spec = importlib.util.find_spec('authlib_kakao')\n"
        "pkg = types.ModuleType('authlib_kakao'); pkg.__path__ = list(spec.submodule_search_locations)\n"
        "sys.modules['authlib_kakao'] = pkg\n"
        "import authlib_kakao.core as core\n"
        "for m in pkgutil.iter_modules(core.__path__): importlib.import_module(f'authlib_kakao.core.{m.name}')\n"
        f"print(','.join(n for n in {FORBIDDEN!r} if n in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert out.stdout.strip() == ""
