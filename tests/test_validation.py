"""Configuration mistakes are refused at registration with the setting, the bad value and the fix."""

from __future__ import annotations

from typing import Any

import pytest
from authlib.integrations.flask_client import OAuth as FlaskOAuth
from authlib.integrations.starlette_client import OAuth as StarletteOAuth
from flask import Flask

from authlib_kakao import KakaoConfigError, register_kakao


def flask_oauth(**config: Any) -> FlaskOAuth:
    app = Flask(__name__)
    app.config.update(config)
    return FlaskOAuth(app)


# (keywords, words the message must contain)
MISTAKES: dict[str, tuple[dict[str, Any], tuple[str, ...]]] = {
    "timeout_zero": ({"timeout": 0}, ("timeout=", "positive", "timeout=10")),
    "timeout_none": ({"timeout": None}, ("timeout=", "NoneType")),
    "timeout_infinite": ({"timeout": float("inf")}, ("timeout=", "finite")),
    "timeout_nan": ({"timeout": float("nan")}, ("timeout=", "finite")),
    "timeout_negative": ({"timeout": -1}, ("timeout=", "positive")),
    "timeout_text": ({"timeout": "10"}, ("timeout=", "str", "'10'")),
    "timeout_bool": ({"timeout": True}, ("timeout=", "bool")),
    "audiences_one_string": ({"allowed_audiences": "nativekey"}, ("['nativekey']",)),
    "audiences_not_strings": ({"allowed_audiences": ["ok", 7]}, ("allowed_audiences=", "7")),
    "audiences_not_iterable": ({"allowed_audiences": 7}, ("allowed_audiences=", "int")),
    "kauth_url_without_scheme": ({"kauth_url": "kauth.kakao.com"}, ("kauth_url=", "http(s)")),
    "kauth_url_javascript": ({"kauth_url": "javascript:alert(1)"}, ("kauth_url=",)),
    "kauth_url_none": ({"kauth_url": None}, ("kauth_url=", "NoneType")),
    "kapi_url_relative": ({"kapi_url": "/kapi"}, ("kapi_url=",)),
    "issuer_not_a_url": ({"issuer": "kakao"}, ("issuer=",)),
    "authorize_params_text": ({"authorize_params": "prompt=login"}, ("authorize_params=", "str")),
    "client_kwargs_list": ({"client_kwargs": [("scope", "x")]}, ("client_kwargs=", "list")),
    "near_miss_secret": ({"clientsecret": "s"}, ("clientsecret=", "did you mean client_secret=")),
    "near_miss_case": ({"Client_Id": "x"}, ("Client_Id=", "did you mean client_id=")),
    "near_miss_audiences": ({"allowed_audience": ["k"]}, ("did you mean allowed_audiences=",)),
    "scope_at_top_level": ({"scope": "account_email"}, ("scope=", "client_kwargs")),
    "redirect_uri_at_top_level": ({"redirect_uri": "http://x/auth"}, ("authorize_redirect",)),
    "name_not_an_identifier": ({"name": "my kakao"}, ("name=",)),
    "client_id_a_list": ({"client_id": ["id"]}, ("client_id=", "list", "REST API key")),
    "client_id_a_number": ({"client_id": 1234}, ("client_id=", "int")),
    "client_id_blank": ({"client_id": "  "}, ("client_id=", "blank")),
    "client_id_with_space": ({"client_id": "id x"}, ("client_id=", "whitespace")),
    "client_secret_a_number": ({"client_secret": 42}, ("client_secret=", "int")),
    "kauth_url_with_a_query": (
        {"kauth_url": "https://kauth.kakao.com/?a=1"},
        ("kauth_url=", "query"),
    ),
    "kapi_url_with_a_fragment": (
        {"kapi_url": "https://kapi.kakao.com/#x"},
        ("kapi_url=", "fragment"),
    ),
    "openid_a_word": ({"openid": "no"}, ("openid=", "True or False", "'no'")),
    "openid_a_number": ({"openid": 1}, ("openid=", "True or False")),
    "near_miss_scopes": ({"scopes": "account_email"}, ("scopes=", "scope=", "client_kwargs")),
    "near_miss_redirect_url": (
        {"redirect_url": "http://x/auth"},
        ("redirect_url=", "authorize_redirect"),
    ),
}


@pytest.mark.parametrize("mistake", MISTAKES)
def test_each_mistake_is_refused_with_what_to_do(mistake: str) -> None:
    keywords, words = MISTAKES[mistake]
    keywords = {"client_id": "id", **keywords}

    with pytest.raises(KakaoConfigError) as caught:
        register_kakao(flask_oauth(), **keywords)

    for word in words:
        assert word in str(caught.value)


def test_a_refused_registration_registers_nothing() -> None:
    oauth = flask_oauth()
    with pytest.raises(KakaoConfigError):
        register_kakao(oauth, client_id="id", timeout=0)

    assert register_kakao(oauth, client_id="id").client_id == "id"


def test_unknown_keywords_that_are_no_near_miss_pass_to_authlib_as_metadata() -> None:
    kakao = register_kakao(flask_oauth(), client_id="id", prompt="login")

    assert "prompt=login" in kakao.create_authorization_url("http://x/auth")["url"]


def test_a_missing_client_id_is_refused_at_registration_when_config_is_readable() -> None:
    with pytest.raises(KakaoConfigError, match="KAKAO_CLIENT_ID"):
        register_kakao(flask_oauth())
    with pytest.raises(KakaoConfigError, match="PARTNER_CLIENT_ID"):
        register_kakao(StarletteOAuth(), "partner")


def test_a_missing_client_id_is_refused_at_first_use_after_flask_init_app() -> None:
    oauth = FlaskOAuth()  # application factory: config not readable yet
    kakao = register_kakao(oauth)
    app = Flask(__name__)
    oauth.init_app(app)

    with app.test_request_context(), pytest.raises(KakaoConfigError, match="KAKAO_CLIENT_ID"):
        kakao.create_authorization_url("http://localhost/auth")


def test_valid_odd_but_legal_values_are_accepted() -> None:
    kakao = register_kakao(
        flask_oauth(),
        client_id="id",
        timeout=2,
        allowed_audiences=("native", "js"),
        kauth_url="http://127.0.0.1:8089/",
        authorize_params=None,
    )

    assert kakao.settings.allowed_audiences == ("native", "js")
    assert kakao.client_kwargs["default_timeout"] == 2.0


@pytest.mark.parametrize(
    ("keywords", "named"),
    [({"client_kwargs": {"scope": "account_email phone_number"}},
      ["account_email (needs a Biz app)", "phone_number (needs a Biz app and Kakao's review)"]),
     ({"authorize_params": {"scope": "profile_nickname,legal_name"}},
      ["legal_name (needs a partner contract with Kakao)"])],
)  # fmt: skip
def test_a_scope_a_personal_app_cannot_have_is_a_warning_not_an_error(
    keywords: dict[str, Any], named: list[str]
) -> None:
    from authlib_kakao import KakaoConfigWarning

    with pytest.warns(KakaoConfigWarning, match="KOE205") as caught:
        kakao = register_kakao(flask_oauth(), client_id="id", **keywords)

    assert kakao.client_id == "id"  # registered all the same
    for words in named:
        assert words in str(caught[0].message)
    assert caught[0].filename == __file__  # points at the register_kakao call


def test_scopes_every_app_may_ask_for_raise_no_warning() -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        register_kakao(flask_oauth(), client_id="id",
                       client_kwargs={"scope": "profile_nickname profile_image openid"})  # fmt: skip
