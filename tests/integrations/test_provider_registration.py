"""register_kakao's contract: config sources, isolation, callbacks, timeouts, auth method, logs."""

from __future__ import annotations

import inspect
import logging
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.integrations.flask_client import OAuth as FlaskOAuth
from authlib.integrations.starlette_client import OAuth as StarletteOAuth
from flask import Flask
from starlette.config import Config

from authlib_kakao import InvalidIDTokenError, KakaoAuthError, KakaoConfigError, register_kakao
from authlib_kakao.integrations.mixin import AsyncKakaoAppMixin, KakaoAppMixin
from authlib_kakao.testing import KakaoEmulator


def flask_oauth(**config: Any) -> tuple[Flask, FlaskOAuth]:
    app = Flask(__name__)
    app.secret_key = "s"
    app.config.update(config)
    return app, FlaskOAuth(app)


def test_flask_config_supplies_client_id_and_secret() -> None:
    _, oauth = flask_oauth(KAKAO_CLIENT_ID="from-config", KAKAO_CLIENT_SECRET="secret")

    kakao = register_kakao(oauth)

    assert (kakao.client_id, kakao.client_secret) == ("from-config", "secret")


def test_flask_config_client_kwargs_are_merged_not_replaced() -> None:
    _, oauth = flask_oauth(KAKAO_CLIENT_ID="id", KAKAO_CLIENT_KWARGS={"leeway": 30})

    kakao = register_kakao(oauth, client_kwargs={"timeout": 3})

    assert kakao.client_kwargs["leeway"] == 30
    assert kakao.client_kwargs["timeout"] == 3
    assert kakao.client_kwargs["code_challenge_method"] == "S256"
    assert kakao.client_kwargs["default_timeout"] == 10.0


def test_django_settings_supply_the_client() -> None:
    from authlib.integrations.django_client import OAuth as DjangoOAuth
    from django.test import override_settings
    from harness import configure_django

    configure_django()
    clients = {"kakao": {"client_id": "dj-id", "client_secret": "dj-secret"}}
    with override_settings(AUTHLIB_OAUTH_CLIENTS=clients):
        kakao = register_kakao(DjangoOAuth())

    assert (kakao.client_id, kakao.client_secret) == ("dj-id", "dj-secret")


def test_starlette_config_supplies_the_client() -> None:
    oauth = StarletteOAuth(
        Config(environ={"KAKAO_CLIENT_ID": "st-id", "KAKAO_CLIENT_SECRET": "st"})
    )

    kakao = register_kakao(oauth)

    assert (kakao.client_id, kakao.client_secret) == ("st-id", "st")


def test_no_default_scope_and_pkce_state_by_default() -> None:
    _, oauth = flask_oauth()
    kakao = register_kakao(oauth, client_id="id")

    url = kakao.create_authorization_url("http://localhost/auth")["url"]

    query = parse_qs(urlsplit(url).query)
    assert "scope" not in query
    assert query["code_challenge_method"] == ["S256"]
    assert query["state"][0]
    assert "nonce" not in query


def test_openid_adds_the_scope_and_a_nonce() -> None:
    _, oauth = flask_oauth()
    kakao = register_kakao(oauth, client_id="id", openid=True)

    query = parse_qs(urlsplit(kakao.create_authorization_url("http://x/auth")["url"]).query)

    assert query["scope"] == ["openid"]
    assert query["nonce"][0]


def test_per_call_params_are_url_encoded_and_win_over_registered() -> None:
    _, oauth = flask_oauth()
    kakao = register_kakao(
        oauth, client_id="id", authorize_params={"prompt": "login", "login_hint": "a"}
    )

    url = kakao.create_authorization_url(
        "http://x/auth", prompt="select_account", login_hint="me+kakao@example.com",
        service_terms="terms_a,terms_b", scope="account_email,gender",
    )["url"]  # fmt: skip

    query = parse_qs(urlsplit(url).query)
    assert query["prompt"] == ["select_account"]
    assert query["login_hint"] == ["me+kakao@example.com"]
    assert query["service_terms"] == ["terms_a,terms_b"]
    assert query["scope"] == ["account_email,gender"]


