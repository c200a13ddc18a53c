"""authlib_kakao.webhooks: its public names, and what importing it costs."""

from __future__ import annotations

import ast
import inspect
import json
import subprocess
import sys
from pathlib import Path

import pytest

import authlib_kakao.webhooks as webhooks

PACKAGE = Path(webhooks.__file__).parent
HEAVY = [
    "requests",
    "httpx",
    "httpx2",
    "flask",
    "django",
    "starlette",
    "uvicorn",
    "asyncio",
    "redis",
]


def test_all_is_sorted_and_documented() -> None:
    names = webhooks.__all__

    assert names == sorted(names, key=lambda n: (not n.isupper(), n))
    for name in names:
        obj = getattr(webhooks, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert inspect.getdoc(obj), name


def test_importing_the_receivers_loads_no_http_library_framework_or_asyncio() -> None:
    code = "import json, sys\nimport authlib_kakao.webhooks\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = {name.split(".")[0] for name in json.loads(out.stdout)}

    assert not set(HEAVY) & loaded


@pytest.mark.parametrize("module", ["unlink.py", "security_events.py", "store.py"])
def test_verification_and_stores_import_no_http_library_or_framework(module: str) -> None:
    # Also imports inside functions: the checks are as pure as the core they build on.
    banned = ["requests", "httpx", "httpx2", "flask", "django", "starlette", "authlib.jose"]
    tree = ast.parse((PACKAGE / module).read_text("utf-8"))
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
             for alias in node.names}  # fmt: skip
    names |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}

    assert not {n for n in names for b in banned if n == b or n.startswith(f"{b}.")}
