"""The TypedDicts of core.shapes against Kakao's documented payloads (tests/data/shapes.json).

TypedDicts are static only, so a shape that drifts from what Kakao sends would go unnoticed; here
a small runtime checker reads each shape's annotations (``typing.get_type_hints``, required and
optional keys) and holds every documented sample, and what our normalisers return, against it.
"""

from __future__ import annotations

from typing import Any, get_type_hints, is_typeddict

import pytest
from shape_check import mismatches
from tables import load, resolve, sample_units, table

from authlib_kakao.core import shapes
from authlib_kakao.core.claims import normalize_userinfo
from authlib_kakao.core.endpoints import KakaoEndpoints
from authlib_kakao.core.tokens import merge_refreshed_token, normalize_token

NOW = 1_700_000_000


def shape(name: str) -> Any:
    return getattr(shapes, name)


# -- the checker itself -------------------------------------------------------------------------


def test_the_checker_finds_each_kind_of_drift() -> None:
    good = {"id": 1, "scopes": [{"id": "profile", "display_name": "x", "type": "PRIVACY",
                                 "using": True, "agreed": True}]}  # fmt: skip
    assert mismatches(good, shapes.Scopes) == []

    assert mismatches({"scopes": []}, shapes.Scopes) == ["$.id: missing"]
    assert mismatches({"id": True, "scopes": []}, shapes.Scopes) == ["$.id: True, not int"]
    assert mismatches({"id": 1, "scopes": [], "new": 1}, shapes.Scopes) == [
        "$.new: not declared by Scopes"
    ]
    assert mismatches({"id": 1, "scopes": [], "new": 1}, shapes.Scopes, strict=False) == []
    nested = {"id": 1, "kakao_account": {"profile": {"nickname": 7}}}
    assert mismatches(nested, shapes.UserMe) == ["$.kakao_account.profile.nickname: 7, not str"]
    assert mismatches({"elements": [1, "2"], "after_url": None}, shapes.UserIds) == [
        "$.elements[1]: '2', not int"
    ]
    assert mismatches({"sub": "1", "kakao_id": 1, "properties": {"k": 1}}, shapes.UserInfoClaims)


def test_every_shape_is_a_typeddict_the_checker_can_read() -> None:
    for name in shapes.__all__:
        assert is_typeddict(shape(name)), name
        assert get_type_hints(shape(name)), name
        assert shape(name).__required_keys__ | shape(name).__optional_keys__


# -- Kakao's documented samples -----------------------------------------------------------------


@pytest.mark.parametrize("case", table("shapes", "conforming"))
def test_kakaos_sample_has_its_shape(case: dict[str, Any]) -> None:
    assert mismatches(resolve(case["payload"]), shape(case["shape"])) == []


@pytest.mark.parametrize("case", table("shapes", "drifted"))
def test_a_sample_of_another_shape_is_caught(case: dict[str, Any]) -> None:
    assert mismatches(resolve(case["payload"]), shape(case["shape"])) != []


def test_every_documented_payload_is_checked_against_a_shape() -> None:
    data = load("shapes")

    checked = units_of(data["conforming"] + data["drifted"] + data["no_body"])

    assert checked == sample_units()


def units_of(rows: list[dict[str, Any]]) -> set[tuple[str, str | None]]:
    refs = [row.get("payload", row) for row in rows]
    return {(ref["$sample"], ref.get("$field")) for ref in refs}


# -- what our own code returns ------------------------------------------------------------------

TOKEN_SAMPLES = [
    ("token_authorization_code", None),
    ("token_authorization_code_oidc", None),
    ("token_refresh", None),
    ("token_refresh", "body_without_new_refresh_token_AND19"),
]


@pytest.mark.parametrize(("sample", "field"), TOKEN_SAMPLES)
def test_a_normalised_token_is_a_kakao_token(sample: str, field: str | None) -> None:
    body = resolve({"$sample": sample, **({"$field": field} if field else {})})
    token = normalize_token(body, now=NOW)

    assert mismatches(token, shapes.KakaoToken) == []
    assert mismatches(merge_refreshed_token(token, normalize_token(body, now=NOW)),
                      shapes.KakaoToken) == []  # fmt: skip


def test_a_kakao_field_added_later_is_kept_not_refused() -> None:
    body = {**resolve({"$sample": "token_refresh"}), "new_kakao_field": [1]}

    token = normalize_token(body, now=NOW)

    assert token["new_kakao_field"] == [1]
    assert mismatches(token, shapes.KakaoToken, strict=False) == []


@pytest.mark.parametrize("sample", ["user_me_full", "user_me_minimal"])
def test_normalised_userinfo_is_user_info_claims(sample: str) -> None:
    claims = normalize_userinfo(resolve({"$sample": sample}))

    assert mismatches(claims, shapes.UserInfoClaims) == []


def test_the_oidc_claims_of_kakaos_own_userinfo_are_a_subset_of_ours() -> None:
    ours = set(get_type_hints(shapes.UserInfoClaims))

    assert set(get_type_hints(shapes.OIDCUserInfo)) <= ours
    assert shapes.UserInfoClaims.__required_keys__ == {"sub", "kakao_id"}


def test_our_static_metadata_is_oidc_metadata() -> None:
    assert mismatches(KakaoEndpoints().oidc_metadata(), shapes.OIDCMetadata) == []
