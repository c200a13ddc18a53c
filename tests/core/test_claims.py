"""normalize_userinfo over tests/data/userinfo.json (Kakao's samples plus every edge shape)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tables import resolve, table

from authlib_kakao.core.claims import birthdate, e164, normalize_userinfo
from authlib_kakao.errors import KakaoResponseError


@pytest.mark.parametrize("case", table("userinfo", "cases"))
def test_normalize_userinfo(case: dict[str, Any]) -> None:
    claims = normalize_userinfo(resolve(case["input"]))

    for name, value in case["expected"].items():
        assert claims.get(name) == value, name
    for name in case.get("expected_absent", []):
        assert name not in claims


@pytest.mark.parametrize("case", table("userinfo", "errors"))
def test_normalize_userinfo_without_a_usable_id_raises(case: dict[str, Any]) -> None:
    with pytest.raises(KakaoResponseError, match="no usable id"):
        normalize_userinfo(case["input"])


@pytest.mark.parametrize("case", table("userinfo", "oidc"))
def test_claims_match_kakaos_own_oidc_userinfo(case: dict[str, Any]) -> None:
    claims = normalize_userinfo(resolve(case["me"]))
    kakao = resolve(case["oidc"])

    assert set(kakao) <= set(claims)
    for name in case["equal"]:
        assert claims[name] == kakao[name], name
    for name in kakao:
        assert type(claims[name]) is type(kakao[name]), name


def test_normalize_userinfo_does_not_change_its_input() -> None:
    body = resolve({"$sample": "user_me_full"})
    before = json.dumps(body, sort_keys=True)

    normalize_userinfo(body)

    assert json.dumps(body, sort_keys=True) == before


def test_sub_is_always_a_string_and_kakao_id_keeps_full_precision() -> None:
    claims = normalize_userinfo({"id": 2**63 - 1})

    assert claims["sub"] == "9223372036854775807"
    assert claims["kakao_id"] == 2**63 - 1


def test_raw_kakao_objects_are_copies() -> None:
    data: dict[str, Any] = {"id": 1, "kakao_account": {"email": "a@b.c"}}

    claims = normalize_userinfo(data)
    claims["kakao_account"]["email"] = "changed"

    assert data["kakao_account"]["email"] == "a@b.c"


@pytest.mark.parametrize(
    ("year", "day", "expected"),
    [("2002", "1130", "2002-11-30"), (None, "1130", "0000-11-30"), ("2002", None, "2002"),
     (None, None, None), ("02", "1130", "0000-11-30"), ("2002", "11-30", "2002")],
)  # fmt: skip
def test_birthdate_follows_kakaos_oidc_rules(year: Any, day: Any, expected: str | None) -> None:
    assert birthdate(year, day) == expected


@pytest.mark.parametrize(
    ("phone", "expected"),
    [("+82 10-1234-5678", "+821012345678"), ("+82 010-1234-5678", "+821012345678"),
     ("+82 10 1234 5678", "+821012345678"), ("+1 415-555-0100", "+14155550100"),
     ("010-1234-5678", None), ("+82 ", None), ("+821012345678", "+821012345678"),
     (" +82 10-1234-5678 ", "+821012345678"), ("+82 1", None), ("+82 10-1234-5678-9999-9999", None),
     ("", None)],
)  # fmt: skip
def test_e164(phone: str, expected: str | None) -> None:
    assert e164(phone) == expected
