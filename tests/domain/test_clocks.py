"""Clocks as the services open, pause, resume and stop them, on an India→US request.

The US responds, so every clock counts US working days and ends at 17:00 in New York. Moments are
passed as `now=` (or frozen with time-machine). Dates were counted by hand on the 2026-27
calendar: Thu 26 Nov 2026 is Thanksgiving, New York is on EST (UTC-5) until 14 Mar 2027.
"""

import datetime as dt

import pytest
import time_machine

from partners.models import Closure
from requests_app import services
from requests_app.models import Clock, Event, Stage, State
from tests import factories as f
from tests.helpers import new_delhi, new_york, support

UTC = dt.UTC


def at(year, month, day, hour, minute=0) -> dt.datetime:
    """A moment as the services get it from `timezone.now()`: in UTC."""
    return new_york(year, month, day, hour, minute).astimezone(UTC)


# The moments of a request that goes through the whole life cycle in Nov 2026 - Feb 2027.
SUBMITTED_AT = at(2026, 11, 16, 10)  # Mon
TRIAGED_AT = at(2026, 11, 17, 9, 30)  # Tue
DETERMINED_AT = at(2026, 11, 20, 10)  # Fri: the DoD's key
RATED_AT = at(2026, 11, 24, 11)  # Tue: Commerce's key, a rated order from now on
FORWARDED_AT = at(2026, 11, 25, 9)  # Wed, the day before Thanksgiving
ACCEPTED_AT = at(2026, 12, 1, 14)  # Tue
FULFILLED_AT = at(2027, 2, 26, 10)  # Fri
COMMITTED_ON = dt.date(2027, 3, 1)  # Mon


def clocks_of(request) -> list[Clock]:
    return list(Clock.objects.filter(request=request).order_by("started_at", "id"))


def open_clocks_of(request) -> list[Clock]:
    return list(Clock.objects.filter(request=request, stopped_at__isnull=True))


def only_open_clock(request) -> Clock:
    (clock,) = open_clocks_of(request)
    return clock


