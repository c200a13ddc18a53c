"""The emulator over HTTPS: a local CA's certificate, trusted only by clients given that CA."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest
import requests

from authlib_kakao.testing import KakaoEmulator

JWKS = "/.well-known/jwks.json"


@pytest.fixture(scope="module")
def tls_emulator() -> Iterator[KakaoEmulator]:
    emulator = KakaoEmulator()
    with emulator.serve(tls=True):
        yield emulator


def test_url_is_https_on_loopback(tls_emulator: KakaoEmulator) -> None:
    assert tls_emulator.url is not None
    assert tls_emulator.url.startswith("https://127.0.0.1:")
    assert tls_emulator.ca_path is not None
    assert os.path.isfile(tls_emulator.ca_path)


def test_requests_trusting_the_ca_gets_the_jwks(tls_emulator: KakaoEmulator) -> None:
    response = requests.get(f"{tls_emulator.url}{JWKS}", verify=tls_emulator.ca_path, timeout=10)

    assert response.status_code == 200
    assert response.json()["keys"]


def test_httpx_trusting_the_ca_gets_the_jwks(tls_emulator: KakaoEmulator) -> None:
    with httpx.Client(verify=tls_emulator.ssl_context(), timeout=10) as client:
        response = client.get(f"{tls_emulator.url}{JWKS}")

    assert response.status_code == 200
    assert response.json()["keys"]


async def test_async_httpx_trusting_the_ca_gets_the_jwks(tls_emulator: KakaoEmulator) -> None:
    async with httpx.AsyncClient(verify=tls_emulator.ssl_context(), timeout=10) as client:
        response = await client.get(f"{tls_emulator.url}{JWKS}")

    assert response.status_code == 200


def test_localhost_name_is_in_the_certificate(tls_emulator: KakaoEmulator) -> None:
    assert tls_emulator.url is not None
    url = tls_emulator.url.replace("127.0.0.1", "localhost")

    response = requests.get(f"{url}{JWKS}", verify=tls_emulator.ca_path, timeout=10)

    assert response.status_code == 200


def test_requests_without_the_ca_is_refused(tls_emulator: KakaoEmulator) -> None:
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(f"{tls_emulator.url}{JWKS}", timeout=10)


def test_httpx_without_the_ca_is_refused(tls_emulator: KakaoEmulator) -> None:
    with httpx.Client(timeout=10) as client, pytest.raises(httpx.ConnectError) as refused:
        client.get(f"{tls_emulator.url}{JWKS}")

    # httpx wraps the handshake's SSLCertVerificationError in its ConnectError.
    assert "CERTIFICATE_VERIFY_FAILED" in str(refused.value)


def test_plain_http_is_the_default_and_has_no_ca() -> None:
    emulator = KakaoEmulator()
    with emulator.serve() as url:
        assert url.startswith("http://")
        assert emulator.ca_path is None
        with pytest.raises(RuntimeError, match=r"serve\(tls=True\)"):
            emulator.ssl_context()


def test_certificate_files_are_removed_after_serving() -> None:
    emulator = KakaoEmulator()
    with emulator.serve(tls=True):
        ca_path = emulator.ca_path
        assert ca_path is not None
    assert emulator.ca_path is None
    assert not os.path.exists(ca_path)


def test_missing_trustme_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "trustme", None)  # what an absent package looks like to import
    emulator = KakaoEmulator()

    with pytest.raises(ImportError, match="'trustme' package"), emulator.serve(tls=True):
        pass  # pragma: no cover


def test_plain_serving_never_imports_trustme() -> None:
    script = (
        "import sys\n"
        "from authlib_kakao.testing import KakaoEmulator\n"
        "with KakaoEmulator().serve():\n"
        "    pass\n"
        "print('trustme' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "False"
