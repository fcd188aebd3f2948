"""Playwright drives Debian's Chromium (never `playwright install`) against live_server."""

import os
import shutil

import pytest

from tests.conftest import need_service

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    need_service("Chromium", shutil.which(CHROMIUM) is not None, f"install it at {CHROMIUM}")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ARGS}


@pytest.fixture(autouse=True)
def _static_from_finders(settings):
    # live_server serves static files through the finders; no collectstatic needed.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
