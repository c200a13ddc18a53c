"""A plain HTTP client for the emulator's kauth side, used by the test_kauth_* suites.

Not our provider: these tests hold the emulator to the reference, so they speak the raw wire.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

__all__ = ["REDIRECT_URI", "Kauth", "s256"]

REDIRECT_URI = "http://localhost/auth"


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class Kauth:
    """``kauth.authorize(...)``, ``kauth.code(...)``, ``kauth.token(...)``, ``kauth.login()``."""

    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str | None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url
        self.client = httpx.Client(base_url=base_url, timeout=10, transport=transport)
        self.client_id = client_id
        self.client_secret = client_secret

    def close(self) -> None:
        self.client.close()

    def authorize(self, **params: Any) -> httpx.Response:
        query = {"client_id": self.client_id, "redirect_uri": REDIRECT_URI, "response_type": "code"}
        query.update({k: v for k, v in params.items() if v is not None})
        return self.client.get("/oauth/authorize", params=query)

    @staticmethod
    def redirect_params(response: httpx.Response) -> dict[str, str]:
        assert response.status_code == 302, response.text
        query = parse_qs(urlsplit(response.headers["location"]).query)
        return {k: v[0] for k, v in query.items()}

    def code(self, **params: Any) -> str:
        return self.redirect_params(self.authorize(**params))["code"]

    def token(self, **form: Any) -> httpx.Response:
        body = {"client_id": self.client_id, "client_secret": self.client_secret}
        body.update(form)
        return self.client.post(
            "/oauth/token", data={k: v for k, v in body.items() if v is not None}
        )

    def exchange(self, code: str, **form: Any) -> httpx.Response:
        return self.token(
            grant_type="authorization_code", code=code, redirect_uri=REDIRECT_URI, **form
        )

    def login(self, **params: Any) -> dict[str, Any]:
        """Authorize + exchange; the token response body."""
        response = self.exchange(self.code(**params))
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    def refresh(self, refresh_token: str | None, **form: Any) -> httpx.Response:
        return self.token(grant_type="refresh_token", refresh_token=refresh_token, **form)