def test_endpoints_derive_from_two_urls_and_issuer_stays_kakaos() -> None:
    _, oauth = flask_oauth()

    kakao = register_kakao(
        oauth, client_id="id", kauth_url="http://a.test/", kapi_url="http://b.test"
    )

    assert kakao.authorize_url == "http://a.test/oauth/authorize"
    assert kakao.access_token_url == "http://a.test/oauth/token"
    assert kakao.api_base_url == "http://b.test/"
    assert kakao.server_metadata["jwks_uri"] == "http://a.test/.well-known/jwks.json"
    assert kakao.server_metadata["userinfo_endpoint"] == "http://b.test/v2/user/me"
    assert kakao.server_metadata["issuer"] == "https://kauth.kakao.com"
    assert "server_metadata_url" not in kakao.server_metadata


def test_two_registrations_do_not_share_settings() -> None:
    _, first_oauth = flask_oauth()
    _, second_oauth = flask_oauth()

    first = register_kakao(first_oauth, client_id="one", openid=True, kauth_url="http://one.test")
    second = register_kakao(second_oauth, client_id="two")

    assert second.client_id == "two"
    assert (first.settings.openid, second.settings.openid) == (True, False)
    assert first.settings.endpoints.kauth_url == "http://one.test"
    assert second.authorize_url == "https://kauth.kakao.com/oauth/authorize"
    assert "scope" not in second.client_kwargs


def test_the_same_name_twice_is_refused_not_silently_ignored() -> None:
    _, oauth = flask_oauth()
    register_kakao(oauth, client_id="one")

    with pytest.raises(KakaoConfigError, match="already registered"):
        register_kakao(oauth, client_id="two")
    assert register_kakao(oauth, "kakao_native", client_id="two").client_id == "two"


def test_sync_update_token_on_starlette_is_refused_at_registration() -> None:
    oauth = StarletteOAuth()

    with pytest.raises(KakaoConfigError, match="async def"):
        register_kakao(oauth, client_id="id", update_token=lambda token, **kw: None)


def test_async_update_token_on_starlette_is_accepted() -> None:
    async def update_token(token: dict[str, Any], **kwargs: Any) -> None: ...

    assert register_kakao(StarletteOAuth(), client_id="id", update_token=update_token)


def test_user_compliance_fix_still_runs() -> None:
    seen: list[Any] = []
    _, oauth = flask_oauth()
    kakao = register_kakao(oauth, client_id="id", compliance_fix=seen.append)

    kakao.create_authorization_url("http://x/auth")

    assert len(seen) == 1


def test_the_same_name_twice_is_refused_before_flask_init_app() -> None:
    oauth = FlaskOAuth()  # application-factory style: no app yet
    register_kakao(oauth, client_id="one")

    with pytest.raises(KakaoConfigError, match="already registered"):
        register_kakao(oauth, client_id="two")


@pytest.mark.parametrize(
    "keyword", ["authorize_url", "access_token_url", "api_base_url", "jwks_uri",
                "userinfo_endpoint", "server_metadata_url"],
)  # fmt: skip
def test_endpoint_keywords_that_would_diverge_are_refused(keyword: str) -> None:
    _, oauth = flask_oauth()

    with pytest.raises(KakaoConfigError, match=f"{keyword}.*kauth_url= and kapi_url="):
        register_kakao(oauth, client_id="id", **{keyword: "https://elsewhere.test/x"})


def test_each_framework_gets_its_named_app_class() -> None:
    from authlib.integrations.django_client import OAuth as DjangoOAuth
    from harness import configure_django

    from authlib_kakao.integrations.django import KakaoDjangoApp
    from authlib_kakao.integrations.flask import KakaoFlaskApp
    from authlib_kakao.integrations.starlette import KakaoStarletteApp

    configure_django()
    _, oauth = flask_oauth()

    assert type(register_kakao(oauth, client_id="i")) is KakaoFlaskApp
    assert type(register_kakao(DjangoOAuth(), client_id="i")) is KakaoDjangoApp
    assert type(register_kakao(StarletteOAuth(), client_id="i")) is KakaoStarletteApp


def test_a_custom_authlib_app_class_gets_the_kakao_mixins_composed_onto_it() -> None:
    from authlib.integrations.flask_client import FlaskOAuth2App

    class AuditedApp(FlaskOAuth2App):  # type: ignore[misc]
        audited = True

    class AuditedOAuth(FlaskOAuth):  # type: ignore[misc]
        oauth2_client_cls = AuditedApp

    kakao = register_kakao(AuditedOAuth(Flask(__name__)), client_id="i")

    assert isinstance(kakao, AuditedApp)
    assert isinstance(kakao, KakaoAppMixin)
    assert kakao.audited
    assert kakao._get_oauth_client().token_endpoint_auth_method == "none"


