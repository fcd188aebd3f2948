"""Who gets in: hashed, revocable, expiring tokens; the command that issues them; sessions."""

import datetime as dt
import hashlib
import io

import pytest
from django.core.management import CommandError, call_command
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.crypto import get_random_string
from rest_framework.test import APIClient

from partners.accounts.tokens import issue_token, revoke_token
from partners.models import ApiToken
from tests.helpers import PASSWORD

from .conftest import url

ME = "/api/v1/me/"


def with_key(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_call_without_a_token_is_refused_with_401_and_an_errors_body(db):
    response = APIClient().get(url())

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert list(response.json()) == ["errors"]
    assert response.json()["errors"]["detail"]


def test_an_unknown_key_is_refused_with_401(people):
    issue_token(people.requester_in, name="real")

    response = with_key("sosa_not-a-real-key").get(url())

    assert response.status_code == 401
    assert "errors" in response.json()


@pytest.mark.parametrize(
    "header",
    ["Token", "Token a b", "Bearer sosa_abc", "token"],
    ids=["no-key", "two-keys", "other-scheme", "lowercase-no-key"],
)
def test_a_malformed_authorization_header_is_refused_with_401(db, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    response = client.get(url())

    assert response.status_code == 401
    assert "errors" in response.json()


def test_a_revoked_token_no_longer_opens_the_api(people):
    token, key = issue_token(people.requester_in, name="ci")
    assert with_key(key).get(url()).status_code == 200

    revoke_token(token)

    response = with_key(key).get(url())
    assert response.status_code == 401
    assert "revoked" in response.json()["errors"]["detail"][0]


def test_an_expired_token_no_longer_opens_the_api(people):
    _, key = issue_token(
        people.requester_in, name="old", expires_at=timezone.now() - dt.timedelta(seconds=1)
    )

    assert with_key(key).get(url()).status_code == 401


def test_a_token_that_expires_later_still_works(people):
    _, key = issue_token(
        people.requester_in, name="soon", expires_at=timezone.now() + dt.timedelta(days=1)
    )

    assert with_key(key).get(url()).status_code == 200


def test_the_token_of_a_deactivated_user_is_refused(people):
    _, key = issue_token(people.requester_in, name="ci")
    people.requester_in.is_active = False
    people.requester_in.save()

    assert with_key(key).get(url()).status_code == 401


def test_only_the_sha256_of_the_key_is_stored(people):
    token, key = issue_token(people.requester_in, name="ci")

    row = ApiToken.objects.get(pk=token.pk)
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
    stored = " ".join(str(value) for value in model_to_dict(row).values())
    stored += f" {row.key_hash} {row.key_hint} {row.name}"
    assert key not in stored
    assert key[len(ApiToken.PREFIX) + 4 :] not in stored  # beyond the short hint, nothing


def test_using_a_token_records_when_it_was_last_used(people):
    token, key = issue_token(people.requester_in, name="ci")
    assert token.last_used_at is None

    with_key(key).get(url())

    token.refresh_from_db()
    assert token.last_used_at is not None


def test_issue_token_command_prints_a_key_that_opens_the_api(people):
    out = io.StringIO()

    call_command("issue_token", "requester.in", "--name", "ci", "--days", "30", stdout=out)

    key = out.getvalue().strip()
    assert key.startswith(ApiToken.PREFIX)
    token = ApiToken.objects.get(user=people.requester_in)
    assert token.name == "ci"
    response = with_key(key).get(ME)
    assert response.status_code == 200
    assert response.json()["username"] == "requester.in"


def test_issue_token_command_refuses_an_unknown_user(db):
    with pytest.raises(CommandError, match="nobody"):
        call_command("issue_token", "nobody", "--days", "1", stdout=io.StringIO())
    assert not ApiToken.objects.exists()


def test_a_signed_in_browser_reads_the_api_with_its_session(people):
    client = APIClient(enforce_csrf_checks=True)
    assert client.login(username="requester.in", password=PASSWORD)

    response = client.get(ME)

    assert response.status_code == 200
    assert response.json()["username"] == "requester.in"


def test_a_browser_post_without_a_csrf_token_is_refused(people):
    client = APIClient(enforce_csrf_checks=True)
    client.login(username="requester.in", password=PASSWORD)

    response = client.post(url(), {"title": "No CSRF", "responding_nation": "US"}, format="json")

    assert response.status_code == 403
    assert "CSRF" in response.json()["errors"]["detail"][0]
    assert not people.requester_in.requests_created.exists()


def test_a_browser_post_with_the_csrf_token_is_accepted(people):
    client = APIClient(enforce_csrf_checks=True)
    client.login(username="requester.in", password=PASSWORD)
    csrf = get_random_string(32)  # what the CSRF cookie of any page carries
    client.cookies["csrftoken"] = csrf

    response = client.post(
        url(),
        {"title": "With CSRF", "responding_nation": "US"},
        format="json",
        HTTP_X_CSRFTOKEN=csrf,
    )

    assert response.status_code == 201, response.json()