def ledger_moment(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


def assert_took_over(request, *, stage, started_at, due_at, stopped_stage, stop_reason):
    """The previous clock stopped at this moment; a new one runs and the request shows it."""
    request.refresh_from_db()
    stopped = Clock.objects.get(request=request, stage=stopped_stage, stopped_at=started_at)
    assert stopped.stop_reason == stop_reason
    assert stopped.next_escalation_at is None
    assert ledger_moment(stopped.ledger[-1]["to"]) == started_at
    running = only_open_clock(request)
    assert (running.stage, running.started_at, running.due_at) == (stage, started_at, due_at)
    assert running.status == "running"
    assert request.due_at == due_at


@pytest.fixture
def submitted(people, make_request):
    return services.submit(make_request(), by=people.requester_in, now=SUBMITTED_AT)


def walk_to_with_supplier(people, request, *, rating: str):
    request = services.triage(
        request, by=people.liaison_us, assignee=people.reviewer_us, now=TRIAGED_AT
    )
    request = support(
        request,
        by=people.reviewer_us,
        rating=rating,
        program_symbol="G2",
        note="Direct defence need of the Indian Air Force.",
        now=RATED_AT,
    )
    return services.forward(
        request, by=people.liaison_us, supplier=people.company_us, now=FORWARDED_AT
    )


# --- a full life cycle ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("rating", "supplier_due_at"),
    [
        # Thanksgiving and the weekends of 28 Nov and 5 Dec skipped → Thu 10 Dec.
        ("DX", new_york(2026, 12, 10)),
        # ... and the weekend of 12 Dec → Thu 17 Dec.
        ("DO", new_york(2026, 12, 17)),
    ],
)
def test_each_stage_of_a_rated_order_runs_its_own_clock_until_fulfilment(
    people, submitted, rating, supplier_due_at
):
    request = submitted
    request.refresh_from_db()
    triage_clock = only_open_clock(request)
    assert (triage_clock.stage, triage_clock.started_at) == (Stage.TRIAGE, SUBMITTED_AT)
    assert triage_clock.due_at == new_york(2026, 11, 18)  # Mon + 2 working days
    assert request.due_at == new_york(2026, 11, 18)

    request = services.triage(
        request, by=people.liaison_us, assignee=people.reviewer_us, now=TRIAGED_AT
    )
    assert_took_over(
        request,
        stage=Stage.DETERMINATION,
        started_at=TRIAGED_AT,
        due_at=new_york(2026, 11, 24),  # Tue + 5 working days
        stopped_stage=Stage.TRIAGE,
        stop_reason="triage",
    )

    request = services.determine(
        request,
        by=people.reviewer_us,
        rating=rating,
        program_symbol="G2",
        note="G2.",
        now=DETERMINED_AT,
    )
    assert_took_over(
        request,
        stage=Stage.AUTHORISATION,
        started_at=DETERMINED_AT,
        due_at=new_york(2026, 11, 30),  # Fri + 5 working days, Thanksgiving skipped
        stopped_stage=Stage.DETERMINATION,
        stop_reason="determine",
    )

    request = services.authorise(
        request,
        by=people.authority_us,
        bis_case_number="BIS-26-0042",
        rating=rating,
        program_symbol="G2",
        note="As determined.",
        now=RATED_AT,
    )
    assert_took_over(
        request,
        stage=Stage.FORWARD,
        started_at=RATED_AT,
        due_at=new_york(2026, 11, 25),  # one working day
        stopped_stage=Stage.AUTHORISATION,
        stop_reason="authorise",
    )

    request = services.forward(
        request, by=people.liaison_us, supplier=people.company_us, now=FORWARDED_AT
    )
    assert_took_over(
        request,
        stage=Stage.SUPPLIER_RESPONSE,
        started_at=FORWARDED_AT,
        due_at=supplier_due_at,
        stopped_stage=Stage.FORWARD,
        stop_reason="forward",
    )

    request = services.supplier_accept(
        request, by=people.supplier_us, committed_delivery_date=COMMITTED_ON, now=ACCEPTED_AT
    )
    assert_took_over(
        request,
        stage=Stage.DELIVERY,
        started_at=ACCEPTED_AT,
        due_at=dt.datetime(2027, 3, 1, 22, 0, tzinfo=UTC),  # 17:00 EST on the committed date
        stopped_stage=Stage.SUPPLIER_RESPONSE,
        stop_reason="supplier_accept",
    )

    request = services.fulfil(
        request, by=people.liaison_us, delivered_on=dt.date(2027, 2, 26), now=FULFILLED_AT
    )
    request.refresh_from_db()
    assert (request.state, request.resolution) == (State.RESOLVED, "fulfilled")
    assert open_clocks_of(request) == []
    assert request.due_at is None
    assert request.ball_in_court is None
    delivery = Clock.objects.get(request=request, stage=Stage.DELIVERY)
    assert (delivery.stopped_at, delivery.stop_reason) == (FULFILLED_AT, "fulfil")
    assert [clock.stage for clock in clocks_of(request)] == [
        Stage.TRIAGE,
        Stage.DETERMINATION,
        Stage.AUTHORISATION,
        Stage.FORWARD,
        Stage.SUPPLIER_RESPONSE,
        Stage.DELIVERY,
    ]


@pytest.mark.django_db
def test_supplier_has_ten_working_days_for_a_dx_order_explained_as_in_the_design(people, submitted):
    request = walk_to_with_supplier(people, submitted, rating="DX")

    clock = only_open_clock(request)
    assert clock.due_at == dt.datetime(2026, 12, 10, 22, 0, tzinfo=UTC)
    assert clock.explanation == (
        "DX-rated order: 10 working days after receipt on Wed 25 Nov 2026, skipping Thu 26 Nov "
        "Thanksgiving Day and two weekends → due Thu 10 Dec 17:00 EST"
    )


@pytest.mark.django_db
def test_supplier_has_fifteen_working_days_for_a_do_order(people, submitted):
    request = walk_to_with_supplier(people, submitted, rating="DO")

    clock = only_open_clock(request)
    assert clock.due_at == new_york(2026, 12, 17)
    assert "DO-rated order: 15 working days" in clock.explanation
    assert "Thanksgiving Day and three weekends" in clock.explanation


