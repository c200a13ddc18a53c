"""Settings of the example project: the smallest Django site with a Kakao login.

Which Kakao it logs in at:

* ``KAKAO_EMULATOR_URL`` set: that emulator (``manage.py runserver`` starts one when neither this
  nor ``KAKAO_CLIENT_ID`` is set);
* else the real Kakao: ``KAKAO_CLIENT_ID``, ``KAKAO_CLIENT_SECRET`` (if the app has one),
  ``KAKAO_ADMIN_KEY`` and ``KAKAO_APP_ID`` (for the unlink webhook).
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-change-me")
DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

INSTALLED_APPS = [
    "django.contrib.sessions",
    "kakao_login",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Authlib keeps the login's state, PKCE verifier and nonce in the session between /login
    # and /auth.
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
]
ROOT_URLCONF = "kakao_site.urls"
WSGI_APPLICATION = "kakao_site.wsgi.application"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("DATABASE_NAME", BASE_DIR / "db.sqlite3"),
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True

# Authlib's Django registry reads the client id and secret here (register_kakao's name "kakao").
AUTHLIB_OAUTH_CLIENTS = {
    "kakao": {
        "client_id": os.environ.get("KAKAO_CLIENT_ID"),
        "client_secret": os.environ.get("KAKAO_CLIENT_SECRET") or None,
    }
}
# The unlink webhook's caller proves itself with the admin key (and names the app id).
KAKAO_ADMIN_KEY = os.environ.get("KAKAO_ADMIN_KEY")
KAKAO_APP_ID = os.environ.get("KAKAO_APP_ID")
# Set: log in at this emulator instead (its keys replace the ones above).
KAKAO_EMULATOR_URL = os.environ.get("KAKAO_EMULATOR_URL")
