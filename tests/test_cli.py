"""The authlib-kakao console script."""

from __future__ import annotations

import pytest

from authlib_kakao.cli import main


def test_emulator_help_is_the_emulators(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["emulator", "--help"])

    assert exited.value.code == 0
    assert "--auto-approve" in capsys.readouterr().out


def test_a_command_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main([])

    assert exited.value.code == 2
    assert "emulator" in capsys.readouterr().err