@pytest.mark.django_db
def test_each_clock_is_scheduled_to_warn_one_working_day_before_it_is_due(people, submitted):
    assert only_open_clock(submitted).next_escalation_at == new_york(2026, 11, 17)

    request = walk_to_with_supplier(people, submitted, rating="DX")
    assert only_open_clock(request).next_escalation_at == new_york(2026, 12, 9)

    request = services.supplier_accept(
        request, by=people.supplier_us, committed_delivery_date=COMMITTED_ON, now=ACCEPTED_AT
    )
    # Due Mon 1 Mar 2027: the warning comes on Fri 26 Feb.
    assert only_open_clock(request).next_escalation_at == new_york(2027, 2, 26)


@pytest.mark.django_db
def test_an_emergency_gets_its_determination_in_two_working_days(people, make_request):
    draft = make_request(urgency="emergency")
    request = services.submit(draft, by=people.requester_in, now=SUBMITTED_AT)

    request = services.triage(
        request, by=people.liaison_us, assignee=people.reviewer_us, now=TRIAGED_AT
    )

    clock = only_open_clock(request)
    assert clock.stage == Stage.DETERMINATION
    assert clock.due_at == new_york(2026, 11, 19)  # Wed 18, Thu 19
    assert clock.explanation.startswith("emergency: 2 working days after receipt on Tue 17 Nov")


@pytest.mark.django_db
def test_the_request_records_when_each_stage_was_reached(people, submitted):
    request = walk_to_with_supplier(people, submitted, rating="DX")
    request.refresh_from_db()

    assert (request.submitted_at, request.triaged_at) == (SUBMITTED_AT, TRIAGED_AT)
    assert (request.approved_at, request.forwarded_at) == (RATED_AT, FORWARDED_AT)


@pytest.mark.django_db
def test_a_frozen_clock_stands_in_for_now_when_none_is_passed(people, make_request):
    rated = make_request("approved", now=RATED_AT)

    with time_machine.travel(FORWARDED_AT, tick=False):
        request = services.forward(rated, by=people.liaison_us, supplier=people.company_us)

    clock = only_open_clock(request)
    assert clock.started_at == FORWARDED_AT
    assert clock.due_at == new_york(2026, 12, 10)


@pytest.mark.django_db
def test_an_sla_override_in_settings_lengthens_triage(people, make_request, settings):
    settings.SOSA_SLA_OVERRIDES = {"triage": {"working_days": 3}}

    request = services.submit(make_request(), by=people.requester_in, now=SUBMITTED_AT)

    assert only_open_clock(request).due_at == new_york(2026, 11, 19)


@pytest.mark.django_db
def test_a_us_closure_pushes_back_the_triage_deadline(people, make_request):
    Closure.objects.create(nation=people.us, date=dt.date(2026, 11, 17), name="Weather closure")

    request = services.submit(make_request(), by=people.requester_in, now=SUBMITTED_AT)

    clock = only_open_clock(request)
    assert clock.due_at == new_york(2026, 11, 19)
    assert "skipping Tue 17 Nov Weather closure" in clock.explanation


@pytest.mark.django_db
def test_an_indian_holiday_does_not_move_a_us_deadline(people, make_request):
    # Mon 26 Jan 2026 is Republic Day in India, an ordinary Monday in the United States.
    request = services.submit(make_request(), by=people.requester_in, now=at(2026, 1, 23, 10))

    assert only_open_clock(request).due_at == new_york(2026, 1, 27)


@pytest.mark.django_db
def test_a_request_submitted_late_in_the_new_york_evening_counts_from_that_evening(
    people, make_request
):
    # 03:30 UTC on Tue 17 Nov is 22:30 on Mon 16 Nov in New York: Tue 17 and Wed 18 count.
    request = services.submit(
        make_request(), by=people.requester_in, now=dt.datetime(2026, 11, 17, 3, 30, tzinfo=UTC)
    )

    assert only_open_clock(request).due_at == new_york(2026, 11, 18)


