import datetime as dt
import io

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from partners.models import Agency, Arrangement, Nation, Profile, Supplier
from requests_app.demo_data import PATHS
from requests_app.management.commands.seed_demo import DEMOS, PEOPLE
from requests_app.models import (
    Clock,
    Comment,
    Event,
    PriorityRequest,
    Rating,
    RequestItem,
    Resolution,
    State,
)
from requests_app.queries import dues

pytestmark = pytest.mark.django_db
User = get_user_model()
SOSA_PARTNERS = {
    "NL", "SE", "IT", "FI", "AU", "ES", "GB", "NO", "CA",
    "LV", "JP", "DK", "IL", "EE", "LT", "KR", "SG", "IN", "DE",
}  # fmt: skip


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def seeded() -> str:
    return seed()


def snapshot() -> dict:
    return {
        "nations": Nation.objects.count(),
        "agencies": Agency.objects.count(),
        "suppliers": Supplier.objects.count(),
        "users": User.objects.count(),
        "profiles": Profile.objects.count(),
        "requests": PriorityRequest.objects.count(),
        "items": RequestItem.objects.count(),
        "comments": Comment.objects.count(),
        "events": Event.objects.count(),
        "clocks": Clock.objects.count(),
        "references": set(PriorityRequest.objects.values_list("reference", flat=True)),
        "states": sorted(PriorityRequest.objects.values_list("reference", "state", "version")),
    }


def test_seeding_twice_gives_the_same_data():
    # A fixed moment: the deadline sweep at the end of each run then sees the same clocks.
    with time_machine.travel(dt.datetime(2026, 11, 24, 14, 0, tzinfo=dt.UTC)):
        first_output = seed()
        first = snapshot()
        second_output = seed()
        second = snapshot()
    assert first == second
    # Each demo once, and the follow-on request of each that splits off a refused item.
    follow_ons = sum("split" in PATHS[demo.outcome] for demo in DEMOS)
    assert first["requests"] == len(DEMOS) + follow_ons >= 60
    assert f"{len(DEMOS)} created" in first_output
    assert f"0 created, {len(DEMOS)} already present" in second_output


def test_every_state_and_every_resolution_appears(seeded):
    requests = PriorityRequest.objects.all()
    assert set(requests.values_list("state", flat=True)) == set(State.values)
    resolved = requests.filter(state=State.RESOLVED)
    assert set(resolved.values_list("resolution", flat=True)) == set(Resolution.values)
    assert "resolved (withdrawn)" in seeded


def test_requests_go_both_ways_with_do_and_dx_ratings(seeded):
    requests = PriorityRequest.objects.all()
    india_to_us = requests.filter(requesting_nation__code="IN", responding_nation__code="US")
    us_to_india = requests.filter(requesting_nation__code="US", responding_nation__code="IN")
    assert set(india_to_us.values_list("created_by__username", flat=True)) == {"requester.in"}
    assert set(us_to_india.values_list("created_by__username", flat=True)) == {"requester.us"}
    assert india_to_us.filter(state=State.ACCEPTED).exists()
    assert us_to_india.filter(state=State.ACCEPTED).exists()
    assert set(requests.exclude(rating="").values_list("rating", flat=True)) == set(Rating.values)
    # A foreign government's requests carry its symbols; the Code of Conduct route rates none.
    symbols = set(requests.values_list("program_symbol", flat=True))
    assert {"G2", "G3"} <= symbols
    assert not us_to_india.exclude(rating="").exists()
    assert set(india_to_us.values_list("route", flat=True)) == {"dpas"}
    assert set(us_to_india.values_list("route", flat=True)) == {"code_of_conduct"}
    assert RequestItem.objects.filter(request__in=requests).exclude(nsn="").exists()
    for request in requests.prefetch_related("items"):
        assert 1 <= len(request.items.all()) <= 3, request.reference


