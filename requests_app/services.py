"""Every change of a request's state, one function per action of DESIGN §4.

Each action, in one transaction: locks the row the user may see (else `NotVisible`), checks the
role (`NotAllowed`), the `version` (`StaleVersion`) and the state (`InvalidTransition`), validates
its fields (`InvalidInput`), saves, writes an `Event`, stops/opens/pauses/resumes the `Clock`,
and queues notifications. Pages, API and tasks call these functions; nothing else sets `state`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from partners.models import Nation, Role, Supplier, calendar_for
from sosa_portal.lib import sql

from . import attachments, clocks, notifications, webhooks
from .exceptions import InvalidInput, InvalidTransition, NotAllowed, NotVisible, StaleVersion
from .models import (
    PROGRAM_SYMBOLS,
    Attachment,
    Comment,
    Event,
    PriorityRequest,
    Rating,
    ReferenceSequence,
    RequestItem,
    State,
    Urgency,
    Visibility,
)
from .permissions import (
    assignable_people,
    eligible_suppliers,
    may_comment,
    may_edit_draft,
    may_file,
    may_take,
    profile_of,
    user_role,
)
from .transitions import TRANSITIONS

User = get_user_model()
REQUIRED = "This field is required."

# Fields a requester fills in on a draft (the rest are set by actions).
DRAFT_FIELDS = (
    "title",
    "requesting_agency",
    "responding_nation",
    "contract_number",
    "program",
    "justification",
    "urgency",
    "required_delivery_date",
    "prime_contractor",
    "supplier_tier",
    "end_user",
    "steps_taken",
    "export_jurisdiction",
    "export_classification",
    "licence_status",
    "handling_marking",
)
ITEM_FIELDS = ("description", "part_number", "nsn", "quantity", "unit", "required_date")
STAGE_TIMESTAMP = {
    State.SUBMITTED: "submitted_at",
    State.IN_REVIEW: "triaged_at",
    State.RATED: "rated_at",
    State.WITH_SUPPLIER: "forwarded_at",
    State.ACCEPTED: "accepted_at",
    State.RESOLVED: "resolved_at",
}


@dataclass
class Change:
    """What an action does beyond the state: field values, event data, a shared comment."""

    fields: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    comment: str = ""


def _raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise InvalidInput("Some fields are not valid.", errors)


def _require_text(errors: dict, name: str, value: Any) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if not text:
        errors.setdefault(name, []).append(REQUIRED)
    return text


def _require_date(errors: dict, name: str, value: Any) -> dt.date | None:
    if value in (None, ""):
        errors.setdefault(name, []).append(REQUIRED)
        return None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        errors.setdefault(name, []).append("Enter a valid date (YYYY-MM-DD).")
        return None
    return value


def _today(request: PriorityRequest, now: dt.datetime) -> dt.date:
    return clocks.request_calendar(request).local_date(now)


def _lock_visible(request: PriorityRequest | int, by) -> PriorityRequest:
    pk = request.pk if isinstance(request, PriorityRequest) else request
    try:
        return (
            PriorityRequest.objects.visible_to(by)
            .select_for_update(of=("self",))
            .select_related("responding_nation", "requesting_nation")
            .get(pk=pk)
        )
    except PriorityRequest.DoesNotExist:
        raise NotVisible("Request not found.") from None


def _check_version(locked: PriorityRequest, version: int | None) -> None:
    if version is not None and int(version) != locked.version:
        raise StaleVersion(
            f"{locked.reference} was changed by someone else (version {locked.version}, "
            f"you had {version}). Reload it and try again.",
            {"version": [f"Stale version {version}; the current version is {locked.version}."]},
        )


def _write_event(
    locked: PriorityRequest, *, by, action: str, from_state: str, data: dict, at: dt.datetime
) -> Event:
    event = Event.objects.create(
        request=locked,
        actor=by if by and by.is_authenticated else None,
        action=action,
        from_state=from_state,
        to_state=locked.state,
        data=data,
        created_at=at,
    )
    webhooks.queue_for_events([event])
    return event


def _sync_due(locked: PriorityRequest) -> None:
    """Copy the running clock's due time and level onto the request for lists and filters."""
    running = clocks.running_clock(locked)
    locked.due_at = running.due_at if running else None
    locked.escalation_level = running.level if running else None
    if locked.state == State.RESOLVED:
        locked.escalated_at = None


