"""Postures (DESIGN §5): emergency shortens the clocks of an arrangement's open requests, armed
conflict counts them around the clock, the DPAS duty never moves, and nothing moves into the
past. Dates counted by hand on the 2026 calendars: Thu 26 Nov 2026 is Thanksgiving (US), New
York is on EST (UTC-5), India on IST (UTC+5:30) with no holiday in the weeks used.
"""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from partners.arrangements import set_posture
from partners.models import Arrangement, AuditEntry, AuditKind
from requests_app import services
from requests_app.models import Clock, Event, Notification, Stage
from requests_app.services.common import lock_visible
from requests_app.services.postures import apply_posture
from requests_app.services.sweep import sweep_deadlines
from requests_app.web.common import visible_request_or_404
from tests import factories as f
from tests.helpers import new_delhi, new_york, us_india

UTC = dt.UTC
WED_25 = new_york(2026, 11, 25, 10)  # the day before Thanksgiving


def change(people, posture: str, at: dt.datetime, *, by=None, apply=True) -> Arrangement:
    """Put US–India under `posture` at `at` (as staff), and run the recount task then."""
    arrangement = us_india(people)
    with time_machine.travel(at, tick=False):
        set_posture(arrangement, posture, by=by, reason=f"Test: {posture}")
    if apply:
        apply_posture(arrangement.pk, now=at)
    return arrangement


def triage_clock(request) -> Clock:
    return Clock.objects.get(request=request, stage=Stage.TRIAGE, stopped_at__isnull=True)


@pytest.fixture
def submitted_wed(people, make_request):
    """India→US, submitted Wed 25 Nov 10:00 New York: peacetime triage is 2 US working days,
    skipping Thanksgiving → Mon 30 Nov 17:00 EST."""
    request = services.submit(make_request(), by=people.requester_in, now=WED_25)
    assert triage_clock(request).due_at == new_york(2026, 11, 30)
    return request


def test_emergency_recounts_the_triage_clock_in_us_working_days_and_says_so(people, submitted_wed):
    change(people, "emergency", new_york(2026, 11, 25, 12))
    clock = triage_clock(submitted_wed)
    # 1 working day after Wed 25, skipping Thanksgiving → Fri 27 Nov 17:00 EST.
    assert clock.due_at == new_york(2026, 11, 27)
    assert clock.posture == "emergency"
    assert clock.explanation.startswith("Emergency posture since Wed 25 Nov 2026: ")
    assert "1 working day after receipt on Wed 25 Nov 2026" in clock.explanation
    assert "Thanksgiving" in clock.explanation
    submitted_wed.refresh_from_db()
    assert submitted_wed.due_at == clock.due_at


def test_armed_conflict_counts_the_holiday_around_the_clock(people, submitted_wed):
    change(people, "armed_conflict", new_york(2026, 11, 25, 12))
    clock = triage_clock(submitted_wed)
    assert clock.due_at == new_york(2026, 11, 26, 10)  # Thanksgiving itself, same hour
    assert "1 day around the clock after receipt at Wed 25 Nov 10:00 EST" in clock.explanation


def test_armed_conflict_counts_saturday_and_its_ladder_does_too(people, make_request):
    change(people, "armed_conflict", new_york(2026, 11, 20, 9))
    friday = new_york(2026, 11, 27, 10)
    request = services.submit(make_request(), by=people.requester_in, now=friday)
    clock = triage_clock(request)
    assert clock.due_at == new_york(2026, 11, 28, 10)  # Sat 28 Nov 10:00
    assert clock.posture == "armed_conflict"
    assert clock.next_escalation_at == new_york(2026, 11, 27, 10)  # due soon: a day before
    sweep_deadlines(now=new_york(2026, 11, 28, 10, 1))
    clock.refresh_from_db()
    assert clock.level == 1  # overdue on the Saturday
    assert clock.next_escalation_at == new_york(2026, 11, 30, 10)  # escalated two days after


def test_going_back_to_peacetime_recounts_again(people, submitted_wed):
    change(people, "emergency", new_york(2026, 11, 25, 12))
    change(people, "peacetime", new_york(2026, 11, 25, 15))
    clock = triage_clock(submitted_wed)
    assert clock.due_at == new_york(2026, 11, 30)
    assert clock.posture == "peacetime"
    assert not clock.explanation.startswith("Peacetime")  # peacetime reads as before
    events = Event.objects.filter(request=submitted_wed, action="posture").order_by("id")
    assert [event.data["posture"] for event in events] == ["emergency", "peacetime"]


