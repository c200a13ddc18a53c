"""The authlib-kakao console script: each command with its own arguments, clear errors."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import pytest

from authlib_kakao import __version__
from authlib_kakao.cli import main


def test_emulator_help_is_the_emulators_under_our_name(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["emulator", "--help"])

    out = capsys.readouterr().out
    assert exited.value.code == 0
    assert out.startswith("usage: authlib-kakao emulator")
    assert "--auto-approve" in out
    assert "--redirect-uri" in out


@pytest.mark.parametrize("command", ["demo", "login", "doctor"])
def test_every_command_has_its_own_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main([command, "--help"])

    assert exited.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: authlib-kakao {command}")


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--version"])

    assert capsys.readouterr().out.strip() == f"authlib-kakao {__version__}"


def test_a_command_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main([])

    assert exited.value.code == 2
    assert "demo" in capsys.readouterr().err


def test_a_port_in_use_is_said_with_its_number(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        assert main(["emulator", "--port", str(port)]) == 2

    err = capsys.readouterr().err
    assert f"port {port} is in use" in err
    assert "--port 0" in err


def test_the_emulator_without_its_extra_names_the_extra() -> None:
    # uvicorn made unimportable, as in an install without [testing]
    code = ("import sys; sys.modules['uvicorn'] = None\n"
            "from authlib_kakao.cli import main; sys.exit(main(['emulator', '--port', '0']))")  # fmt: skip

    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)

    assert done.returncode == 2
    assert "pip install 'authlib-kakao[testing]'" in done.stderr
    assert "Traceback" not in done.stderr


def test_login_at_the_emulator_prints_the_token_and_profile(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["login", "--emulator", "--port", "0"]) == 0

    result = json.loads(capsys.readouterr().out)
    assert result["token"]["token_type"] == "bearer"
    assert result["token"]["access_token"]
    assert result["profile"]["sub"].isdigit()


def test_login_for_real_kakao_needs_a_client_id(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KAKAO_CLIENT_ID", raising=False)

    assert main(["login", "--port", "0"]) == 2
    assert "KAKAO_CLIENT_ID" in capsys.readouterr().err


def test_doctor_reads_the_environment_and_fails_on_errors(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    key = "0123456789abcdef0123456789abcdef"
    monkeypatch.setenv("KAKAO_CLIENT_ID", key)
    monkeypatch.setenv("KAKAO_ADMIN_KEY", key)  # the most common mix-up
    monkeypatch.setenv("KAKAO_REDIRECT_URI", "https://app.example/auth")

    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "[FAIL] client_id is the admin key" in out
    assert "register exactly https://app.example/auth" in out


def test_a_wildcard_bind_is_shown_as_urls_a_browser_can_open() -> None:
    from authlib_kakao.testing.__main__ import reachable_urls

    urls = reachable_urls("0.0.0.0", 8089)

    assert urls[:2] == ["http://127.0.0.1:8089", "http://localhost:8089"]
    assert not any("0.0.0.0" in url for url in urls)
    assert reachable_urls("192.0.2.7", 8089) == ["http://192.0.2.7:8089"]
