"""The core is sans-I/O: importing it pulls in no HTTP client and no web framework."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import authlib_kakao

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


def _imported_names(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


CORE = Path(authlib_kakao.__file__).parent / "core"


@pytest.mark.parametrize("module", sorted(CORE.glob("*.py")), ids=lambda p: p.name)
def test_no_core_module_imports_io_or_authlib_jose_even_lazily(module: Path) -> None:
    # Also catches imports inside functions, which the sys.modules check above cannot see.
    # authlib.jose is deprecated (its warnings are errors here); joserfc replaces it.
    banned = {*FORBIDDEN, "authlib.jose"}

    for name in _imported_names(module):
        assert not any(name == b or name.startswith(f"{b}.") for b in banned), name
