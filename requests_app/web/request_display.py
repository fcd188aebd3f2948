"""How a request reads on its page: the open deadline, the timeline, a form's error summary.

Presentation only: the deadline comes from the request's clock (`running_or_paused_clock`, as in
the API) counted in the responding nation's working days; the timeline merges the audit events
with the comments this user may read.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import calendar_for
from partners.reference import calendars_by_id

from .. import explained
from ..deadlines import waiting_stage
from ..models import PriorityRequest
from ..moments import acting_side, acting_side_of, due_time
from ..queries import dues
from ..queries.representation import running_or_paused_clock
from ..queries.standing import ball_of
from ..wording import time_left_text, waiting_for


def due_summary(row: PriorityRequest, now: dt.datetime | None = None) -> dict | None:
    """The open clock: when it is due, in how many working days, and whether it is late."""
    clock = running_or_paused_clock(row)
    if clock is None or not row.is_open:
        return None
    now = now or timezone.now()
    paused = clock.paused_at is not None
    # Counted, and written, in the working days of the nation that must act.
    nation = getattr(row, f"{acting_side(clock.stage)}_nation")
    if paused:
        days = clock.remaining_working_days or 0
    else:
        calendar = calendar_for(nation)
        days = calendar.working_days_between(
            calendar.local_date(now), calendar.local_date(clock.due_at)
        )
    overdue = not paused and dues.is_overdue(clock.due_at, now)
    when = due_time(
        clock.due_at,
        nation_code=nation.code,
        zone=nation.time_zone,
        reader_zone=timezone.get_current_timezone_name(),
    )
    summary = {
        "stage": clock.get_stage_display(),
        "due_at": clock.due_at,
        "days": days,
        "late_days": max(-days, 0),
        "overdue": overdue,
        "paused": paused,
        "due_soon": not paused
        and dues.is_due_soon(level=clock.level, due_at=clock.due_at, now=now),
        "escalated": dues.is_escalated(level=row.escalation_level, escalated_at=row.escalated_at),
        "explanation": explained.text(clock.explanation_words, clock.explanation),
        "when": when,
    }
    summary["time_left"] = time_left_text(summary)
    return summary


def waiting_line(row: PriorityRequest, due: dict | None) -> str:
    """ "India's liaison officer — triage, 2 working days left": whose move, named by nation
    and person where there is one (the requester, the assigned reviewer), and the time left."""
    holder = ball_of(row)
    if holder is None:
        return ""
    requesting = holder["nation"] == row.requesting_nation.code
    nation = row.requesting_nation if requesting else row.responding_nation
    person = row.created_by if holder["party"] == "requester" else None
    if holder["party"] in ("reviewer", "rating_authority", "liaison") and not requesting:
        person = row.assignee
    return waiting_for(
        holder,
        waiting_stage(row.state, row.route),
        nation_name=nation.name,
        person_name=(person.get_full_name() or person.get_username()) if person else "",
        time_left=time_left_text(due),
    )


def with_due(rows, now: dt.datetime | None = None) -> list:
    """Each request of a home-page table with `due_when` (`moments.DueTime`, the acting
    nation's terms) and `due_left` ("2 working days left"), as the lists write them."""
    rows = list(rows)
    now = now or timezone.now()
    calendars = calendars_by_id(
        {r.requesting_nation_id for r in rows} | {r.responding_nation_id for r in rows}
    )
    reader = timezone.get_current_timezone_name()
    for row in rows:
        row.due_when, row.due_left = None, ""
        if not row.due_at or not row.is_open:
            continue
        nation = getattr(row, f"{acting_side_of(row.state, row.route)}_nation")
        row.due_when, row.due_left, _overdue = due_cell(
            row.due_at, nation, calendars[nation.pk], reader=reader, now=now
        )
    return rows


def due_cell(due_at, acting, calendar, *, reader: str, now: dt.datetime):
    """A row's due time as every list and home table writes it: (`moments.DueTime` in the
    acting nation's terms, "2 working days left", overdue?)."""
    days = calendar.working_days_between(calendar.local_date(now), calendar.local_date(due_at))
    overdue = dues.is_overdue(due_at, now)
    left = time_left_text({"paused": False, "overdue": overdue, "days": days, "late_days": -days})
    when = due_time(due_at, nation_code=acting.code, zone=acting.time_zone, reader_zone=reader)
    return when, left, overdue


def error_summary(form, formset, items_errors=()) -> list[tuple[str, str]]:
    """(anchor, message) for every error of the filing form, to list them at the top."""
    summary = [
        (f"#{field.auto_id}", f"{field.label}: {error}")
        for field in form
        if not field.is_hidden
        for error in field.errors
    ]
    summary += [("", str(error)) for error in form.non_field_errors()]
    for number, item_form in enumerate(formset.forms, start=1):
        for field in item_form:
            for error in field.errors:
                text = _("Item %(number)d, %(field)s: %(message)s") % {
                    "number": number,
                    "field": str(field.label).lower(),
                    "message": error,
                }
                summary.append((f"#{field.auto_id}", text))
    summary += [("#items", str(error)) for error in formset.non_form_errors()]
    summary += [("#items", str(error)) for error in items_errors]
    return summary
