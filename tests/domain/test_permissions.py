"""Who sees which requests and which buttons they get (DESIGN §2, the tenant rule)."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group

from partners.models import Profile
from requests_app import services
from requests_app.models import PriorityRequest
from requests_app.permissions import allowed_actions, key_of, may_take, sees_internal
from requests_app.transitions import TRANSITIONS
from tests import factories as f

User = get_user_model()
# Every test runs at NOW (tests/helpers.py), a Tuesday 10:00 in Washington.
pytestmark = pytest.mark.usefixtures("frozen_now")


@pytest.fixture
def world(people, make_request):
    """Requests in both directions of India–US and one UK→US request, named by what they are."""
    us_to_india = services.submit(
        f.draft(people.requester_us, people.india, title="Forgings for a US program"),
        by=people.requester_us,
    )
    uk_to_us = services.submit(
        f.draft(people.requester_gb, people.us, title="Sonar parts for the Royal Navy"),
        by=people.requester_gb,
    )
    return {
        "in_us_draft": make_request("draft"),
        "in_us_submitted": make_request("submitted"),
        "in_us_with_supplier": make_request("with_supplier"),
        "us_in_submitted": us_to_india,
        "us_in_draft": f.draft(people.requester_us, people.india, title="A US draft"),
        "gb_us_submitted": uk_to_us,
    }


def visible(user, world) -> set[str]:
    ids = set(PriorityRequest.objects.visible_to(user).values_list("pk", flat=True))
    return {name for name, request in world.items() if request.pk in ids}


INDIA_US_OPEN = {"in_us_submitted", "in_us_with_supplier", "us_in_submitted"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("requester_in", {"in_us_draft", "in_us_submitted", "in_us_with_supplier"}),
        ("requester_in2", {"in_us_draft", "in_us_submitted", "in_us_with_supplier"}),
        ("requester_us", {"us_in_submitted", "us_in_draft"}),
        ("requester_gb", {"gb_us_submitted"}),
        ("liaison_us", INDIA_US_OPEN),
        ("liaison_in", INDIA_US_OPEN),
        ("liaison_gb", {"gb_us_submitted"}),
        ("reviewer_us", {"in_us_submitted", "in_us_with_supplier", "gb_us_submitted"}),
        ("reviewer_in", {"us_in_submitted"}),
        ("reviewer_gb", set()),
        ("supplier_us", {"in_us_with_supplier"}),
        ("other_supplier_us", set()),
        ("supplier_gb", set()),
        ("observer_in", INDIA_US_OPEN),
        ("observer_us", INDIA_US_OPEN | {"gb_us_submitted"}),
        ("observer_gb", {"gb_us_submitted"}),
    ],
)
def test_each_role_sees_exactly_the_requests_of_its_tenant(people, world, who, expected):
    assert visible(getattr(people, who), world) == expected


@pytest.mark.django_db
def test_a_requester_sees_the_drafts_of_its_own_nation_but_not_of_another(people, world):
    seen = visible(people.requester_in2, world)
    assert "in_us_draft" in seen
    assert "us_in_draft" not in seen


@pytest.mark.django_db
def test_a_liaison_never_sees_a_draft_even_between_the_nations_it_serves(people, world):
    for liaison in (people.liaison_us, people.liaison_in):
        seen = visible(liaison, world)
        assert "in_us_draft" not in seen
        assert "us_in_draft" not in seen


@pytest.mark.django_db
def test_a_liaison_sees_nothing_of_a_pair_of_nations_it_does_not_serve(people, world):
    # liaison.gb serves the US, but an India→US request is none of its business.
    seen = visible(people.liaison_gb, world)
    assert "in_us_submitted" not in seen
    assert "us_in_submitted" not in seen


@pytest.mark.django_db
def test_a_liaison_who_serves_no_partner_sees_nothing(people, world):
    idle = f.make_user("idle.liaison.us", "liaison", people.us)
    assert visible(idle, world) == set()


@pytest.mark.django_db
def test_a_reviewer_sees_only_requests_its_nation_responds_to(people, world):
    assert "us_in_submitted" not in visible(people.reviewer_us, world)
    assert visible(people.reviewer_in, world) == {"us_in_submitted"}


@pytest.mark.django_db
def test_a_supplier_sees_a_request_only_while_it_is_forwarded_to_its_company(people, make_request):
    request = make_request("approved")
    assert not PriorityRequest.objects.visible_to(people.supplier_us).exists()

    request = services.forward(request, by=people.liaison_us, supplier=people.company_us)
    assert list(PriorityRequest.objects.visible_to(people.supplier_us)) == [request]
    assert not PriorityRequest.objects.visible_to(people.other_supplier_us).exists()

    services.supplier_reject(
        request,
        by=people.supplier_us,
        reason="No capacity before summer.",
        earliest_date=dt.date(2027, 9, 1),
    )
    assert not PriorityRequest.objects.visible_to(people.supplier_us).exists()

    services.forward(request, by=people.liaison_us, supplier=people.company_us_other)
    assert not PriorityRequest.objects.visible_to(people.supplier_us).exists()
    assert PriorityRequest.objects.visible_to(people.other_supplier_us).exists()


@pytest.mark.django_db
def test_a_supplier_still_sees_the_order_it_accepted(people, make_request):
    request = make_request("accepted")
    assert list(PriorityRequest.objects.visible_to(people.supplier_us)) == [request]


@pytest.mark.django_db
def test_a_supplier_user_without_a_company_sees_nothing(people, world):
    loose = f.make_user("loose.supplier.us", "supplier", people.us)
    assert visible(loose, world) == set()


@pytest.mark.django_db
@pytest.mark.parametrize("flag", ["is_staff", "is_superuser"])
def test_staff_and_superusers_see_every_request_including_drafts(people, world, flag):
    admin = User.objects.create_user("admin", "admin@example.org", "pw", **{flag: True})
    assert visible(admin, world) == set(world)


@pytest.mark.django_db
def test_a_user_without_profile_or_role_sees_nothing(people, world):
    bare = User.objects.create_user("bare", "bare@example.org", "pw")
    role_only = User.objects.create_user("role.only", "role@example.org", "pw")
    role_only.groups.add(Group.objects.get(name="liaison"))
    profile_only = User.objects.create_user("profile.only", "profile@example.org", "pw")
    Profile.objects.create(user=profile_only, nation=people.us).served_nations.set([people.india])
    for user in (bare, role_only, profile_only):
        assert visible(user, world) == set(), user.username


@pytest.mark.django_db
def test_an_anonymous_visitor_sees_nothing(world):
    assert not PriorityRequest.objects.visible_to(AnonymousUser()).exists()


# --- the buttons each person gets ------------------------------------------------------------


def reach(state, people, make_request):
    if state == "needs_info":
        request = make_request("submitted")
        return services.request_info(request, by=people.liaison_us, question="Which variant?")
    if state == "resolved":
        request = make_request("submitted")
        return services.decline(request, by=people.liaison_us, reason="No program.")
    return make_request(state)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("state", "who", "expected"),
    [
        ("draft", "requester_in", ["submit", "withdraw"]),
        ("submitted", "liaison_us", ["request_info", "triage", "decline"]),
        ("submitted", "liaison_in", []),  # the responding side holds it now
        ("submitted", "reviewer_us", ["request_info", "decline"]),
        ("submitted", "requester_in", ["withdraw"]),
        ("submitted", "observer_us", []),
        ("needs_info", "requester_in", ["answer", "withdraw"]),
        ("needs_info", "liaison_us", []),
        ("in_review", "reviewer_us", ["request_info", "determine", "decline"]),
        ("in_review", "authority_us", ["request_info", "decline"]),
        ("in_review", "liaison_us", ["request_info", "decline"]),
        ("in_review", "liaison_in", []),
        ("awaiting_authorisation", "authority_us", ["request_info", "authorise", "decline"]),
        ("awaiting_authorisation", "reviewer_us", ["request_info", "decline"]),
        ("approved", "liaison_us", ["forward", "close_unfulfilled"]),
        ("approved", "reviewer_us", []),
        ("approved", "requester_in", ["withdraw"]),
        ("with_supplier", "supplier_us", ["supplier_accept", "supplier_reject"]),
        (
            "with_supplier",
            "liaison_us",
            ["supplier_accept", "supplier_reject", "close_unfulfilled"],
        ),
        ("with_supplier", "requester_in", ["withdraw"]),
        ("accepted", "supplier_us", ["report_delay", "record_delivery"]),
        (
            "accepted",
            "liaison_us",
            ["report_delay", "record_delivery", "fulfil", "close_unfulfilled"],
        ),
        ("accepted", "requester_in", ["record_delivery", "fulfil", "withdraw"]),
        ("accepted", "observer_in", []),
        ("resolved", "requester_in", []),
        ("resolved", "liaison_us", []),
    ],
)
def test_allowed_actions_are_exactly_the_buttons_a_person_may_press(
    people, make_request, state, who, expected
):
    request = reach(state, people, make_request)
    assert request.state == state
    assert allowed_actions(getattr(people, who), request) == expected


@pytest.mark.django_db
def test_an_admin_without_a_role_gets_no_action_buttons(people, make_request):
    admin = User.objects.create_user("admin", "admin@example.org", "pw", is_staff=True)
    assert allowed_actions(admin, make_request("submitted")) == []


@pytest.mark.django_db
def test_a_staff_member_in_a_role_group_without_a_profile_gets_no_buttons(people, make_request):
    # Refused, not crashed: side-restricted actions need the user's nation.
    admin = User.objects.create_user("admin", "admin@example.org", "pw", is_staff=True)
    admin.groups.add(Group.objects.get(name="liaison"))
    request = make_request("submitted")
    assert allowed_actions(admin, request) == []
    assert not may_take(admin, request, TRANSITIONS["triage"])


# --- internal comments -----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "reads_internal"),
    [
        ("requester_in", False),
        ("supplier_us", False),
        ("liaison_us", True),
        ("reviewer_us", True),
        ("observer_us", True),
    ],
)
def test_only_officials_read_internal_comments(people, who, reads_internal):
    assert sees_internal(getattr(people, who)) is reads_internal


@pytest.mark.django_db
def test_anonymous_and_role_less_users_never_read_internal_comments(people):
    bare = User.objects.create_user("bare", "bare@example.org", "pw")
    assert sees_internal(AnonymousUser()) is False
    assert sees_internal(bare) is False


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("state", "for_liaison_in"),
    [("with_supplier", []), ("accepted", ["record_delivery", "fulfil"])],
)
def test_the_requesting_sides_liaison_cannot_speak_for_the_responding_sides_supplier(
    people, make_request, state, for_liaison_in
):
    request = make_request(state)
    # Confirming delivery is the requesting side's to do; the supplier's answers are not.
    assert allowed_actions(people.liaison_in, request) == for_liaison_in
    assert "close_unfulfilled" in allowed_actions(people.liaison_us, request)


@pytest.mark.django_db
def test_each_reviewer_holds_the_key_of_its_agency_and_route(people):
    assert key_of(people.reviewer_us) == "determination"  # the DoD
    assert key_of(people.authority_us) == "authorisation"  # Commerce (BIS)
    assert key_of(people.reviewer_in) == "review"  # India's MoD, Code of Conduct route
    assert key_of(people.liaison_us) == ""
