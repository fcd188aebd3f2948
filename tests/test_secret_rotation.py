"""Rotating SECRET_KEY (docs/ops/deploy.md): with the old key in SECRET_KEY_FALLBACKS, what it
signed — sessions, password-reset links, held uploads — still holds, and a visit moves a
session to the new key; without it, it is void. API tokens do not depend on the key."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from partners.accounts.tokens import issue_token
from requests_app.web import held_uploads

ROOT = Path(__file__).resolve().parent.parent
OLD = "old-key-" + "o" * 50
NEW = "new-key-" + "n" * 50
HOME = "/"


def settings_in_a_process(**env: str) -> str:
    """What settings.py makes of these environment variables, in a fresh interpreter."""
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SECRET_KEY_FALLBACKS)"
    )
    full = {**os.environ, "DJANGO_SETTINGS_MODULE": "sosa_portal.settings"}
    full.pop("SECRET_KEY_FALLBACKS", None)
    full.update(env)
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=full, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_fallbacks_come_from_the_environment_comma_separated():
    assert settings_in_a_process(SECRET_KEY_FALLBACKS=" old-1, old-2 ,") == "['old-1', 'old-2']"
    assert settings_in_a_process() == "[]"
    assert settings_in_a_process(SECRET_KEY_FALLBACKS="") == "[]"


def signed_in(settings, user) -> Client:
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = OLD, []
    client = Client()
    client.force_login(user)
    assert client.get(HOME).status_code == 200
    return client


def test_a_session_outlives_the_new_key_while_the_old_one_is_a_fallback(settings, people):
    client = signed_in(settings, people.requester_in)
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW, [OLD]
    assert client.get(HOME).status_code == 200
    # That visit re-signed the session with the new key: dropping the old one later is safe.
    settings.SECRET_KEY_FALLBACKS = []
    assert client.get(HOME).status_code == 200


def test_without_the_fallback_a_session_of_the_old_key_is_signed_out(settings, people):
    client = signed_in(settings, people.requester_in)
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW, []
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(settings.LOGIN_URL)


def test_a_password_reset_link_of_the_old_key_works_only_while_it_is_a_fallback(settings, people):
    user = people.requester_in
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = OLD, []
    token = default_token_generator.make_token(user)
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW, [OLD]
    assert default_token_generator.check_token(user, token) is True
    settings.SECRET_KEY_FALLBACKS = []
    assert default_token_generator.check_token(user, token) is False


def test_a_held_uploads_signed_token_survives_the_rotation_only_with_the_fallback(settings, people):
    user = people.requester_in
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = OLD, []
    held = held_uploads.hold(user, SimpleUploadedFile("po.pdf", b"%PDF-1.4 order"))
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW, [OLD]
    assert [file.path for file in held_uploads.held_from(user, [held.token])] == [held.path]
    settings.SECRET_KEY_FALLBACKS = []
    assert held_uploads.held_from(user, [held.token]) == []


@pytest.mark.django_db
def test_api_tokens_do_not_depend_on_the_secret_key(settings, people):
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = OLD, []
    _, key = issue_token(people.requester_in, name="agency system")
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW, []  # no overlap at all
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/me/").status_code == 200
