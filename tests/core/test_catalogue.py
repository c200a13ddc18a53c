"""The catalogue joined to what every row needs: an emulator route, its methods on each face, and
its entry in the docs. A row added without the rest fails here, naming the call and the gap."""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

import pytest

from authlib_kakao.admin import AsyncKakaoAdmin, KakaoAdmin
from authlib_kakao.core.calls import CALLS, KakaoCall
from authlib_kakao.core.endpoints import KakaoEndpoints
from authlib_kakao.core.responses import parse_kapi
from authlib_kakao.integrations.mixin import AsyncKakaoAppMixin, KakaoAppMixin
from authlib_kakao.testing.routes import ROUTES

USER_DOCS = Path(__file__).resolve().parents[2] / "docs" / "after-login.md"
"""The page that documents the user APIs and the admin client."""

APP_FACES = (KakaoAppMixin, AsyncKakaoAppMixin)
ADMIN_FACES = (KakaoAdmin, AsyncKakaoAdmin)


def documented(name: str, markdown: str) -> bool:
    """``name`` as inline code: `` `name` ``, `` `name(...)` ``, `` `kakao.name(...)` ``."""
    return re.search(rf"`(?:\w+\.)*{re.escape(name)}\b", markdown) is not None


def gaps(call: KakaoCall[..., Any], markdown: str) -> list[str]:
    """What ``call`` lacks: its route, its methods, its mention in the docs."""
    missing = []
    if (call.method, call.path) not in ROUTES:
        missing.append(f"no route ({call.method!r}, {call.path!r}) in testing/routes.py ROUTES")
    faces = [*(APP_FACES if call.auth == "bearer" else ()),
             *(ADMIN_FACES if call.admin or call.auth == "admin" else ())]  # fmt: skip
    missing += [f"no method {face.__name__}.{call.name}" for face in faces
                if not inspect.isfunction(getattr(face, call.name, None))]  # fmt: skip
    if faces and not documented(call.name, markdown):
        missing.append(f"no `{call.name}` in docs/{USER_DOCS.name}")
    return missing


@pytest.mark.parametrize("call", list(CALLS.values()), ids=list(CALLS))
def test_every_call_has_its_route_its_methods_and_its_docs(call: KakaoCall[..., Any]) -> None:
    missing = gaps(call, USER_DOCS.read_text(encoding="utf-8"))

    assert not missing, f"catalogue call {call.name!r}: " + "; ".join(missing)


def test_a_row_added_alone_is_reported_with_every_gap() -> None:
    row = KakaoCall("frobnicate", "POST", "kapi", "/v1/user/frobnicate", "bearer", parse_kapi,
                    admin=True)  # fmt: skip

    assert gaps(row, USER_DOCS.read_text(encoding="utf-8")) == [
        "no route ('POST', '/v1/user/frobnicate') in testing/routes.py ROUTES",
        "no method KakaoAppMixin.frobnicate",
        "no method AsyncKakaoAppMixin.frobnicate",
        "no method KakaoAdmin.frobnicate",
        "no method AsyncKakaoAdmin.frobnicate",
        "no `frobnicate` in docs/after-login.md",
    ]


def test_only_calls_without_a_method_are_the_unauthenticated_ones() -> None:
    # A call with no face (JWKS) is internal: the id_token and webhook checks use it.
    assert {name for name, call in CALLS.items() if call.auth == "none"} == {"jwks"}


# -- derived methods keep the row's signature ---------------------------------------------------


def row_parameters(call: KakaoCall[..., Any]) -> list[tuple[str, Any, Any]]:
    params = inspect.signature(call.params).parameters.values()
    return [(p.name, p.kind, p.default) for p in params]


def method_parameters(face: type, name: str, skip: int) -> list[tuple[str, Any, Any]]:
    if not hasattr(face, name):
        return []  # the join above names the missing method
    params = list(inspect.signature(getattr(face, name)).parameters.values())[skip:]
    return [(p.name, p.kind, p.default) for p in params]


@pytest.mark.parametrize("call", [c for c in CALLS.values() if c.params.__name__ != "no_params"],
                         ids=lambda c: c.name)  # fmt: skip
def test_methods_derived_from_a_row_take_its_parameters(call: KakaoCall[..., Any]) -> None:
    row = row_parameters(call)
    kakao = [p for p in row if p[1] is not inspect.Parameter.VAR_KEYWORD]
    if call.auth == "bearer":
        assert row[-1][1] is inspect.Parameter.VAR_KEYWORD, "Authlib's token=/request= go here"
        for face in APP_FACES:
            assert method_parameters(face, call.name, 1) == row
            assert inspect.getdoc(getattr(face, call.name)) == inspect.getdoc(call.params)
    if call.admin:
        user_id = ("user_id", inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.empty)
        for face in ADMIN_FACES:
            assert method_parameters(face, call.name, 1) == [user_id, *kakao]
    elif call.auth == "admin":
        for face in ADMIN_FACES:
            assert method_parameters(face, call.name, 1) == kakao


def test_the_admin_client_refuses_authlibs_keywords_the_app_takes() -> None:
    admin = KakaoAdmin("AK", kapi_url="http://kapi.test")

    with pytest.raises(TypeError, match="unexpected keyword argument 'token'"):
        admin.me(1, token={"access_token": "x"})


def test_a_signature_function_states_the_wire_values() -> None:
    endpoints = KakaoEndpoints("http://kauth.test", "http://kapi.test")
    scopes, terms = CALLS["scopes"], CALLS["service_terms"]

    assert scopes.request(endpoints, scopes.params(iter(["a", "b"]))).query == {
        "scopes": '["a","b"]'
    }
    assert terms.request(endpoints, terms.params(("x", "y"))).query == {
        "tags": "x,y",
        "result": "agreed_service_terms",
    }
