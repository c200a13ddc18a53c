"""``from authlib_kakao import register_kakao`` loads no JOSE stack (issue #15), yet Kakao's errors
are Authlib's ``OAuthError`` and OpenID Connect still verifies.

Each check runs in a fresh interpreter: this test process has long loaded everything.
``errors.py`` loads Authlib's ``base_client.errors`` without its package's ``__init__`` (which
pulls ``authlib.oidc``, joserfc and cryptography); these tests prove Authlib then uses that very
module, whichever is imported first.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import types
from pathlib import Path
from typing import Any

import pytest

import authlib_kakao
from authlib_kakao import errors
from authlib_kakao.testing import KakaoEmulator

# The installed package (a checkout, or a wheel's site-packages) and this test tree (the
# checkout's, or an sdist's beside a wheel installed alone).
ROOT = Path(authlib_kakao.__file__).parent.parent
TESTS = Path(__file__).resolve().parent
HEAVY = ("joserfc", "cryptography", "authlib.oidc", "authlib.jose")
AUTHLIB_ERRORS = "authlib.integrations.base_client.errors"
PRELUDE = f"""
import json, sys

def heavy():
    return sorted(m for m in sys.modules if m.startswith(tuple(p + "." for p in {HEAVY!r}))
                  or m in {HEAVY!r})
"""


def run(code: str, **env: str) -> Any:
    """Run ``code`` in a fresh interpreter and return the JSON it prints last."""
    path = [str(ROOT), str(TESTS / "integrations"), os.environ.get("PYTHONPATH", "")]
    environ = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, path)), **env}
    source = PRELUDE + textwrap.dedent(code)
    out = subprocess.run(
        [sys.executable, "-c", source], capture_output=True, text=True, env=environ, timeout=120
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.splitlines()[-1])


@pytest.mark.parametrize(
    "statement",
    [
        "from authlib_kakao import register_kakao",
        "import authlib_kakao",
        "from authlib_kakao import KakaoAdmin, KakaoAuthError, InvalidIDTokenError",
        "import authlib_kakao.core.calls, authlib_kakao.core.id_token",
        "import authlib_kakao.webhooks.security_events, authlib_kakao.webhooks.unlink",
    ],
)
def test_our_import_loads_no_jose_stack(statement: str) -> None:
    loaded = run(f"""
        {statement}
        print(json.dumps([heavy(), "authlib.integrations.base_client" in sys.modules]))
    """)

    assert loaded == [[], False]


SHARED_CLASS = """
    from authlib.integrations import base_client
    from authlib.integrations.base_client import errors as package_errors
    from authlib.integrations.flask_client import OAuthError as FlaskOAuthError
    from authlib.integrations.starlette_client import OAuthError as StarletteOAuthError
    from authlib_kakao.errors import InvalidIDTokenError, KakaoAuthError

    module = sys.modules["authlib.integrations.base_client.errors"]
    try:
        raise InvalidIDTokenError("bad signature")
    except FlaskOAuthError:
        caught = True
    print(json.dumps({
        "one module": package_errors is module,
        "one class": module.OAuthError is base_client.OAuthError is FlaskOAuthError
                     is StarletteOAuthError,
        "ours extend it": issubclass(KakaoAuthError, module.OAuthError),
        "Authlib's extend it": issubclass(base_client.MismatchingStateError, module.OAuthError),
        "caught": caught,
        "heavy": bool(heavy()),  # Authlib's own clients load the JOSE stack: the control
    }))
"""


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("import authlib_kakao.errors", "import authlib.integrations.flask_client"),
        ("import authlib.integrations.flask_client", "import authlib_kakao.errors"),
    ],
    ids=["ours-first", "authlib-first"],
)
def test_authlib_and_we_share_one_oauth_error(first: str, second: str) -> None:
    found = run(f"{first}\n{second}\n{textwrap.dedent(SHARED_CLASS)}")

    assert found == {
        "one module": True,
        "one class": True,
        "ours extend it": True,
        "Authlib's extend it": True,
        "caught": True,
        "heavy": True,
    }


def test_the_attribute_path_to_authlibs_errors_works_after_register_kakao() -> None:
    found = run("""
        from authlib_kakao import KakaoAuthError, register_kakao
        from authlib.integrations.flask_client import OAuth
        from flask import Flask

        register_kakao(OAuth(Flask(__name__)), client_id="app-key")
        import authlib.integrations.base_client.errors

        print(json.dumps(issubclass(
            KakaoAuthError, authlib.integrations.base_client.errors.OAuthError
        )))
    """)

    assert found is True


def test_binding_does_nothing_before_authlibs_package_loads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delitem(sys.modules, "authlib.integrations.base_client", raising=False)

    errors.bind_authlib_errors()

    assert "authlib.integrations.base_client" not in sys.modules  # nothing imported for it


def test_binding_makes_errors_an_attribute_of_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    package = types.ModuleType("authlib.integrations.base_client")
    package.OAuthError = errors.OAuthError  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "authlib.integrations.base_client", package)

    errors.bind_authlib_errors()

    assert package.errors is sys.modules[AUTHLIB_ERRORS]  # type: ignore[attr-defined]


def test_binding_refuses_a_second_oauth_error_class(monkeypatch: pytest.MonkeyPatch) -> None:
    package = types.ModuleType("authlib.integrations.base_client")
    package.OAuthError = type("OAuthError", (Exception,), {})  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "authlib.integrations.base_client", package)

    with pytest.raises(RuntimeError, match="executed twice"):
        errors.bind_authlib_errors()


@pytest.mark.kakao_emulator(app_preset="kakao_sync", user_preset="agreed_all", auto_approve=True)
def test_plain_oauth_and_oidc_logins_work_in_a_light_process(
    kakao_emulator: KakaoEmulator,
) -> None:
    app = kakao_emulator.app
    found = run(
        """
        import os
        from authlib_kakao import register_kakao

        ours = heavy()
        from authlib.integrations.flask_client import OAuthError
        from harness import FlaskHarness

        url, key, secret = (os.environ[k] for k in ("EMU_URL", "EMU_KEY", "EMU_SECRET"))
        plain = FlaskHarness(url)
        plain.build(**plain.register_kwargs(key, secret))
        login = plain.login()
        me = plain.get("/me")
        try:  # kauth refuses an unknown code: Authlib's except OAuthError must see it
            plain.kakao.fetch_access_token(redirect_uri="http://localhost/auth", code="bogus")
        except OAuthError as exc:
            refused = [type(exc).__name__, exc.code]

        oidc = FlaskHarness(url)
        oidc.build(**oidc.register_kwargs(key, secret, openid=True))
        token = oidc.login().data
        print(json.dumps({
            "ours": ours, "login": login.status, "id_token": "id_token" in login.data,
            "sub": me.data["sub"], "refused": refused, "claims": token.get("userinfo"),
        }))
        """,
        EMU_URL=str(kakao_emulator.url),
        EMU_KEY=app.client_id,
        EMU_SECRET=str(app.client_secret),
    )

    assert found["ours"] == []
    assert (found["login"], found["id_token"]) == (200, False)
    assert found["sub"] == str(kakao_emulator.user.id)
    assert found["refused"][0] == "KakaoAuthError"
    assert found["refused"][1].startswith("KOE")
    assert found["claims"]["sub"] == str(kakao_emulator.user.id)
    assert found["claims"]["aud"] == app.client_id
