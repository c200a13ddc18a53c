"""``authlib-kakao``: the command line. ``authlib-kakao emulator`` runs the offline Kakao."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``authlib-kakao`` console script."""
    parser = argparse.ArgumentParser(prog="authlib-kakao", description="Kakao Login for Authlib.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "emulator",
        help="run the offline Kakao emulator (same as python -m authlib_kakao.testing)",
        add_help=False,
    )
    args, rest = parser.parse_known_args(argv)
    if args.command == "emulator":
        try:
            from authlib_kakao.testing.__main__ import main as emulator_main
        except ImportError as exc:  # the emulator's dependencies are an extra
            print(f"{exc}: pip install 'authlib-kakao[testing]'", file=sys.stderr)
            return 2
        return emulator_main(rest)
    return 2  # pragma: no cover - argparse rejects unknown commands first


if __name__ == "__main__":
    sys.exit(main())
