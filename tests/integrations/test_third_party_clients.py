"""Other people's Kakao clients, unchanged, against the emulator (issue #9, "Proof").

Only their URLs are pointed at the emulator: python-social-auth's ``KakaoOAuth2`` through its URL
constants (its profile URL is a literal inside ``user_data``, so its one HTTP method maps Kakao's
API host to the emulator, like a hosts-file entry), django-allauth's Kakao provider through its
adapter's URL attributes (in a subprocess: ``allauth_site.py``, a Django project of its own), and
plain ``requests`` exactly as Kakao's REST docs show. They log in on the emulator's realistic
defaults (a personal app, the browser's Kakao session cookie), and a misconfigured one fails here
as on Kakao: wrong secret (KOE010), an unconfigured scope (KOE205), a wrong redirect URI (KOE006).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from authlib_kakao.testing import KakaoEmulator

social_core = pytest.importorskip("social_core", reason="pip install social-auth-core")
with warnings.catch_warnings():  # python3-openid, which social-core imports, warns on import
    warnings.simplefilter("ignore", DeprecationWarning)
    from social_core.backends.kakao import KakaoOAuth2
    from social_core.exceptions import AuthConfigurationError
    from social_core.strategy import BaseStrategy

# The emulator as it starts: a personal app, the login + consent page, the default user.
pytestmark = pytest.mark.kakao_emulator(
    app_preset="personal", user_preset="default", consent_page=True
)
CALLBACK = "http://localhost:8000/auth"  # one of the default app's registered redirect URIs


@pytest.fixture
def emu(kakao_emulator: KakaoEmulator) -> KakaoEmulator:
    """The served emulator on its defaults (the marker above), its request log empty."""
    kakao_emulator.clear_log()
    return kakao_emulator


def follow_login(emu: KakaoEmulator, authorize_url: str) -> requests.Response:
    """A browser already logged in to Kakao opens the authorize URL; Kakao's answer."""
    with requests.Session() as browser:
        browser.cookies.update(emu.sign_in())
        return browser.get(authorize_url, allow_redirects=False, timeout=10)


# -- plain requests, as Kakao's REST API docs show --------------------------------------------------


def test_ref_2_plain_requests_as_the_docs_show(emu: KakaoEmulator) -> None:
    base, app = emu.url, emu.app
    answer = follow_login(
        emu,
        f"{base}/oauth/authorize?client_id={app.client_id}&redirect_uri={CALLBACK}"
        "&response_type=code",
    )
    code = parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]

    token = requests.post(
        f"{base}/oauth/token",
        headers={"Content-Type": "application/x-www-form-urlencoded;charset=utf-8"},
        data={
            "grant_type": "authorization_code",
            "client_id": app.client_id,
            "redirect_uri": CALLBACK,
            "code": code,
            "client_secret": app.client_secret,
        },
        timeout=10,
    ).json()
    me = requests.get(
        f"{base}/v2/user/me",
        headers={
            "Authorization": f"Bearer {token['access_token']}",
            "Content-type": "application/x-www-form-urlencoded;charset=utf-8",
        },
        timeout=10,
    ).json()

    assert token["token_type"] == "bearer"
    assert token["scope"] == "profile_image profile_nickname"
    assert me["id"] == emu.user.id
    assert me["kakao_account"]["profile"]["nickname"] == emu.user.nickname


def test_ref_2_plain_requests_without_the_kakao_session_see_the_login_page(
    emu: KakaoEmulator,
) -> None:
    answer = requests.get(
        f"{emu.url}/oauth/authorize",
        params={"client_id": emu.app.client_id, "redirect_uri": CALLBACK, "response_type": "code"},
        allow_redirects=False,
        timeout=10,
    )

    assert answer.status_code == 200
    assert 'name="password"' in answer.text


# -- python-social-auth ---------------------------------------------------------------------------


class Nonces:
    """The one storage piece social-core's state handling needs: a state is stored, then used
    up once."""

    stored: ClassVar[set[tuple[str, int, str]]] = set()

    @classmethod
    def use(cls, server_url: str, timestamp: int, salt: str) -> bool:
        cls.stored.add((server_url, timestamp, salt))
        return True

    @classmethod
    def consume(cls, server_url: str, timestamp: int, salt: str) -> bool:
        key = (server_url, timestamp, salt)
        if key not in cls.stored:
            return False
        cls.stored.discard(key)
        return True


class Storage:
    nonce = Nonces


