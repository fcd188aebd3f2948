"""Deadlines as data and pure arithmetic: the SLA table, the escalation ladder, explanations.

Nothing here reads the database or the clock: callers pass the moment and the calendar.
`requests_app.clocks` stores the results on `Clock` rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from partners.calendars import SkippedDay, WorkingCalendar

from . import explained
from .choices import Party, Route, Stage, State, Urgency
from .explained import Phrase, day, moment, words
from .postures import PostureRule


@dataclass(frozen=True)
class StageRule:
    stage: str
    ball: str  # the party that holds the next action
    working_days: int | None = None
    emergency_working_days: int | None = None
    by_rating: Mapping[str, int] = field(default_factory=dict)
    until_committed_date: bool = False
    reminders_only: bool = False
    # The responding nation's Code of Conduct response time instead of a fixed length.
    conduct_days: bool = False
    # Counted in the requesting nation's working days: it is that nation's move.
    requesting_calendar: bool = False


# DESIGN §5 defaults; override per stage with settings.SOSA_SLA_OVERRIDES, e.g.
# {"triage": {"working_days": 3}}.
SLA: dict[str, StageRule] = {
    State.AWAITING_ENDORSEMENT: StageRule(
        Stage.ENDORSEMENT, Party.LIAISON, working_days=2, requesting_calendar=True
    ),
    State.SUBMITTED: StageRule(Stage.TRIAGE, Party.LIAISON, working_days=2),
    State.NEEDS_INFO: StageRule(
        Stage.ANSWER,
        Party.REQUESTER,
        working_days=5,
        reminders_only=True,
        requesting_calendar=True,
    ),
    State.IN_REVIEW: StageRule(
        Stage.DETERMINATION, Party.REVIEWER, working_days=5, emergency_working_days=2
    ),
    State.AWAITING_AUTHORISATION: StageRule(
        Stage.AUTHORISATION, Party.RATING_AUTHORITY, working_days=5
    ),
    State.APPROVED: StageRule(Stage.FORWARD, Party.LIAISON, working_days=1),
    State.WITH_SUPPLIER: StageRule(
        Stage.SUPPLIER_RESPONSE, Party.SUPPLIER, by_rating={"DX": 10, "DO": 15}
    ),
    State.ACCEPTED: StageRule(Stage.DELIVERY, Party.SUPPLIER, until_committed_date=True),
}
# Where the Code of Conduct route differs: the MoD reviews (no determination), and a firm
# answers on its nation's own Code of Conduct time, not the DPAS duty.
CONDUCT_SLA: dict[str, StageRule] = {
    State.IN_REVIEW: StageRule(
        Stage.REVIEW, Party.REVIEWER, working_days=5, emergency_working_days=2
    ),
    State.WITH_SUPPLIER: StageRule(Stage.SUPPLIER_RESPONSE, Party.SUPPLIER, conduct_days=True),
}
ROUTE_SLA: dict[str, dict[str, StageRule]] = {
    Route.DPAS: SLA,
    # Nothing is rated there, so no authorisation stage.
    Route.CODE_OF_CONDUCT: {
        **{state: rule for state, rule in SLA.items() if state != State.AWAITING_AUTHORISATION},
        **CONDUCT_SLA,
    },
}
# Each stage's state and the route whose table it first appears in.
STAGE_HOME: dict[str, tuple[str, str]] = {}
for _route, _table in ROUTE_SLA.items():
    for _state, _rule in _table.items():
        STAGE_HOME.setdefault(_rule.stage, (_state, _route))
STAGE_STATE = {stage: state for stage, (state, _) in STAGE_HOME.items()}


def sla_rule(
    state: str, overrides: Mapping[str, Mapping] | None = None, route: str = Route.DPAS
) -> StageRule | None:
    """The clock rule for a state on a route (None when not timed), with overrides applied."""
    rule = ROUTE_SLA[route].get(state)
    if rule is None or not overrides or rule.stage not in overrides:
        return rule
    return StageRule(**{**rule.__dict__, **overrides[rule.stage]})


def stage_rule(
    stage: str, overrides: Mapping[str, Mapping] | None = None, route: str = Route.DPAS
) -> StageRule:
    """The rule of a timed stage, as `route` has it (a stage only one route has: that one's)."""
    state, home = STAGE_HOME[stage]
    on_route = ROUTE_SLA[route].get(state)
    rule = sla_rule(state, overrides, route if on_route and on_route.stage == stage else home)
    assert rule is not None, f"no clock rule for stage {stage}"
    return rule


# The stages counted in the requesting nation's working days (the rest: the responding one's).
REQUESTING_CALENDAR_STAGES = frozenset(
    rule.stage
    for table in ROUTE_SLA.values()
    for rule in table.values()
    if rule.requesting_calendar
)


def counting_nation_id(stage: str, requesting_id: int, responding_id: int) -> int:
    """The nation whose working days a stage's clock counts: the one that must act."""
    return requesting_id if stage in REQUESTING_CALENDAR_STAGES else responding_id


def ball_in_court(state: str, route: str = Route.DPAS) -> str | None:
    if state == State.DRAFT:
        return Party.REQUESTER
    rule = ROUTE_SLA[route].get(state)
    return rule.ball if rule else None


def ball_on_requesting_side(state: str, party: str | None) -> bool:
    """Whether the party holding the ball is of the requesting nation: its requester, or its
    liaison officer while the request awaits the nation's endorsement."""
    return party == Party.REQUESTER or state == State.AWAITING_ENDORSEMENT


def waiting_stage(state: str, route: str = Route.DPAS) -> str:
    """The timed stage the request waits in ('' none: a draft, or closed)."""
    rule = ROUTE_SLA[route].get(state)
    return rule.stage if rule else ""


@dataclass(frozen=True)
class ConductPolicy:
    """A nation's Code of Conduct response time, as its explanation names it."""

    nation_name: str
    working_days: int


@dataclass(frozen=True)
class Due:
    """When a clock is due, and why: `words` for each reader's language (`explained`), the
    `explanation` in the portal's own (stored, and given by the API)."""

    due_at: dt.datetime
    words: Phrase

    @property
    def explanation(self) -> str:
        return explained.english(self.words)


def stage_working_days(
    rule: StageRule,
    *,
    rating: str = "",
    urgency: str = "",
    conduct: ConductPolicy | None = None,
    posture: PostureRule | None = None,
) -> int:
    if rule.conduct_days:
        if conduct is None:
            raise ValueError("A Code of Conduct clock needs the nation's response time.")
        divisor = posture.conduct_divisor if posture else 1
        return -(-conduct.working_days // divisor)  # rounded up: never 0
    if rule.by_rating:
        # An unrated order with a supplier is treated like DO, the longer DPAS period.
        return rule.by_rating.get(rating) or max(rule.by_rating.values())
    days = rule.working_days or 0
    if urgency == Urgency.EMERGENCY and rule.emergency_working_days is not None:
        days = rule.emergency_working_days
    if posture is not None and rule.stage in posture.days:
        days = min(days, posture.days[rule.stage])
    return days


def is_legal_clock(rule: StageRule) -> bool:
    """The DPAS duty to answer a rated order (15 CFR 700.13): the same in every posture."""
    return bool(rule.by_rating)


def around_the_clock(rule: StageRule, posture: PostureRule | None) -> bool:
    """Whether a clock counts calendar days, due at the same hour (armed conflict, DESIGN §5)."""
    return bool(posture and posture.around_the_clock and not is_legal_clock(rule))


def _posture_text(text: Phrase, rule: StageRule, posture: PostureRule | None, tz) -> Phrase:
    """An explanation names a posture other than peacetime."""
    if posture is None or posture.is_peacetime:
        return text
    key = "in_posture_legal" if is_legal_clock(rule) else "in_posture"
    return words(key, posture=posture.words(tz), how=text)


def _days_phrase(days: int) -> Phrase:
    return words("calendar_days", n=days)


def _due(text: Phrase, due_at: dt.datetime, tz) -> Due:
    """ "{text} → due Thu 10 Dec 17:00 EST" """
    return Due(due_at, words("due", how=text, at=moment(due_at, tz)))


def _around_the_clock_due(
    start: dt.datetime,
    days: int,
    rule: StageRule,
    posture: PostureRule | None,
    calendar: WorkingCalendar,
    key: str,
) -> Due:
    """`days` calendar days after `start`, at the same hour: `key` says how ("1 day around the
    clock after receipt at <start>", "resumed at <start> with 1 day around the clock left")."""
    local = start.astimezone(calendar.tz)
    due_at = local + dt.timedelta(days=days)
    text = words(key, days=_days_phrase(days), at=moment(local, calendar.tz))
    return _due(_posture_text(text, rule, posture, calendar.tz), due_at, calendar.tz)


def _day_phrase(days: int) -> Phrase:
    return words("working_days", n=days)


def skipped_words(skipped: list[SkippedDay]) -> Phrase:
    """ "Thu 26 Nov Thanksgiving Day and two weekends": holidays and closures by name (as
    given), weekends counted ('' when nothing was skipped)."""
    named: list[Phrase] = []
    weekend_days: list[dt.date] = []
    for item in skipped:
        if item.reason == "weekend":
            weekend_days.append(item.day)
        else:
            named.append(words("holiday", day=day(item.day, year=False), name=item.reason))
    weekends = len({d - dt.timedelta(days=d.weekday() - 5) for d in weekend_days})
    parts = list(named)
    if weekends:
        parts.append(words("weekends", n=weekends, count=explained.count(weekends)))
    if not parts:
        return ""
    if len(parts) == 1:
        return parts[0]
    return words("and", first=parts[:-1], last=parts[-1])


def _with_skipped(text: Phrase, skipped) -> Phrase:
    described = skipped_words(list(skipped))
    return words("skipping", how=text, skipped=described) if described else text


def open_due(
    rule: StageRule,
    *,
    started_at: dt.datetime,
    calendar: WorkingCalendar,
    rating: str = "",
    urgency: str = "",
    committed_date: dt.date | None = None,
    conduct: ConductPolicy | None = None,
    posture: PostureRule | None = None,
    item_description: str | None = None,
) -> Due:
    """When a clock opened at `started_at` is due, and why, in the calendar's time zone, under
    the arrangement's `posture` (None: peacetime). A delivery clock of one item names it."""
    if rule.until_committed_date:
        if committed_date is None:
            raise ValueError("A delivery clock needs the committed delivery date.")
        due_at = calendar.close_of_business_on(committed_date)
        committed = (
            words("committed")
            if item_description is None
            else words("item_committed", item=item_description)
        )
        return _due(committed, due_at, calendar.tz)
    days = stage_working_days(
        rule, rating=rating, urgency=urgency, conduct=conduct, posture=posture
    )
    if around_the_clock(rule, posture):
        return _around_the_clock_due(started_at, days, rule, posture, calendar, "around_receipt")
    received_on = calendar.local_date(started_at)
    result = calendar.add_working_days(received_on, days)
    text = words("receipt", days=_day_phrase(days), day=day(received_on))
    if rule.conduct_days and conduct is not None:
        text = words("conduct", nation=conduct.nation_name, days=_day_phrase(days), how=text)
    elif rule.by_rating and rating:
        text = words("rated", rating=rating, how=text)
    elif (
        urgency == Urgency.EMERGENCY
        and rule.emergency_working_days is not None
        and (posture is None or posture.is_peacetime)
    ):
        text = words("emergency", how=text)
    text = _posture_text(_with_skipped(text, result.skipped), rule, posture, calendar.tz)
    return _due(text, result.due_at, calendar.tz)


def remaining_working_days(
    due_at: dt.datetime, paused_at: dt.datetime, calendar: WorkingCalendar, *, around=False
) -> int:
    """Working days a paused clock still had: those after the pause day up to the due day
    (around the clock: the whole days left, rounded up)."""
    if around:
        return max(0, -(-(due_at - paused_at) // dt.timedelta(days=1)))
    return calendar.working_days_between(
        calendar.local_date(paused_at), calendar.local_date(due_at)
    )


def resumed_due(
    remaining: int,
    *,
    resumed_at: dt.datetime,
    calendar: WorkingCalendar,
    rule: StageRule | None = None,
    posture: PostureRule | None = None,
) -> Due:
    """The new due time of a clock of `rule` resumed with `remaining` working days left."""
    remaining = max(remaining, 0)
    if rule is not None and around_the_clock(rule, posture):
        return _around_the_clock_due(
            resumed_at, remaining, rule, posture, calendar, "around_resumed"
        )
    resumed_on = calendar.local_date(resumed_at)
    result = calendar.add_working_days(resumed_on, remaining)
    text = _with_skipped(
        words("resumed", day=day(resumed_on), days=_day_phrase(remaining)), result.skipped
    )
    if rule is not None:
        text = _posture_text(text, rule, posture, calendar.tz)
    return _due(text, result.due_at, calendar.tz)


@dataclass(frozen=True)
class Rung:
    level: int
    name: str
    offset_working_days: int  # relative to the due day: -1 the day before, +2 two days after
    notifies: tuple[str, ...]  # "assignee", "liaisons", "senior", "requester"
    flags_request: bool = False


# DESIGN §5: level 0 due soon → assignee; 1 overdue → assignee + both nations' liaison
# officers; 2 escalated → senior contacts, and the request is flagged.
LADDER: tuple[Rung, ...] = (
    Rung(0, "due_soon", -1, ("assignee",)),
    Rung(1, "overdue", 0, ("assignee", "liaisons")),
    Rung(2, "escalated", 2, ("senior",), flags_request=True),
)
# The requester's answer clock only sends reminders.
REMINDER_LADDER: tuple[Rung, ...] = (
    Rung(0, "reminder", -1, ("requester",)),
    Rung(1, "reminder_overdue", 0, ("requester",)),
)


def ladder_for(rule: StageRule) -> tuple[Rung, ...]:
    return REMINDER_LADDER if rule.reminders_only else LADDER


def rung_time(
    rung: Rung, due_at: dt.datetime, calendar: WorkingCalendar, *, around: bool = False
) -> dt.datetime:
    """When a rung falls due; `around`: a clock counted around the clock, in whole days."""
    if rung.offset_working_days == 0:
        return due_at
    if around:
        return due_at + dt.timedelta(days=rung.offset_working_days)
    due_on = calendar.local_date(due_at)
    if rung.offset_working_days < 0:
        day = calendar.subtract_working_days(due_on, -rung.offset_working_days)
    else:
        day = calendar.add_working_days(due_on, rung.offset_working_days).due_on
    return calendar.close_of_business_on(day)


def next_rung(
    ladder: tuple[Rung, ...],
    *,
    due_at: dt.datetime,
    level_reached: int | None,
    calendar: WorkingCalendar,
    around: bool = False,
) -> tuple[Rung, dt.datetime] | None:
    """The next rung above `level_reached`, and when it falls due; None at the top."""
    for rung in ladder:
        if level_reached is None or rung.level > level_reached:
            return rung, rung_time(rung, due_at, calendar, around=around)
    return None


# --- commitments (DESIGN §4a) -------------------------------------------------------------------


def needed_by(item_required: dt.date | None, request_required: dt.date | None) -> dt.date | None:
    """The date an item is needed by: its own, else the request's."""
    return item_required or request_required


def days_late(committed: dt.date | None, needed: dt.date | None) -> int:
    """How many days a commitment misses the date needed (0: on time, or a date unknown). A
    late commitment is accepted, but flagged and asked for its reason."""
    if committed is None or needed is None or committed <= needed:
        return 0
    return (committed - needed).days


def needs_a_reason(committed: dt.date | None, needed: dt.date | None, calendar) -> bool:
    """Whether a commitment is accepted only with the supplier's reason: later than the date
    needed, or on a day the responding nation does not work (`calendar` is its calendar)."""
    if committed is None:
        return False
    return bool(days_late(committed, needed)) or calendar.non_working_reason(committed) is not None
