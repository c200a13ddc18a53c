"""Reference §4 and §7: the admin-key APIs ``/v1/user/ids`` and ``/v2/app/users`` over HTTP."""

from __future__ import annotations

import json
import random
from urllib.parse import parse_qs, urlsplit

import pytest
from kapi_client import JSON_CT, Kapi, arr, full_user
from wire import BOTH_WIRES

from authlib_kakao.testing import KakaoEmulator
from authlib_kakao.testing.backend import KakaoBackend
from authlib_kakao.testing.state import Link, User

IDS = "/v1/user/ids"
USERS = "/v2/app/users"


@pytest.fixture
def linked_ids(emu: KakaoEmulator) -> list[int]:
    """12 users linked to the default app, 6 unlinked in between; all linked ids, sorted."""
    for n in range(18):
        full_user(emu, linked=n % 3 != 2)
    return sorted(u.id for u in emu.state.users.values() if emu.app.app_id in u.links)


def walk(emu: KakaoEmulator, kapi: Kapi, params: dict[str, str], key: str) -> list[list[int]]:
    """Follow ``key`` (after_url / before_url) from the first page until it is null."""
    auth = {"Authorization": f"KakaoAK {emu.app.admin_key}"}
    pages: list[list[int]] = []
    body = kapi.get(IDS, admin=emu.app.admin_key, params=params).json()
    while True:
        pages.append(body["elements"])
        if body[key] is None:
            return pages
        body = kapi.client.get(body[key], headers=auth).json()


def test_ref_4_user_ids_default_page(emu: KakaoEmulator, kapi: Kapi, linked_ids: list[int]) -> None:
    response = kapi.get(IDS, admin=emu.app.admin_key)

    assert response.status_code == 200
    assert response.headers["content-type"] == JSON_CT
    assert response.json() == {"elements": linked_ids, "before_url": None, "after_url": None}


@BOTH_WIRES
def test_ref_4_user_ids_paging_after_url(
    emu: KakaoEmulator, kapi: Kapi, linked_ids: list[int]
) -> None:
    pages = walk(emu, kapi, {"limit": "5"}, "after_url")

    assert [len(p) for p in pages] == [5, 5, 3]
    assert [i for p in pages for i in p] == linked_ids


@BOTH_WIRES
def test_ref_4_user_ids_after_url_is_a_full_url_on_the_same_host(
    emu: KakaoEmulator, kapi: Kapi, linked_ids: list[int]
) -> None:
    body = kapi.get(IDS, admin=emu.app.admin_key, params={"limit": "5"}).json()

    url = urlsplit(body["after_url"])
    assert f"{url.scheme}://{url.netloc}" == kapi.base_url.rstrip("/")
    assert url.path == IDS
    assert parse_qs(url.query) == {
        "limit": ["5"],
        "order": ["asc"],
        "from_id": [str(linked_ids[5])],
    }


def test_ref_4_user_ids_desc_order(emu: KakaoEmulator, kapi: Kapi, linked_ids: list[int]) -> None:
    pages = walk(emu, kapi, {"limit": "4", "order": "desc"}, "after_url")

    assert [i for p in pages for i in p] == linked_ids[::-1]


def test_ref_4_user_ids_from_id_is_inclusive(
    emu: KakaoEmulator, kapi: Kapi, linked_ids: list[int]
) -> None:
    asc = kapi.get(IDS, admin=emu.app.admin_key, params={"from_id": str(linked_ids[4])}).json()
    desc = kapi.get(
        IDS, admin=emu.app.admin_key, params={"from_id": str(linked_ids[4]), "order": "desc"}
    ).json()

    assert asc["elements"] == linked_ids[4:]
    assert desc["elements"] == linked_ids[4::-1]


def test_ref_4_user_ids_paging_before_url(
    emu: KakaoEmulator, kapi: Kapi, linked_ids: list[int]
) -> None:
    pages = walk(emu, kapi, {"limit": "5", "from_id": str(linked_ids[10])}, "before_url")

    assert pages == [linked_ids[10:], linked_ids[5:10], linked_ids[0:5]]


def test_ref_4_user_ids_follow_accounts_that_come_and_go(emu: KakaoEmulator, kapi: Kapi) -> None:
    gone = full_user(emu)
    kapi.get(IDS, admin=emu.app.admin_key)  # a first page, so the emulator has sorted its ids
    emu.delete_account(gone)
    new = full_user(emu)  # as many users as before the deletion, one of them new

    page = kapi.get(IDS, admin=emu.app.admin_key).json()["elements"]

    assert new.id in page
    assert gone.id not in page


def test_ref_4_user_ids_skips_users_of_other_apps(emu: KakaoEmulator, kapi: Kapi) -> None:
    other = emu.add_app()
    theirs = full_user(emu, app=other)

    mine = kapi.get(IDS, admin=emu.app.admin_key).json()["elements"]
    their_page = kapi.get(IDS, admin=other.admin_key).json()["elements"]

    assert theirs.id not in mine
    assert their_page == [theirs.id]


@pytest.mark.parametrize(
    "params",
    [{"limit": "0"}, {"limit": "101"}, {"limit": "ten"}, {"order": "up"}, {"from_id": "x"}],
)
def test_ref_4_user_ids_bad_params_are_minus_2(
    emu: KakaoEmulator, kapi: Kapi, params: dict[str, str]
) -> None:
    response = kapi.get(IDS, admin=emu.app.admin_key, params=params)

    assert response.status_code == 400
    assert response.json()["code"] == -2


