#!/usr/bin/env python
"""Django's command line for the example project.

With neither ``KAKAO_CLIENT_ID`` nor ``KAKAO_EMULATOR_URL`` set, every command (``migrate``,
``runserver``, …) starts a Kakao emulator first, for as long as it runs: ``runserver``'s reloader
process starts it once and the server process it restarts finds it through ``KAKAO_EMULATOR_URL``.
"""

from __future__ import annotations

import os
import sys
from contextlib import ExitStack


def start_emulator(stack: ExitStack, base_url: str) -> str:
    """Serve a Kakao emulator until ``stack`` closes; its URL. OpenID Connect is on, and the
    unlink webhook points at this site (its redirect URIs already include port 8000's /auth)."""
    from authlib_kakao.testing import EmulatorConfig, KakaoEmulator

    emulator = KakaoEmulator(config=EmulatorConfig(app_preset="personal_oidc"))
    url = stack.enter_context(emulator.serve())
    emulator.app.webhook_url = f"{base_url}/kakao/unlink"
    print(f"Kakao is an emulator at {url}: log in as user@example.com / password")
    return url


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kakao_site.settings")
    from django.core.management import execute_from_command_line

    with ExitStack() as stack:
        if not os.environ.get("KAKAO_CLIENT_ID") and not os.environ.get("KAKAO_EMULATOR_URL"):
            os.environ["KAKAO_EMULATOR_URL"] = start_emulator(stack, "http://127.0.0.1:8000")
        execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
