"""``python -m authlib_kakao.testing``: run the Kakao emulator standalone."""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from collections.abc import Sequence
from urllib.parse import urlencode

__all__ = ["main"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m authlib_kakao.testing",
        description="Run an offline Kakao (kauth + kapi) on one HTTP port.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8089, help="port (default 8089; 0 = any free)")
    parser.add_argument(
        "--auto-approve",
        action="store_true",
        help="answer /oauth/authorize with a code at once instead of showing the consent page",
    )
    return parser


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
            + json.dumps(["reset", "users", "approve", "clock/advance", "faults", "log"])
            + ")",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from authlib_kakao.testing.emulator import KakaoEmulator
    from authlib_kakao.testing.server import EmulatorServer

    emulator = KakaoEmulator(consent_page=not args.auto_approve)
    server = EmulatorServer(emulator.asgi, host=args.host, port=args.port)
    emulator.url = server.url
    emulator.reset()  # registers the emulator's own callback page as a redirect URI
    app = emulator.app
    server.start()
    print(banner(server.url, app.client_id, app.client_secret, app.admin_key), flush=True)
    try:
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
