"""The public surface: what authlib_kakao exports, and that every module declares its own."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import authlib_kakao
import authlib_kakao.errors


def test_all_is_sorted_and_names_exist() -> None:
    names = authlib_kakao.__all__

    assert names == sorted(names)
    assert all(hasattr(authlib_kakao, name) for name in names)


def test_every_error_is_exported_at_top_level() -> None:
    assert set(authlib_kakao.errors.__all__) <= set(authlib_kakao.__all__)


def test_the_contract_names_are_exported() -> None:
    for name in ("register_kakao", "normalize_token", "normalize_userinfo", "KakaoError",
                 "KakaoAuthError", "KakaoAPIError", "InvalidAccessTokenError", "ConsentRequiredError",
                 "NotLinkedError", "RateLimitError", "KakaoResponseError", "KakaoTransportError"):  # fmt: skip
        assert name in authlib_kakao.__all__


def test_exports_present_themselves_at_top_level() -> None:
    assert authlib_kakao.KakaoAuthError.__module__ == "authlib_kakao"
    assert authlib_kakao.register_kakao.__module__ == "authlib_kakao"


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
