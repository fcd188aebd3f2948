"""Every change of a request's state, one function per action of DESIGN §4, each run by
`engine.act` in one transaction. Pages, API and tasks call these functions; nothing else sets
`state`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from partners.models import Agency, Role, Supplier

from ..exceptions import NotAllowed
from ..models import (
    PROGRAM_SYMBOLS,
    Event,
    PriorityRequest,
    Rating,
    Route,
    State,
    rating_label,
)
from ..moments import day_text
from ..permissions import assignable_people, eligible_suppliers
from ..transitions import TRANSITIONS
from .common import (
    REQUIRED,
    Change,
    future_date,
    raise_if,
    require_text,
)
from .deliveries import fulfil, record_delivery, report_delay
from .drafts import submission_problems
from .engine import act
from .items import clear_answers, item_answers
from .splits import split

User = get_user_model()


# --- the actions of DESIGN §4 ---------------------------------------------------------------


def submit(request, *, by, version: int | None = None, now=None) -> PriorityRequest:
    """Send a complete draft to the responding nation; opens the triage clock."""

    def apply(locked: PriorityRequest, at: dt.datetime) -> Change:
        raise_if(
            submission_problems(
                requesting_nation=locked.requesting_nation,
                responding_nation=locked.responding_nation,
                title=locked.title,
                justification=locked.justification,
                required_delivery_date=locked.required_delivery_date,
                items=locked.items.order_by("id").only("required_date"),
                at=at,
            )
        )
        # The route is the responding nation's, as it is when the request leaves.
        route = Route(locked.responding_nation.priority_system)
        if locked.requesting_nation.requires_endorsement:
            return Change(fields={"route": route}, target=State.AWAITING_ENDORSEMENT)
        return Change(fields={"route": route})

    return act("submit", request, by=by, version=version, now=now, apply=apply)


def request_info(request, *, by, question: str, version=None, now=None) -> PriorityRequest:
    """Ask the requester a shared question; pauses the running clock."""

    def apply(locked, at) -> Change:
        errors: dict[str, list[str]] = {}
        text = require_text(errors, "question", question)
        raise_if(errors)
        return Change(comment=text, data={"question": text})

    return act("request_info", request, by=by, version=version, now=now, apply=apply)


def answer(request, *, by, answer: str, version=None, now=None) -> PriorityRequest:
    """Answer the question; the paused clock resumes with the working days it had left."""

    def apply(locked, at) -> Change:
        errors: dict[str, list[str]] = {}
        text = require_text(errors, "answer", answer)
        raise_if(errors)
        return Change(comment=text, data={"answer": text})

    return act("answer", request, by=by, version=version, now=now, apply=apply)


def triage(request, *, by, assignee, version=None, now=None) -> PriorityRequest:
    """Accept a submitted request for review and assign a reviewer or liaison officer."""

    def apply(locked, at) -> Change:
        errors: dict[str, list[str]] = {}
        if not assignee:
            errors["assignee"] = [str(REQUIRED)]
        elif not assignable_people(locked.responding_nation_id).filter(pk=assignee.pk).exists():
            errors["assignee"] = [
                _("Assign a reviewer or liaison officer of the responding nation.")
            ]
        raise_if(errors)
        return Change(fields={"assignee": assignee}, data={"assignee": assignee.get_username()})

    return act("triage", request, by=by, version=version, now=now, apply=apply)


def _signed_note(note: str, *, by, note_field: str, signer: str) -> Change:
    """A step someone signs with a note (endorsement, approval): the note and the signer."""
    errors: dict[str, list[str]] = {}
    text = require_text(errors, "note", note)
    raise_if(errors)
    return Change(fields={note_field: text, signer: by}, data={"note": text})


def endorse(request, *, by, note: str, version=None, now=None) -> PriorityRequest:
    """The requesting nation's liaison officer endorses the request: from now on the
    responding nation sees it, and its triage clock runs."""

    def apply(locked, at) -> Change:
        return _signed_note(note, by=by, note_field="endorsement_note", signer="endorsed_by")

    return act("endorse", request, by=by, version=version, now=now, apply=apply)


def _check_rating(errors, rating: str, program_symbol: str) -> None:
    if not rating:
        errors["rating"] = [str(REQUIRED)]
    elif rating not in Rating.values:
        errors["rating"] = [_("Choose DO or DX.")]
    if not program_symbol:
        errors["program_symbol"] = [str(REQUIRED)]
    elif program_symbol not in PROGRAM_SYMBOLS:
        errors["program_symbol"] = [
            _("Unknown program symbol '%(symbol)s'.") % {"symbol": program_symbol}
        ]


def next_holder(request: PriorityRequest, action: str, by):
    """Who the request is assigned to once `action` is done (the assignee follows the stage;
    None: a pool, not one person). The DoD's determination goes to Commerce's authoriser when
    the nation has exactly one; an approval (either route's last key) goes back to the liaison
    officer who triaged it, who forwards it. Other actions keep the assignee."""
    if action == "determine":
        authorisers = list(
            User.objects.filter(
                is_active=True,
                profile__nation_id=request.responding_nation_id,
                groups__name=Role.REVIEWER,
                profile__agency__kind=Agency.Kind.RATING_AUTHORITY,
            )
            .exclude(pk=by.pk)
            .distinct()[:2]
        )
        return authorisers[0] if len(authorisers) == 1 else None
    if action in ("authorise", "approve"):
        # The triage's own record names who triaged.
        triaged_by = (
            Event.objects.filter(request_id=request.pk, action="triage")
            .order_by("-id")
            .values_list("actor_id", flat=True)
            .first()
        )
        if triaged_by is None:
            return request.assignee
        return User.objects.filter(pk=triaged_by, is_active=True).first()
    return request.assignee


def determine(
    request,
    *,
    by,
    rating: str,
    program_symbol: str,
    note: str,
    dod_reference: str = "",
    version=None,
    now=None,
) -> PriorityRequest:
    """The first key (DPAS route): the DoD's program determination, recommending a rating and
    program symbol; the request waits for Commerce to authorise the rating."""

    def apply(locked, at) -> Change:
        errors: dict[str, list[str]] = {}
        _check_rating(errors, rating, program_symbol)
        text = require_text(errors, "note", note)
        raise_if(errors)
        reference = (dod_reference or "").strip()
        return Change(
            fields={
                "recommended_rating": rating,
                "recommended_symbol": program_symbol,
                "determination_note": text,
                "dod_reference": reference,
                "determined_by": by,
                "assignee": next_holder(locked, "determine", by),
            },
            data={"rating": rating_label(rating, program_symbol)}
            | ({"dod_reference": reference} if reference else {}),
        )

    return act("determine", request, by=by, version=version, now=now, apply=apply)


def authorise(
    request,
    *,
    by,
    bis_case_number: str,
    rating: str,
    program_symbol: str,
    note: str,
    change_reason: str = "",
    version=None,
    now=None,
) -> PriorityRequest:
    """The second key (DPAS route): Commerce (BIS) authorises the rating under its case number;
    only now is it a rated order. A rating other than the DoD's recommendation needs a reason,
    and the person who determined may not also authorise."""

    def apply(locked, at) -> Change:
        if locked.determined_by_id == by.pk:
            raise NotAllowed(_("The person who made the determination may not also authorise it."))
        errors: dict[str, list[str]] = {}
        case = require_text(errors, "bis_case_number", bis_case_number)
        _check_rating(errors, rating, program_symbol)
        text = require_text(errors, "note", note)
        changed = (rating, program_symbol) != (locked.recommended_rating, locked.recommended_symbol)
        reason = (change_reason or "").strip()
        if changed and not reason:
            errors["change_reason"] = [
                _("Say why the rating differs from the DoD's recommendation (%(rating)s).")
                % {"rating": rating_label(locked.recommended_rating, locked.recommended_symbol)}
            ]
        raise_if(errors)
        data = {"rating": rating_label(rating, program_symbol), "bis_case_number": case}
        if changed:
            data["recommended"] = rating_label(locked.recommended_rating, locked.recommended_symbol)
            data["change_reason"] = reason
        return Change(
            fields={
                "rating": rating,
                "program_symbol": program_symbol,
                "bis_case_number": case[:64],
                "approval_note": text,
                "rating_change_reason": reason if changed else "",
                "approved_by": by,
                "assignee": next_holder(locked, "authorise", by),
            },
            data=data,
        )

    return act("authorise", request, by=by, version=version, now=now, apply=apply)


def approve(request, *, by, note: str, version=None, now=None) -> PriorityRequest:
    """The Code of Conduct route: the responding MoD supports the request (nothing is rated);
    its liaison officer may now ask a signatory firm for every reasonable effort."""

    def apply(locked, at) -> Change:
        change = _signed_note(note, by=by, note_field="approval_note", signer="approved_by")
        change.fields["assignee"] = next_holder(locked, "approve", by)
        return change

    return act("approve", request, by=by, version=version, now=now, apply=apply)


def _reason_change(reason: str, **extra_fields) -> Change:
    errors: dict[str, list[str]] = {}
    text = require_text(errors, "reason", reason)
    raise_if(errors)
    return Change(fields={"resolution_reason": text, **extra_fields}, data={"reason": text})


def decline(request, *, by, reason: str, version=None, now=None) -> PriorityRequest:
    """Refuse the request (no program determination or rating)."""
    return act(
        "decline",
        request,
        by=by,
        version=version,
        now=now,
        apply=lambda locked, at: _reason_change(reason),
    )


def _not_eligible(supplier: Supplier, request) -> str:
    if supplier.nation_id != request.responding_nation_id:
        return _("Choose a supplier of the responding nation.")
    if supplier.code_of_conduct_withdrawn_on is not None:
        return _(
            "%(supplier)s withdrew from the Code of Conduct on %(day)s: it takes no new requests."
        ) % {
            "supplier": supplier.name,
            "day": day_text(supplier.code_of_conduct_withdrawn_on),
        }
    return _("This supplier is not a current signatory of the Code of Conduct.")


def forward(request, *, by, supplier: Supplier | None, version=None, now=None) -> PriorityRequest:
    """Send the rated order to a supplier; opens the DPAS accept/reject clock."""

    def apply(locked, at) -> Change:
        errors: dict[str, list[str]] = {}
        if supplier is None:
            errors["supplier"] = [str(REQUIRED)]
        elif not eligible_suppliers(locked).filter(pk=supplier.pk).exists():
            errors["supplier"] = [_not_eligible(supplier, locked)]
        raise_if(errors)
        return Change(
            fields={"supplier": supplier},
            data={"supplier": supplier.pk, "supplier_name": supplier.name},
        )

    return act("forward", request, by=by, version=version, now=now, apply=apply)


def supplier_accept(
    request,
    *,
    by,
    committed_delivery_date: dt.date | None = None,
    items: list[dict] | None = None,
    rejected_items: list[dict] | None = None,
    late_reason: str = "",
    version=None,
    now=None,
) -> PriorityRequest:
    """The supplier answers the order: every item at one committed date, or item by item —
    `items` accepted, each with its own date, and `rejected_items`, each with a reason
    (DESIGN §4a). At least one item must be accepted (rejecting all is `supplier_reject`)."""

    def apply(locked, at) -> Change:
        return item_answers(
            locked,
            at,
            committed_delivery_date=committed_delivery_date,
            accepted=items,
            rejected=rejected_items,
            late_reason=late_reason,
        )

    return act("supplier_accept", request, by=by, version=version, now=now, apply=apply)


def supplier_reject(
    request, *, by, reason: str, earliest_date: dt.date, version=None, now=None
) -> PriorityRequest:
    """The supplier rejects, with reasons and the earliest date it could meet; it is cleared."""

    def apply(locked, at) -> Change:
        errors: dict[str, list[str]] = {}
        text = require_text(errors, "reason", reason)
        day = future_date(errors, "earliest_date", earliest_date, locked, at)
        raise_if(errors)
        return Change(
            fields={"supplier": None},
            data={
                "reason": text,
                "earliest_date": day.isoformat(),
                "supplier": locked.supplier_id,
            },
            after=lambda: clear_answers(locked.pk),
        )

    return act("supplier_reject", request, by=by, version=version, now=now, apply=apply)


def close_unfulfilled(request, *, by, reason: str, version=None, now=None) -> PriorityRequest:
    """Close a rated request that will not be delivered."""
    return act(
        "close_unfulfilled",
        request,
        by=by,
        version=version,
        now=now,
        apply=lambda locked, at: _reason_change(reason),
    )


def withdraw(request, *, by, reason: str, version=None, now=None) -> PriorityRequest:
    """The requesting nation withdraws its request."""
    return act(
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
    "endorse": endorse,
    "triage": triage,
    "determine": determine,
    "authorise": authorise,
    "approve": approve,
    "decline": decline,
    "forward": forward,
    "supplier_accept": supplier_accept,
    "supplier_reject": supplier_reject,
    "report_delay": report_delay,
    "record_delivery": record_delivery,
    "fulfil": fulfil,
    "split": split,
    "close_unfulfilled": close_unfulfilled,
    "withdraw": withdraw,
}
assert set(ACTIONS) == set(TRANSITIONS), "every transition has its service function"