def test_ref_5_2_user_ids_with_a_bearer_token_is_minus_401(emu: KakaoEmulator, kapi: Kapi) -> None:
    response = kapi.get(IDS, token=emu.issue_tokens()["access_token"])

    assert response.status_code == 401
    assert response.json()["code"] == -401


@BOTH_WIRES
def test_ref_7_user_ids_rate_limit_is_429_minus_10(emu: KakaoEmulator, kapi: Kapi) -> None:
    emu.config.user_ids_rate_limit = 3
    statuses = [kapi.get(IDS, admin=emu.app.admin_key).status_code for _ in range(4)]
    limited = kapi.get(IDS, admin=emu.app.admin_key)

    assert statuses == [200, 200, 200, 429]
    assert limited.status_code == 429
    assert limited.json() == {"msg": "API limit has been exceeded.", "code": -10}

    emu.clock.advance(60)
    assert kapi.get(IDS, admin=emu.app.admin_key).status_code == 200


def test_ref_7_user_ids_rate_limit_defaults_to_100_per_minute(
    emu: KakaoEmulator, kapi: Kapi
) -> None:
    statuses = [kapi.get(IDS, admin=emu.app.admin_key).status_code for _ in range(101)]

    assert statuses.count(200) == 100
    assert statuses[-1] == 429


def test_ref_7_user_ids_rate_limit_is_per_app(emu: KakaoEmulator, kapi: Kapi) -> None:
    emu.config.user_ids_rate_limit = 1
    other = emu.add_app()

    assert kapi.get(IDS, admin=emu.app.admin_key).status_code == 200
    assert kapi.get(IDS, admin=emu.app.admin_key).status_code == 429
    assert kapi.get(IDS, admin=other.admin_key).status_code == 200


# --- /v2/app/users ------------------------------------------------------------------------------


@pytest.mark.kakao_emulator(app_preset="biz")  # not Kakao Sync: no synched_at
def test_ref_4_app_users_bare_array_by_default(emu: KakaoEmulator, kapi: Kapi) -> None:
    second = full_user(emu)
    stranger = full_user(emu, linked=False)

    response = kapi.get(
        USERS,
        admin=emu.app.admin_key,
        params={
            "target_id_type": "user_id",
            "target_ids": arr(emu.user.id, second.id, stranger.id),
        },
    )

    assert response.status_code == 200
    body = response.json()
    assert isinstance(body, list)
    assert [u["id"] for u in body] == [emu.user.id, second.id]
    assert set(body[0]) == {"id", "connected_at"}


def test_ref_4_app_users_elements_shape_is_configurable(emu: KakaoEmulator, kapi: Kapi) -> None:
    emu.config.app_users_shape = "elements"

    body = kapi.get(
        USERS,
        admin=emu.app.admin_key,
        params={"target_id_type": "user_id", "target_ids": arr(emu.user.id)},
    ).json()

    assert [u["id"] for u in body["elements"]] == [emu.user.id]


def test_ref_4_app_users_with_property_keys(emu: KakaoEmulator, kapi: Kapi) -> None:
    body = kapi.get(
        USERS,
        admin=emu.app.admin_key,
        params={
            "target_id_type": "user_id",
            "target_ids": arr(emu.user.id),
            "property_keys": arr("kakao_account.email"),
        },
    ).json()

    assert body[0]["kakao_account"]["email"] == emu.user.email
    assert "profile" not in body[0]["kakao_account"]


@pytest.mark.parametrize(
    ("count", "with_keys", "status"),
    [(100, False, 200), (101, False, 400), (20, True, 200), (21, True, 400)],
)
def test_ref_7_app_users_id_count_limits(
    emu: KakaoEmulator, kapi: Kapi, count: int, with_keys: bool, status: int
) -> None:
    params = {"target_id_type": "user_id", "target_ids": json.dumps(list(range(1, count + 1)))}
    if with_keys:
        params["property_keys"] = arr("kakao_account.profile")

    response = kapi.get(USERS, admin=emu.app.admin_key, params=params)

    assert response.status_code == status
    if status == 400:
        assert response.json()["code"] == -2


@pytest.mark.parametrize(
    "target_ids", ["[1,2", "1,2", '["a"]', "[]", '{"id":1}', "[true]", "[1.5]"]
)
def test_ref_4_app_users_malformed_target_ids_is_minus_2(
    emu: KakaoEmulator, kapi: Kapi, target_ids: str
) -> None:
    response = kapi.get(
        USERS,
        admin=emu.app.admin_key,
        params={"target_id_type": "user_id", "target_ids": target_ids},
    )

    assert response.status_code == 400
    assert response.json()["code"] == -2


def test_ref_5_2_app_users_with_a_bearer_token_is_minus_401(emu: KakaoEmulator, kapi: Kapi) -> None:
    response = kapi.get(
        USERS,
        token=emu.issue_tokens()["access_token"],
        params={"target_id_type": "user_id", "target_ids": arr(emu.user.id)},
    )

    assert response.status_code == 401
    assert response.json()["code"] == -401


def test_ref_4_user_ids_paging_over_100k_users_visits_each_once() -> None:
    """The pager itself (no HTTP): 100,000 users, a third unlinked, paged 100 at a time."""
    state = KakaoBackend()
    rng = random.Random(7)
    for n in range(100_000):
        user = User(rng.getrandbits(63))
        if n % 3:
            user.links[1] = Link(connected_at=0.0)
        state.users[user.id] = user
    expected = sorted(u.id for u in state.users.values() if 1 in u.links)

    seen: list[int] = []
    from_id: int | None = None
    while True:
        page, _, after = state.page_user_ids(1, limit=100, from_id=from_id, descending=False)
        seen.extend(page)
        if after is None:
            break
        from_id = after

    assert seen == expected