def _move_clocks(
    locked: PriorityRequest, action: str, from_state: str, *, at: dt.datetime, actor_id
) -> None:
    calendar = clocks.request_calendar(locked)
    kwargs = {"at": at, "actor_id": actor_id, "calendar": calendar}
    open_now = clocks.open_clocks(locked)
    if action == "request_info":
        for clock in open_now:
            clocks.pause_clock(clock, reason="info requested", **kwargs)
        clocks.open_clock(locked, State.NEEDS_INFO, reason="info requested", **kwargs)
        return
    if action == "answer":
        paused = [clock for clock in open_now if clock.paused_at is not None]
        for clock in open_now:
            if clock.paused_at is None:
                clocks.stop_clock(clock, at=at, reason="answered")
        for clock in paused:
            clocks.resume_clock(clock, reason="answered", **kwargs)
        if not paused:
            clocks.open_clock(locked, locked.state, reason="answered", **kwargs)
        return
    for clock in open_now:
        clocks.stop_clock(clock, at=at, reason=action)
    if locked.state != State.RESOLVED:
        clocks.open_clock(locked, locked.state, reason=action, **kwargs)


def _act(
    action: str,
    request: PriorityRequest | int,
    *,
    by,
    version: int | None,
    now: dt.datetime | None,
    apply: Callable[[PriorityRequest, dt.datetime], Change],
) -> PriorityRequest:
    transition = TRANSITIONS[action]
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock_visible(request, by)
        if not may_take(by, locked, transition):
            raise NotAllowed(f"Your role may not {action.replace('_', ' ')} this request.")
        _check_version(locked, version)
        if locked.state not in transition.sources:
            raise InvalidTransition(
                f"Cannot {action.replace('_', ' ')} {locked.reference}: it is "
                f"{locked.get_state_display().lower()}.",
                {"state": [f"'{action}' is not allowed in state '{locked.state}'."]},
            )
        change = apply(locked, now)
        from_state = locked.state
        for name, value in change.fields.items():
            setattr(locked, name, value)
        locked.state = transition.target or locked.info_requested_in or State.SUBMITTED
        if action == "request_info":
            locked.info_requested_in = from_state
        else:  # answered or withdrawn: no longer waiting for information
            locked.info_requested_in = ""
        locked.resolution = transition.resolution
        # An answer returns to a stage already entered: keep the time it was first entered.
        if action != "answer" and from_state != locked.state and locked.state in STAGE_TIMESTAMP:
            setattr(locked, STAGE_TIMESTAMP[locked.state], now)
        if change.comment:
            comment = Comment.objects.create(
                request=locked,
                author=by,
                body=change.comment,
                visibility=Visibility.SHARED,
                created_at=now,
            )
            change.data["comment_id"] = comment.pk
        _move_clocks(locked, action, from_state, at=now, actor_id=by.pk)
        _sync_due(locked)
        locked.version += 1  # the row is locked: no one else can have moved it on
        locked.save()
        if "rating" in change.fields:
            locked.refresh_from_db(fields=["priority_rank"])  # computed by the database
        event = _write_event(
            locked, by=by, action=action, from_state=from_state, data=change.data, at=now
        )
        notifications.queue_for_action(locked, event)
    return locked


# --- the actions of DESIGN §4 ---------------------------------------------------------------


