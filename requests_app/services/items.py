"""A supplier's answer item by item (DESIGN §4a): which items it accepts, each with its own
committed date, and which it rejects, with reasons. `supplier_accept` (actions.py) applies it."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from partners.models import calendar_for

from ..deadlines import needed_by, needs_a_reason
from ..models import ItemResponse, PriorityRequest, RequestItem
from .common import Change, future_date, raise_if, require_text


def item_answers(
    locked: PriorityRequest,
    at: dt.datetime,
    *,
    committed_delivery_date: dt.date | None,
    accepted: list[dict] | None,
    rejected: list[dict] | None,
    late_reason: str = "",
) -> Change:
    """The change of a supplier's answer; errors name the field (`items[1].committed_delivery_
    date`, `rejected_items[0].reason`). Without per-item lists every item is accepted at
    `committed_delivery_date`. The request's own committed date is the earliest accepted one:
    its delivery clock follows the first item due. `late_reason` is kept on each item committed
    later than the date it is needed by (its own, else the request's)."""
    errors: dict[str, list[str]] = {}
    needed = {
        pk: needed_by(required, locked.required_delivery_date)
        for pk, required in locked.items.order_by("id").values_list("id", "required_date")
    }
    item_ids = list(needed)
    if accepted is None and rejected is None:
        day = future_date(errors, "committed_delivery_date", committed_delivery_date, locked, at)
        raise_if(errors)
        assert day is not None
        dates, reasons = dict.fromkeys(item_ids, day), {}
    else:
        if committed_delivery_date is not None:
            errors["committed_delivery_date"] = [
                _("Give either one date for every item or an answer per item, not both.")
            ]
        dates, reasons = _per_item(locked, at, item_ids, accepted or [], rejected or [], errors)
        raise_if(errors)

    note = (late_reason or "").strip()[:2000]
    calendar = calendar_for(locked.responding_nation)
    late = {pk for pk, day in dates.items() if needs_a_reason(day, needed[pk], calendar)}

    def write_items() -> None:
        for pk, day in dates.items():
            RequestItem.objects.filter(pk=pk).update(
                response=ItemResponse.ACCEPTED,
                committed_delivery_date=day,
                response_reason="",
                commitment_note=note if pk in late else "",
            )
        for pk, reason in reasons.items():
            RequestItem.objects.filter(pk=pk).update(
                response=ItemResponse.REJECTED, committed_delivery_date=None, response_reason=reason
            )

    first = min(dates.values())
    data: dict = {"committed_delivery_date": first.isoformat(), "supplier": locked.supplier_id}
    if reasons or len(set(dates.values())) > 1:
        data["items"] = [
            {"id": pk, "committed_delivery_date": day.isoformat()} for pk, day in dates.items()
        ]
    if reasons:
        data["rejected_items"] = [{"id": pk, "reason": reason} for pk, reason in reasons.items()]
    if late and note:
        data["late_reason"] = note
    return Change(fields={"committed_delivery_date": first}, data=data, after=write_items)


def _per_item(locked, at, item_ids, accepted, rejected, errors):
    """The dates of the accepted items and the reasons of the rejected ones, by item id; every
    item answered once, at least one accepted (else errors, by field)."""
    seen: set[int] = set()
    dates: dict[int, dt.date] = {}
    reasons: dict[int, str] = {}

    def item_id(name: str, entry: dict) -> int | None:
        value = entry.get("id")
        problem = (
            _("Not an item of this request.")
            if value not in item_ids
            else _("This item is answered twice.")
            if value in seen
            else ""
        )
        if problem or not isinstance(value, int):
            errors[f"{name}.id"] = [problem or _("Not an item of this request.")]
            return None
        seen.add(value)
        return value

    for n, entry in enumerate(_entries(accepted)):
        pk = item_id(f"items[{n}]", entry)
        name = f"items[{n}].committed_delivery_date"
        day = future_date(errors, name, entry.get("committed_delivery_date"), locked, at)
        if pk is not None and day is not None:
            dates[pk] = day
    for n, entry in enumerate(_entries(rejected)):
        pk = item_id(f"rejected_items[{n}]", entry)
        reason = require_text(errors, f"rejected_items[{n}].reason", entry.get("reason"))
        if pk is not None and reason:
            reasons[pk] = reason
    unanswered = [str(pk) for pk in item_ids if pk not in seen]
    if errors:
        return dates, reasons
    if unanswered:
        errors["items"] = [
            _(
                "Answer every item: accept it with a date or reject it with a reason "
                "(item %(items)s has no answer)."
            )
            % {"items": ", ".join(unanswered)}
        ]
    elif not dates:
        errors["items"] = [_("Accept at least one item; to reject them all, reject the order.")]
    return dates, reasons


def _entries(values) -> list[dict]:
    return [value if isinstance(value, dict) else {} for value in values]


def clear_answers(request_id: int) -> None:
    """The request leaves its supplier: the next one answers every item afresh."""
    RequestItem.objects.filter(request_id=request_id).update(
        response="", committed_delivery_date=None, response_reason=""
    )
