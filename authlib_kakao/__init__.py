"""Login with Kakao for every Authlib app (Flask, Django, Starlette/FastAPI), plus an offline emulator."""

from __future__ import annotations

from authlib_kakao._version import __version__

__all__ = ["__version__"]
