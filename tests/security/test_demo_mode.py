"""`make run` is a demo with DEBUG off (issue 16 point 5): a wrong address shows the portal's own
pages, never Django's debug pages, on plain http at 127.0.0.1, with a secret key made once under
var/ and the demo's optional second factor. The environment is read from the Makefile itself."""

import json
import os
import shlex
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# What the demo's web process answers (printed as JSON by a subprocess with the demo env).
PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
from django.urls import get_resolver
from partners.accounts.two_factor import demo_skip_active
client = Client(HTTP_HOST="127.0.0.1:8000")
missing = client.get("/no-such-page/")
refused = Client(enforce_csrf_checks=True, HTTP_HOST="localhost:8000").post("/accounts/login/")
crash = get_resolver().resolve_error_handler(500)(client.get("/").wsgi_request)
sign_in = client.get("/accounts/login/")
print(json.dumps({
    "debug": settings.DEBUG,
    "missing": [missing.status_code, missing.content.decode()],
    "refused": [refused.status_code, refused.content.decode()],
    "crash": [crash.status_code, crash.content.decode()],
    "sign_in": [sign_in.status_code, sign_in.get("Location", "")],
    "cookies_secure": [settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE],
    "ssl_redirect": settings.SECURE_SSL_REDIRECT,
    "demo_skip_2fa": demo_skip_active(),
}))
"""


def make_run_environment() -> dict[str, str]:
    """The variables `make run` starts the web process, the workers and beat with."""
    dry = subprocess.run(
        ["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.replace("\\\n", " ")
    line = next(line for line in dry.splitlines() if "honcho start" in line)
    env = {}
    for word in shlex.split(line):
        if "=" not in word:  # the command itself: its environment ends here
            break
        name, value = word.split("=", 1)
        env[name] = value
    return env


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    env = {**os.environ, **make_run_environment()}
    assert env["SECRET_KEY"] == "$(cat var/secret_key)"  # read from the file at start
    env |= {
        "SECRET_KEY": "a-demo-key-made-by-the-test-" + "x" * 30,
        "VAR_DIR": str(tmp_path_factory.mktemp("demo")),
        "DJANGO_SETTINGS_MODULE": "sosa_portal.settings",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_make_run_turns_debug_off_for_the_demo():
    env = make_run_environment()
    assert env["DEBUG"] == "0" and env["SOSA_DEMO"] == "1"
    assert env["ALLOWED_HOSTS"] == "127.0.0.1,localhost"


def test_the_demo_shows_the_portals_own_not_found_page(demo):
    assert demo["debug"] is False
    status, html = demo["missing"]
    assert status == 404
    assert "There is nothing here." in html
    assert "URLconf" not in html and "DEBUG = True" not in html


def test_the_demo_shows_the_portals_own_refusal_and_error_pages(demo):
    status, html = demo["refused"]
    assert status == 403 and "The form was not sent" in html and "CSRF cookie" not in html
    status, html = demo["crash"]
    assert status == 500 and "Something went wrong on our side." in html


def test_the_demo_serves_plain_http_with_its_cookies(demo):
    assert demo["sign_in"] == [200, ""]  # no redirect to https
    assert demo["ssl_redirect"] is False
    assert demo["cookies_secure"] == [False, False]


def test_the_demo_keeps_the_second_factor_optional(demo):
    assert demo["demo_skip_2fa"] is True


def test_the_secret_key_is_made_once_readable_by_its_owner_only(tmp_path):
    key_file = tmp_path / "var" / "secret_key"

    def make_key() -> str:
        subprocess.run(
            ["make", "-s", f"SECRET_KEY_FILE={key_file}", str(key_file)],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        return key_file.read_text().strip()

    first = make_key()
    assert len(first) >= 50 and "change-me" not in first
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert make_key() == first  # kept: sessions survive a restart