class Strategy(BaseStrategy):  # type: ignore[misc]
    """A framework-free strategy: settings, a session dict and the callback's query."""

    def __init__(self, settings: dict[str, Any]) -> None:
        super().__init__(storage=Storage)  # type: ignore[arg-type]
        self.settings = settings
        self.session: dict[str, Any] = {}
        self.data: dict[str, Any] = {}

    def get_setting(self, name: str) -> Any:
        return self.settings[name]

    def request_data(self, merge: bool = True) -> dict[str, Any]:
        return self.data

    def get_request_data(self, merge: bool = True) -> dict[str, Any]:
        return self.data

    def session_get(self, name: str, default: Any = None) -> Any:
        return self.session.get(name, default)

    def session_set(self, name: str, value: Any) -> None:
        self.session[name] = value

    def session_pop(self, name: str) -> Any:
        return self.session.pop(name, None)

    def build_absolute_uri(self, path: str | None = None) -> str:
        return f"http://localhost:8000{path or ''}"

    def authenticate(self, backend: Any, *args: Any, **kwargs: Any) -> Any:
        return kwargs["response"]  # the profile social-core would hand its pipeline


def callback_query(answer: requests.Response) -> dict[str, str]:
    """What the app's callback receives: the query of Kakao's redirect."""
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    return {name: values[0] for name, values in query.items()}


def social_backend(emu: KakaoEmulator, redirect_path: str = "/auth", **settings: Any) -> Any:
    base = emu.url
    assert base is not None

    class EmulatedKakao(KakaoOAuth2):  # type: ignore[misc]
        AUTHORIZATION_URL = f"{base}/oauth/authorize"
        ACCESS_TOKEN_URL = f"{base}/oauth/token"

        def request(self, url: str, *args: Any, **kwargs: Any) -> Any:
            return super().request(url.replace("https://kapi.kakao.com", base), *args, **kwargs)

    strategy = Strategy(
        {"SOCIAL_AUTH_KAKAO_KEY": emu.app.client_id,
         "SOCIAL_AUTH_KAKAO_SECRET": emu.app.client_secret, **settings}
    )  # fmt: skip
    return EmulatedKakao(strategy, redirect_uri=redirect_path)  # made absolute by the strategy


def test_ref_2_python_social_auth_logs_in(emu: KakaoEmulator) -> None:
    backend = social_backend(emu)
    answer = follow_login(emu, backend.auth_url())
    backend.strategy.data.update(callback_query(answer))  # the request the backend reads

    profile = backend.auth_complete()

    assert profile["id"] == emu.user.id
    assert backend.get_user_details(profile)["username"] == emu.user.nickname
    # social-core sends no redirect_uri with the code; Kakao (and the emulator) accept that.
    assert [r.status for r in emu.requests("/oauth/token")] == [200]


def test_ref_5_1_python_social_auth_with_a_wrong_secret_fails_with_koe010(
    emu: KakaoEmulator,
) -> None:
    backend = social_backend(emu, SOCIAL_AUTH_KAKAO_SECRET="wrong")
    answer = follow_login(emu, backend.auth_url())
    backend.strategy.data.update(callback_query(answer))  # the request the backend reads

    with pytest.raises(AuthConfigurationError):  # social-core's word for Kakao's 401
        backend.auth_complete()

    assert [r.status for r in emu.requests("/oauth/token")] == [401]


def test_ref_5_1_python_social_auth_asking_for_an_unconfigured_scope_is_koe205(
    emu: KakaoEmulator,
) -> None:
    backend = social_backend(emu, SOCIAL_AUTH_KAKAO_SCOPE=["account_email"])

    answer = follow_login(emu, backend.auth_url())

    assert answer.status_code == 400
    assert "KOE205" in answer.text


def test_ref_1_1_python_social_auth_with_an_unregistered_callback_is_koe006(
    emu: KakaoEmulator,
) -> None:
    backend = social_backend(emu, redirect_path="/complete/kakao/")

    answer = follow_login(emu, backend.auth_url())

    assert answer.status_code == 400
    assert "KOE006" in answer.text


# -- django-allauth (its own Django project, in a subprocess) -------------------------------------


@pytest.fixture
def allauth_results(emu: KakaoEmulator) -> dict[str, Any]:
    """Run ``allauth_site.py``'s scenarios against the served emulator; their outcomes."""
    pytest.importorskip("allauth", reason="pip install django-allauth")
    assert emu.url is not None
    script = Path(__file__).with_name("allauth_site.py")
    done = subprocess.run(
        [sys.executable, str(script), emu.url],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return results


def test_ref_2_django_allauth_logs_in_and_fails_where_kakao_would(
    allauth_results: dict[str, Any], emu: KakaoEmulator
) -> None:
    login = allauth_results["login"]
    assert login["logged_in"] is True
    assert login["uid"] == str(emu.user.id)
    assert login["username"] == emu.user.nickname
    assert allauth_results["wrong_secret"] == {"logged_in": False, "token_status": 401}
    assert allauth_results["unconfigured_scope"] == {"status": 400, "code": "KOE205"}
    assert allauth_results["wrong_redirect_uri"] == {"status": 400, "code": "KOE006"}