def test_demo_requests_were_driven_through_the_services(seeded):
    for request in PriorityRequest.objects.prefetch_related("events"):
        events = list(request.events.all())
        # Filed as a draft, or opened by a split for the items another supplier refused.
        first = events[0]
        assert first.action == "create" or (
            first.action == "split" and "split_from" in first.data
        ), request.reference
        moves = [event for event in events if event.action not in ("create", "comment")]
        assert (moves[-1].to_state if moves else State.DRAFT) == request.state, request.reference
    # India→US requests are handled on the US side, US→India ones on the Indian side.
    actors = set(
        Event.objects.filter(
            action__in=["triage", "determine", "authorise"], request__requesting_nation__code="IN"
        ).values_list("actor__username", flat=True)
    )
    assert actors == {"liaison.us", "reviewer.us", "authority.us"}
    # India endorses its own requests before they leave; the US's need no endorsement.
    endorsers = Event.objects.filter(action="endorse").values_list("actor__username", flat=True)
    assert set(endorsers) == {"liaison.in"}
    suppliers = set(
        PriorityRequest.objects.filter(responding_nation__code="IN")
        .exclude(supplier=None)
        .values_list("supplier__code_of_conduct_signed_on", flat=True)
    )
    assert None not in suppliers


def test_some_clocks_are_overdue_and_some_are_not_yet_due(seeded):
    now = timezone.now()
    open_requests = PriorityRequest.objects.open()
    assert dues.overdue(open_requests, now).exists()
    assert open_requests.filter(due_at__gt=now).exists()
    created = PriorityRequest.objects.values_list("created_at", flat=True)
    assert now - dt.timedelta(weeks=9) < min(created) < now - dt.timedelta(weeks=3)


def test_the_us_has_an_arrangement_with_each_of_its_nineteen_partners_and_no_one_else(seeded):
    pairs = {
        frozenset((row.first_nation.code, row.second_nation.code)): row
        for row in Arrangement.objects.select_related("first_nation", "second_nation")
    }
    assert set(pairs) == {frozenset(("US", code)) for code in SOSA_PARTNERS}
    assert not Arrangement.objects.between(
        Nation.objects.get(code="IN"), Nation.objects.get(code="GB")
    ).exists()
    india = pairs[frozenset(("US", "IN"))]
    assert india.signed_on == Nation.objects.get(code="IN").sosa_signed_on == dt.date(2024, 8, 22)
    assert {(row.status, row.posture) for row in pairs.values()} == {("active", "peacetime")}


def test_the_nineteen_sosa_nations_are_seeded(seeded):
    nations = {nation.code: nation for nation in Nation.objects.all()}
    assert set(nations) == SOSA_PARTNERS | {"US"}
    assert nations["US"].priority_system == "dpas"
    assert {n.priority_system for code, n in nations.items() if code != "US"} == {"code_of_conduct"}
    india = nations["IN"]
    assert (india.time_zone, india.holiday_calendar, india.holiday_subdivision) == (
        "Asia/Kolkata",
        "IN",
        "DL",
    )
    assert india.sosa_signed_on == dt.date(2024, 8, 22)
    assert nations["US"].time_zone == "America/New_York"
    cage_codes = list(Supplier.objects.values_list("cage_code", flat=True))
    assert all(len(code) == 5 for code in cage_codes)
    indian = Supplier.objects.filter(nation=india)
    assert indian.filter(code_of_conduct_signed_on=None).exists()
    assert indian.exclude(code_of_conduct_signed_on=None).exists()


def test_demo_users_log_in_with_the_demo_password_and_hold_their_roles(seeded, settings):
    for username in ["admin", *(person.username for person in PEOPLE)]:
        assert Client().login(username=username, password=settings.DEMO_PASSWORD), username
    assert not Client().login(username="requester.in", password="wrong-password")
    for person in PEOPLE:
        user = User.objects.get(username=person.username)
        assert list(user.groups.values_list("name", flat=True)) == [person.role]
        assert user.profile.nation.code == person.nation
    liaison_us = Profile.objects.get(user__username="liaison.us")
    assert set(liaison_us.served_nations.values_list("code", flat=True)) == {"IN", "GB"}
    assert Profile.objects.get(user__username="supplier.in").supplier.signed_code_of_conduct
    seniors = Profile.objects.filter(is_senior_contact=True)
    assert set(seniors.values_list("user__username", flat=True)) == {"senior.us", "senior.in"}
    assert User.objects.get(username="admin").is_superuser


def test_a_changed_demo_password_is_applied_on_the_next_run(seeded, settings):
    settings.DEMO_PASSWORD = "another-demo-pass"
    seed()
    assert Client().login(username="liaison.in", password="another-demo-pass")