def test_a_clock_never_moves_into_the_past(people, make_request):
    # Submitted Mon 16 Nov 10:00: peacetime due Wed 18 Nov 17:00; emergency would be Tue 17.
    request = services.submit(
        make_request(), by=people.requester_in, now=new_york(2026, 11, 16, 10)
    )
    change(people, "emergency", new_york(2026, 11, 18, 9))
    clock = triage_clock(request)
    assert clock.due_at == new_york(2026, 11, 18, 9)  # due now, not yesterday
    assert "that time had passed when the posture changed → due now" in clock.explanation
    sweep_deadlines(now=new_york(2026, 11, 18, 9, 1))  # the next sweep: overdue at once
    clock.refresh_from_db()
    assert clock.level == 1


def test_what_is_already_overdue_stays_overdue_with_its_escalations(people, make_request):
    request = services.submit(
        make_request(), by=people.requester_in, now=new_york(2026, 11, 16, 10)
    )
    sweep_deadlines(now=new_york(2026, 11, 19, 10))  # a day after its due time
    before = triage_clock(request)
    assert (before.due_at, before.level) == (new_york(2026, 11, 18), 1)
    change(people, "emergency", new_york(2026, 11, 19, 11))
    change(people, "peacetime", new_york(2026, 11, 19, 12))
    after = triage_clock(request)
    assert (after.due_at, after.level) == (new_york(2026, 11, 18), 1)
    assert after.next_escalation_at == before.next_escalation_at
    assert "already due" in after.explanation


def test_the_dpas_supplier_clock_is_the_law_in_every_posture(people, make_request):
    request = make_request("with_supplier")
    clock = Clock.objects.get(request=request, stage=Stage.SUPPLIER_RESPONSE)
    due = clock.due_at
    for posture in ("emergency", "armed_conflict", "peacetime"):
        change(people, posture, clock.started_at + dt.timedelta(hours=1))
        clock.refresh_from_db()
        assert clock.due_at == due, posture
    change(people, "emergency", clock.started_at + dt.timedelta(hours=2))
    clock.refresh_from_db()
    assert clock.due_at == due
    assert "(the DPAS duty is the same in every posture): DX-rated order" in clock.explanation


def test_code_of_conduct_route_halves_india_s_response_time(people, make_coc_request):
    """US→India: India answers, in Indian working days; its Code of Conduct asks 10."""
    request = make_coc_request("approved", now=new_delhi(2026, 12, 4, 10))
    forwarded = services.forward(
        request,
        by=people.liaison_in,
        supplier=people.company_in_signed,
        now=new_delhi(2026, 12, 7, 10),  # Mon
    )
    clock = Clock.objects.get(request=forwarded, stage=Stage.SUPPLIER_RESPONSE)
    assert clock.due_at == new_delhi(2026, 12, 21)  # 10 working days → Mon 21 Dec
    change(people, "emergency", new_delhi(2026, 12, 7, 12))
    clock.refresh_from_db()
    assert clock.due_at == new_delhi(2026, 12, 14)  # 5 working days → Mon 14 Dec
    assert "India's Code of Conduct asks a response within 5 working days" in clock.explanation
    assert "DPAS" not in clock.explanation


def test_a_posture_change_recounts_that_pair_only(people, make_request):
    uk_request = services.submit(
        f.draft(people.requester_gb, people.us), by=people.requester_gb, now=WED_25
    )
    india_request = services.submit(make_request(), by=people.requester_in, now=WED_25)
    uk_before = triage_clock(uk_request)
    result = change(people, "emergency", new_york(2026, 11, 25, 12))
    assert result.posture == "emergency"
    assert triage_clock(uk_request).due_at == uk_before.due_at
    assert triage_clock(uk_request).posture == "peacetime"
    assert triage_clock(india_request).posture == "emergency"
    assert not Event.objects.filter(request=uk_request, action="posture").exists()


