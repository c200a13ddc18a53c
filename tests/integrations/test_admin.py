"""The admin client (KakaoAK) against the emulator: the same methods blocking and awaited."""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

import pytest

from authlib_kakao import (
    AsyncKakaoAdmin,
    InvalidAccessTokenError,
    KakaoAdmin,
    KakaoConfigError,
)
from authlib_kakao.testing import KakaoEmulator


class Admin:
    """A KakaoAdmin or AsyncKakaoAdmin whose methods are called the same way."""

    def __init__(self, cls: type, emulator: KakaoEmulator, **extra: Any) -> None:
        self.client = cls(emulator.app.admin_key, kapi_url=emulator.url, **extra)

    def __call__(self, method: str, *args: Any, **kwargs: Any) -> Any:
        bound = getattr(self.client, method)
        if inspect.iscoroutinefunction(bound):
            return asyncio.run(bound(*args, **kwargs))
        return bound(*args, **kwargs)

    def all_ids(self, **kwargs: Any) -> list[int]:
        iterator = self.client.iter_user_ids(**kwargs)
        if hasattr(iterator, "__aiter__"):

            async def collect() -> list[int]:
                return [user_id async for user_id in iterator]

            return asyncio.run(collect())
        return list(iterator)


@pytest.fixture(params=[KakaoAdmin, AsyncKakaoAdmin], ids=["sync", "async"])
def admin(request: pytest.FixtureRequest, kakao_emulator: KakaoEmulator) -> Admin:
    return Admin(request.param, kakao_emulator)


def linked_ids(emulator: KakaoEmulator) -> list[int]:
    return sorted(u.id for u in emulator.state.users.values() if emulator.app.app_id in u.links)


def test_one_page_of_user_ids(admin: Admin, kakao_emulator: KakaoEmulator) -> None:
    for _ in range(5):
        kakao_emulator.add_user()

    page = admin("user_ids", limit=3)

    assert page["elements"] == linked_ids(kakao_emulator)[:3]
    assert page["after_url"]


def test_every_user_id_across_pages_and_the_rate_limit_once_each(
    request: pytest.FixtureRequest, kakao_emulator: KakaoEmulator
) -> None:
    for _ in range(10_000):
        kakao_emulator.add_user()
    kakao_emulator.config.user_ids_rate_limit = 40  # calls per minute: the walk has to wait
    waits: list[float] = []

    def wait(seconds: float) -> None:  # the emulator's minute passes without a real wait
        waits.append(seconds)
        kakao_emulator.clock.advance(seconds)

    async def await_wait(seconds: float) -> None:
        wait(seconds)

    ids = Admin(KakaoAdmin, kakao_emulator, sleep=wait).all_ids()
    ids_async = Admin(AsyncKakaoAdmin, kakao_emulator, sleep=await_wait).all_ids(order="desc")

    assert ids == linked_ids(kakao_emulator)
    assert ids_async == list(reversed(ids))
    assert waits  # the limit was met, waited out, and the walk resumed


def test_a_rate_limit_that_does_not_lift_ends_in_the_error(kakao_emulator: KakaoEmulator) -> None:
    from authlib_kakao import RateLimitError

    for _ in range(300):
        kakao_emulator.add_user()
    kakao_emulator.config.user_ids_rate_limit = 1
    client = KakaoAdmin(kakao_emulator.app.admin_key, kapi_url=kakao_emulator.url,
                        sleep=lambda seconds: None)  # fmt: skip  # the clock never moves

    with pytest.raises(RateLimitError):
        list(client.iter_user_ids())


def test_users_are_batched_and_keep_their_order(
    admin: Admin, kakao_emulator: KakaoEmulator
) -> None:
    created = [kakao_emulator.add_user().id for _ in range(230)]
    wanted = [*reversed(created), 1]  # the last id is nobody's
    kakao_emulator.clear_log()

    users = admin("users", wanted)
    with_keys = admin("users", created[:45], property_keys=["kakao_account.profile"])

    assert [u["id"] for u in users] == list(reversed(created))
    assert [u["id"] for u in with_keys] == created[:45]
    assert kakao_emulator.count("/v2/app/users") == 3 + 3  # 100 + 100 + 31, then 20 + 20 + 5


def test_one_users_profile_logout_and_unlink(admin: Admin, kakao_emulator: KakaoEmulator) -> None:
    user = kakao_emulator.user
    token = kakao_emulator.issue_tokens()

    assert admin("me", user.id)["id"] == user.id
    assert admin("logout", user.id) == user.id
    assert token["access_token"] not in kakao_emulator.state.access_tokens
    assert admin("unlink", user.id) == user.id
    assert kakao_emulator.app.app_id not in user.links


def test_consent_and_terms_of_one_user(admin: Admin, kakao_emulator: KakaoEmulator) -> None:
    user_id = kakao_emulator.user.id

    admin("revoke_scopes", user_id, ["account_email"])
    email = admin("scopes", user_id, ["account_email"])["scopes"][0]
    admin("revoke_service_terms", user_id, ["terms_marketing"])

    assert email["agreed"] is False
    assert admin("missing_service_terms", user_id, ["terms_service", "terms_marketing"]) == [
        "terms_marketing"
    ]


def test_a_wrong_admin_key_is_refused_and_never_shown(kakao_emulator: KakaoEmulator) -> None:
    secret = "wrong-admin-key-123456"
    client = KakaoAdmin(secret, kapi_url=kakao_emulator.url)

    with pytest.raises(InvalidAccessTokenError) as caught:
        client.me(kakao_emulator.user.id)

    assert secret not in f"{caught.value} {caught.value!r} {caught.value.args} {client!r}"
    assert str(caught.value).endswith("[GET /v2/user/me]")


def test_the_admin_key_goes_only_to_the_configured_host(kakao_emulator: KakaoEmulator) -> None:
    from authlib_kakao.core.flows import user_ids_page_params

    assert user_ids_page_params("https://evil.example/v1/user/ids?from_id=7&limit=3&x=1") == {
        "from_id": "7",
        "limit": "3",
    }


@pytest.mark.parametrize("key", ["", "   ", None])
def test_an_admin_client_needs_a_key(key: Any) -> None:
    with pytest.raises(KakaoConfigError, match="admin key"):
        KakaoAdmin(key)


def test_both_clients_have_the_same_methods() -> None:
    def public(cls: type) -> dict[str, inspect.Signature]:
        return {n: inspect.signature(m) for n, m in vars(cls).items()
                if inspect.isfunction(m) and not n.startswith("_")}  # fmt: skip

    assert public(KakaoAdmin) == public(AsyncKakaoAdmin)
    assert len(public(KakaoAdmin)) >= 13


def test_a_user_not_linked_to_the_app_is_a_not_linked_error(
    admin: Admin, kakao_emulator: KakaoEmulator
) -> None:
    from authlib_kakao import NotLinkedError

    stranger = kakao_emulator.add_user(linked=False)

    with pytest.raises(NotLinkedError) as caught:
        admin("me", stranger.id)

    assert caught.value.code == -101
    assert "not linked to this app" in caught.value.hint