@pytest.mark.django_db
def test_a_request_to_india_counts_indian_working_days_to_five_pm_in_new_delhi(people):
    draft = f.draft(people.requester_us, people.india)

    # Fri 23 Jan 2026, 15:30 in New Delhi; Mon 26 Jan is Republic Day.
    request = services.submit(
        draft, by=people.requester_us, now=dt.datetime(2026, 1, 23, 10, 0, tzinfo=UTC)
    )

    clock = only_open_clock(request)
    assert clock.due_at == dt.datetime(2026, 1, 28, 11, 30, tzinfo=UTC)
    assert clock.explanation.endswith(
        "skipping Mon 26 Jan Republic Day and one weekend → due Wed 28 Jan 17:00 IST"
    )


# --- asking for information pauses the clock -----------------------------------------------------

# Submitted Fri 13 Nov; triaged Mon 16 Nov, so the determination is due Mon 23 Nov.
INFO_SUBMITTED_AT = at(2026, 11, 13, 10)
INFO_TRIAGED_AT = at(2026, 11, 16, 9)
ASKED_AT = at(2026, 11, 18, 10)  # Wed: Thu 19, Fri 20 and Mon 23 are left
ANSWERED_AT = at(2026, 11, 25, 10)  # a week later, the day before Thanksgiving


@pytest.fixture
def in_review(people, make_request):
    request = services.submit(make_request(), by=people.requester_in, now=INFO_SUBMITTED_AT)
    return services.triage(
        request, by=people.liaison_us, assignee=people.reviewer_us, now=INFO_TRIAGED_AT
    )


@pytest.fixture
def asked(people, in_review):
    return services.request_info(
        in_review, by=people.reviewer_us, question="Which tail numbers are grounded?", now=ASKED_AT
    )


@pytest.mark.django_db
def test_the_determination_clock_was_due_monday_before_any_question(in_review):
    assert only_open_clock(in_review).due_at == new_york(2026, 11, 23)


@pytest.mark.django_db
def test_asking_for_information_pauses_the_determination_with_three_working_days_left(asked):
    determination = Clock.objects.get(request=asked, stage=Stage.DETERMINATION)

    assert determination.status == "paused"
    assert determination.paused_at == ASKED_AT
    assert determination.remaining_working_days == 3
    assert determination.next_escalation_at is None


@pytest.mark.django_db
def test_while_the_question_is_open_the_requester_has_five_working_days_to_answer(asked):
    asked.refresh_from_db()
    answer_clock = Clock.objects.get(request=asked, stage=Stage.ANSWER)

    assert asked.state == State.NEEDS_INFO
    assert asked.ball_in_court == "requester"
    assert answer_clock.status == "running"
    # The requester's move, so India's working days: Thu 19 ... Thu 26, skipping a weekend and
    # Tue 24 Nov (Guru Nanak's Birthday), to 17:00 in New Delhi.
    assert answer_clock.due_at == new_delhi(2026, 11, 26)
    assert asked.due_at == answer_clock.due_at
    assert "Guru Nanak" in answer_clock.explanation
    # Reminder one working day before: Wed 25 Nov.
    assert answer_clock.next_escalation_at == new_delhi(2026, 11, 25)


@pytest.mark.django_db
def test_answering_a_week_later_resumes_the_clock_with_the_three_days_it_had_left(people, asked):
    request = services.answer(
        asked, by=people.requester_in, answer="KH-2011 and KH-2019.", now=ANSWERED_AT
    )
    request.refresh_from_db()

    determination = only_open_clock(request)
    assert request.state == State.IN_REVIEW
    assert request.ball_in_court == "reviewer"
    assert determination.stage == Stage.DETERMINATION
    assert determination.status == "running"
    # Three working days after Wed 25 Nov: Fri 27 Nov, Mon 30 Nov, Tue 1 Dec.
    assert determination.due_at == new_york(2026, 12, 1)
    assert request.due_at == new_york(2026, 12, 1)
    assert determination.explanation == (
        "resumed on Wed 25 Nov 2026 with 3 working days left, skipping Thu 26 Nov Thanksgiving "
        "Day and one weekend → due Tue 1 Dec 17:00 EST"
    )
    assert determination.next_escalation_at == new_york(2026, 11, 30)


@pytest.mark.django_db
def test_answering_stops_the_answer_clock(people, asked):
    services.answer(asked, by=people.requester_in, answer="KH-2011.", now=ANSWERED_AT)

    answer_clock = Clock.objects.get(request=asked, stage=Stage.ANSWER)
    assert (answer_clock.stopped_at, answer_clock.stop_reason) == (ANSWERED_AT, "answered")
    assert answer_clock.next_escalation_at is None


