"""Configuration of the webhook tests."""

from __future__ import annotations

import sys
from pathlib import Path

# One Django configuration per test process (harness.configure_django) and a private Redis
# (redis_server) are shared with the provider's integration tests.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "integrations"))
