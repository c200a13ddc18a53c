"""``python -m authlib_kakao.testing``: run the Kakao emulator standalone."""

from __future__ import annotations

import argparse
import errno
import json
import shlex
import socket
import sys
from collections.abc import Sequence
from dataclasses import fields
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

if TYPE_CHECKING:
    from authlib_kakao.testing.state import EmulatorConfig

__all__ = ["main"]


def build_parser(prog: str = "python -m authlib_kakao.testing") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Run an offline Kakao (kauth + kapi) on one HTTP port.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8089, help="port (default 8089; 0 = any free)")
    parser.add_argument(
        "--auto-approve",
        action="store_true",
        help="answer /oauth/authorize with a code at once instead of showing the consent page "
        "(headless tests; not what Kakao does)",
    )
    app = parser.add_argument_group("the default app (kept across POST /_emulator/reset)")
    app.add_argument(
        "--preset",
        default="personal",
        help="app preset: personal (default), personal_oidc, bare, biz, kakao_sync, partner",
    )
    app.add_argument(
        "--user-preset", default="default", help="the default user's preset (default: default)"
    )
    app.add_argument(
        "--redirect-uri",
        action="append",
        default=[],
        metavar="URI",
        help="register a redirect URI (repeat for more)",
    )
    app.add_argument(
        "--logout-redirect-uri", action="append", default=[], metavar="URI", help="(repeatable)"
    )
    app.add_argument("--client-id", help="the REST API key (default emulator-rest-api-key)")
    app.add_argument("--client-secret", help="the client secret (default emulator-client-secret)")
    app.add_argument("--no-secret", action="store_true", help='switch "Client Secret" off')
    app.add_argument("--admin-key", help="the admin key (default emulator-admin-key)")
    oidc = app.add_mutually_exclusive_group()
    oidc.add_argument("--oidc", dest="oidc", action="store_true", default=None, help="OIDC on")
    oidc.add_argument("--no-oidc", dest="oidc", action="store_false", help="OIDC off")
    app.add_argument(
        "--consent-items",
        metavar="IDS",
        help="comma-separated consent items the app configures (profile_nickname is required)",
    )
    app.add_argument(
        "--service-term",
        action="append",
        default=[],
        metavar="TAG[:required]",
        help="a Kakao Sync service term (repeatable)",
    )
    app.add_argument("--webhook-url", help="the unlink webhook URL")
    app.add_argument(
        "--security-event-url",
        help="where the account-status-change webhook POSTs Security Event Tokens",
    )
    app.add_argument("--no-auto-link", action="store_true", help="auto-link OFF (signup API)")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=JSON",
        help="any EmulatorConfig field, e.g. --set access_token_lifetime=60",
    )
    return parser


def app_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The default app's fields the command line sets (``EmulatorConfig.app_settings``)."""
    settings: dict[str, Any] = {}
    if args.redirect_uri:
        settings["redirect_uris"] = list(args.redirect_uri)
    if args.logout_redirect_uri:
        settings["logout_redirect_uris"] = list(args.logout_redirect_uri)
    names = ("client_id", "client_secret", "admin_key", "webhook_url", "security_event_url", "oidc")
    for name in names:
        if getattr(args, name) is not None:
            settings[name] = getattr(args, name)
    if args.no_secret:
        settings["client_secret"] = None
    if args.consent_items is not None:
        settings["consent_items"] = [i for i in args.consent_items.split(",") if i]
    if args.service_term:
        settings["service_terms"] = list(args.service_term)
    if args.no_auto_link:
        settings["auto_link"] = False
    return settings


