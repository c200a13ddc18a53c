"""The error table, the response mapper over tests/data/errors.json, and secrets in messages."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from tables import REFERENCE, is_ref, resolve, sample_status, table

import authlib_kakao.errors as errors
from authlib_kakao.core.error_codes import (
    ERROR_CODES,
    HTTP_429,
    ErrorCode,
    lookup,
    render_markdown,
)
from authlib_kakao.core.messages import HTTPResponse
from authlib_kakao.core.responses import kauth_error, parse_kapi, parse_kauth, redirect_error


def reference_codes() -> list[str]:
    """Every code in the tables of reference §5 (ranges like ``-421…-481`` give both ends)."""
    section = REFERENCE.split("## 5. Error formats", 1)[1].split("\n## 6.", 1)[0]
    codes: list[str] = []
    for line in section.splitlines():
        first_cell = line.split("|")[1].strip() if line.startswith("| ") else ""
        for token in re.split(r"[,…]", first_cell):
            if re.fullmatch(r"KOE\d{3}|-\d+", token.strip()):
                codes.append(token.strip())
    return codes


REFERENCE_CODES = reference_codes()


def test_the_reference_section_was_read() -> None:
    # Guards the parser above: §5 lists 23 KOE codes and the kapi table starts at -1.
    assert sum(code.startswith("KOE") for code in REFERENCE_CODES) == 23
    assert {"-1", "-401", "-402", "-421", "-481", "-532", "-911", "-9798"} <= set(REFERENCE_CODES)


@pytest.mark.parametrize("code", REFERENCE_CODES)
def test_every_reference_code_has_a_row(code: str) -> None:
    row = ERROR_CODES[code]

    expected_base = errors.KakaoAuthError if code.startswith("KOE") else errors.KakaoAPIError
    assert issubclass(row.exc, expected_base)


def _kind(row: ErrorCode) -> str:
    return "kapi" if re.fullmatch(r"-\d+", row.code) or row.code == HTTP_429 else "kauth"


@pytest.mark.parametrize("row", ERROR_CODES.values(), ids=list(ERROR_CODES))
def test_every_row_has_an_actionable_hint(row: ErrorCode) -> None:
    assert row.code
    assert len(row.hint) > 20
    assert row.hint.endswith(".")
    assert "\n" not in row.hint
    # "what happened: what to do" — the part after the colon is the action.
    assert ": " in row.hint


@pytest.mark.parametrize("row", ERROR_CODES.values(), ids=list(ERROR_CODES))
def test_every_row_is_raised_by_the_mapper_with_its_class_and_hint(row: ErrorCode) -> None:
    status = row.status or 400
    description = "Kakao's own words."
    if _kind(row) == "kapi":
        kapi_code: int | None = None if row.code == HTTP_429 else int(row.code)
        body: dict[str, Any] = {"msg": description, "code": kapi_code}
        label = row.code if kapi_code is None else str(kapi_code)
        parse = parse_kapi
    elif row.code.startswith("KOE"):
        body = {"error": "invalid_request", "error_description": description}
        body["error_code"] = row.code
        label, parse = row.code, parse_kauth
    else:  # an `error` value Kakao redirects with (access_denied, ...)
        body = {"error": row.code, "error_description": description}
        label, parse = row.code, parse_kauth
    resp = HTTPResponse(status, {"content-type": "application/json"}, json.dumps(body).encode())

    with pytest.raises(errors.KakaoError) as caught:
        parse(resp)

    assert type(caught.value) is row.exc
    assert caught.value.hint == row.hint
    assert str(caught.value) == f"{label}: {description} — {row.hint}"


@pytest.mark.parametrize(
    ("code", "cls"),
    [("KOE237", errors.TokenRateLimitError), ("-401", errors.InvalidAccessTokenError),
     ("-402", errors.ConsentRequiredError), ("-101", errors.NotLinkedError),
     ("-10", errors.APIRateLimitError), ("KOE320", errors.KakaoAuthError),
     ("KOE205", errors.KakaoAuthError), ("-1", errors.KakaoAPIError),
     (HTTP_429, errors.APIRateLimitError)],
)  # fmt: skip
def test_special_codes_map_to_their_classes(code: str, cls: type[Exception]) -> None:
    assert ERROR_CODES[code].exc is cls


def test_the_briefs_console_hints() -> None:
    assert "[Consent Items]" in ERROR_CODES["KOE205"].hint
    assert "scope=" in ERROR_CODES["KOE205"].hint
    koe010 = ERROR_CODES["KOE010"].hint
    for words in ("body", "KAKAO_CLIENT_SECRET", "[Client Secret]"):
        assert words in koe010


def test_token_rate_limit_is_both_an_auth_and_a_rate_limit_error() -> None:
    from authlib.integrations.base_client.errors import OAuthError

    exc = errors.TokenRateLimitError(
        "too_many_requests", "slow", code="KOE237", status_code=429, hint="wait"
    )

    assert isinstance(exc, errors.RateLimitError)
    assert isinstance(exc, OAuthError)
    assert not isinstance(exc, errors.KakaoAPIError)  # a kauth error, not a kapi one
    assert (exc.code, exc.status_code, exc.hint) == ("KOE237", 429, "wait")
    assert str(exc) == "KOE237: slow — wait"


def test_one_except_clause_catches_both_hosts_rate_limits() -> None:
    kauth = errors.TokenRateLimitError("too_many_requests", "slow", code="KOE237")
    kapi = errors.APIRateLimitError("quota", code=-10)

    for exc in (kauth, kapi):
        with pytest.raises(errors.RateLimitError):
            raise exc
    assert isinstance(kapi, errors.KakaoAPIError)


@pytest.mark.parametrize(
    ("code", "host"),
    [("KOE237", "kauth"), ("KOE320", "kauth"), ("access_denied", "redirect"),
     ("login_required", "redirect"), ("-401", "kapi"), ("-10", "kapi"), (HTTP_429, "kapi")],
)  # fmt: skip
def test_every_code_has_its_host(code: str, host: str) -> None:
    assert ERROR_CODES[code].host == host


def test_codes_are_looked_up_only_for_their_host() -> None:
    assert lookup("KOE320", "kapi") is None
    assert lookup("-401", "kauth") is None
    assert lookup("access_denied", "kauth") is None
    assert lookup("access_denied", "redirect") is ERROR_CODES["access_denied"]
    assert lookup("-401", "kapi") is ERROR_CODES["-401"]


def test_errors_name_the_failed_call_once_the_innermost_call_named_it() -> None:
    exc = errors.InvalidAccessTokenError("this access token does not exist", code=-401, hint="h")

    exc.at("get", "/v2/user/me").at("POST", "/oauth/token")

    assert (exc.method, exc.path) == ("GET", "/v2/user/me")
    assert str(exc) == "-401: this access token does not exist — h [GET /v2/user/me]"


def test_redirect_errors_get_their_hint_from_the_redirect_rows() -> None:
    exc = redirect_error("access_denied", "User denied access")

    assert type(exc) is errors.KakaoAuthError
    assert exc.hint == ERROR_CODES["access_denied"].hint
    assert str(exc) == f"access_denied: User denied access — {exc.hint}"


def test_rendered_markdown_has_one_row_per_code() -> None:
    page = render_markdown()
    rows = [line for line in page.splitlines() if line.startswith("| `")]

    assert len(rows) == len(ERROR_CODES)
    for row in ERROR_CODES.values():
        status = str(row.status) if row.status is not None else "—"
        assert f"| `{row.code}` | {row.host} | {status} | `{row.exc.__name__}` |" in page
    assert page.startswith("| Code | From | HTTP | Exception | What to do |")


def _response(case: dict[str, Any]) -> HTTPResponse:
    if "body_hex" in case:
        raw = bytes.fromhex(case["body_hex"])
    else:
        body = resolve(case["body"])
        raw = (body if isinstance(body, str) else json.dumps(body)).encode()
    status = case.get("status") or (sample_status(case["body"]) if is_ref(case["body"]) else None)
    assert status is not None, "give the case a status: its sample documents none"
    return HTTPResponse(status, {"content-type": "application/json"}, raw)


def _raise(case: dict[str, Any]) -> None:
    if case["host"] == "redirect":
        # Kakao's ?error=...&error_description=... callback, as the provider sees it.
        query = dict(parse_qsl(urlsplit(resolve(case["location"])).query))
        raise kauth_error(HTTPResponse(302), query)
    parse = parse_kauth if case["host"] == "kauth" else parse_kapi
    parse(_response(case))


@pytest.mark.parametrize("case", table("errors", "cases"))
def test_error_mapping(case: dict[str, Any]) -> None:
    with pytest.raises(errors.KakaoError) as caught:
        _raise(case)

    exc = caught.value
    assert type(exc).__name__ == case["exception"]
    for name, value in case["attrs"].items():
        assert getattr(exc, name) == value, name
    assert str(exc).startswith(case.get("message_startswith", ""))
    for secret in case.get("absent_text", []):
        assert secret not in str(exc)
        assert secret not in repr(exc)


@pytest.mark.parametrize("case", table("responses", "ok"))
def test_answers_that_are_not_errors_come_back_unchanged(case: dict[str, Any]) -> None:
    parse = parse_kauth if case["host"] == "kauth" else parse_kapi

    assert parse(_response(case)) == resolve(case["body"])


def test_message_reads_code_description_hint() -> None:
    resp = HTTPResponse(
        400,
        {},
        b'{"error":"invalid_grant","error_description":"Redirect URI mismatch.","error_code":"KOE303"}',
    )

    with pytest.raises(errors.KakaoAuthError) as caught:
        parse_kauth(resp)

    assert str(caught.value) == f"KOE303: Redirect URI mismatch. — {ERROR_CODES['KOE303'].hint}"


# Real-looking credentials: an access token as in Kakao's SDK fixtures, a 86-character code,
# a 43-character PKCE verifier, a 32-character client secret, an admin key.
ACCESS_TOKEN = "YWKe9JcmM-gYBhgwYLqnO_sgKTmYGes8s3E_LQopdtYAAAFi_FnbLQ"
REFRESH_TOKEN = "Qx9PzLk2fGh7Rt5Yw1Vb3Nm8Jc4Kd6Sa0Ee2Uu9Ii7Oo5Pp3Ll1Zz8Xx6Cc4"
AUTH_CODE = "Fq3mZ0pXv8wYl1cK2dN7rT5bJ6hS9gA4eU1iO3kL7zX0cV2bN5mQ8wE4rT6yU9iO1pA3sD5fG7hJ9kL2zX4cV6"
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
CLIENT_SECRET = "Kp7Vb2Q9xZt4Wm1Rn8Ls3Hd6Fg0Jy5Ce"
ADMIN_KEY = "4f1c7e2a9b3d8e6f0a5c1b7d2e9f3a8c"
SECRETS = [ACCESS_TOKEN, REFRESH_TOKEN, AUTH_CODE, VERIFIER, CLIENT_SECRET, ADMIN_KEY]

ECHOES = [
    f"authorization code not found for code={AUTH_CODE}",
    f"invalid access_token={ACCESS_TOKEN}",
    f"expired refresh_token={REFRESH_TOKEN}",
    f"bad client_secret={CLIENT_SECRET}",
    f"PKCE failed for code_verifier={VERIFIER}",
    f"Authorization: KakaoAK {ADMIN_KEY}",
    f"Authorization: Bearer {ACCESS_TOKEN}",
    f'{{"access_token": "{ACCESS_TOKEN}", "refresh_token": "{REFRESH_TOKEN}"}}',
    f"grant_type=authorization_code&code={AUTH_CODE}&code_verifier={VERIFIER}&client_secret={CLIENT_SECRET}",
]


def _every_error(text: str) -> list[errors.KakaoError]:
    return [
        errors.KakaoAuthError("invalid_grant", text, code="KOE320"),
        errors.TokenRateLimitError("too_many_requests", text, code="KOE237", status_code=429),
        errors.InvalidIDTokenError(text),
        errors.UnknownSigningKeyError(text),
        errors.KakaoAPIError(text, code=-401),
        errors.InvalidAccessTokenError(text, code=-401, body={"msg": text}),
        errors.ConsentRequiredError(text, code=-402),
        errors.NotLinkedError(text, code=-101),
        errors.APIRateLimitError(text, code=-10),
        errors.KakaoResponseError("odd body", excerpt=text),
        errors.KakaoTransportError(text),
    ]


@pytest.mark.parametrize("text", ECHOES)
def test_echoed_credentials_never_reach_messages_or_reprs(text: str) -> None:
    for exc in _every_error(text):
        for secret in SECRETS:
            assert secret not in str(exc), type(exc).__name__
            assert secret not in repr(exc), type(exc).__name__


@pytest.mark.parametrize("text", ECHOES)
@pytest.mark.parametrize("host", ["kauth", "kapi"])
@pytest.mark.parametrize("status", [200, 400, 502])
def test_credentials_in_a_body_never_reach_the_parsers_messages(
    text: str, host: str, status: int
) -> None:
    as_error = {"error": "invalid_grant", "error_description": text, "msg": text, "code": -2}
    bodies = [
        f"oops {text}".encode(),
        json.dumps(as_error).encode(),
        f"<html>{text}</html>".encode(),
    ]
    parse = parse_kauth if host == "kauth" else parse_kapi

    for body in bodies:
        with pytest.raises(errors.KakaoError) as caught:
            parse(HTTPResponse(status, {}, body))
        for secret in SECRETS:
            assert secret not in str(caught.value)
            assert secret not in repr(caught.value)


def test_excerpt_is_short_one_line_and_masked() -> None:
    body = (f'{{"access_token":\n"{ACCESS_TOKEN}",\n' + '"x": "' + "y" * 500 + '"}').encode()

    excerpt = HTTPResponse(200, {}, body).excerpt()

    assert ACCESS_TOKEN not in excerpt
    assert "\n" not in excerpt
    assert len(excerpt) <= 121
    assert excerpt.endswith("…")


def test_mask_removes_the_credentials_a_call_sent_from_every_error() -> None:
    sent = "sent-credential-1234567"
    text = f"this access token does not exist: {sent} (refresh token {sent} is invalid)"

    for exc in _every_error(text):
        masked = exc.mask([sent, "ab"])  # too short to mask without hurting ordinary words

        assert masked is exc
        shown = f"{exc} {exc!r} {exc.args} {vars(exc)}"
        assert sent not in shown, type(exc).__name__


def test_mask_covers_the_kapi_body_kept_on_the_error() -> None:
    exc = errors.ConsentRequiredError(
        "x", code=-402, body={"msg": "token tok-123456 lacks scope", "required_scopes": ["a"]}
    )

    exc.mask(["tok-123456"])

    assert exc.body == {"msg": "token *** lacks scope", "required_scopes": ["a"]}
    assert exc.required_scopes == ["a"]