@pytest.mark.django_db
def test_the_ledger_shows_who_ran_and_paused_the_clock_and_why(people, asked):
    services.answer(asked, by=people.requester_in, answer="KH-2011.", now=ANSWERED_AT)

    ledger = Clock.objects.get(request=asked, stage=Stage.DETERMINATION).ledger
    assert [(entry["status"], entry["reason"], entry["actor"]) for entry in ledger] == [
        ("running", "triage", people.liaison_us.pk),
        ("paused", "info requested", people.reviewer_us.pk),
        ("running", "answered", people.requester_in.pk),
    ]
    assert [
        (ledger_moment(entry["from"]), entry["to"] and ledger_moment(entry["to"]))
        for entry in ledger
    ] == [(INFO_TRIAGED_AT, ASKED_AT), (ASKED_AT, ANSWERED_AT), (ANSWERED_AT, None)]


@pytest.mark.django_db
def test_the_answer_clocks_ledger_runs_from_question_to_answer(people, asked):
    services.answer(asked, by=people.requester_in, answer="KH-2011.", now=ANSWERED_AT)

    (entry,) = Clock.objects.get(request=asked, stage=Stage.ANSWER).ledger
    assert (entry["status"], entry["reason"], entry["actor"]) == (
        "running",
        "info requested",
        people.reviewer_us.pk,
    )
    assert (ledger_moment(entry["from"]), ledger_moment(entry["to"])) == (ASKED_AT, ANSWERED_AT)


@pytest.mark.django_db
def test_a_question_before_triage_pauses_the_triage_clock_and_the_answer_resumes_it(
    people, make_request
):
    # Submitted Mon 16 Nov: triage due Wed 18. Asked the same morning: Tue 17 and Wed 18 left.
    request = services.submit(make_request(), by=people.requester_in, now=SUBMITTED_AT)
    request = services.request_info(
        request, by=people.liaison_us, question="Which contract line?", now=at(2026, 11, 16, 15)
    )
    triage_clock = Clock.objects.get(request=request, stage=Stage.TRIAGE)
    assert (triage_clock.status, triage_clock.remaining_working_days) == ("paused", 2)

    request = services.answer(
        request, by=people.requester_in, answer="CLIN 0003.", now=at(2026, 11, 20, 9)
    )
    request.refresh_from_db()

    assert request.state == State.SUBMITTED
    triage_clock = only_open_clock(request)
    assert triage_clock.stage == Stage.TRIAGE
    # Two working days after Fri 20 Nov: Mon 23, Tue 24.
    assert triage_clock.due_at == new_york(2026, 11, 24)
    assert request.due_at == new_york(2026, 11, 24)


# --- after acceptance ----------------------------------------------------------------------------


@pytest.fixture
def accepted(people, submitted):
    request = walk_to_with_supplier(people, submitted, rating="DX")
    return services.supplier_accept(
        request, by=people.supplier_us, committed_delivery_date=COMMITTED_ON, now=ACCEPTED_AT
    )


@pytest.mark.django_db
def test_a_reported_delay_moves_the_delivery_deadline_to_the_new_date(people, accepted):
    delayed_at = at(2027, 2, 8, 10)

    request = services.report_delay(
        accepted,
        by=people.supplier_us,
        reason="Casting supplier fire.",
        committed_delivery_date=dt.date(2027, 4, 15),
        now=delayed_at,
    )
    request.refresh_from_db()

    delivery = only_open_clock(request)
    # New York is on daylight saving time by then: 17:00 EDT is 21:00 UTC.
    assert delivery.due_at == dt.datetime(2027, 4, 15, 21, 0, tzinfo=UTC)
    assert (
        delivery.explanation == "Gyroscope assembly: the committed date → due Thu 15 Apr 17:00 EDT"
    )
    assert request.due_at == delivery.due_at
    assert request.committed_delivery_date == dt.date(2027, 4, 15)
    assert request.state == State.ACCEPTED


