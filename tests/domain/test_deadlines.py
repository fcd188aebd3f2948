"""The SLA table, due times with their explanations, and the escalation ladder (pure).

Dates were counted by hand: in Nov-Dec 2026 Thu 26 Nov is Thanksgiving, Fri 25 Dec Christmas and
Fri 1 Jan 2027 New Year's Day; New York is on EST (UTC-5) then.
"""

import datetime as dt

import pytest

from partners.calendars import WorkingCalendar
from requests_app import deadlines
from requests_app.deadlines import (
    LADDER,
    REMINDER_LADDER,
    ladder_for,
    next_rung,
    open_due,
    remaining_working_days,
    resumed_due,
    rung_time,
    sla_rule,
    stage_rule,
)
from requests_app.models import Party, Stage, State
from tests.helpers import new_york

UTC = dt.UTC
US = WorkingCalendar(country="US", time_zone="America/New_York")
INDIA = WorkingCalendar(country="IN", time_zone="Asia/Kolkata", subdiv="DL")


def due_for(state: str, started_at: dt.datetime, calendar=US, **kwargs) -> deadlines.Due:
    return open_due(sla_rule(state), started_at=started_at, calendar=calendar, **kwargs)


# --- the SLA table of DESIGN §5 -----------------------------------------------------------------


def test_the_liaison_has_two_working_days_to_triage():
    rule = sla_rule(State.SUBMITTED)

    assert (rule.stage, rule.ball, rule.working_days) == (Stage.TRIAGE, Party.LIAISON, 2)


def test_the_requester_has_five_working_days_to_answer_with_reminders_only():
    rule = sla_rule(State.NEEDS_INFO)

    assert (rule.stage, rule.ball, rule.working_days) == (Stage.ANSWER, Party.REQUESTER, 5)
    assert rule.reminders_only


def test_the_reviewer_has_five_working_days_for_a_determination_and_two_in_an_emergency():
    rule = sla_rule(State.IN_REVIEW)

    assert (rule.stage, rule.ball) == (Stage.DETERMINATION, Party.REVIEWER)
    assert deadlines.stage_working_days(rule, urgency="routine") == 5
    assert deadlines.stage_working_days(rule, urgency="urgent") == 5
    assert deadlines.stage_working_days(rule, urgency="emergency") == 2


def test_the_liaison_has_one_working_day_to_forward_a_rated_request():
    rule = sla_rule(State.APPROVED)

    assert (rule.stage, rule.ball, rule.working_days) == (Stage.FORWARD, Party.LIAISON, 1)


def test_supplier_has_ten_working_days_for_a_dx_order_and_fifteen_for_a_do_order():
    rule = sla_rule(State.WITH_SUPPLIER)

    assert (rule.stage, rule.ball) == (Stage.SUPPLIER_RESPONSE, Party.SUPPLIER)
    assert deadlines.stage_working_days(rule, rating="DX") == 10
    assert deadlines.stage_working_days(rule, rating="DO") == 15


def test_an_unrated_order_with_a_supplier_gets_the_longer_do_period():
    assert deadlines.stage_working_days(sla_rule(State.WITH_SUPPLIER), rating="") == 15


def test_urgency_does_not_shorten_the_suppliers_dpas_period():
    rule = sla_rule(State.WITH_SUPPLIER)

    assert deadlines.stage_working_days(rule, rating="DX", urgency="emergency") == 10


def test_delivery_runs_until_the_committed_date():
    rule = sla_rule(State.ACCEPTED)

    assert (rule.stage, rule.ball) == (Stage.DELIVERY, Party.SUPPLIER)
    assert rule.until_committed_date


@pytest.mark.parametrize("state", [State.DRAFT, State.RESOLVED])
def test_drafts_and_resolved_requests_have_no_clock(state):
    assert sla_rule(state) is None


