"""The pytest11 plugin, run from outside as a user's suite would run it (pytester)."""

from __future__ import annotations

import pytest

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


@pytest.mark.kakao_emulator(access_token_lifetime=60, consent_page=True)
def test_marker_configures_the_emulator(kakao_emulator):
    assert kakao_emulator.config.access_token_lifetime == 60
    assert kakao_emulator.consent_page is True


def test_marker_settings_do_not_leak(kakao_emulator):
    assert kakao_emulator.config.access_token_lifetime == 21599
    assert kakao_emulator.consent_page is False
"""


def test_plugin_gives_users_a_kakao_emulator_fixture(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(USER_SUITE)

    result = pytester.runpytest_subprocess("-q")

    result.assert_outcomes(passed=6)


def test_marker_is_registered_with_a_help_line(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--markers")

    result.stdout.fnmatch_lines(["*kakao_emulator(consent_page=False*"])


def test_unknown_marker_option_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.kakao_emulator(no_such_option=1)
        def test_x(kakao_emulator):
            pass
        """
    )

    result = pytester.runpytest_subprocess("-q")

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*unknown kakao_emulator marker options*no_such_option*"])