def submit(request, *, by, version: int | None = None, now=None) -> PriorityRequest:
    """Send a complete draft to the responding nation; opens the triage clock."""

    def apply(locked: PriorityRequest, at: dt.datetime) -> Change:
        errors: dict[str, list[str]] = {}
        _require_text(errors, "title", locked.title)
        _require_text(errors, "justification", locked.justification)
        if locked.required_delivery_date is None:
            errors["required_delivery_date"] = [REQUIRED]
        elif locked.required_delivery_date <= _today(locked, at):
            errors["required_delivery_date"] = ["The required delivery date must be in the future."]
        if not locked.items.exists():
            errors["items"] = ["Add at least one item."]
        _raise_if(errors)
        return Change()

    return _act("submit", request, by=by, version=version, now=now, apply=apply)


def request_info(request, *, by, question: str, version=None, now=None) -> PriorityRequest:
    """Ask the requester a shared question; pauses the running clock."""

    def apply(locked, at) -> Change:
        errors: dict[str, list[str]] = {}
        text = _require_text(errors, "question", question)
        _raise_if(errors)
        return Change(comment=text, data={"question": text})

    return _act("request_info", request, by=by, version=version, now=now, apply=apply)


def answer(request, *, by, answer: str, version=None, now=None) -> PriorityRequest:
    """Answer the question; the paused clock resumes with the working days it had left."""

    def apply(locked, at) -> Change:
        errors: dict[str, list[str]] = {}
        text = _require_text(errors, "answer", answer)
        _raise_if(errors)
        return Change(comment=text, data={"answer": text})

    return _act("answer", request, by=by, version=version, now=now, apply=apply)


def triage(request, *, by, assignee, version=None, now=None) -> PriorityRequest:
    """Accept a submitted request for review and assign a reviewer or liaison officer."""

    def apply(locked, at) -> Change:
        errors: dict[str, list[str]] = {}
        if not assignee:
            errors["assignee"] = [REQUIRED]
        elif not assignable_people(locked.responding_nation_id).filter(pk=assignee.pk).exists():
            errors["assignee"] = ["Assign a reviewer or liaison officer of the responding nation."]
        _raise_if(errors)
        return Change(fields={"assignee": assignee}, data={"assignee": assignee.get_username()})

    return _act("triage", request, by=by, version=version, now=now, apply=apply)


def rate(
    request,
    *,
    by,
    rating: str,
    program_symbol: str,
    note: str,
    authorisation_ref: str = "",
    version=None,
    now=None,
) -> PriorityRequest:
    """Record the program determination and rating (DO/DX + program symbol)."""

    def apply(locked, at) -> Change:
        errors: dict[str, list[str]] = {}
        if not rating:
            errors["rating"] = [REQUIRED]
        elif rating not in Rating.values:
            errors["rating"] = ["Choose DO or DX."]
        if not program_symbol:
            errors["program_symbol"] = [REQUIRED]
        elif program_symbol not in PROGRAM_SYMBOLS:
            errors["program_symbol"] = [f"Unknown program symbol '{program_symbol}'."]
        text = _require_text(errors, "note", note)
        _raise_if(errors)
        return Change(
            fields={
                "rating": rating,
                "program_symbol": program_symbol,
                "determination_note": text,
                "rating_authorisation_ref": (authorisation_ref or "").strip(),
            },
            data={"rating": f"{rating}-{program_symbol}"},
        )

    return _act("rate", request, by=by, version=version, now=now, apply=apply)


def _reason_change(reason: str, **extra_fields) -> Change:
    errors: dict[str, list[str]] = {}
    text = _require_text(errors, "reason", reason)
    _raise_if(errors)
    return Change(fields={"resolution_reason": text, **extra_fields}, data={"reason": text})


def decline(request, *, by, reason: str, version=None, now=None) -> PriorityRequest:
    """Refuse the request (no program determination or rating)."""
    return _act(
        "decline",
        request,
        by=by,
        version=version,
        now=now,
        apply=lambda locked, at: _reason_change(reason),
    )


