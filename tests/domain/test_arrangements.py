"""Arrangements between nations (DESIGN §3): one per pair, either way round; the page, the API,
the admin's audited changes, and the migration that gives existing sites theirs."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client

from partners.models import Arrangement, AuditEntry, AuditKind, Nation
from tests import factories as f
from tests.helpers import client_for, sign_in, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def arranged(people):
    """The fixture's two arrangements, the UK's entered the other way round and suspended."""
    Arrangement.objects.between(people.us, people.uk).delete()
    return {
        "IN": Arrangement.objects.between(people.us, people.india).get(),
        "GB": Arrangement.objects.create(
            first_nation=people.uk, second_nation=people.us, status="suspended"
        ),
    }


def test_an_arrangement_is_found_whichever_way_round_it_was_entered(people, arranged):
    assert Arrangement.objects.between(people.india, people.us).get() == arranged["IN"]
    assert Arrangement.objects.between(people.us, people.uk).get() == arranged["GB"]
    assert not Arrangement.objects.between(people.india, people.uk).exists()
    assert list(Arrangement.objects.active().of(people.us)) == [arranged["IN"]]
    assert arranged["IN"].other_than(people.us) == people.india


def test_a_pair_has_one_arrangement_and_a_nation_none_with_itself(people, arranged):
    reversed_pair = Arrangement(first_nation=people.india, second_nation=people.us)
    with pytest.raises(ValidationError, match="already have an arrangement"):
        reversed_pair.full_clean()
    with pytest.raises(ValidationError):
        Arrangement(first_nation=people.us, second_nation=people.us).full_clean()
    with transaction.atomic(), pytest.raises(IntegrityError):
        Arrangement.objects.create(first_nation=people.us, second_nation=people.us)


def test_the_arrangements_page_lists_them_with_the_viewers_own_first(people, arranged):
    client = Client()
    sign_in(client, people.requester_gb)
    response = client.get("/arrangements/")
    assert response.status_code == 200
    page = text_of(response)
    assert "2 Security of Supply Arrangements" in page
    assert page.index('data-arrangement="GB-US"') < page.index('data-arrangement="US-IN"')
    assert '<abbr title="United Kingdom">GB</abbr>' in page
    assert "United Kingdom – United States" in page
    assert "Suspended" in page and "yours" in page
    assert 'href="/arrangements/"' in response.content.decode()


def test_the_arrangements_page_asks_a_visitor_to_sign_in(arranged):
    response = Client().get("/arrangements/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_api_lists_arrangements_and_filters_by_nation(people, arranged):
    api = client_for(people.requester_in)
    everything = api.get("/api/v1/arrangements/")
    assert everything.status_code == 200
    assert sorted(tuple(row["nations"]) for row in everything.json()) == [
        ("GB", "US"),
        ("US", "IN"),
    ]
    india = api.get("/api/v1/arrangements/?nation=in").json()
    assert [(row["nations"], row["status"], row["posture"]) for row in india] == [
        (["US", "IN"], "active", "peacetime")
    ]
    bad = api.get("/api/v1/arrangements/?nation=India")
    assert bad.status_code == 400
    assert "nation" in bad.json()["errors"]


def test_the_api_refuses_arrangements_to_a_caller_without_a_token(arranged):
    response = Client().get("/api/v1/arrangements/")
    assert response.status_code in (401, 403)
    assert "errors" in response.json()


def test_a_change_in_the_admin_is_an_audited_entry_with_who_and_what(people, arranged):
    staff = f.make_user("staff.arrangements", "observer", people.us)
    staff.is_staff = staff.is_superuser = True
    staff.save()
    client = Client()
    sign_in(client, staff)
    arrangement = arranged["IN"]
    form = {
        "first_nation": people.us.pk,
        "second_nation": people.india.pk,
        "signed_on": "2024-08-22",
        "status": "active",
        "posture": "emergency",
        "posture_changes-TOTAL_FORMS": "0",
        "posture_changes-INITIAL_FORMS": "0",
    }
    url = f"/admin/partners/arrangement/{arrangement.pk}/change/"
    refused = client.post(url, form)
    assert refused.status_code == 200
    assert "Say why the posture changes." in refused.content.decode()
    arrangement.refresh_from_db()
    assert arrangement.posture == "peacetime"

    response = client.post(url, {**form, "posture_reason": "Flood in the supply region"})
    assert response.status_code == 302
    arrangement.refresh_from_db()
    assert (arrangement.posture, arrangement.changed_by) == ("emergency", staff)
    entry = AuditEntry.objects.get(kind=AuditKind.ARRANGEMENT_CHANGED)
    assert entry.actor == staff
    assert entry.detail["arrangement"] == "US–IN"
    assert entry.detail["fields"] == ["signed_on"]
    posture = AuditEntry.objects.get(kind=AuditKind.POSTURE_CHANGED)
    assert (posture.actor, posture.detail["posture"], posture.detail["previous"]) == (
        staff,
        "emergency",
        "peacetime",
    )
    assert posture.detail["reason"] == "Flood in the supply region"
    (change,) = arrangement.posture_changes.all()
    assert (change.previous, change.posture, change.changed_by) == ("peacetime", "emergency", staff)


def test_existing_sites_get_an_arrangement_for_each_partner_on_file(people):
    migration = importlib.import_module("partners.migrations.0005_arrangements")
    Arrangement.objects.all().delete()
    migration.us_arrangements(apps, None)
    migration.us_arrangements(apps, None)  # twice: nothing doubles
    pairs = {
        str(row) for row in Arrangement.objects.select_related("first_nation", "second_nation")
    }
    assert pairs == {"US–IN", "US–GB"}
    assert Nation.objects.count() == 3
