"""What the example tests share: loading an example by path, the browser's trip to Kakao, and
Kakao's unlink webhook call as the emulator would send it."""

from __future__ import annotations

import importlib.util
import sys
import urllib.request
from pathlib import Path
from types import ModuleType
from urllib.parse import urlsplit

import requests

from authlib_kakao.testing import KakaoEmulator

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DOCS = Path(__file__).resolve().parents[2] / "docs"


def load_example(name: str) -> ModuleType:
    """Import ``examples/<name>.py`` (the examples are scripts, not a package)."""
    module_name = f"example_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, EXAMPLES / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # SQLAlchemy and pydantic look classes up by module
    spec.loader.exec_module(module)
    return module


def authorize(authorize_url: str, emulator: KakaoEmulator) -> str:
    """Follow the app's redirect to the emulator's /oauth/authorize (auto-approve) as a browser
    would; the URL Kakao sends the browser back to (the app's callback with ``code`` and ``state``)."""
    assert authorize_url.startswith(f"{emulator.url}/oauth/authorize?"), authorize_url
    answer = requests.get(authorize_url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    return str(answer.headers["location"])


def path_and_query(url: str) -> str:
    """``/auth?code=...`` of an absolute URL, for test clients that want a path."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def unlink_call(emulator: KakaoEmulator, app_base: str, path: str) -> urllib.request.Request:
    """The HTTP request Kakao sends to the app's unlink webhook for the default user, built by the
    emulator's own webhook sender; the user is unlinked on Kakao's side first, as Kakao does."""
    from authlib_kakao.testing.webhooks_out import unlink_webhook_request

    emulator.app.webhook_url = f"{app_base}{path}"
    call = unlink_webhook_request(emulator.app, emulator.user.id, "UNLINK_FROM_APPS")
    emulator.unlink(emulator.user)
    return call