def test_an_override_changes_only_the_stage_it_names():
    overrides = {"triage": {"working_days": 3}}

    assert sla_rule(State.SUBMITTED, overrides).working_days == 3
    assert sla_rule(State.SUBMITTED, overrides).ball == Party.LIAISON
    assert sla_rule(State.APPROVED, overrides).working_days == 1
    assert sla_rule(State.SUBMITTED).working_days == 2  # the table itself is untouched


def test_an_override_of_the_dpas_periods_moves_the_suppliers_due_date():
    overrides = {"supplier_response": {"by_rating": {"DX": 5, "DO": 15}}}
    rule = stage_rule(Stage.SUPPLIER_RESPONSE, overrides)

    due = open_due(rule, started_at=new_york(2026, 11, 25, 9), calendar=US, rating="DX")

    # Fri 27 Nov, Mon 30 Nov, Tue 1, Wed 2, Thu 3 Dec.
    assert due.due_at == new_york(2026, 12, 3)
    assert due.explanation.startswith("DX-rated order: 5 working days after receipt")


@pytest.mark.parametrize(
    ("state", "ball"),
    [
        (State.DRAFT, Party.REQUESTER),
        (State.SUBMITTED, Party.LIAISON),
        (State.NEEDS_INFO, Party.REQUESTER),
        (State.IN_REVIEW, Party.REVIEWER),
        (State.APPROVED, Party.LIAISON),
        (State.WITH_SUPPLIER, Party.SUPPLIER),
        (State.ACCEPTED, Party.SUPPLIER),
        (State.RESOLVED, None),
    ],
)
def test_the_ball_is_in_the_court_of_the_party_holding_the_next_action(state, ball):
    assert deadlines.ball_in_court(state) == ball


# --- due times and their explanations -----------------------------------------------------------


def test_a_dx_order_received_the_day_before_thanksgiving_is_due_thursday_10_december():
    due = due_for(State.WITH_SUPPLIER, new_york(2026, 11, 25, 9), rating="DX")

    assert due.due_at == dt.datetime(2026, 12, 10, 22, 0, tzinfo=UTC)
    assert due.explanation == (
        "DX-rated order: 10 working days after receipt on Wed 25 Nov 2026, skipping Thu 26 Nov "
        "Thanksgiving Day and two weekends → due Thu 10 Dec 17:00 EST"
    )


def test_a_do_order_received_the_day_before_thanksgiving_is_due_thursday_17_december():
    due = due_for(State.WITH_SUPPLIER, new_york(2026, 11, 25, 9), rating="DO")

    assert due.due_at == new_york(2026, 12, 17)
    assert "DO-rated order: 15 working days after receipt on Wed 25 Nov 2026" in due.explanation
    assert "Thu 26 Nov Thanksgiving Day and three weekends" in due.explanation
    assert due.explanation.endswith("→ due Thu 17 Dec 17:00 EST")


def test_triage_without_holidays_in_the_way_mentions_nothing_skipped():
    due = due_for(State.SUBMITTED, new_york(2026, 11, 16, 10))

    assert due.due_at == new_york(2026, 11, 18)
    assert due.explanation == (
        "2 working days after receipt on Mon 16 Nov 2026 → due Wed 18 Nov 17:00 EST"
    )


def test_an_emergency_determination_is_due_in_two_working_days_and_says_so():
    due = due_for(State.IN_REVIEW, new_york(2026, 11, 24, 11), urgency="emergency")

    assert due.due_at == new_york(2026, 11, 27)
    assert due.explanation == (
        "emergency: 2 working days after receipt on Tue 24 Nov 2026, skipping Thu 26 Nov "
        "Thanksgiving Day → due Fri 27 Nov 17:00 EST"
    )


def test_a_routine_determination_is_due_in_five_working_days():
    due = due_for(State.IN_REVIEW, new_york(2026, 11, 24, 11), urgency="routine")

    assert due.due_at == new_york(2026, 12, 2)
    assert not due.explanation.startswith("emergency")