def build_config(args: argparse.Namespace) -> EmulatorConfig:
    """The emulator's config from the command line; a bad ``--set`` or preset exits with 2."""
    from authlib_kakao.testing.presets import APP_PRESETS, USER_PRESETS
    from authlib_kakao.testing.state import EmulatorConfig

    if args.preset not in APP_PRESETS:
        raise SystemExit(f"--preset: one of {', '.join(sorted(APP_PRESETS))}")
    if args.user_preset not in USER_PRESETS:
        raise SystemExit(f"--user-preset: one of {', '.join(sorted(USER_PRESETS))}")
    values: dict[str, Any] = {}
    known = {f.name for f in fields(EmulatorConfig)}
    for item in args.set:
        name, sep, raw = item.partition("=")
        if not sep or name not in known:
            raise SystemExit(f"--set {item!r}: NAME=JSON with NAME one of {sorted(known)}")
        try:
            value = json.loads(raw)
        except ValueError:
            value = raw  # a bare string
        values[name] = tuple(value) if isinstance(value, list) else value
    return EmulatorConfig(
        app_preset=args.preset,
        user_preset=args.user_preset,
        app_settings=app_settings(args),
        **values,
    )


def banner(base_url: str, client_id: str, client_secret: str | None, admin_key: str) -> str:
    """What to paste where: keys, an authorize URL to open, the curl for the code exchange."""
    redirect_uri = f"{base_url}/_emulator/callback"
    authorize = f"{base_url}/oauth/authorize?" + urlencode(
        {"client_id": client_id, "redirect_uri": redirect_uri, "response_type": "code"}
    )
    form = {
        "grant_type": "authorization_code",
        "client_id": client_id,
        "client_secret": client_secret or "",
        "redirect_uri": redirect_uri,
        "code": "<code from the redirect>",
    }
    curl = " ".join(
        ["curl", "-s", "-X", "POST", f"{base_url}/oauth/token"]
        + [f"-d {shlex.quote(f'{k}={v}')}" for k, v in form.items() if v]
    )
    return "\n".join(
        [
            f"Kakao emulator on {base_url}  (kauth_url = kapi_url = this URL)",
            f"  REST API key (client_id): {client_id}",
            f"  client secret:            {client_secret}",
            f"  admin key:                {admin_key}",
            "  login:                    user@example.com / password",
            "",
            "Open in a browser, log in and agree; the callback page shows the code and the curl:",
            f"  {authorize}",
            "Then exchange the code:",
            f"  {curl}",
            f"Control plane: {base_url}/_emulator/state  (JSON: "
            + json.dumps(
                ["reset", "config", "apps", "app", "users", "sessions", "tokens", "faults", "log"]
            )
            + ")",
        ]
    )


def reachable_urls(host: str, port: int) -> list[str]:
    """The URLs a browser can use for a server bound to ``host``: a wildcard bind (0.0.0.0, ::)
    is reachable as localhost and at this machine's own address, never at "0.0.0.0"."""
    if host not in ("0.0.0.0", "::", ""):  # noqa: S104 - recognising a wildcard bind, not binding
        return [f"http://{host}:{port}"]
    urls = [f"http://127.0.0.1:{port}", f"http://localhost:{port}"]
    try:
        address = socket.gethostbyname(socket.gethostname())
    except OSError:
        return urls
    return urls if address.startswith("127.") else [*urls, f"http://{address}:{port}"]


def main(argv: Sequence[str] | None = None, prog: str = "python -m authlib_kakao.testing") -> int:
    args = build_parser(prog).parse_args(argv)
    from authlib_kakao.testing.emulator import KakaoEmulator
    from authlib_kakao.testing.server import EmulatorServer

    emulator = KakaoEmulator(config=build_config(args), auto_approve=args.auto_approve)
    try:
        server = EmulatorServer(emulator.asgi, host=args.host, port=args.port)
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        print(f"{prog}: port {args.port} is in use; pick another with --port "
              f"(or --port 0 for any free one)", file=sys.stderr)  # fmt: skip
        return 2
    urls = reachable_urls(args.host, server.port)
    emulator.url = urls[0]
    emulator.reset()  # registers the emulator's own callback page as a redirect URI
    app = emulator.app
    app.redirect_uris.extend(f"{url}/_emulator/callback" for url in urls[1:])
    server.start()
    print(banner(urls[0], app.client_id, app.client_secret, app.admin_key), flush=True)
    if urls[1:]:
        print(f"Also reachable (and registered as callbacks) at: {', '.join(urls[1:])}", flush=True)
    try:
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