def forward(request, *, by, supplier: Supplier | None, version=None, now=None) -> PriorityRequest:
    """Send the rated order to a supplier; opens the DPAS accept/reject clock."""

    def apply(locked, at) -> Change:
        errors: dict[str, list[str]] = {}
        if supplier is None:
            errors["supplier"] = [REQUIRED]
        elif not eligible_suppliers(locked).filter(pk=supplier.pk).exists():
            errors["supplier"] = [
                "Choose a supplier of the responding nation."
                if supplier.nation_id != locked.responding_nation_id
                else "This supplier has not signed the Code of Conduct."
            ]
        _raise_if(errors)
        return Change(
            fields={"supplier": supplier},
            data={"supplier": supplier.pk, "supplier_name": supplier.name},
        )

    return _act("forward", request, by=by, version=version, now=now, apply=apply)


def _future_date(errors, name, value, locked, at) -> dt.date | None:
    day = _require_date(errors, name, value)
    if day is not None and day < _today(locked, at):
        errors.setdefault(name, []).append("The date cannot be in the past.")
    return day


def supplier_accept(
    request, *, by, committed_delivery_date: dt.date, version=None, now=None
) -> PriorityRequest:
    """The supplier accepts the rated order with a committed delivery date."""

    def apply(locked, at) -> Change:
        errors: dict[str, list[str]] = {}
        day = _future_date(errors, "committed_delivery_date", committed_delivery_date, locked, at)
        _raise_if(errors)
        return Change(
            fields={"committed_delivery_date": day},
            data={"committed_delivery_date": day.isoformat(), "supplier": locked.supplier_id},
        )

    return _act("supplier_accept", request, by=by, version=version, now=now, apply=apply)


def supplier_reject(
    request, *, by, reason: str, earliest_date: dt.date, version=None, now=None
) -> PriorityRequest:
    """The supplier rejects, with reasons and the earliest date it could meet; it is cleared."""

    def apply(locked, at) -> Change:
        errors: dict[str, list[str]] = {}
        text = _require_text(errors, "reason", reason)
        day = _future_date(errors, "earliest_date", earliest_date, locked, at)
        _raise_if(errors)
        return Change(
            fields={"supplier": None},
            data={
                "reason": text,
                "earliest_date": day.isoformat(),
                "supplier": locked.supplier_id,
            },
        )

    return _act("supplier_reject", request, by=by, version=version, now=now, apply=apply)


def report_delay(
    request, *, by, reason: str, committed_delivery_date: dt.date, version=None, now=None
) -> PriorityRequest:
    """Record a delay after acceptance: the delivery clock moves to the new date."""

    def apply(locked, at) -> Change:
        errors: dict[str, list[str]] = {}
        text = _require_text(errors, "reason", reason)
        day = _future_date(errors, "committed_delivery_date", committed_delivery_date, locked, at)
        _raise_if(errors)
        previous = locked.committed_delivery_date
        return Change(
            fields={"committed_delivery_date": day},
            data={
                "reason": text,
                "previous_date": previous.isoformat() if previous else None,
                "committed_delivery_date": day.isoformat(),
            },
        )

    return _act("report_delay", request, by=by, version=version, now=now, apply=apply)


def fulfil(request, *, by, delivered_on: dt.date, version=None, now=None) -> PriorityRequest:
    """Record delivery: the request is resolved as fulfilled."""

    def apply(locked, at) -> Change:
        errors: dict[str, list[str]] = {}
        day = _require_date(errors, "delivered_on", delivered_on)
        if day is not None and day > _today(locked, at):
            errors["delivered_on"] = ["The delivery date cannot be in the future."]
        _raise_if(errors)
        return Change(fields={"delivered_on": day}, data={"delivered_on": day.isoformat()})

    return _act("fulfil", request, by=by, version=version, now=now, apply=apply)


def close_unfulfilled(request, *, by, reason: str, version=None, now=None) -> PriorityRequest:
    """Close a rated request that will not be delivered."""
    return _act(
        "close_unfulfilled",
        request,
        by=by,
        version=version,
        now=now,
        apply=lambda locked, at: _reason_change(reason),
    )


def withdraw(request, *, by, reason: str, version=None, now=None) -> PriorityRequest:
    """The requesting nation withdraws its request."""
    return _act(
        "withdraw",
        request,
        by=by,
        version=version,
        now=now,
        apply=lambda locked, at: _reason_change(reason),
    )