def test_forwarding_has_one_working_day_in_the_singular():
    due = due_for(State.APPROVED, new_york(2026, 11, 25, 15))

    assert due.due_at == new_york(2026, 11, 27)
    assert due.explanation.startswith("1 working day after receipt on Wed 25 Nov 2026")


def test_the_answer_clock_gives_the_requester_five_working_days():
    due = due_for(State.NEEDS_INFO, new_york(2026, 11, 18, 10))

    assert due.due_at == new_york(2026, 11, 25)


def test_delivery_is_due_at_close_of_business_on_the_committed_date():
    due = due_for(State.ACCEPTED, new_york(2026, 12, 1, 9), committed_date=dt.date(2027, 3, 1))

    assert due.due_at == dt.datetime(2027, 3, 1, 22, 0, tzinfo=UTC)
    assert due.explanation == "the committed delivery date → due Mon 1 Mar 17:00 EST"


def test_a_delivery_clock_cannot_open_without_a_committed_date():
    with pytest.raises(ValueError, match="committed delivery date"):
        due_for(State.ACCEPTED, new_york(2026, 12, 1, 9))


def test_receipt_late_in_the_evening_counts_from_the_responding_nations_local_day():
    # 03:30 UTC on Thu 26 Nov is still Wed 25 Nov in New York.
    due = due_for(State.WITH_SUPPLIER, dt.datetime(2026, 11, 26, 3, 30, tzinfo=UTC), rating="DX")

    assert due.due_at == new_york(2026, 12, 10)
    assert "receipt on Wed 25 Nov 2026" in due.explanation


def test_a_deadline_in_india_ends_at_five_pm_indian_time_after_republic_day():
    due = due_for(State.SUBMITTED, dt.datetime(2026, 1, 23, 10, 0, tzinfo=UTC), calendar=INDIA)

    assert due.due_at == dt.datetime(2026, 1, 28, 11, 30, tzinfo=UTC)
    assert due.explanation == (
        "2 working days after receipt on Fri 23 Jan 2026, skipping Mon 26 Jan Republic Day and "
        "one weekend → due Wed 28 Jan 17:00 IST"
    )


# --- escalation ladder --------------------------------------------------------------------------


def test_the_ladder_warns_a_day_before_goes_overdue_at_due_and_escalates_two_days_after():
    due_at = new_york(2026, 12, 10)

    assert [rung_time(rung, due_at, US) for rung in LADDER] == [
        new_york(2026, 12, 9),
        new_york(2026, 12, 10),
        new_york(2026, 12, 14),  # Fri 11 and Mon 14: the weekend does not count
    ]


def test_due_soon_falls_before_thanksgiving_when_due_the_friday_after():
    due_soon = rung_time(LADDER[0], new_york(2026, 11, 27), US)

    assert due_soon == new_york(2026, 11, 25)


def test_escalation_after_a_christmas_eve_deadline_skips_christmas_and_the_weekend():
    escalated = rung_time(LADDER[2], new_york(2026, 12, 24), US)

    assert escalated == new_york(2026, 12, 29)


def test_escalation_after_a_new_years_eve_deadline_lands_in_january():
    escalated = rung_time(LADDER[2], new_york(2026, 12, 31), US)

    assert escalated == new_york(2027, 1, 5)


def test_each_rung_notifies_the_people_of_design_section_five():
    due_soon, overdue, escalated = LADDER

    assert (due_soon.level, due_soon.name, due_soon.notifies) == (0, "due_soon", ("assignee",))
    assert (overdue.level, overdue.name) == (1, "overdue")
    assert set(overdue.notifies) == {"assignee", "liaisons"}
    assert (escalated.level, escalated.name, escalated.notifies) == (2, "escalated", ("senior",))
    assert escalated.flags_request
    assert not due_soon.flags_request and not overdue.flags_request


