"""A posture change recounts the clocks of the pair's open requests (DESIGN §5).

`partners.arrangements.set_posture` records the change; `requests_app.signals` then queues the
notices of both nations' liaison officers and senior contacts and the task `apply_posture`,
which walks the open requests of that pair only, by id, in batches (each one transaction that
locks its requests, as actions do, before their clocks). A clock is recounted when the posture
it was counted under differs from the arrangement's: running the task twice changes nothing
the second time, and each request gets one event per change.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from partners.calendars import WorkingCalendar
from partners.models import Arrangement, Nation, PostureChange, Profile, Role, calendars_for
from sosa_portal.lib.bulk import update_rows

from ..choices import Stage, State
from ..deadlines import counting_nation_id
from ..explained import english, moment, words
from ..models import Clock, Event, Notification, PriorityRequest
from ..models.requests import posture_overrides
from ..notice_wording import posture_title
from ..postures import PostureRule, posture_rule
from . import clocks as clock_rows
from .events import record_events, save_events

BATCH_SIZE = 1000
# What the recount reads of a request: its clocks' rules, the event, the webhooks check.
REQUEST_FIELDS = (
    "id",
    "state",
    "route",
    "rating",
    "urgency",
    "due_at",
    "requesting_nation_id",
    "responding_nation_id",
    "responding_nation__name",
    "responding_nation__conduct_response_working_days",
)


@dataclass
class PostureResult:
    requests: int = 0
    clocks: int = 0
    batches: int = 0


def notify_posture_change(arrangement: Arrangement, change: PostureChange) -> list[int]:
    """Outbox rows telling both nations' senior contacts and the liaison officers who serve one
    nation for the other (not the one who made the change); the ids, for the task to send once
    the clocks are recounted."""
    first, second = arrangement.nation_ids
    serving_the_other = Q(nation_id=first, served_nations=second) | Q(
        nation_id=second, served_nations=first
    )
    people = set(
        Profile.objects.filter(serving_the_other, user__is_active=True)
        .filter(user__groups__name=Role.LIAISON)
        .values_list("user_id", flat=True)
    ) | set(
        Profile.objects.filter(
            user__is_active=True, nation_id__in=arrangement.nation_ids, is_senior_contact=True
        ).values_list("user_id", flat=True)
    )
    people.discard(change.changed_by_id)
    payload = {
        "kind": "posture",
        "arrangement": str(arrangement),
        "posture": change.posture,
        "previous": change.previous,
        "explanation": change.reason,
        "path": "/arrangements/",
    }
    # Each reader's e-mail and page say it in their language; the title kept is the portal's.
    with translation.override(settings.LANGUAGE_CODE):
        payload["title"] = posture_title(payload)
    rows = Notification.objects.bulk_create(
        Notification(recipient_id=user_id, kind="posture", payload=payload)
        for user_id in sorted(people)
    )
    return [row.pk for row in rows if row.pk]


def apply_posture(
    arrangement_id: int, *, now: dt.datetime | None = None, batch_size: int = BATCH_SIZE
) -> PostureResult:
    """Recount the open clocks of the arrangement's requests under its posture in force."""
    result = PostureResult()
    arrangement = Arrangement.objects.filter(pk=arrangement_id).first()
    if arrangement is None:
        return result
    now = now or timezone.now()
    posture = posture_rule(
        arrangement.posture, since=arrangement.posture_since, overrides=posture_overrides()
    )
    change = arrangement.posture_changes.first()
    calendars = calendars_for(Nation.objects.filter(pk__in=arrangement.nation_ids))
    first, second = arrangement.nation_ids
    for requesting, responding in ((first, second), (second, first)):
        after = 0
        while True:
            with transaction.atomic():
                requests = list(
                    PriorityRequest.objects.select_for_update(of=("self",))
                    .filter(
                        requesting_nation_id=requesting,
                        responding_nation_id=responding,
                        pk__gt=after,
                    )
                    .exclude(state=State.DRAFT)  # as request_open_pair_idx has it
                    .exclude(state=State.RESOLVED)
                    .select_related("responding_nation")
                    .only(*REQUEST_FIELDS)
                    .order_by("pk")[:batch_size]
                )
                if not requests:
                    break
                after = requests[-1].pk
                result.clocks += _recount(requests, posture, change, calendars, now)
                result.batches += 1
            result.requests += len(requests)
            if len(requests) < batch_size:
                break
    return result


def _recount(
    requests: list[PriorityRequest],
    posture: PostureRule,
    change: PostureChange | None,
    calendars: dict[int, WorkingCalendar],
    now: dt.datetime,
) -> int:
    by_id = {request.pk: request for request in requests}
    clocks = list(
        Clock.objects.filter(request_id__in=list(by_id), stopped_at__isnull=True)
        .exclude(stage=Stage.DELIVERY)  # to a committed date in every posture
        .exclude(posture=posture.posture)
        .order_by("id")
    )
    moved: dict[int, list[dict]] = defaultdict(list)
    for clock in clocks:
        request = by_id[clock.request_id]
        clock.request = request
        calendar = calendars[
            counting_nation_id(
                clock.stage, request.requesting_nation_id, request.responding_nation_id
            )
        ]
        clock.posture = posture.posture
        if clock.paused_at is None:
            _move(clock, request, calendar, posture, now)
            request.due_at, request.updated_at = clock.due_at, now
        moved[request.pk].append(
            {
                "stage": clock.stage,
                "due_at": None if clock.paused_at else clock.due_at.isoformat(),
                "paused": clock.paused_at is not None,
            }
        )
    update_rows(
        Clock,
        clocks,
        ["posture", "due_at", "explanation", "explanation_words", "next_escalation_at"],
    )
    update_rows(
        PriorityRequest,
        [by_id[pk] for pk in moved if any(not entry["paused"] for entry in moved[pk])],
        ["due_at", "updated_at"],
    )
    _record(moved, by_id, posture, change, now)
    return len(clocks)


def _move(
    clock: Clock,
    request: PriorityRequest,
    calendar: WorkingCalendar,
    posture: PostureRule,
    now: dt.datetime,
) -> None:
    """A running clock's due time under `posture`, never in the past: a clock already due
    stays due then (with its escalations); one the new posture would put behind now is due
    now."""
    due = clock_rows.counted_due(clock, request, calendar=calendar, posture=posture)
    if due is None:
        return
    if clock.due_at <= now:
        clock.explanation_words = words(
            "already_due", posture=posture.words(calendar.tz), at=moment(clock.due_at, calendar.tz)
        )
    elif due.due_at < now:
        clock.due_at = now
        clock.explanation_words = words("passed", how=due.words, at=moment(now, calendar.tz))
    else:
        clock.due_at, clock.explanation_words = due.due_at, due.words
    clock.explanation = english(clock.explanation_words)[:2000]
    clock_rows.schedule_next(clock, calendar, request.route, posture)


def _record(
    moved: dict[int, list[dict]],
    by_id: dict[int, PriorityRequest],
    posture: PostureRule,
    change: PostureChange | None,
    now: dt.datetime,
) -> None:
    """One event per request whose clocks were recounted (webhooks hear of it); no notice per
    request: the liaison officers and senior contacts were told once, of the change."""
    events = [
        Event(
            request=by_id[pk],
            actor_id=change.changed_by_id if change else None,
            action="posture",
            from_state=by_id[pk].state,
            to_state=by_id[pk].state,
            data={
                "posture": posture.posture,
                "previous": change.previous if change else "",
                "change": change.pk if change else None,
                "clocks": entries,
            },
            created_at=now,
        )
        for pk, entries in moved.items()
    ]
    save_events(events)
    record_events(events)
