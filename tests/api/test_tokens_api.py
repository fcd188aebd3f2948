"""One's own API tokens over the API (issue 15, point 7): list, create with an explicit expiry,
rotate, revoke; the per-person cap; `issue_token` never reads 0 days as "never expires"."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from partners.accounts.tokens import issue_token
from partners.models import ApiToken, AuditEntry, AuditKind
from tests.helpers import signed_in

from .test_auth import ME, with_key

TOKENS = "/api/v1/tokens/"


@pytest.fixture
def own_key(people):
    """A key of requester.in that lasts 90 days, and its client."""
    token, key = issue_token(
        people.requester_in, name="ERP", expires_at=timezone.now() + dt.timedelta(days=90)
    )
    return token, with_key(key)


def test_a_token_made_over_the_api_works_and_its_key_is_shown_once(own_key):
    _token, client = own_key

    made = client.post(TOKENS, {"name": "Case system", "expires_in_days": 30}, format="json")

    assert made.status_code == 201, made.json()
    body = made.json()
    assert body["key"].startswith(ApiToken.PREFIX)
    expires = dt.datetime.fromisoformat(body["expires_at"])
    assert abs(expires - (timezone.now() + dt.timedelta(days=30))) < dt.timedelta(minutes=1)
    assert with_key(body["key"]).get(ME).json()["username"] == "requester.in"
    listed = client.get(TOKENS).json()
    assert [t["name"] for t in listed] == ["Case system", "ERP"]
    assert all("key" not in t and t["active"] for t in listed)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "No expiry said"}, "expires_in_days"),
        ({"name": "Zero days", "expires_in_days": 0}, "expires_in_days"),
        ({"name": "Too long", "expires_in_days": 99_999}, "expires_in_days"),
        ({"expires_in_days": 5}, "name"),
        ({"name": "x", "expires_in_days": 5, "expires": "never"}, "expires"),
    ],
)
def test_a_token_without_a_said_expiry_or_name_is_refused_naming_the_field(own_key, body, field):
    _token, client = own_key

    response = client.post(TOKENS, body, format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert ApiToken.objects.count() == 1


def test_a_token_that_never_expires_must_be_asked_for_with_null(own_key):
    _token, client = own_key

    made = client.post(TOKENS, {"name": "Batch", "expires_in_days": None}, format="json")

    assert made.status_code == 201
    assert made.json()["expires_at"] is None


def test_rotating_gives_a_new_key_and_the_old_one_stops_at_once(own_key):
    token, client = own_key

    rotated = client.post(f"{TOKENS}{token.pk}/rotate/", {}, format="json")

    assert rotated.status_code == 201, rotated.json()
    new = rotated.json()
    assert new["name"] == "ERP" and new["id"] != token.pk
    # The same 90-day lifetime, counted from now.
    expires = dt.datetime.fromisoformat(new["expires_at"])
    assert abs(expires - (timezone.now() + dt.timedelta(days=90))) < dt.timedelta(minutes=1)
    assert client.get(ME).status_code == 401
    assert with_key(new["key"]).get(ME).status_code == 200
    kinds = list(AuditEntry.objects.values_list("kind", flat=True))
    assert kinds.count(AuditKind.TOKEN_REVOKED) == 1
    assert kinds.count(AuditKind.TOKEN_CREATED) == 2


def test_revoking_answers_204_and_keeps_the_token_on_record(own_key, people):
    _token, client = own_key
    other, other_key = issue_token(people.requester_in, name="Spare", expires_at=None)

    response = client.delete(f"{TOKENS}{other.pk}/")

    assert response.status_code == 204
    assert with_key(other_key).get(ME).status_code == 401
    listed = {t["name"]: t for t in client.get(TOKENS).json()}
    assert listed["Spare"]["active"] is False and listed["Spare"]["revoked_at"]
    assert client.post(f"{TOKENS}{other.pk}/rotate/", {}, format="json").status_code == 409


@pytest.mark.parametrize("method", ["get", "delete", "rotate"])
def test_someone_elses_token_is_not_found(own_key, people, method):
    _token, client = own_key
    theirs, their_key = issue_token(people.liaison_us, name="Theirs", expires_at=None)

    if method == "rotate":
        response = client.post(f"{TOKENS}{theirs.pk}/rotate/", {}, format="json")
    else:
        response = getattr(client, method)(f"{TOKENS}{theirs.pk}/")

    assert response.status_code == 404
    assert with_key(their_key).get(ME).status_code == 200


def test_one_person_holds_a_capped_number_of_tokens(own_key, people, settings):
    settings.SOSA_MAX_TOKENS_PER_USER = 3
    _token, client = own_key
    for n in range(2):
        made = client.post(TOKENS, {"name": f"T{n}", "expires_in_days": 1}, format="json")
        assert made.status_code == 201

    refused = client.post(TOKENS, {"name": "One more", "expires_in_days": 1}, format="json")

    assert refused.status_code == 400
    assert "revoke one" in refused.json()["errors"]["detail"][0]
    page = signed_in(people.requester_in).post(
        "/account/tokens/", {"name": "From the page", "expires_in_days": 1}
    )
    assert "revoke one" in page.content.decode()
    assert ApiToken.objects.filter(user=people.requester_in).count() == 3


def test_issue_token_refuses_zero_days_instead_of_never_expiring(people):
    with pytest.raises(CommandError, match="--no-expiry"):
        call_command("issue_token", "requester.in", "--days", "0", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("issue_token", "requester.in", stdout=io.StringIO())
    assert not ApiToken.objects.exists()

    call_command("issue_token", "requester.in", "--no-expiry", stdout=io.StringIO())

    assert ApiToken.objects.get().expires_at is None
