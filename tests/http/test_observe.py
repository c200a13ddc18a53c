"""One log record and one OpenTelemetry span per Kakao call, from the one place that sends:
call name, status, Kakao code, duration, attempt; never a credential."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from authlib_kakao import KakaoAdmin, NotLinkedError
from authlib_kakao.http.observe import LOGGER_NAME, call_name, kakao_code
from authlib_kakao.testing import KakaoEmulator

_EXPORTER = InMemorySpanExporter()


@pytest.fixture(scope="module", autouse=True)
def tracer_provider() -> None:
    # OpenTelemetry takes one global provider per process; ours only records in memory.
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(_EXPORTER))
    trace.set_tracer_provider(provider)


@pytest.fixture
def spans() -> InMemorySpanExporter:
    _EXPORTER.clear()
    return _EXPORTER


@pytest.fixture
def records(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG, logger=LOGGER_NAME)
    return caplog


def kakao_records(records: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in records.records if r.name == LOGGER_NAME]


def fields(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k.startswith("kakao_")}


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/v2/user/me", "me"),
        ("/oauth/token", "token"),
        ("/.well-known/jwks.json", "jwks"),
        ("/proxy/kakao/v2/api/talk/channels", "talk_channels"),
        ("/v9/unknown", "/v9/unknown"),
    ],
)
def test_a_path_is_named_by_the_catalogue(path: str, name: str) -> None:
    assert call_name(path) == name


@pytest.mark.parametrize(
    ("status", "body", "code"),
    [
        (200, b'{"code": -401}', None),
        (401, b'{"msg": "this access token does not exist", "code": -401}', "-401"),
        (400, b'{"error": "invalid_grant", "error_code": "KOE320"}', "KOE320"),
        (400, b'{"error": "invalid_request"}', "invalid_request"),
        (502, b"<html>bad gateway</html>", None),
        (400, b'{"code": true}', None),
        (400, b"[1]", None),
    ],
)
def test_kakaos_code_is_read_from_a_refusal_only(
    status: int, body: bytes, code: str | None
) -> None:
    assert kakao_code(status, body) == code


def test_each_admin_call_is_one_record_and_one_span(
    kakao_emulator: KakaoEmulator,
    records: pytest.LogCaptureFixture,
    spans: InMemorySpanExporter,
) -> None:
    admin = KakaoAdmin(kakao_emulator.app.admin_key, kapi_url=kakao_emulator.url)
    kakao_emulator.link(kakao_emulator.user)

    admin.me(kakao_emulator.user.id)
    with pytest.raises(NotLinkedError):
        admin.me(12345)

    ok, refused = kakao_records(records)
    assert fields(ok) | {"kakao_duration_ms": 0} == {
        "kakao_call": "me",
        "kakao_method": "GET",
        "kakao_path": "/v2/user/me",
        "kakao_status": 200,
        "kakao_code": None,
        "kakao_duration_ms": 0,
        "kakao_attempt": 1,
        "kakao_error": None,
    }
    assert ok.levelno == logging.DEBUG
    assert ok.kakao_duration_ms > 0
    assert (refused.kakao_code, refused.levelno) == ("-101", logging.INFO)  # type: ignore[attr-defined]
    ok_span, refused_span = spans.get_finished_spans()
    assert ok_span.name == "Kakao me"
    assert ok_span.kind == trace.SpanKind.CLIENT
    assert dict(ok_span.attributes or {}) == {
        "kakao.call": "me",
        "http.request.method": "GET",
        "url.path": "/v2/user/me",
        "kakao.attempt": 1,
        "http.response.status_code": 200,
    }
    assert refused_span.attributes["kakao.code"] == "-101"  # type: ignore[index]
    assert refused_span.status.status_code == trace.StatusCode.ERROR


def test_a_call_repeated_after_a_rate_limit_wait_is_the_next_attempt(
    kakao_emulator: KakaoEmulator, records: pytest.LogCaptureFixture
) -> None:
    admin = KakaoAdmin(
        kakao_emulator.app.admin_key, kapi_url=kakao_emulator.url, sleep=lambda seconds: None
    )
    kakao_emulator.inject_fault("/v1/user/ids", kapi_error=-10)

    list(admin.iter_user_ids())

    attempts = [(r.kakao_status, r.kakao_attempt) for r in kakao_records(records)]  # type: ignore[attr-defined]
    assert attempts == [(429, 1), (200, 2)]


def test_a_call_without_an_answer_names_the_failure(
    kakao_emulator: KakaoEmulator, records: pytest.LogCaptureFixture, spans: InMemorySpanExporter
) -> None:
    admin = KakaoAdmin(kakao_emulator.app.admin_key, kapi_url=kakao_emulator.url, timeout=0.2)
    kakao_emulator.inject_fault("/v2/user/me", hang=True)

    with pytest.raises(Exception):  # noqa: B017 - the transport error is tested elsewhere
        admin.me(kakao_emulator.user.id)

    [record] = kakao_records(records)
    assert (record.kakao_status, record.levelno) == (None, logging.INFO)  # type: ignore[attr-defined]
    assert record.kakao_error  # type: ignore[attr-defined]
    [span] = spans.get_finished_spans()
    assert span.status.status_code == trace.StatusCode.ERROR


def test_no_credential_reaches_a_record_or_a_span(
    kakao_emulator: KakaoEmulator, records: pytest.LogCaptureFixture, spans: InMemorySpanExporter
) -> None:
    admin = KakaoAdmin(kakao_emulator.app.admin_key, kapi_url=kakao_emulator.url)
    kakao_emulator.link(kakao_emulator.user)

    admin.me(kakao_emulator.user.id, property_keys=["kakao_account.email"])

    shown = " ".join(
        [r.getMessage() + repr(vars(r)) for r in kakao_records(records)]
        + [repr(dict(s.attributes or {})) + s.name for s in spans.get_finished_spans()]
    )
    assert kakao_emulator.app.admin_key not in shown
    assert "property_keys" not in shown
    assert str(kakao_emulator.user.id) not in shown