def test_the_next_rung_climbs_one_level_at_a_time_and_stops_at_the_top():
    due_at = new_york(2026, 12, 10)

    def step(level):
        return next_rung(LADDER, due_at=due_at, level_reached=level, calendar=US)

    assert step(None) == (LADDER[0], new_york(2026, 12, 9))
    assert step(0) == (LADDER[1], new_york(2026, 12, 10))
    assert step(1) == (LADDER[2], new_york(2026, 12, 14))
    assert step(2) is None


def test_the_answer_clock_only_reminds_the_requester_and_never_escalates():
    ladder = ladder_for(sla_rule(State.NEEDS_INFO))
    due_at = new_york(2026, 11, 27)

    assert ladder == REMINDER_LADDER
    assert [rung.level for rung in ladder] == [0, 1]
    assert all(rung.notifies == ("requester",) for rung in ladder)
    assert not any(rung.flags_request for rung in ladder)
    assert next_rung(ladder, due_at=due_at, level_reached=None, calendar=US)[1] == new_york(
        2026, 11, 25
    )
    assert next_rung(ladder, due_at=due_at, level_reached=1, calendar=US) is None


@pytest.mark.parametrize(
    "state", [State.SUBMITTED, State.IN_REVIEW, State.APPROVED, State.WITH_SUPPLIER, State.ACCEPTED]
)
def test_every_other_clock_climbs_the_full_ladder(state):
    assert ladder_for(sla_rule(state)) == LADDER


# --- pausing and resuming -----------------------------------------------------------------------


def test_a_clock_paused_on_wednesday_and_due_monday_has_three_working_days_left():
    # Thu 19, Fri 20 and Mon 23 Nov 2026.
    left = remaining_working_days(new_york(2026, 11, 23), new_york(2026, 11, 18, 10), US)

    assert left == 3


def test_a_clock_paused_late_in_the_new_york_evening_counts_from_that_new_york_day():
    paused_at = dt.datetime(2026, 11, 19, 3, 0, tzinfo=UTC)  # Wed 18 Nov 22:00 in New York

    assert remaining_working_days(new_york(2026, 11, 23), paused_at, US) == 3


def test_a_clock_paused_on_its_due_day_has_no_working_days_left():
    assert remaining_working_days(new_york(2026, 11, 23), new_york(2026, 11, 23, 9), US) == 0


def test_a_clock_paused_after_it_fell_due_is_behind():
    # Due Mon 23; paused Wed 25: Tue 24 and Wed 25 are already past due.
    assert remaining_working_days(new_york(2026, 11, 23), new_york(2026, 11, 25, 9), US) == -2


def test_a_resumed_clock_gets_its_working_days_after_the_answer_day_skipping_thanksgiving():
    due = resumed_due(3, resumed_at=new_york(2026, 11, 25, 10), calendar=US)

    # Fri 27 Nov, Mon 30 Nov, Tue 1 Dec.
    assert due.due_at == new_york(2026, 12, 1)
    assert due.explanation == (
        "resumed on Wed 25 Nov 2026 with 3 working days left, skipping Thu 26 Nov Thanksgiving "
        "Day and one weekend → due Tue 1 Dec 17:00 EST"
    )


def test_a_clock_resumed_with_nothing_left_is_due_at_close_of_business_that_day():
    due = resumed_due(0, resumed_at=new_york(2026, 11, 25, 10), calendar=US)

    assert due.due_at == new_york(2026, 11, 25)


def test_a_clock_that_was_behind_is_not_due_before_the_answer_day():
    due = resumed_due(-2, resumed_at=new_york(2026, 11, 25, 10), calendar=US)

    assert due.due_at == new_york(2026, 11, 25)
    assert "with 0 working days left" in due.explanation


def test_a_clock_resumed_on_thanksgiving_with_nothing_left_is_due_the_next_working_day():
    due = resumed_due(0, resumed_at=new_york(2026, 11, 26, 10), calendar=US)

    assert due.due_at == new_york(2026, 11, 27)
