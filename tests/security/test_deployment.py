"""Deployment hardening (issue 6, item 2): `check --deploy` is clean in production, the app refuses
the dev key, and every page carries strict security headers and a site-only CSP."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from tests.helpers import client_for

ROOT = Path(__file__).resolve().parents[2]
STRICT_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}
# What a browser at the site's address gets in production (printed as JSON by a subprocess).
PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
from django.test.utils import override_settings
# The manifest comes from collectstatic in the image; plain storage renders the same headers.
static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
override_settings(STORAGES={**settings.STORAGES, "staticfiles": static}).enable()
client = Client(HTTP_HOST="sosa.example.org")
page = client.get("/accounts/login/", secure=True)
plain = client.get("/accounts/login/")
health = client.get("/healthz")
print(json.dumps({
    "status": page.status_code,
    "headers": dict(page.headers),
    "csrf_cookie_secure": bool(page.cookies["csrftoken"]["secure"]),
    "plain": [plain.status_code, plain.headers.get("Location", "")],
    "health_status": health.status_code,
    "session_cookie_secure": settings.SESSION_COOKIE_SECURE,
    "session_cookie_httponly": settings.SESSION_COOKIE_HTTPONLY,
    "csrf_cookie_secure_setting": settings.CSRF_COOKIE_SECURE,
}))
"""


def production_env(tmp_path, **overrides) -> dict[str, str]:
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "sosa.example.org",
        "CSRF_TRUSTED_ORIGINS": "https://sosa.example.org",
        "VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "sosa_portal.settings",
    }
    # conftest.py allows async-unsafe calls for the test run; production never does.
    for name in ("DJANGO_ALLOW_ASYNC_UNSAFE", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"):
        env.pop(name, None)
    env.update(overrides)  # None removes a variable
    return {name: value for name, value in env.items() if value is not None}


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def csp_of(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


# --- production settings, in a subprocess -----------------------------------------------------


def test_check_deploy_reports_nothing_with_production_settings(tmp_path):
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env(tmp_path)
    )

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNINGS" not in output and "?: (" not in output


@pytest.mark.parametrize("secret_key", [None, "", "dev-only-insecure-key-change-me"])
def test_the_app_refuses_to_start_in_production_without_a_real_secret_key(tmp_path, secret_key):
    result = run(["manage.py", "check"], production_env(tmp_path, SECRET_KEY=secret_key))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "Set SECRET_KEY" in result.stderr


@pytest.fixture(scope="module")
def production_probe(tmp_path_factory):
    result = run(["-c", PROBE], production_env(tmp_path_factory.mktemp("prod")))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_pages_carry_hsts_for_a_year_with_subdomains(production_probe):
    assert production_probe["status"] == 200
    hsts = production_probe["headers"]["Strict-Transport-Security"]
    assert hsts == "max-age=31536000; includeSubDomains; preload"


def test_production_cookies_are_secure_and_the_session_cookie_is_http_only(production_probe):
    assert production_probe["csrf_cookie_secure"] is True
    assert production_probe["csrf_cookie_secure_setting"] is True
    assert production_probe["session_cookie_secure"] is True
    assert production_probe["session_cookie_httponly"] is True


def test_production_redirects_plain_http_to_https_except_the_health_check(production_probe):
    status, location = production_probe["plain"]
    assert status == 301
    assert location == "https://sosa.example.org/accounts/login/"
    assert production_probe["health_status"] != 301  # the container probe speaks plain HTTP


def test_production_pages_carry_the_same_strict_headers(production_probe):
    headers = production_probe["headers"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "'unsafe-inline'" not in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


def test_ssl_redirect_can_be_turned_off_for_a_proxy_that_terminates_tls(tmp_path):
    env = production_env(tmp_path, SECURE_SSL_REDIRECT="0", SECURE_PROXY_SSL_HEADER="1")
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_PROXY_SSL_HEADER)"
    )

    result = run(["-c", code], env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False ('HTTP_X_FORWARDED_PROTO', 'https')"


# --- headers on every page (all environments) -------------------------------------------------


@pytest.mark.parametrize("path", ["/accounts/login/", "/", "/requests/", "/account/tokens/"])
def test_pages_carry_a_site_only_csp_and_the_security_headers(client, people, path):
    client.force_login(people.requester_in)

    response = client.get(path)

    assert response.status_code == 200
    assert csp_of(response) == STRICT_CSP
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_api_responses_carry_the_csp_too(people):
    response = client_for(people.requester_in).get("/api/v1/requests/")

    assert response.status_code == 200
    assert csp_of(response) == STRICT_CSP


def test_hsts_is_sent_over_https_when_configured(client, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True

    response = client.get("/accounts/login/", secure=True)

    assert response.headers["Strict-Transport-Security"] == ("max-age=31536000; includeSubDomains")


def test_the_api_docs_allow_their_own_inline_code_by_nonce_only(client, people):
    client.force_login(people.requester_in)

    response = client.get("/api/docs/")

    assert response.status_code == 200
    policy = csp_of(response)
    nonce = re.fullmatch(r"'self' 'nonce-([A-Za-z0-9+/=]+)'", policy["script-src"]).group(1)
    assert policy["style-src"] == f"'self' 'nonce-{nonce}'"
    assert policy["img-src"] == "'self' data:"  # Swagger UI's CSS draws its icons from data: URIs
    assert {k: v for k, v in policy.items() if k not in ("script-src", "style-src", "img-src")} == {
        k: v for k, v in STRICT_CSP.items() if k not in ("script-src", "style-src", "img-src")
    }
    html = response.content.decode()
    inline = re.findall(r"<(script|style)(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline, "the docs page has its inline script and style"
    for tag, attributes in inline:
        assert f'nonce="{nonce}"' in attributes, tag


def test_a_second_docs_load_gets_a_new_nonce(client, people):
    client.force_login(people.requester_in)

    first, second = (csp_of(client.get("/api/docs/"))["script-src"] for _ in range(2))

    assert first != second


# --- templates hold no inline code the CSP would block ----------------------------------------


def served_templates():
    root = Path(django_settings.BASE_DIR) / "templates"
    for path in sorted(root.rglob("*.html")):
        relative = path.relative_to(root).as_posix()
        # E-mails are read in mail clients, not served under the CSP; the docs page uses nonces.
        if not relative.startswith(("emails/", "drf_spectacular/")):
            yield relative, path.read_text()


def test_page_templates_have_no_inline_script_style_or_event_handlers():
    templates = dict(served_templates())
    assert "base.html" in templates

    offences = []
    for name, text in templates.items():
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag:
                offences.append(f"{name}: inline {tag}")
        if re.search(r"<style\b", text):
            offences.append(f"{name}: <style> block")
        for attribute in re.findall(r"\s(style|on[a-z]+)\s*=", text):
            offences.append(f"{name}: {attribute}= attribute")
        if "javascript:" in text:
            offences.append(f"{name}: javascript: URL")

    assert offences == []
