"""The API never lets a password-only session past the second factor (pen-test finding 1).

A session that passed only the password step used to get 403 on the API without an
`Authorization` header and 200/201 with any junk one (`Bearer x`, `Basic …`): the middleware
let `/api/` through when the header existed and DRF then fell back to the session. Only a token
that actually authenticated may skip the step.
"""

import pytest
from django.test import Client

from partners.accounts.tokens import issue_token
from requests_app.models import PriorityRequest, Webhook
from tests.helpers import enrolled, sign_in

pytestmark = pytest.mark.django_db

JUNK_HEADERS = [
    "Bearer x",
    "Basic dXNlcjpwYXNz",
    "Digest username=x",
    "x",
    "Tokenx abc",
    "Session 1",
]
READS = ["/api/v1/me/", "/api/v1/requests/", "/api/v1/nations/", "/api/v1/webhooks/"]
# (person, why they owe the second factor)
HELD = [
    ("liaison_us", "role"),
    ("liaison_in", "role"),
    ("reviewer_us", "role"),
    ("reviewer_in", "role"),
    ("requester_in", "enrolled"),
    ("supplier_us", "everyone"),
    ("observer_us", "everyone"),
]


@pytest.fixture(autouse=True)
def _two_factor_enforced(settings):
    settings.DEBUG = False
    settings.SOSA_DEMO_SKIP_2FA = False
    settings.SOSA_REQUIRE_2FA_FOR_ALL = False


def half_signed_in(people, settings, person: str, why: str) -> Client:
    """A session that gave the password and not the code (or did not enrol)."""
    user = getattr(people, person)
    if why == "enrolled":
        enrolled(user)
    if why == "everyone":
        settings.SOSA_REQUIRE_2FA_FOR_ALL = True
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("header", [None, *JUNK_HEADERS])
@pytest.mark.parametrize(("person", "why"), HELD)
def test_a_session_without_the_second_factor_reads_nothing_whatever_header_it_adds(
    people, settings, person, why, header
):
    client = half_signed_in(people, settings, person, why)
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    for path in READS:
        response = client.get(path, **extra)
        assert response.status_code in (401, 403), (path, header, response.status_code)
        body = response.json()
        assert list(body) == ["errors"], (path, header)
        assert "username" not in response.content.decode()
        assert str(getattr(people, person).username) not in response.content.decode()


@pytest.mark.parametrize("header", [None, *JUNK_HEADERS])
def test_a_session_without_the_second_factor_cannot_register_a_webhook(people, settings, header):
    client = half_signed_in(people, settings, "requester_in", "enrolled")
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.post(
        "/api/v1/webhooks/",
        {"url": "https://erp.example.org/hook"},
        content_type="application/json",
        **extra,
    )
    assert response.status_code in (401, 403)
    assert not Webhook.objects.exists()


@pytest.mark.parametrize("header", JUNK_HEADERS)
def test_a_session_without_the_second_factor_cannot_file_a_request(people, settings, header):
    client = half_signed_in(people, settings, "requester_in", "enrolled")
    response = client.post(
        "/api/v1/requests/",
        {"title": "Gyros", "responding_nation": "US"},
        content_type="application/json",
        HTTP_AUTHORIZATION=header,
    )
    assert response.status_code in (401, 403)
    assert not PriorityRequest.objects.filter(created_by=people.requester_in).exists()


def test_a_real_token_still_opens_the_api_on_a_half_signed_in_session(people, settings):
    client = half_signed_in(people, settings, "liaison_us", "role")
    _, key = issue_token(people.liaison_us, name="agency system")
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    assert response.json()["username"] == "liaison.us"


def test_a_session_that_passed_the_second_factor_uses_the_api(people):
    client = Client()
    sign_in(client, people.liaison_us)
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION="Bearer x")
    assert response.status_code == 200
    assert response.json()["username"] == "liaison.us"


def test_a_requester_who_owes_nothing_uses_the_api_on_the_session(people):
    client = Client()
    client.force_login(people.requester_in)
    assert client.get("/api/v1/me/").status_code == 200
