# test_app.py: the app logs in at the emulator, headless.
import pytest
import requests
from docs_testing_app import create_app

from authlib_kakao.testing import KakaoEmulator


@pytest.mark.kakao_emulator(app_preset="personal_oidc", auto_approve=True)
def test_login(kakao_emulator: KakaoEmulator) -> None:
    keys = kakao_emulator.app
    app = create_app(
        {
            "KAKAO_CLIENT_ID": keys.client_id,
            "KAKAO_CLIENT_SECRET": keys.client_secret,
            "KAKAO_URL": kakao_emulator.url,
        }
    )
    keys.redirect_uris.append("http://localhost/auth")  # Flask's test client is http://localhost
    client = app.test_client()

    to_kakao = client.get("/login")
    back = requests.get(to_kakao.headers["Location"], allow_redirects=False, timeout=10)
    done = client.get(back.headers["Location"])

    assert done.status_code == 302
    with client.session_transaction() as session:
        assert session["user"] == str(kakao_emulator.user.id)
