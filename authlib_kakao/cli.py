"""``authlib-kakao``: the command line.

* ``authlib-kakao demo``: a Kakao login in your browser, offline (the emulator is Kakao), or
  against the real Kakao with ``KAKAO_CLIENT_ID`` set;
* ``authlib-kakao emulator``: the offline Kakao on its own, for other languages' tests;
* ``authlib-kakao login``: a real token (and profile) as JSON, for scripts;
* ``authlib-kakao doctor``: check a configuration before the first login does.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import sys
import webbrowser
from collections.abc import Callable, Sequence
from typing import Any

from authlib_kakao._version import __version__

__all__ = ["main"]

PROG = "authlib-kakao"


def _needs_testing_extra(what: str) -> int:
    print(
        f"{PROG} {what} needs the emulator's dependencies: pip install 'authlib-kakao[testing]'",
        file=sys.stderr,
    )
    return 2


def _port_in_use(port: int, flag: str = "--port") -> int:
    print(
        f"{PROG}: port {port} is in use; pick another with {flag} (or {flag} 0 for any free one)",
        file=sys.stderr,
    )
    return 2


def _emulator(args: argparse.Namespace) -> int:
    try:
        from authlib_kakao.testing.__main__ import main as emulator_main
    except ImportError:
        return _needs_testing_extra("emulator")
    try:
        return emulator_main(args.emulator_argv, prog=f"{PROG} emulator")
    except ImportError:  # uvicorn is imported only once the emulator starts
        return _needs_testing_extra("emulator")


def _demo(args: argparse.Namespace) -> int:
    try:
        from authlib_kakao.demo import run_demo
    except ImportError:
        print(f"{PROG} demo needs: pip install 'authlib-kakao[demo]'", file=sys.stderr)
        return 2
    try:
        return run_demo(host=args.host, port=args.port, open_browser=args.browser)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            return _port_in_use(args.port)
        raise


def _login(args: argparse.Namespace) -> int:
    from authlib_kakao.core.endpoints import KakaoEndpoints
    from authlib_kakao.errors import KakaoError
    from authlib_kakao.loopback import loopback_listener, loopback_login

    try:
        with loopback_listener(args.port) as (redirect_uri, callback):
            if args.emulator:
                return _login_on_emulator(args, redirect_uri, callback)
            client_id = args.client_id or os.environ.get("KAKAO_CLIENT_ID")
            if not client_id:
                print(f"{PROG} login: set KAKAO_CLIENT_ID (the REST API key) or pass "
                      f"--client-id, or use --emulator", file=sys.stderr)  # fmt: skip
                return 2
            secret = args.client_secret or os.environ.get("KAKAO_CLIENT_SECRET")
            print(f"Register {redirect_uri} under [Kakao Login] > [Redirect URI] once.",
                  file=sys.stderr)  # fmt: skip
            result = loopback_login(
                client_id=client_id, client_secret=secret, endpoints=KakaoEndpoints(),
                redirect_uri=redirect_uri, callback=callback, show=_shower(args.browser),
                scope=args.scope,
            )  # fmt: skip
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            return _port_in_use(args.port)
        raise
    except KakaoError as exc:
        print(f"{PROG} login: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    return 0


def _login_on_emulator(args: argparse.Namespace, redirect_uri: str, callback: Any) -> int:
    try:
        import requests

        from authlib_kakao.testing import KakaoEmulator
    except ImportError:
        return _needs_testing_extra("login --emulator")
    from authlib_kakao.core.endpoints import KakaoEndpoints
    from authlib_kakao.loopback import loopback_login

    emulator = KakaoEmulator(auto_approve=not args.browser)
    with emulator.serve() as url:
        emulator.app.redirect_uris.append(redirect_uri)

        def follow(authorize_url: str) -> None:  # the emulator approves; we are the browser
            print(f"Logging in at the emulator: {authorize_url}", file=sys.stderr)
            requests.get(authorize_url, timeout=10)

        show = _shower(True) if args.browser else follow
        result = loopback_login(
            client_id=emulator.app.client_id, client_secret=emulator.app.client_secret,
            endpoints=KakaoEndpoints(url, url), redirect_uri=redirect_uri, callback=callback,
            show=show, scope=args.scope,
        )  # fmt: skip
    print(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    return 0


def _shower(browser: bool) -> Callable[[str], None]:
    def show(url: str) -> None:
        print(f"Open this URL to log in with Kakao:\n  {url}", file=sys.stderr)
        if browser:
            webbrowser.open(url)
        print("Waiting for the login…", file=sys.stderr)

    return show


def _doctor(args: argparse.Namespace) -> int:
    from authlib_kakao import doctor

    if args.settings:
        try:
            config = doctor.from_settings(args.settings, args.name)
        except ImportError as exc:
            print(f"{PROG} doctor: cannot import {args.settings!r} ({exc})", file=sys.stderr)
            return 2
    else:
        config = doctor.from_environment()
    findings = doctor.check(config)
    print(f"Kakao configuration from {config.source}:")
    print(doctor.render(findings))
    return 1 if any(f.level == "error" for f in findings) else 0


def build_parser() -> argparse.ArgumentParser:
    """The whole command line, each subcommand with its own arguments and ``--help``."""
    parser = argparse.ArgumentParser(prog=PROG, description="Kakao Login for Authlib.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo", help="a Kakao login in your browser, offline by default",
                               description="A small web app whose Kakao is the built-in emulator "
                               "(or the real Kakao when KAKAO_CLIENT_ID is set).")  # fmt: skip
    demo.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    demo.add_argument("--port", type=int, default=8000, help="port (default 8000; 0: any free)")
    demo.add_argument("--browser", action="store_true", help="open the demo in a browser")
    demo.set_defaults(run=_demo)

    emulator = commands.add_parser("emulator", help="run the offline Kakao emulator",
                                   description="An offline Kakao (kauth + kapi) on one port.",
                                   add_help=False)  # fmt: skip
    emulator.set_defaults(run=_emulator)

    login = commands.add_parser("login", help="log in and print the token and profile as JSON",
                                description="Log in with Kakao through a loopback redirect and "
                                "print the token and the profile as JSON.")  # fmt: skip
    login.add_argument("--emulator", action="store_true", help="log in at the built-in emulator")
    login.add_argument("--client-id", help="the REST API key (default $KAKAO_CLIENT_ID)")
    login.add_argument("--client-secret", help="the client secret (default $KAKAO_CLIENT_SECRET)")
    login.add_argument("--scope", help="consent items to ask for (comma-separated)")
    login.add_argument("--port", type=int, default=8765,
                       help="the loopback port: register http://localhost:PORT/callback "
                       "(default 8765; 0: any free, fine with --emulator)")  # fmt: skip
    login.add_argument("--browser", action="store_true", help="open the login in a browser")
    login.set_defaults(run=_login)

    doctor = commands.add_parser("doctor", help="check a Kakao configuration",
                                 description="Check the Kakao settings of an app: keys, client "
                                 "secret, redirect URIs, scopes, OIDC; each finding with the "
                                 "console path that fixes it.")  # fmt: skip
    doctor.add_argument("--settings", help="a Flask config or Django settings module to read "
                        "(default: KAKAO_* environment variables)")  # fmt: skip
    doctor.add_argument("--name", default="kakao", help="the registration name (default kakao)")
    doctor.set_defaults(run=_doctor)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``authlib-kakao`` console script."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if arguments[:1] == ["emulator"]:
        # The emulator's own parser owns its arguments (and its --help, shown under our name).
        return _emulator(argparse.Namespace(emulator_argv=arguments[1:]))
    args = parser.parse_args(arguments)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
