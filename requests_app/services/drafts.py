"""Drafts: a requester creates and edits a request before `submit`; references are handed out
here, one sequence per nation and year, never reused."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.filing import filing_refusal
from partners.models import Nation, Role, calendar_for
from sosa_portal.lib import sql

from ..exceptions import InvalidInput, InvalidTransition, NotAllowed
from ..models import Event, PriorityRequest, ReferenceSequence, RequestItem, Route, Urgency
from ..moments import day_text
from ..permissions import may_delete_draft, may_edit_draft, may_file, profile_of, user_role
from . import search
from .common import (
    REQUIRED,
    check_version,
    lock_visible,
    raise_if,
    require_text,
    today_in,
    write_event,
)

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
        errors[name] = [_("This field cannot be set here.")]
    if "title" in values:
        require_text(errors, "title", values["title"])
    if "responding_nation" in values:
        nation = values["responding_nation"]
        if nation is None:
            errors["responding_nation"] = [str(REQUIRED)]
        elif nation.pk == requesting_nation.pk:
            errors["responding_nation"] = [_("Choose the other nation of the arrangement.")]
    agency = values.get("requesting_agency")
    if agency is not None and agency.nation_id != requesting_nation.pk:
        errors["requesting_agency"] = [_("Choose an agency of your nation.")]
    if values.get("urgency") not in (None, *Urgency.values):
        errors["urgency"] = [
            _("Choose one of %(choices)s.") % {"choices": ", ".join(Urgency.values)}
        ]
    raise_if(errors)
    if values.get("responding_nation") is not None:
        values["route"] = Route(values["responding_nation"].priority_system)
    return values


def _clean_items(items: Iterable[dict]) -> list[RequestItem]:
    errors: dict[str, list[str]] = {}
    cleaned: list[RequestItem] = []
    for index, item in enumerate(items):
        unknown = set(item) - set(ITEM_FIELDS)
        for name in sorted(unknown):
            errors.setdefault(f"items[{index}].{name}", []).append(_("Unknown field."))
        if not (item.get("description") or "").strip():
            errors.setdefault(f"items[{index}].description", []).append(str(REQUIRED))
        quantity = item.get("quantity")
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
            errors.setdefault(f"items[{index}].quantity", []).append(
                _("Enter a whole number of at least 1.")
            )
        cleaned.append(RequestItem(**{k: v for k, v in item.items() if k in ITEM_FIELDS}))
    raise_if(errors)
    return cleaned


def draft_problems(
    requesting_nation: Nation, fields: dict[str, Any], items: Iterable[dict], *, new: bool
) -> dict[str, list[str]]:
    """Every reason a draft with these fields and items cannot be saved, all at once (a new
    draft also needs its title and the nation asked); {} when it can. Writes nothing."""
    errors: dict[str, list[str]] = {}
    if new:
        if not fields.get("responding_nation"):
            errors["responding_nation"] = [str(REQUIRED)]
        if not (fields.get("title") or "").strip():
            errors["title"] = [str(REQUIRED)]
    for check in (
        lambda: _clean_draft_fields(dict(fields), requesting_nation),
        lambda: _clean_items(items),
    ):
        try:
            check()
        except InvalidInput as error:
            for name, messages in error.errors.items():
                errors.setdefault(name, []).extend(m for m in messages if m not in errors[name])
    return errors


def submission_problems(
    *,
    requesting_nation: Nation,
    responding_nation: Nation | None,
    title: str,
    justification: str,
    required_delivery_date: dt.date | None,
    items: Iterable[Any],
    at: dt.datetime,
) -> dict[str, list[str]]:
    """Every reason a draft with these values cannot be submitted now; {} when it can. `items`
    are rows or dicts with a `required_date`: one needed after the request's own date is a
    contradiction the responding nation would have to ask about."""
    errors: dict[str, list[str]] = {}
    require_text(errors, "title", title)
    require_text(errors, "justification", justification)
    if required_delivery_date is None:
        errors["required_delivery_date"] = [str(REQUIRED)]
    elif required_delivery_date <= today_in(requesting_nation, at):
        errors["required_delivery_date"] = [_("The required delivery date must be in the future.")]
    rows = list(items)
    if not rows:
        errors["items"] = [_("Add at least one item.")]
    for index, item in enumerate(rows):
        needed = item.get("required_date") if isinstance(item, dict) else item.required_date
        if needed and required_delivery_date and needed > required_delivery_date:
            errors[f"items[{index}].required_date"] = [
                _(
                    "Needed by %(needed)s is after the request's required delivery date, "
                    "%(required)s: make it that date or earlier."
                )
                % {"needed": day_text(needed), "required": day_text(required_delivery_date)}
            ]
    if responding_nation is None:
        errors.setdefault("responding_nation", []).append(str(REQUIRED))
    else:
        refusal = filing_refusal(requesting_nation, responding_nation)
        if refusal:
            errors["responding_nation"] = [refusal]
    return errors


def create_request(
    *, by, items: Iterable[dict] = (), now: dt.datetime | None = None, **fields
) -> PriorityRequest:
    """File a new draft for the requester's nation, with its items."""
    if not may_file(by):
        raise NotAllowed(_("Only requesters file requests."))
    profile = profile_of(by)
    now = now or timezone.now()
    fields.setdefault("requesting_agency", profile.agency)
    items = list(items)
    raise_if(draft_problems(profile.nation, fields, items, new=True))
    values = _clean_draft_fields(fields, profile.nation)
    item_rows = _clean_items(items)
    with transaction.atomic():
        request = PriorityRequest(
            # The year of the filing nation's local date, not of UTC.
            reference=next_reference(
                profile.nation.code, calendar_for(profile.nation).local_date(now).year
            ),
            requesting_nation=profile.nation,
            created_by=by,
            created_at=now,
            **values,
        )
        request.search_text = search.document(request, item_rows)
        request.save(force_insert=True)
        for item in item_rows:
            item.request = request
        RequestItem.objects.bulk_create(item_rows)
        write_event(
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
        locked = lock_visible(request, by)
        if user_role(by) != Role.REQUESTER:
            raise NotAllowed(_("Only requesters edit drafts."))
        check_version(locked, version)
        if not may_edit_draft(by, locked):
            raise InvalidTransition(
                _("%(reference)s is no longer a draft.") % {"reference": locked.reference},
                {"state": [_("Only drafts can change.")]},
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
        # A draft has no comments yet: its words are its fields and items, written whole.
        locked.search_text = search.document(
            locked, item_rows if item_rows is not None else locked.items.all()
        )
        locked.version = F("version") + 1
        locked.save()
        locked.refresh_from_db(fields=["version"])
        changed = sorted(set(values) - {"route"}) + (["items"] if item_rows is not None else [])
        write_event(
            locked,
            by=by,
            action="edit",
            from_state=locked.state,
            data={"fields": changed},
            at=now,
        )
    return locked


def delete_draft(request, *, by, version: int | None = None) -> str:
    """Delete a draft that was never submitted, with its items, files and drafting history;
    the reference it was given is not handed out again. Returns the reference. The partner
    nation never saw it, so nothing of it is anyone's record but its own nation's; the
    deletion itself is recorded in the account audit log by the page that asks for it."""
    with transaction.atomic():
        locked = lock_visible(request, by)
        if user_role(by) != Role.REQUESTER:
            raise NotAllowed(_("Only requesters delete drafts."))
        check_version(locked, version)
        if not may_delete_draft(by, locked):
            raise InvalidTransition(
                _("%(reference)s is no longer a draft.") % {"reference": locked.reference},
                {"state": [_("Only a draft that was never sent can be deleted.")]},
            )
        files = [attachment.file.name for attachment in locked.attachments.all()]
        # Events are append-only for requests that left the desk; a never-sent draft's own
        # history (create, edit, attach) goes with it.
        QuerySet.delete(Event.objects.filter(request=locked))
        reference = locked.reference
        locked.delete()
        transaction.on_commit(lambda: [default_storage.delete(name) for name in files])
    return reference
