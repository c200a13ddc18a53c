"""The pytest11 plugin, run from outside as a user's suite would run it (pytester).

Our own suite loads the plugin by module name (tests/conftest.py) with the entry point disabled
(``-p no:authlib_kakao``); these runs load it the ways a user's suite does.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# Entry-point plugins off: only what the command line asks for loads.
NO_AUTOLOAD = "PYTEST_DISABLE_PLUGIN_AUTOLOAD"

USER_SUITE = """
import pytest
import requests


def test_fixture_is_a_served_emulator(kakao_emulator):
    me = requests.get(kakao_emulator.url + "/.well-known/jwks.json", timeout=5)
    assert me.status_code == 200


def test_state_is_fresh_per_test_part_one(kakao_emulator):
    kakao_emulator.add_user(nickname="leak")
    kakao_emulator.issue_tokens()


def test_state_is_fresh_per_test_part_two(kakao_emulator):
    assert not any(u.nickname == "leak" for u in kakao_emulator.state.users.values())
    assert kakao_emulator.state.access_tokens == {}


def test_server_is_shared_across_tests(kakao_emulator, kakao_emulator_server):
    assert kakao_emulator is kakao_emulator_server


@pytest.mark.kakao_emulator(access_token_lifetime=60, auto_approve=True, app_preset="biz")
def test_marker_configures_the_emulator(kakao_emulator):
    assert kakao_emulator.config.access_token_lifetime == 60
    assert kakao_emulator.auto_approve is True
    assert kakao_emulator.app.preset == "biz"


def test_marker_settings_do_not_leak(kakao_emulator):
    assert kakao_emulator.config.access_token_lifetime == 21599
    # The default is Kakao in a browser: the consent page, a personal app.
    assert kakao_emulator.auto_approve is False
    assert kakao_emulator.app.preset == "personal"
"""


def test_plugin_gives_users_a_kakao_emulator_fixture(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(NO_AUTOLOAD, "1")
    pytester.makepyfile(USER_SUITE)

    result = pytester.runpytest_subprocess("-q", "-p", "authlib_kakao")

    result.assert_outcomes(passed=6)


def test_installed_plugin_loads_by_itself_with_its_marker_help(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(NO_AUTOLOAD, raising=False)

    result = pytester.runpytest_subprocess("--markers")

    result.stdout.fnmatch_lines(["*kakao_emulator(auto_approve=False*"])


def test_disabled_plugin_gives_no_fixture(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_x(kakao_emulator):\n    pass\n")

    result = pytester.runpytest_subprocess("-q", "-p", "no:authlib_kakao")

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'kakao_emulator' not found*"])


def test_unknown_marker_option_is_a_usage_error(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.kakao_emulator(no_such_option=1)
        def test_x(kakao_emulator):
            pass
        """
    )

    monkeypatch.setenv(NO_AUTOLOAD, "1")

    result = pytester.runpytest_subprocess("-q", "-p", "authlib_kakao.testing.pytest_plugin")

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*unknown kakao_emulator marker options*no_such_option*"])


def modules_loaded_by(code: str, *, after: str = "") -> set[str]:
    """The modules ``code`` adds to sys.modules in a fresh interpreter (that has run ``after``)."""
    script = (
        f"import sys, json\n{after}\n"
        "before = set(sys.modules)\n"
        f"{code}\n"
        "print(json.dumps(sorted(set(sys.modules) - before)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    return set(json.loads(out))


HEAVY = {"uvicorn", "jinja2", "httpx", "requests", "authlib"}


def test_importing_the_plugin_adds_nothing_heavy_to_the_package() -> None:
    # Every pytest run imports installed plugins: the plugin itself must cost next to nothing.
    added = modules_loaded_by(
        "import authlib_kakao.testing.pytest_plugin", after="import authlib_kakao"
    )
    ours = {m for m in added if m.startswith("authlib_kakao")}

    assert ours == {"authlib_kakao.testing", "authlib_kakao.testing.pytest_plugin"}
    assert not {m for m in added if m.split(".")[0] in HEAVY}


@pytest.fixture(scope="module")
def plugin_import() -> set[str]:
    """What ``import authlib_kakao.testing.pytest_plugin`` loads in a fresh interpreter."""
    return modules_loaded_by("import authlib_kakao.testing.pytest_plugin")


@pytest.mark.parametrize(
    "module",
    [
        "authlib_kakao.testing.emulator",
        "uvicorn",
        "jinja2",
        "httpx",
        "requests",
        "authlib",
    ],
)
def test_importing_the_plugin_loads_no_emulator_or_http_stack(
    plugin_import: set[str], module: str
) -> None:
    assert module not in plugin_import
