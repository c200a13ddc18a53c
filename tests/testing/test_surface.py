"""The emulator's surface is described once (issue #15): the backend's operations.

The façade offers each with the backend's signature, the control plane serves each or says why
not, and the control plane's user fields are ``User``'s own.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from dataclasses import asdict, fields

import httpx
import pytest

import authlib_kakao.testing as testing
from authlib_kakao.testing import KakaoEmulator, User
from authlib_kakao.testing.backend import KakaoBackend
from authlib_kakao.testing.control import NOT_OVER_HTTP, SECRET_USER_FIELDS, USER_FIELDS
from authlib_kakao.testing.routes import ROUTES
from authlib_kakao.testing.surface import OPERATIONS, SERVED


@pytest.fixture
def control(emu: KakaoEmulator) -> Iterator[httpx.Client]:
    assert emu.url is not None
    with httpx.Client(base_url=f"{emu.url}/_emulator", timeout=10) as client:
        yield client


def test_the_backend_declares_its_operations() -> None:
    assert len(OPERATIONS) == len(set(OPERATIONS))
    for name in OPERATIONS:
        assert callable(getattr(KakaoBackend, name)), name
    assert {"add_app", "add_user", "link_talk_channel", "set_channel_relation"} <= set(OPERATIONS)


@pytest.mark.parametrize("name", OPERATIONS)
def test_the_facade_offers_each_operation_with_the_backends_signature(
    emu: KakaoEmulator, name: str
) -> None:
    facade, backend = getattr(emu, name), getattr(emu.state, name)

    assert inspect.signature(facade) == inspect.signature(backend)
    assert inspect.getdoc(facade) == inspect.getdoc(backend)


def test_a_facade_operation_acts_on_the_backend_current_after_a_reset(emu: KakaoEmulator) -> None:
    emu.reset()
    app = emu.add_app(client_id="after-reset")

    assert emu.state.apps[app.app_id] is app


@pytest.mark.parametrize("name", OPERATIONS)
def test_the_control_plane_serves_each_operation_or_says_why_not(name: str) -> None:
    served = name in SERVED
    assert served != (name in NOT_OVER_HTTP), name
    if served:
        assert SERVED[name] in ROUTES.values(), name


def test_only_operations_are_served_or_excused() -> None:
    assert set(SERVED) <= set(OPERATIONS)
    assert set(NOT_OVER_HTTP) <= set(OPERATIONS)


def test_user_fields_over_http_are_the_user_records_own() -> None:
    owned_elsewhere = {"links", "channel_relations"}

    assert set(USER_FIELDS) == {f.name for f in fields(User)} - owned_elsewhere
    assert set(USER_FIELDS) >= SECRET_USER_FIELDS


def test_every_user_field_can_be_set_over_http_and_secrets_are_not_answered(
    emu: KakaoEmulator, control: httpx.Client
) -> None:
    values = {k: v for k, v in asdict(emu.user).items() if k in USER_FIELDS}
    values.update(id=77, login_id="seventy-seven", password="s3cret", is_korean=True)

    answer = control.post("/users", json=values).json()

    created = emu.state.users[77]
    assert {k: getattr(created, k) for k in USER_FIELDS} == values
    assert {k: answer[k] for k in USER_FIELDS if k not in SECRET_USER_FIELDS} == {
        k: v for k, v in values.items() if k not in SECRET_USER_FIELDS
    }
    assert "s3cret" not in str(answer)


def test_the_package_exports_what_its_lazy_table_lists() -> None:
    assert sorted(testing.__all__) == sorted(testing._HOMES)
    for name in testing.__all__:
        assert getattr(testing, name) is not None
    assert testing.TOKENS_REVOKED.endswith("/tokens-revoked")
