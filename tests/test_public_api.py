"""The public surface: what authlib_kakao exports, and that every module declares its own."""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import subprocess
import sys
import typing

import authlib_kakao
import authlib_kakao.errors


def test_all_is_sorted_and_is_exactly_the_public_names() -> None:
    names = authlib_kakao.__all__
    public = {
        name
        for name in dir(authlib_kakao)
        if not name.startswith("_") and not inspect.ismodule(getattr(authlib_kakao, name))
    }

    assert names == sorted(names)
    assert set(names) == public


HEAVY = ["requests", "httpx", "httpx2", "flask", "django", "starlette", "uvicorn", "asyncio"]


def loaded_after(statement: str) -> list[str]:
    code = f"import json, sys\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return sorted({name.split(".")[0] for name in json.loads(out.stdout)})


def test_importing_the_package_loads_nothing_but_itself() -> None:
    loaded = loaded_after("import authlib_kakao")

    assert not {"authlib", "joserfc", *HEAVY} & set(loaded)


def test_registering_needs_no_http_library_or_framework_until_one_is_used() -> None:
    loaded = loaded_after("from authlib_kakao import register_kakao, KakaoError")

    assert "authlib" in loaded
    assert not set(HEAVY) & set(loaded)


def test_every_error_is_exported_at_top_level() -> None:
    assert set(authlib_kakao.errors.__all__) <= set(authlib_kakao.__all__)


def test_the_contract_names_are_exported() -> None:
    for name in ("register_kakao", "normalize_token", "normalize_userinfo", "KakaoError",
                 "KakaoAuthError", "KakaoAPIError", "InvalidAccessTokenError", "ConsentRequiredError",
                 "NotLinkedError", "RateLimitError", "KakaoResponseError", "KakaoTransportError"):  # fmt: skip
        assert name in authlib_kakao.__all__


def test_exports_keep_their_modules_so_their_type_hints_resolve() -> None:
    # Tools that read annotations (pydantic, FastAPI, sphinx-autodoc) resolve them in __module__.
    for name in authlib_kakao.__all__:
        obj = getattr(authlib_kakao, name)
        assert obj.__module__ == authlib_kakao._EXPORTS[name], name
        if inspect.isclass(obj) or inspect.isfunction(obj):
            typing.get_type_hints(obj)


def test_public_names_have_docstrings_and_type_hints() -> None:
    for name in authlib_kakao.__all__:
        obj = getattr(authlib_kakao, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert inspect.getdoc(obj), name
        if inspect.isfunction(obj):
            assert "return" in obj.__annotations__, name


def test_every_module_declares_all() -> None:
    for module in pkgutil.walk_packages(authlib_kakao.__path__, "authlib_kakao."):
        if module.name.endswith("__main__"):
            continue
        imported = importlib.import_module(module.name)
        assert isinstance(getattr(imported, "__all__", None), list), module.name
