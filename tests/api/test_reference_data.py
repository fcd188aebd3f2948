"""Reference data an agency system needs: nations, suppliers, and who the caller is."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from tests.helpers import client_for

IST, EST, GMT = "Asia/Kolkata", "America/New_York", "Europe/London"
DOD = "DoD Industrial Base Policy"
NATION_FIELDS = {
    "code",
    "name",
    "time_zone",
    "holiday_calendar",
    "sosa_signed_on",
    "priority_system",
    "conduct_response_working_days",
    "requires_endorsement",
}


def test_nations_are_listed_by_code(api):
    response = api("requester_in").get("/api/v1/nations/")

    assert response.status_code == 200
    nations = response.json()
    assert [n["code"] for n in nations] == ["GB", "IN", "US"]
    assert all(set(n) == NATION_FIELDS for n in nations)
    assert nations[2]["priority_system"] == "dpas"
    assert (nations[1]["conduct_response_working_days"], nations[1]["requires_endorsement"]) == (
        10,
        False,
    )


def test_a_nation_is_read_by_its_code(api):
    response = api("supplier_us").get("/api/v1/nations/IN/")

    assert response.status_code == 200
    assert response.json()["time_zone"] == "Asia/Kolkata"
    assert api("supplier_us").get("/api/v1/nations/ZZ/").status_code == 404


def test_reference_data_is_read_only(api):
    client = api("liaison_us")

    assert client.post("/api/v1/nations/", {"code": "FR"}, format="json").status_code == 405
    assert client.delete("/api/v1/suppliers/1/").status_code == 405


def test_reference_data_needs_a_token(db):
    for path in ("/api/v1/nations/", "/api/v1/suppliers/", "/api/v1/me/"):
        assert APIClient().get(path).status_code == 401


def test_suppliers_are_listed_by_name(api):
    suppliers = api("liaison_us").get("/api/v1/suppliers/").json()

    assert [s["name"] for s in suppliers] == [
        "Acme Gyro Inc",
        "BAE Parts",
        "Bharat Forge",
        "Boeing Parts",
        "Unsigned Works",
    ]
    assert set(suppliers[0]) == {
        "id",
        "name",
        "nation",
        "cage_code",
        "code_of_conduct_signed_on",
        "code_of_conduct_version",
        "code_of_conduct_withdrawn_on",
        "signatory",
        "ledger",
    }
    # A US liaison officer reads the ledgers of US firms only.
    by_name = {s["name"]: s for s in suppliers}
    assert by_name["Acme Gyro Inc"]["ledger"]["forwarded"] == 0
    assert by_name["Bharat Forge"]["ledger"] is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"nation": "IN"}, ["Bharat Forge", "Unsigned Works"]),
        ({"nation": "in"}, ["Bharat Forge", "Unsigned Works"]),
        ({"nation": "IN", "code_of_conduct": "true"}, ["Bharat Forge"]),
        ({"nation": "IN", "code_of_conduct": "false"}, ["Unsigned Works"]),
        ({"nation": "IN", "code_of_conduct": "0"}, ["Unsigned Works"]),
        ({"nation": "US"}, ["Acme Gyro Inc", "Boeing Parts"]),
        ({"nation": "FR"}, []),
    ],
)
def test_suppliers_filter_by_nation_and_code_of_conduct(api, query, expected):
    suppliers = api("liaison_in").get("/api/v1/suppliers/", query).json()

    assert [s["name"] for s in suppliers] == expected
    assert all(s["nation"] == query["nation"].upper() for s in suppliers)


@pytest.mark.parametrize("value", ["yes", "maybe", "2"])
def test_a_bad_code_of_conduct_flag_is_a_400_naming_it(api, value):
    response = api("liaison_in").get("/api/v1/suppliers/", {"code_of_conduct": value})

    assert response.status_code == 400
    assert "code_of_conduct" in response.json()["errors"]


def test_a_supplier_shows_when_it_signed_the_code_of_conduct(api, people):
    signed = api("liaison_in").get(f"/api/v1/suppliers/{people.company_in_signed.pk}/").json()
    unsigned = api("liaison_in").get(f"/api/v1/suppliers/{people.company_in_unsigned.pk}/").json()

    assert signed["code_of_conduct_signed_on"] == "2024-09-01"
    assert unsigned["code_of_conduct_signed_on"] is None


@pytest.mark.parametrize(
    ("who", "role", "nation", "agency", "supplier", "serves", "time_zone"),
    [
        ("requester_in", "requester", "IN", "MoD Acquisition Wing", None, [], IST),
        ("liaison_in", "liaison", "IN", None, None, ["US"], IST),
        ("reviewer_in", "reviewer", "IN", None, None, [], IST),
        ("observer_in", "observer", "IN", None, None, [], IST),
        ("requester_us", "requester", "US", DOD, None, [], EST),
        ("liaison_us", "liaison", "US", None, None, ["IN"], EST),
        ("reviewer_us", "reviewer", "US", DOD, None, [], EST),
        ("supplier_us", "supplier", "US", None, "Acme Gyro Inc", [], EST),
        ("liaison_gb", "liaison", "GB", None, None, ["US"], GMT),
    ],
)  # fmt: skip
def test_me_says_who_the_caller_is(
    api, people, who, role, nation, agency, supplier, serves, time_zone
):
    response = api(who).get("/api/v1/me/")

    assert response.status_code == 200
    me = response.json()
    user = getattr(people, who)
    assert me["username"] == user.username
    assert me["email"] == user.email
    assert me["role"] == role
    assert me["nation"] == nation
    assert (me["agency"] or {}).get("name") == agency
    assert (me["supplier"] or {}).get("name") == supplier
    assert me["serves"] == serves
    assert me["time_zone"] == time_zone
    assert me["is_staff"] is False


def test_me_for_a_staff_member_without_a_profile(db):
    admin = get_user_model().objects.create_user("admin", "admin@example.org", "x", is_staff=True)

    me = client_for(admin).get("/api/v1/me/").json()

    assert (me["role"], me["nation"], me["agency"], me["supplier"]) == (None, None, None, None)
    assert me["serves"] == []
    assert me["time_zone"] == "UTC"
    assert me["is_staff"] is True


@pytest.mark.django_db
def test_ping_answers_who_is_calling_and_refuses_without_a_token(people):
    from rest_framework.test import APIClient

    from partners.accounts.tokens import issue_token

    client = APIClient()
    assert client.get("/api/v1/ping/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(people.liaison_us, name='x')[1]}")
    assert client.get("/api/v1/ping/").json() == {"ok": True, "user": "liaison.us"}
