"""A Django project using django-allauth's Kakao provider, unchanged, against the emulator.

Run by ``test_third_party_clients.py`` in a subprocess (Django is configured once per process, and
the provider tests' harness configures it differently): ``python allauth_site.py <emulator URL>``.
Only allauth's URL constants are pointed at the emulator; the emulator is driven over its HTTP
control plane, as a test suite in another language would. Prints one JSON line of outcomes.
"""

from __future__ import annotations

import json
import sys
from typing import Any
from urllib.parse import urlsplit

import django
import requests
from django.conf import settings

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8089"
CALLBACK = "http://testserver/accounts/kakao/login/callback/"
STATE = requests.get(f"{BASE}/_emulator/state", timeout=10).json()
APP = {"client_id": STATE["app"]["client_id"], "secret": STATE["app"]["client_secret"], "key": ""}

settings.configure(
    SECRET_KEY="allauth-site",
    ROOT_URLCONF=__name__,
    ALLOWED_HOSTS=["testserver"],
    INSTALLED_APPS=[
        "django.contrib.contenttypes",
        "django.contrib.auth",
        "django.contrib.sessions",
        "django.contrib.messages",
        "django.contrib.sites",
        "allauth",
        "allauth.account",
        "allauth.socialaccount",
        "allauth.socialaccount.providers.kakao",
    ],
    MIDDLEWARE=[
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "allauth.account.middleware.AccountMiddleware",
    ],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    TEMPLATES=[
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "APP_DIRS": True,
            "OPTIONS": {
                "context_processors": [
                    "django.template.context_processors.request",
                    "django.contrib.auth.context_processors.auth",
                    "django.contrib.messages.context_processors.messages",
                ]
            },
        }
    ],
    AUTHENTICATION_BACKENDS=["allauth.account.auth_backends.AuthenticationBackend"],
    SITE_ID=1,
    USE_TZ=True,
    SOCIALACCOUNT_PROVIDERS={"kakao": {"APP": APP}},
    SOCIALACCOUNT_LOGIN_ON_GET=True,
    SOCIALACCOUNT_AUTO_SIGNUP=True,
    ACCOUNT_EMAIL_VERIFICATION="none",
    LOGIN_REDIRECT_URL="/done/",
)
django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings, setup_test_environment  # noqa: E402
from django.urls import include, path  # noqa: E402

urlpatterns = [path("accounts/", include("allauth.urls"))]

from allauth.socialaccount.models import SocialAccount  # noqa: E402
from allauth.socialaccount.providers.kakao.views import KakaoOAuth2Adapter  # noqa: E402

# The only change to allauth: its Kakao URL constants point at the emulator.
KakaoOAuth2Adapter.authorize_url = f"{BASE}/oauth/authorize"
KakaoOAuth2Adapter.access_token_url = f"{BASE}/oauth/token"
KakaoOAuth2Adapter.profile_url = f"{BASE}/v2/user/me"


def kakao(url: str) -> requests.Response:
    """The browser, logged in to Kakao (a session from the control plane), opens ``url``."""
    session = requests.post(f"{BASE}/_emulator/sessions", json={}, timeout=10).json()
    return requests.get(
        url, cookies={session["cookie"]: session["value"]}, allow_redirects=False, timeout=10
    )


def error_page(answer: requests.Response) -> dict[str, Any]:
    code = answer.text.split("<h1>", 1)[1].split("</h1>", 1)[0] if "<h1>" in answer.text else ""
    return {"status": answer.status_code, "code": code}


def log_in(client: Client) -> requests.Response:
    start = client.get("/accounts/kakao/login/")
    assert start.status_code == 302, start.status_code
    return kakao(start["Location"])


def finish(client: Client, answer: requests.Response) -> None:
    back = urlsplit(answer.headers["location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == CALLBACK, back
    client.get(f"{back.path}?{back.query}")


def last_token_status() -> int:
    log = requests.get(f"{BASE}/_emulator/log", params={"path": "/oauth/token"}, timeout=10)
    return int(log.json()[-1]["status"])


def main() -> dict[str, Any]:
    setup_test_environment()
    call_command("migrate", verbosity=0)
    results: dict[str, Any] = {}

    # Before the callback is registered with Kakao: KOE006, no redirect back.
    results["wrong_redirect_uri"] = error_page(log_in(Client()))
    requests.post(f"{BASE}/_emulator/app/redirect_uris", json={"uri": CALLBACK}, timeout=10)

    client = Client()
    finish(client, log_in(client))
    account = SocialAccount.objects.filter(provider="kakao").first()
    results["login"] = {
        "logged_in": "_auth_user_id" in client.session,
        "uid": account.uid if account else None,
        "username": account.user.username if account else None,
    }

    wrong = {"kakao": {"APP": {**APP, "secret": "wrong"}}}
    with override_settings(SOCIALACCOUNT_PROVIDERS=wrong):
        client = Client()
        finish(client, log_in(client))
        results["wrong_secret"] = {
            "logged_in": "_auth_user_id" in client.session,
            "token_status": last_token_status(),
        }

    email = {"kakao": {"APP": APP, "SCOPE": ["account_email"]}}
    with override_settings(SOCIALACCOUNT_PROVIDERS=email):
        results["unconfigured_scope"] = error_page(log_in(Client()))
    return results


if __name__ == "__main__":
    print(json.dumps(main()))