def test_claims_options_are_refused_rather_than_silently_ignored() -> None:
    _, oauth = flask_oauth()
    kakao = register_kakao(oauth, client_id="id", openid=True)

    with pytest.raises(KakaoConfigError, match="allowed_audiences"):
        kakao.parse_id_token(
            {"id_token": "a.b.c"}, nonce=None, claims_options={"iss": {"essential": True}}
        )


@pytest.mark.parametrize("token", [{}, {"id_token": ""}, {"id_token": None}, {"id_token": 7}])
def test_parse_id_token_without_an_id_token_names_it(token: dict[str, Any]) -> None:
    _, oauth = flask_oauth()
    kakao = register_kakao(oauth, client_id="id", openid=True)

    with pytest.raises(InvalidIDTokenError, match="no id_token") as caught:
        kakao.parse_id_token(token, nonce=None)
    assert "openid=True" in caught.value.hint


def test_the_returned_app_is_the_frameworks_authlib_app() -> None:
    from authlib.integrations.flask_client import FlaskOAuth2App
    from authlib.integrations.starlette_client import StarletteOAuth2App

    _, oauth = flask_oauth()

    assert isinstance(register_kakao(oauth, client_id="i"), FlaskOAuth2App)
    assert isinstance(register_kakao(StarletteOAuth(), client_id="i"), StarletteOAuth2App)


@pytest.mark.parametrize("secret", [None, ""])
def test_no_secret_means_client_id_only_in_the_body(
    secret: str | None, kakao_emulator: KakaoEmulator
) -> None:
    """Authlib's client_secret_post would send an empty client_secret=; Kakao wants none at all."""
    _, oauth = flask_oauth()
    kakao = register_kakao(oauth, client_id="id", client_secret=secret)
    sent: list[Any] = []

    session = kakao._get_oauth_client()
    session.hooks["response"].append(lambda resp, **kw: sent.append(resp.request.body))
    assert session.token_endpoint_auth_method == "none"
    with pytest.raises(KakaoAuthError) as refused:  # the emulator refuses the made-up code
        session.fetch_token(
            f"{kakao_emulator.url}/oauth/token", code="x", redirect_uri="http://localhost/auth"
        )

    assert refused.value.code == "KOE101"  # no app has the made-up client_id
    body = parse_qs(sent[0])
    assert body["client_id"] == ["id"]
    assert "client_secret" not in body


def test_default_timeout_reaches_requests(
    kakao_emulator: KakaoEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, oauth = flask_oauth()
    kakao = register_kakao(oauth, client_id="id", timeout=4.5)
    seen: dict[str, Any] = {}
    real_send = requests.Session.send

    def spy(self: requests.Session, request: Any, **kwargs: Any) -> Any:
        seen.update(kwargs)
        return real_send(self, request, **kwargs)

    monkeypatch.setattr(requests.Session, "send", spy)
    kakao.get(
        f"{kakao_emulator.url}/v2/user/me", token={"access_token": "x", "token_type": "bearer"}
    )

    assert seen["timeout"] == 4.5


def test_sync_and_async_faces_have_the_same_methods() -> None:
    def public(cls: type) -> dict[str, inspect.Signature]:
        return {
            name: inspect.signature(member)
            for name, member in vars(cls).items()
            if inspect.isfunction(member) and not name.startswith("__")
        }

    sync, async_ = public(KakaoAppMixin), public(AsyncKakaoAppMixin)

    assert sync == async_
    assert all(inspect.iscoroutinefunction(getattr(AsyncKakaoAppMixin, n)) for n in async_)
    assert not any(inspect.iscoroutinefunction(getattr(KakaoAppMixin, n)) for n in sync)


def test_no_secret_in_any_log_line(
    caplog: pytest.LogCaptureFixture, kakao_emulator: KakaoEmulator
) -> None:
    """A whole login, userinfo and refresh at DEBUG: no secret, token or code_verifier is logged."""
    from harness import FlaskHarness

    caplog.set_level(logging.DEBUG)
    harness = FlaskHarness(str(kakao_emulator.url))
    app = kakao_emulator.app
    harness.build(**harness.register_kwargs(app.client_id, app.client_secret, openid=True))
    token = harness.login().data
    harness.get("/me")
    harness.get("/refresh")

    secrets = [app.client_secret, app.admin_key, token["access_token"], token["refresh_token"],
               token["id_token"], harness.store.token["access_token"]]  # fmt: skip
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "code_verifier" in logged  # Authlib did log it: the redaction is what kept it out
    for secret in secrets:
        assert secret not in logged
