"""Follow-on requests and typed links (DESIGN §4a). `split` carries the items a supplier
rejected into a new request of the same requesting side, rating and approval, with its own
reference, straight to `approved` so the liaison officer can forward it to another supplier at
once; `link_requests` records that one request is related to, or a duplicate of, another."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import calendar_for

from ..exceptions import InvalidInput, InvalidTransition, NotAllowed, NotVisible
from ..models import (
    ItemResponse,
    LinkKind,
    PriorityRequest,
    RequestItem,
    RequestLink,
    Resolution,
    State,
)
from ..permissions import may_link
from . import clocks, search
from .common import REQUIRED, Change, raise_if, write_event
from .drafts import DRAFT_FIELDS, next_reference
from .engine import act

# What the follow-on keeps of the request it is split from: who asks, for what, why, and the
# approval (and, on the DPAS route, both keys) that let it go to a supplier.
CARRIED_FIELDS = (
    *(f"{name}_id" if name in ("requesting_agency", "responding_nation") else name
      for name in DRAFT_FIELDS),
    "requesting_nation_id",
    "created_by_id",
    "assignee_id",
    "rating",
    "program_symbol",
    "recommended_rating",
    "recommended_symbol",
    "determination_note",
    "dod_reference",
    "determined_by_id",
    "bis_case_number",
    "rating_change_reason",
    "approval_note",
    "approved_by_id",
    "endorsement_note",
    "endorsed_by_id",
    "route",
    "sent_for_endorsement_at",
    "submitted_at",
    "triaged_at",
    "determined_at",
)  # fmt: skip


def _rejected_ids(locked: PriorityRequest, items) -> list[int]:
    rejected = set(locked.items.filter(response=ItemResponse.REJECTED).values_list("id", flat=True))
    if not isinstance(items, list) or not items:
        raise_if({"items": [_("Choose the rejected items to carry into the follow-on request.")]})
    wrong = [str(pk) for pk in items if pk not in rejected]
    if wrong:
        raise_if(
            {
                "items": [
                    _("Only items the supplier rejected can be split off (not %(items)s).")
                    % {"items": ", ".join(wrong)}
                ]
            }
        )
    return sorted(set(items))


def _follow_on(locked: PriorityRequest, item_ids: list[int], *, by, at: dt.datetime):
    """The new request, approved, its items moved over and its forward clock running."""
    year = calendar_for(locked.requesting_nation).local_date(at).year
    new = PriorityRequest(
        reference=next_reference(locked.requesting_nation.code, year),
        state=State.APPROVED,
        approved_at=at,
        created_at=at,
        **{name: getattr(locked, name) for name in CARRIED_FIELDS},
    )
    new.title = f"{locked.title} (follow-on)"[:200]
    new.search_text = search.document(
        new, RequestItem.objects.filter(pk__in=item_ids).only("part_number", "nsn")
    )
    new.save()
    RequestItem.objects.filter(pk__in=item_ids).update(
        request=new, response="", committed_delivery_date=None, response_reason="",
        commitment_note="",
    )  # fmt: skip
    RequestLink.objects.create(source=new, target=locked, kind=LinkKind.SPLIT_FROM, created_by=by)
    calendar = clocks.state_calendar(new, State.APPROVED)
    if calendar is not None:
        clock = clocks.open_clock(
            new, State.APPROVED, at=at, actor_id=by.pk, reason="split", calendar=calendar
        )
        if clock is not None:
            new.due_at = clock.due_at
            new.save(update_fields=["due_at"])
    return new


def split(request, *, by, items: list[int], version=None, now=None) -> PriorityRequest:
    """Carry rejected items into a follow-on request; returns the follow-on (DESIGN §7: 201)."""
    created: list[PriorityRequest] = []

    def apply(locked, at) -> Change:
        if locked.state == State.RESOLVED and locked.resolution != Resolution.FULFILLED:
            raise InvalidTransition(
                _("%(reference)s is %(resolution)s: nothing of it goes on.")
                % {
                    "reference": locked.reference,
                    "resolution": locked.get_resolution_display().lower(),
                },
                {"state": [_("Only an accepted or fulfilled request can be split.")]},
            )
        item_ids = _rejected_ids(locked, items)
        moved = list(
            RequestItem.objects.filter(pk__in=item_ids).values("id", "description", "quantity")
        )
        data: dict = {"items": moved}

        def write() -> None:
            new = _follow_on(locked, item_ids, by=by, at=at)
            created.append(new)
            data["follow_on"] = new.reference
            write_event(
                new,
                by=by,
                action="split",
                from_state="",
                data={"split_from": locked.reference, "items": moved},
                at=at,
            )

        return Change(
            target=locked.state,
            resolution=locked.resolution or None,
            data=data,
            after=write,
        )

    act("split", request, by=by, version=version, now=now, apply=apply)
    return created[0]


def link_requests(
    request: PriorityRequest, *, by, other_reference: str, kind: str, now=None
) -> RequestLink:
    """Record that `request` is related to, or a duplicate of, another request the official
    sees (a 400 names `reference` when it sees no such request)."""
    if not may_link(by, request):
        raise NotAllowed(_("Only liaison officers link requests."))
    errors: dict[str, list[str]] = {}
    if kind not in (LinkKind.RELATED, LinkKind.DUPLICATE_OF):
        errors["kind"] = [_("Choose 'related' or 'duplicate_of'.")]
    reference = (other_reference or "").strip().upper()
    other = (
        PriorityRequest.objects.visible_to(by).filter(reference=reference).first()
        if reference
        else None
    )
    if other is None:
        errors["reference"] = [
            str(REQUIRED)
            if not reference
            else _("No request %(reference)s you can see.") % {"reference": reference}
        ]
    elif other.pk == request.pk:
        errors["reference"] = [_("A request cannot be linked to itself.")]
    raise_if(errors)
    assert other is not None
    at = now or timezone.now()
    try:
        with transaction.atomic():
            link = RequestLink.objects.create(
                source=request, target=other, kind=kind, created_by=by, created_at=at
            )
    except IntegrityError:
        raise InvalidInput(
            _("Already linked."),
            {"reference": [_("Already linked to %(reference)s.") % {"reference": other.reference}]},
        ) from None
    write_event(
        request,
        by=by,
        action="link",
        from_state=request.state,
        data={"kind": kind, "reference": other.reference},
        at=at,
    )
    return link


__all__ = ["NotVisible", "link_requests", "split"]