@pytest.mark.django_db
def test_a_reported_delay_is_recorded_with_the_previous_and_new_dates(people, accepted):
    services.report_delay(
        accepted,
        by=people.liaison_us,
        reason="Casting supplier fire.",
        committed_delivery_date=dt.date(2027, 4, 15),
        now=at(2027, 2, 8, 10),
    )

    event = Event.objects.get(request=accepted, action="report_delay")
    assert event.data["previous_date"] == "2027-03-01"
    assert event.data["committed_delivery_date"] == "2027-04-15"
    assert event.data["reason"] == "Casting supplier fire."
    assert (event.from_state, event.to_state) == (State.ACCEPTED, State.ACCEPTED)
    assert event.actor == people.liaison_us
    old = Clock.objects.get(request=accepted, stage=Stage.DELIVERY, stopped_at__isnull=False)
    assert old.due_at == dt.datetime(2027, 3, 1, 22, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_a_rejection_sends_the_order_back_to_rated_with_a_fresh_day_to_forward(people, submitted):
    request = walk_to_with_supplier(people, submitted, rating="DX")
    rejected_at = at(2026, 12, 4, 10)  # Fri

    request = services.supplier_reject(
        request,
        by=people.supplier_us,
        reason="Line fully booked with DX-A1 orders.",
        earliest_date=dt.date(2027, 9, 1),
        now=rejected_at,
    )

    assert request.state == State.APPROVED
    assert request.supplier is None
    assert request.ball_in_court == "liaison"
    assert_took_over(
        request,
        stage=Stage.FORWARD,
        started_at=rejected_at,
        due_at=new_york(2026, 12, 7),  # over the weekend to Mon 7 Dec
        stopped_stage=Stage.SUPPLIER_RESPONSE,
        stop_reason="supplier_reject",
    )
    forward_clocks = Clock.objects.filter(request=request, stage=Stage.FORWARD)
    assert forward_clocks.count() == 2


@pytest.mark.django_db
def test_forwarding_to_a_second_supplier_starts_a_new_ten_day_period(people, submitted):
    request = walk_to_with_supplier(people, submitted, rating="DX")
    request = services.supplier_reject(
        request,
        by=people.supplier_us,
        reason="Line fully booked.",
        earliest_date=dt.date(2027, 9, 1),
        now=at(2026, 12, 4, 10),
    )

    request = services.forward(
        request, by=people.liaison_us, supplier=people.company_us_other, now=at(2026, 12, 7, 9)
    )

    clock = only_open_clock(request)
    assert clock.stage == Stage.SUPPLIER_RESPONSE
    # Ten working days after Mon 7 Dec: Tue 8 ... Mon 21 Dec.
    assert clock.due_at == new_york(2026, 12, 21)


# --- whose move it is ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_ball_moves_between_the_parties_as_the_request_advances(people, make_request):
    draft = make_request()
    assert draft.ball_in_court == "requester"

    request = services.submit(draft, by=people.requester_in, now=SUBMITTED_AT)
    assert request.ball_in_court == "liaison"

    request = services.request_info(
        request, by=people.liaison_us, question="Which contract line?", now=SUBMITTED_AT
    )
    assert request.ball_in_court == "requester"

    request = services.answer(request, by=people.requester_in, answer="CLIN 3.", now=SUBMITTED_AT)
    assert request.ball_in_court == "liaison"

    request = services.triage(
        request, by=people.liaison_us, assignee=people.reviewer_us, now=TRIAGED_AT
    )
    assert request.ball_in_court == "reviewer"

    request = support(
        request, by=people.reviewer_us, rating="DX", program_symbol="G2", note="G2.", now=RATED_AT
    )
    assert request.ball_in_court == "liaison"

    request = services.forward(
        request, by=people.liaison_us, supplier=people.company_us, now=FORWARDED_AT
    )
    assert request.ball_in_court == "supplier"

    request = services.supplier_accept(
        request, by=people.supplier_us, committed_delivery_date=COMMITTED_ON, now=ACCEPTED_AT
    )
    assert request.ball_in_court == "supplier"

    request = services.withdraw(
        request, by=people.requester_in, reason="Met from stock.", now=ACCEPTED_AT
    )
    assert request.ball_in_court is None
    assert open_clocks_of(request) == []
