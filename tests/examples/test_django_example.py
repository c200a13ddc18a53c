"""examples/django_project's flow (``django_example_flow.py``), each part in a pytest process of its
own: Django is configured once per process, and the provider tests configure it differently."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

FLOW = Path(__file__).with_name("django_example_flow.py")
ROOT = FLOW.parents[2]


def run_flow(selection: str) -> subprocess.CompletedProcess[str]:
    """``pytest -k selection`` on the flow file, from the repository's root (its conftest loads the
    emulator's plugin); the output is shown when it fails."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KAKAO_", "DJANGO_"))}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-k",
            selection,
            str(FLOW),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_login_profile_refresh_logout_and_the_migration() -> None:
    done = run_flow("not webhook")

    assert done.returncode == 0, done.stdout + done.stderr
    assert " passed" in done.stdout
    assert "skipped" not in done.stdout, done.stdout


def test_unlink_webhook() -> None:
    done = run_flow("webhook")

    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout, done.stdout
