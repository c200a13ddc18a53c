"""One small app per framework that receives Kakao's webhooks through our ready-made endpoints.

Each app is served over real HTTP (for the emulator's webhook sender and real clients) and driven
by its framework's own test client (for calls Kakao would never make). Every app has the same two
webhook paths; the async ones also have ``/drain``, which waits on the server's own event loop
until the callbacks it started have returned.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from webhook_recorders import AsyncRecorder, Recorder
from webhook_servers import serve_asgi, serve_wsgi

from authlib_kakao.testing import KakaoEmulator
from authlib_kakao.webhooks import AsyncKakaoWebhooks, KakaoWebhooks

__all__ = ["APPS", "Answer", "WebhookApp"]

UNLINK = "/kakao/unlink"
SECURITY_EVENTS = "/kakao/security-events"

urlpatterns: list[Any] = []  # Django's ROOT_URLCONF while a Django app runs; build() fills it


@dataclass
class Answer:
    status: int
    body: bytes
    headers: dict[str, str]  # names in lower case

    def __post_init__(self) -> None:
        self.headers = {name.lower(): value for name, value in self.headers.items()}


class WebhookApp:
    """A framework app with a receiver for both webhooks, pointed at the emulator."""

    name = ""
    is_async = False

    def __init__(self, emulator: KakaoEmulator) -> None:
        self.recorder: Recorder = AsyncRecorder() if self.is_async else Recorder()
        cls = AsyncKakaoWebhooks if self.is_async else KakaoWebhooks
        self.hooks: Any = cls(
            admin_key=emulator.app.admin_key,
            app_id=emulator.app.app_id,
            client_id=emulator.app.client_id,
            kauth_url=emulator.url,
            on_unlink=self.recorder,
            on_security_event=self.recorder,
        )
        self.url: str | None = None
        self.build()

    def build(self) -> None:
        raise NotImplementedError

    def server(self) -> AbstractContextManager[str]:
        raise NotImplementedError

    @contextmanager
    def serve(self) -> Iterator[str]:
        """Serve the app over real HTTP; yields its base URL."""
        with self.server() as url:
            self.url = url
            try:
                yield url
            finally:
                self.drain()
                self.url = None

    def call(self, method: str, path: str, *, headers: dict[str, str] | None = None,
             query: str = "", body: bytes = b"", content_type: str | None = None) -> Answer:  # fmt: skip
        """One request through the framework's test client."""
        raise NotImplementedError

    def drain(self) -> None:
        """Wait until every callback the app started has returned."""
        assert self.hooks.drain(timeout=30)

    def close(self) -> None:
        self.hooks.close()


class FlaskApp(WebhookApp):
    name = "flask"

    def build(self) -> None:
        from flask import Flask

        from authlib_kakao.webhooks.flask import webhooks_blueprint

        self.app = Flask(__name__)
        self.app.register_blueprint(webhooks_blueprint(self.hooks))
        self.client = self.app.test_client()

    def server(self) -> AbstractContextManager[str]:
        return serve_wsgi(self.app)

    def call(self, method: str, path: str, *, headers: dict[str, str] | None = None,
             query: str = "", body: bytes = b"", content_type: str | None = None) -> Answer:  # fmt: skip
        resp = self.client.open(path, method=method, query_string=query, data=body,
                                headers=headers or {}, content_type=content_type)  # fmt: skip
        return Answer(resp.status_code, resp.get_data(), dict(resp.headers))


class DjangoApp(WebhookApp):
    name = "django"

    def build(self) -> None:
        from django.test import Client, override_settings
        from django.urls import clear_url_caches
        from harness import configure_django

        from authlib_kakao.webhooks.django import webhook_urls

        configure_django()  # once per process, shared with the provider's tests
        urlpatterns[:] = webhook_urls(self.hooks)
        # CSRF protection on, as in a real project: the webhook views are exempt from it.
        self._settings = override_settings(
            ROOT_URLCONF=__name__,
            ALLOWED_HOSTS=["*"],
            MIDDLEWARE=["django.middleware.csrf.CsrfViewMiddleware"],
        )
        self._settings.enable()
        clear_url_caches()
        self.client = Client(enforce_csrf_checks=True)

    def server(self) -> AbstractContextManager[str]:
        from django.core.handlers.wsgi import WSGIHandler

        return serve_wsgi(WSGIHandler())

    def call(self, method: str, path: str, *, headers: dict[str, str] | None = None,
             query: str = "", body: bytes = b"", content_type: str | None = None) -> Answer:  # fmt: skip
        target = f"{path}?{query}" if query else path
        resp = self.client.generic(method, target, data=body, headers=headers or {},
                                   content_type=content_type or "application/octet-stream")  # fmt: skip
        return Answer(resp.status_code, resp.content, dict(resp.headers))

    def close(self) -> None:
        super().close()
        self._settings.disable()
        urlpatterns.clear()


class StarletteApp(WebhookApp):
    name = "starlette"
    is_async = True

    def build(self) -> None:
        from starlette.applications import Starlette
        from starlette.routing import Route

        from authlib_kakao.webhooks.starlette import webhook_routes

        self.app = Starlette(routes=[*webhook_routes(self.hooks), Route("/drain", self._drained)])
        self._start_client()

    async def _drained(self, request: Any) -> Any:
        from starlette.responses import PlainTextResponse

        await self.hooks.drain()
        return PlainTextResponse("drained")

    def _start_client(self) -> None:
        from starlette.testclient import TestClient

        # As a context manager: one event loop for the whole test, so the callbacks a request
        # starts as tasks outlive the request, as they do in a server.
        self._client_context = TestClient(self.app)
        self.client = self._client_context.__enter__()

    def server(self) -> AbstractContextManager[str]:
        return serve_asgi(self.app)

    def call(self, method: str, path: str, *, headers: dict[str, str] | None = None,
             query: str = "", body: bytes = b"", content_type: str | None = None) -> Answer:  # fmt: skip
        sent = dict(headers or {})
        if content_type:
            sent["Content-Type"] = content_type
        target = f"{path}?{query}" if query else path
        resp = self.client.request(method, target, content=body, headers=sent)
        return Answer(resp.status_code, resp.content, dict(resp.headers))

    def drain(self) -> None:
        # Callbacks run on the loop of whoever received the call: the server's, or the client's.
        if self.url is not None:
            assert httpx.get(f"{self.url}/drain", timeout=30).status_code == 200
        assert self.client.get("/drain").status_code == 200

    def close(self) -> None:
        self.drain()
        self._client_context.__exit__(None, None, None)


class FastAPIApp(StarletteApp):
    name = "fastapi"

    def build(self) -> None:
        from fastapi import FastAPI

        from authlib_kakao.webhooks.starlette import webhook_routes

        self.app = FastAPI()
        self.app.router.routes.extend(webhook_routes(self.hooks))
        self.app.add_route("/drain", self._drained)
        self._start_client()


APPS: dict[str, type[WebhookApp]] = {
    app.name: app for app in (FlaskApp, DjangoApp, StarletteApp, FastAPIApp)
}