ACTIONS: dict[str, Callable[..., PriorityRequest]] = {
    "submit": submit,
    "request_info": request_info,
    "answer": answer,
    "triage": triage,
    "rate": rate,
    "decline": decline,
    "forward": forward,
    "supplier_accept": supplier_accept,
    "supplier_reject": supplier_reject,
    "report_delay": report_delay,
    "fulfil": fulfil,
    "close_unfulfilled": close_unfulfilled,
    "withdraw": withdraw,
}
assert set(ACTIONS) == set(TRANSITIONS), "every transition has its service function"


# --- drafts, comments ------------------------------------------------------------------------


def next_reference(nation_code: str, year: int) -> str:
    """`IN-2026-00042`: the next number for a nation and year, never handed out twice."""
    prefix = f"{nation_code}-{year}"
    with transaction.atomic():
        last = _advance_sequence(prefix)
        if last is None:  # the nation's first request of the year
            try:
                with transaction.atomic():
                    last = ReferenceSequence.objects.create(prefix=prefix, last=1).last
            except IntegrityError:  # someone else's was first
                last = _advance_sequence(prefix)
    return f"{prefix}-{last:05d}"


def _advance_sequence(prefix: str) -> int | None:
    """The next number of an existing sequence, taken in one statement (row-locked until the
    transaction ends); None if the sequence does not exist yet."""
    last, prefix_column = sql.quote("last"), sql.quote("prefix")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {sql.table(ReferenceSequence)} SET {last} = {last} + 1 "
            f"WHERE {prefix_column} = %s RETURNING {last}",
            [prefix],
        )
        row = cursor.fetchone()
    return None if row is None else row[0]


def _clean_draft_fields(values: dict[str, Any], requesting_nation: Nation) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    unknown = set(values) - set(DRAFT_FIELDS)
    for name in sorted(unknown):
        errors[name] = ["This field cannot be set here."]
    if "title" in values:
        _require_text(errors, "title", values["title"])
    if "responding_nation" in values:
        nation = values["responding_nation"]
        if nation is None:
            errors["responding_nation"] = [REQUIRED]
        elif nation.pk == requesting_nation.pk:
            errors["responding_nation"] = ["Choose the other nation of the arrangement."]
    agency = values.get("requesting_agency")
    if agency is not None and agency.nation_id != requesting_nation.pk:
        errors["requesting_agency"] = ["Choose an agency of your nation."]
    if values.get("urgency") not in (None, *Urgency.values):
        errors["urgency"] = [f"Choose one of {', '.join(Urgency.values)}."]
    _raise_if(errors)
    return values


def _clean_items(items: Iterable[dict]) -> list[RequestItem]:
    errors: dict[str, list[str]] = {}
    cleaned: list[RequestItem] = []
    for index, item in enumerate(items):
        unknown = set(item) - set(ITEM_FIELDS)
        for name in sorted(unknown):
            errors.setdefault(f"items[{index}].{name}", []).append("Unknown field.")
        if not (item.get("description") or "").strip():
            errors.setdefault(f"items[{index}].description", []).append(REQUIRED)
        quantity = item.get("quantity")
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
            errors.setdefault(f"items[{index}].quantity", []).append(
                "Enter a whole number of at least 1."
            )
        cleaned.append(RequestItem(**{k: v for k, v in item.items() if k in ITEM_FIELDS}))
    _raise_if(errors)
    return cleaned