def test_the_recount_is_idempotent_one_event_per_request(people, submitted_wed, make_request):
    paused = make_request("in_review", now=new_york(2026, 11, 23, 10))
    services.request_info(
        paused, by=people.reviewer_us, question="Which lot?", now=new_york(2026, 11, 24, 10)
    )
    arrangement = change(people, "emergency", new_york(2026, 11, 25, 12), apply=False)
    first = apply_posture(arrangement.pk, now=new_york(2026, 11, 25, 12))
    clocks = {c.pk: (c.due_at, c.posture, c.explanation) for c in Clock.objects.all()}
    second = apply_posture(arrangement.pk, now=new_york(2026, 11, 25, 13))
    assert (first.requests, second.requests) == (2, 2)
    assert first.clocks >= 2 and second.clocks == 0
    assert {c.pk: (c.due_at, c.posture, c.explanation) for c in Clock.objects.all()} == clocks
    for request in (submitted_wed, paused):
        assert Event.objects.filter(request=request, action="posture").count() == 1


def test_set_posture_is_audited_and_tells_both_nations_once(people, submitted_wed):
    senior_in = f.make_user("senior.in", "observer", people.india, senior=True)
    with time_machine.travel(new_york(2026, 11, 25, 12), tick=False):
        set_posture(us_india(people), "emergency", by=people.senior_us, reason="Cyclone")
    entry = AuditEntry.objects.get(kind=AuditKind.POSTURE_CHANGED)
    assert (entry.actor, entry.detail["reason"]) == (people.senior_us, "Cyclone")
    told = set(Notification.objects.filter(kind="posture").values_list("recipient", flat=True))
    # Liaison officers serving the pair and senior contacts of both; not the one who set it,
    # nor the US liaison who serves only the UK.
    assert told == {people.liaison_us.pk, people.liaison_in.pk, senior_in.pk}
    notice = Notification.objects.filter(kind="posture").first()
    assert notice.payload["title"] == "US–IN: Emergency posture"
    assert notice.payload["explanation"] == "Cyclone"


def test_who_may_set_a_posture_and_what_it_needs(people):
    arrangement = us_india(people)
    with pytest.raises(PermissionDenied):
        set_posture(arrangement, "emergency", by=people.liaison_us, reason="Not mine to set")
    with pytest.raises(ValidationError) as missing:
        set_posture(arrangement, "emergency", by=people.senior_us, reason="  ")
    assert "reason" in missing.value.message_dict
    with pytest.raises(ValidationError) as same:
        set_posture(arrangement, "peacetime", by=people.senior_us, reason="Again")
    assert "posture" in same.value.message_dict
    arrangement.refresh_from_db()
    assert arrangement.posture == "peacetime"


def test_the_command_sets_it_and_the_task_runs_after_commit(
    people, submitted_wed, django_capture_on_commit_callbacks
):
    with (
        time_machine.travel(new_york(2026, 11, 25, 12), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("set_posture", "us", "IN", "emergency", "--reason", "Exercise Tiger")
    arrangement = us_india(people)
    assert arrangement.posture == "emergency"
    assert arrangement.posture_changes.get().reason == "Exercise Tiger"
    assert triage_clock(submitted_wed).due_at == new_york(2026, 11, 27)
    assert Notification.objects.filter(kind="posture", sent_at__isnull=False).exists()


def test_resuming_under_a_posture_counts_as_it_counts(people, make_request):
    request = make_request("in_review", now=new_york(2026, 11, 16, 10))
    support_clock = Clock.objects.get(request=request, stage=Stage.DETERMINATION)
    assert support_clock.due_at == new_york(2026, 11, 23)  # 5 working days
    asked = services.request_info(
        request, by=people.reviewer_us, question="Which lot?", now=new_york(2026, 11, 17, 10)
    )
    change(people, "armed_conflict", new_york(2026, 11, 18, 9))
    services.answer(asked, by=people.requester_in, answer="Lot 7", now=new_york(2026, 11, 20, 10))
    support_clock.refresh_from_db()
    # Paused Tue 17 with 4 working days left (Wed–Mon): resumed Fri 20 10:00 around the clock.
    assert support_clock.due_at == new_york(2026, 11, 24, 10)
    assert support_clock.posture == "armed_conflict"
    assert support_clock.explanation.startswith("Armed conflict posture since Wed 18 Nov 2026")


def test_an_action_and_a_page_read_the_posture_with_the_request_row(
    people, submitted_wed, django_assert_num_queries
):
    change(people, "emergency", new_york(2026, 11, 25, 12))
    locked = lock_visible(submitted_wed, people.liaison_us)
    with django_assert_num_queries(0):
        assert locked.arrangement_posture.posture == "emergency"
    shown = visible_request_or_404(people.requester_in, submitted_wed.reference)
    with django_assert_num_queries(0):
        assert shown.arrangement_posture.label == "Emergency"
