"""How a request reads on its page: the open deadline, the timeline, a form's error summary.

Presentation only: the deadline comes from the request's clock (`running_or_paused_clock`, as in
the API) counted in the responding nation's working days; the timeline merges the audit events
with the comments this user may read.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partners.models import calendar_for

from ..api.serializers import running_or_paused_clock
from ..forms import person_label
from ..models import Comment, PriorityRequest, Stage, Visibility
from ..permissions import sees_internal
from ..queries import dues

EVENT_TEXT = {
    "create": gettext_lazy("filed the draft"),
    "edit": gettext_lazy("edited the draft"),
    "submit": gettext_lazy("submitted the request"),
    "request_info": gettext_lazy("asked for more information; the deadline is paused"),
    "answer": gettext_lazy("answered; the deadline resumes"),
    "triage": gettext_lazy("accepted it for review and assigned it to %(assignee)s"),
    "rate": gettext_lazy("rated it %(rating)s"),
    "decline": gettext_lazy("declined it"),
    "forward": gettext_lazy("forwarded it to %(supplier_name)s"),
    "supplier_accept": gettext_lazy(
        "accepted the order and committed to deliver by %(committed_delivery_date)s"
    ),
    "supplier_reject": gettext_lazy(
        "rejected the order; the earliest possible delivery is %(earliest_date)s"
    ),
    "report_delay": gettext_lazy(
        "reported a delay; the new committed delivery date is %(committed_delivery_date)s"
    ),
    "fulfil": gettext_lazy("recorded delivery on %(delivered_on)s"),
    "close_unfulfilled": gettext_lazy("closed it as unfulfilled"),
    "withdraw": gettext_lazy("withdrew it"),
    "attach": gettext_lazy("attached %(name)s"),
}
ESCALATION_TEXT = {
    "due_soon": gettext_lazy("The %(stage)s deadline is due soon."),
    "overdue": gettext_lazy("The %(stage)s deadline has passed: the request is overdue."),
    "escalated": gettext_lazy(
        "Escalated to senior contacts: the %(stage)s deadline passed two working days ago."
    ),
    "reminder": gettext_lazy("Reminder: the requester's answer is due soon."),
    "reminder_overdue": gettext_lazy("Reminder: the requester's answer is overdue."),
}
STAGE_LABELS = dict(Stage.choices)


def due_summary(row: PriorityRequest, now: dt.datetime | None = None) -> dict | None:
    """The open clock: when it is due, in how many working days, and whether it is late."""
    clock = running_or_paused_clock(row)
    if clock is None or not row.is_open:
        return None
    now = now or timezone.now()
    paused = clock.paused_at is not None
    if paused:
        days = clock.remaining_working_days or 0
    else:
        calendar = calendar_for(row.responding_nation)
        days = calendar.working_days_between(
            calendar.local_date(now), calendar.local_date(clock.due_at)
        )
    overdue = not paused and dues.is_overdue(clock.due_at, now)
    return {
        "stage": clock.get_stage_display(),
        "due_at": clock.due_at,
        "days": days,
        "late_days": max(-days, 0),
        "overdue": overdue,
        "paused": paused,
        "due_soon": not paused
        and dues.is_due_soon(level=clock.level, due_at=clock.due_at, now=now),
        "escalated": row.escalated_at is not None,
        "explanation": clock.explanation,
    }


@dataclass
class Entry:
    at: dt.datetime
    who: str
    text: str
    body: str = ""
    kind: str = "event"  # event, comment, internal, escalate


def _readable(data: dict) -> dict:
    values = {key: value for key, value in data.items() if value is not None}
    for key, value in values.items():
        if key.endswith(("_date", "_on")) and isinstance(value, str):
            with contextlib.suppress(ValueError):
                values[key] = date_format(dt.date.fromisoformat(value), "j M Y")
    return values


class _Blank(dict):
    def __missing__(self, key):
        return "—"


def describe(event) -> str:
    data = _Blank(_readable(event.data or {}))
    if event.action == "escalate":
        data["stage"] = STAGE_LABELS.get(data.get("stage"), data["stage"]).lower()
        template = ESCALATION_TEXT.get(data.get("name"), gettext_lazy("Deadline reminder."))
        return str(template) % data
    template = EVENT_TEXT.get(event.action)
    if template is None:
        return event.action.replace("_", " ")
    return str(template) % data


def timeline(row: PriorityRequest, user) -> list[Entry]:
    """Events and the comments this user may read, in time order, each comment shown once."""
    comments = Comment.objects.filter(request=row).select_related("author")
    if not sees_internal(user):
        comments = comments.filter(visibility=Visibility.SHARED)
    by_id = {comment.pk: comment for comment in comments}
    shown: set[int] = set()
    entries: list[Entry] = []
    for event in row.events.select_related("actor"):
        if event.action == "comment":
            continue  # the comment itself is the entry (when this user may read it)
        comment = by_id.get((event.data or {}).get("comment_id"))
        if comment is not None:
            shown.add(comment.pk)
        entries.append(
            Entry(
                at=event.created_at,
                who=person_label(event.actor) if event.actor else _("System"),
                text=describe(event),
                body=comment.body if comment else (event.data or {}).get("reason", ""),
                kind="escalate" if event.action == "escalate" else "event",
            )
        )
    for comment in by_id.values():
        if comment.pk in shown:
            continue
        internal = comment.visibility == Visibility.INTERNAL
        entries.append(
            Entry(
                at=comment.created_at,
                who=person_label(comment.author),
                text=_("added an internal comment") if internal else _("commented"),
                body=comment.body,
                kind="internal" if internal else "comment",
            )
        )
    entries.sort(key=lambda entry: entry.at)  # stable: events before comments of the same time
    return entries


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