def create_request(
    *, by, items: Iterable[dict] = (), now: dt.datetime | None = None, **fields
) -> PriorityRequest:
    """File a new draft for the requester's nation, with its items."""
    if not may_file(by):
        raise NotAllowed("Only requesters file requests.")
    profile = profile_of(by)
    now = now or timezone.now()
    fields.setdefault("requesting_agency", profile.agency)
    errors: dict[str, list[str]] = {}
    if not fields.get("responding_nation"):
        errors["responding_nation"] = [REQUIRED]
    if not (fields.get("title") or "").strip():
        errors["title"] = [REQUIRED]
    _raise_if(errors)
    values = _clean_draft_fields(fields, profile.nation)
    item_rows = _clean_items(items)
    with transaction.atomic():
        request = PriorityRequest.objects.create(
            # The year of the filing nation's local date, not of UTC.
            reference=next_reference(
                profile.nation.code, calendar_for(profile.nation).local_date(now).year
            ),
            requesting_nation=profile.nation,
            created_by=by,
            created_at=now,
            **values,
        )
        for item in item_rows:
            item.request = request
        RequestItem.objects.bulk_create(item_rows)
        _write_event(
            request, by=by, action="create", from_state="", data={"items": len(item_rows)}, at=now
        )
    return request


def update_draft(
    request,
    *,
    by,
    version: int | None = None,
    items: Iterable[dict] | None = None,
    now=None,
    **fields,
) -> PriorityRequest:
    """Change a draft's fields and, when `items` is given, replace its items."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock_visible(request, by)
        if user_role(by) != Role.REQUESTER:
            raise NotAllowed("Only requesters edit drafts.")
        _check_version(locked, version)
        if not may_edit_draft(by, locked):
            raise InvalidTransition(
                f"{locked.reference} is no longer a draft.", {"state": ["Only drafts can change."]}
            )
        values = _clean_draft_fields(fields, locked.requesting_nation)
        item_rows = _clean_items(items) if items is not None else None
        for name, value in values.items():
            setattr(locked, name, value)
        if item_rows is not None:
            locked.items.all().delete()
            for item in item_rows:
                item.request = locked
            RequestItem.objects.bulk_create(item_rows)
        locked.version = F("version") + 1
        locked.save()
        locked.refresh_from_db(fields=["version"])
        changed = sorted(values) + (["items"] if item_rows is not None else [])
        _write_event(
            locked,
            by=by,
            action="edit",
            from_state=locked.state,
            data={"fields": changed},
            at=now,
        )
    return locked


def add_comment(
    request, *, by, body: str, visibility: str = Visibility.SHARED, now=None
) -> Comment:
    """Add a comment; internal ones are for officials only."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock_visible(request, by)
        if visibility not in Visibility.values:
            raise InvalidInput(errors={"visibility": ["Choose internal or shared."]})
        if not may_comment(by, visibility):
            raise NotAllowed("Your role may not add this kind of comment.")
        errors: dict[str, list[str]] = {}
        text = _require_text(errors, "body", body)
        _raise_if(errors)
        comment = Comment.objects.create(
            request=locked, author=by, body=text, visibility=visibility, created_at=now
        )
        _write_event(
            locked,
            by=by,
            action="comment",
            from_state=locked.state,
            data={"comment_id": comment.pk, "visibility": visibility},
            at=now,
        )
    return comment


def add_attachment(request, *, by, uploaded, now=None) -> Attachment:
    """Store an uploaded file under a random name after checking its size, name and content."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock_visible(request, by)
        if not may_comment(by, Visibility.SHARED):
            raise NotAllowed("Your role may not add attachments.")
        if uploaded is None:
            raise InvalidInput(errors={"file": [REQUIRED]})
        name = attachments.check_name(uploaded.name)
        attachments.check_size(uploaded.size)
        uploaded.seek(0)
        kind = attachments.check_content(name, uploaded.read(2048))
        digest = attachments.sha256_of(uploaded)
        attachment = Attachment(
            request=locked,
            name=name,
            size=uploaded.size,
            content_type=kind.content_type,
            sha256=digest,
            uploaded_by=by,
            created_at=now,
        )
        attachment.file.save(name, uploaded, save=False)
        attachment.save()
        _write_event(
            locked,
            by=by,
            action="attach",
            from_state=locked.state,
            data={
                "attachment_id": attachment.pk,
                "name": name,
                "size": uploaded.size,
                "sha256": digest,
            },
            at=now,
        )
    return attachment
