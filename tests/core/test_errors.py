"""The error table, the response mapper over tests/data/errors.json, and secrets in messages."""

from __future__ import annotations

from typing import Any

import pytest
from tables import resolve, table

import authlib_kakao.errors as errors
from authlib_kakao.core.error_codes import ERROR_CODES, render_markdown
from authlib_kakao.core.responses import HTTPResponse, parse_kapi, parse_kauth

REFERENCE_KOE = [
    "KOE001",
    "KOE002",
    "KOE003",
    "KOE004",
    "KOE005",
    "KOE006",
    "KOE007",
    "KOE008",
    "KOE009",
    "KOE010",
    "KOE023",
    "KOE101",
    "KOE102",
    "KOE201",
    "KOE202",
    "KOE205",
    "KOE237",
    "KOE303",
    "KOE310",
    "KOE319",
    "KOE320",
    "KOE322",
    "KOE400",
]
REFERENCE_KAPI = [
    "-1",
    "-2",
    "-3",
    "-4",
    "-5",
    "-6",
    "-7",
    "-8",
    "-9",
    "-10",
    "-11",
    "-12",
    "-101",
    "-102",
    "-103",
    "-201",
    "-301",
    "-401",
    "-402",
    "-405",
    "-406",
    "-501",
    "-602",
    "-603",
    "-606",
    "-903",
    "-9798",
]


@pytest.mark.parametrize("code", REFERENCE_KOE + REFERENCE_KAPI)
def test_every_reference_code_has_a_row_with_a_hint(code: str) -> None:
    row = ERROR_CODES[code]

    assert len(row.hint) > 20
    assert row.hint.endswith(".")
    expected_base = errors.KakaoAuthError if code.startswith("KOE") else errors.KakaoAPIError
    assert issubclass(row.exc, expected_base)


@pytest.mark.parametrize(
    ("code", "cls"),
    [("KOE237", errors.TokenRateLimitError), ("-401", errors.InvalidAccessTokenError),
     ("-402", errors.ConsentRequiredError), ("-101", errors.NotLinkedError),
     ("-10", errors.RateLimitError), ("KOE320", errors.KakaoAuthError)],
)  # fmt: skip
def test_special_codes_map_to_their_classes(code: str, cls: type[Exception]) -> None:
    assert ERROR_CODES[code].exc is cls


def test_token_rate_limit_is_both_an_auth_and_a_rate_limit_error() -> None:
    from authlib.integrations.base_client.errors import OAuthError

    exc = errors.TokenRateLimitError("too_many_requests", "slow", code="KOE237", status_code=429)

    assert isinstance(exc, errors.RateLimitError)
    assert isinstance(exc, OAuthError)
    assert str(exc).startswith("KOE237: slow — ")


def test_rendered_markdown_has_one_row_per_code() -> None:
    page = render_markdown()

    for code in ERROR_CODES:
        assert f"| `{code}` |" in page


def _response(case: dict[str, Any]) -> HTTPResponse:
    body = resolve(case["body"])
    raw = body if isinstance(body, str) else __import__("json").dumps(body)
    return HTTPResponse(case["status"], {"content-type": "application/json"}, raw.encode())


@pytest.mark.parametrize("case", table("errors", "cases"))
def test_error_mapping(case: dict[str, Any]) -> None:
    parse = parse_kauth if case["host"] == "kauth" else parse_kapi

    with pytest.raises(errors.KakaoError) as caught:
        parse(_response(case))

    exc = caught.value
    assert type(exc).__name__ == case["exception"]
    for name, value in case["attrs"].items():
        assert getattr(exc, name) == value, name
    for secret in case.get("absent_text", []):
        assert secret not in str(exc)
        assert secret not in repr(exc)


def test_message_reads_code_description_hint() -> None:
    resp = HTTPResponse(
        400,
        {},
        b'{"error":"invalid_grant","error_description":"Redirect URI mismatch.","error_code":"KOE303"}',
    )

    with pytest.raises(errors.KakaoAuthError) as caught:
        parse_kauth(resp)

    assert str(caught.value) == f"KOE303: Redirect URI mismatch. — {ERROR_CODES['KOE303'].hint}"


SECRETS = [
    "sk_live_client_secret_123",
    "AT-abcdefghijklmnop",
    "RT-zyxwvutsrq",
    "verifier-0123456789",
]


@pytest.mark.parametrize(
    "description",
    [f"authorization code not found for code={SECRETS[3]}",
     f"invalid token={SECRETS[1]}", f"bad client_secret={SECRETS[0]}", f"refresh_token={SECRETS[2]}"],
)  # fmt: skip
def test_echoed_credentials_never_reach_messages_or_reprs(description: str) -> None:
    auth = errors.KakaoAuthError("invalid_grant", description, code="KOE320")
    api = errors.KakaoAPIError(description, code=-401)
    response = errors.KakaoResponseError("odd body", excerpt=description)

    for exc in (auth, api, response):
        for secret in SECRETS:
            assert secret not in str(exc)
            assert secret not in repr(exc)
