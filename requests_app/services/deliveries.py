"""What happens after a supplier accepts (DESIGN §4a): deliveries item by item, partial ones
adding up; a delay moving one item's date (or every item still owed); and `fulfil`, the last
delivery of everything still owed. The request resolves `fulfilled` when every accepted item
has arrived in full; its delivery clock follows the earliest date still owed."""

from __future__ import annotations

import datetime as dt

from django.db.models import F
from django.utils.translation import gettext as _

from ..models import (
    Delivery,
    ItemResponse,
    PriorityRequest,
    RequestItem,
    Resolution,
    State,
    delivery_progress,
)
from .common import REQUIRED, Change, future_date, raise_if, require_date, require_text, today_in
from .engine import act


def _accepted_items(locked: PriorityRequest) -> list[RequestItem]:
    return list(locked.items.filter(response=ItemResponse.ACCEPTED).order_by("id"))


def _delivery_day(errors: dict, name: str, value, locked: PriorityRequest, at) -> dt.date | None:
    """A delivery is judged in the requesting nation, where it arrives: not after today there."""
    day = require_date(errors, name, value)
    if day is not None and day > today_in(locked.requesting_nation, at):
        errors.setdefault(name, []).append(_("The delivery date cannot be in the future."))
    return day


def _earliest_owed(items: list[RequestItem]) -> dt.date | None:
    days = [i.committed_delivery_date for i in items if not i.delivered_in_full]
    return min((day for day in days if day is not None), default=None)


def record_delivery(
    request,
    *,
    by,
    item: int | None,
    quantity: int | None,
    delivered_on: dt.date | None,
    version=None,
    now=None,
) -> PriorityRequest:
    """Record what arrived of one accepted item. More than is still owed is refused (400); the
    delivery that completes the last accepted item resolves the request as fulfilled."""

    def apply(locked, at) -> Change:
        errors: dict[str, list[str]] = {}
        items = _accepted_items(locked)  # read under the request's lock: no double count
        target = next((row for row in items if row.pk == item), None)
        if item in (None, ""):
            errors["item"] = [str(REQUIRED)]
        elif target is None:
            errors["item"] = [_("Not an item of this request that the supplier accepted.")]
        day = _delivery_day(errors, "delivered_on", delivered_on, locked, at)
        if quantity in (None, ""):
            errors["quantity"] = [str(REQUIRED)]
        elif not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
            errors["quantity"] = [_("Enter a whole number of at least 1.")]
        elif target is not None and quantity > target.quantity_open:
            amounts = {
                "open": target.quantity_open,
                "quantity": target.quantity,
                "unit": target.unit,
                "delivered": target.quantity_delivered,
            }
            errors["quantity"] = [
                _(
                    "Only %(open)s of %(quantity)s %(unit)s are still to be delivered "
                    "(%(delivered)s delivered)."
                )
                % amounts
                if target.quantity_open
                else _("All %(quantity)s %(unit)s have been delivered already.") % amounts
            ]
        raise_if(errors)
        assert target is not None and day is not None and isinstance(quantity, int)
        target.quantity_delivered += quantity
        summary = delivery_progress(items)
        data = {
            "item": target.pk,
            "item_description": target.description,
            "quantity": quantity,
            "delivered_on": day.isoformat(),
            "quantity_delivered": target.quantity_delivered,
            "item_quantity": target.quantity,
            **summary,
        }

        def write() -> None:
            Delivery.objects.create(
                item_id=target.pk,
                quantity=quantity,
                delivered_on=day,
                recorded_by=by,
                created_at=at,
            )
            RequestItem.objects.filter(pk=target.pk).update(
                quantity_delivered=F("quantity_delivered") + quantity
            )

        if summary["items_delivered"] == summary["items_accepted"]:
            last = max(
                [
                    day,
                    *Delivery.objects.filter(item__in=items).values_list("delivered_on", flat=True),
                ]
            )
            return Change(
                fields={"delivered_on": last},
                data=data,
                target=State.RESOLVED,
                resolution=Resolution.FULFILLED,
                after=write,
            )
        return Change(
            fields={"committed_delivery_date": _earliest_owed(items)}, data=data, after=write
        )

    return act("record_delivery", request, by=by, version=version, now=now, apply=apply)


def fulfil(request, *, by, delivered_on: dt.date, version=None, now=None) -> PriorityRequest:
    """Everything still owed arrived on `delivered_on`: one last delivery of every accepted item
    not yet delivered in full; the request is resolved as fulfilled."""

    def apply(locked, at) -> Change:
        errors: dict[str, list[str]] = {}
        day = _delivery_day(errors, "delivered_on", delivered_on, locked, at)
        raise_if(errors)
        assert day is not None
        owed = [row for row in _accepted_items(locked) if not row.delivered_in_full]

        def write() -> None:
            Delivery.objects.bulk_create(
                Delivery(
                    item_id=row.pk,
                    quantity=row.quantity_open,
                    delivered_on=day,
                    recorded_by=by,
                    created_at=at,
                )
                for row in owed
            )
            RequestItem.objects.filter(pk__in=[row.pk for row in owed]).update(
                quantity_delivered=F("quantity")
            )

        data: dict = {"delivered_on": day.isoformat()}
        if owed:
            data["items"] = [{"id": row.pk, "quantity": row.quantity_open} for row in owed]
        return Change(fields={"delivered_on": day}, data=data, after=write)

    return act("fulfil", request, by=by, version=version, now=now, apply=apply)


def report_delay(
    request,
    *,
    by,
    reason: str,
    committed_delivery_date: dt.date,
    item: int | None = None,
    version=None,
    now=None,
) -> PriorityRequest:
    """A delay after acceptance: one item's committed date moves (`item`), or that of every
    accepted item still owed; the moved items' delivery clocks start again at the new date."""

    def apply(locked, at) -> Change:
        errors: dict[str, list[str]] = {}
        text = require_text(errors, "reason", reason)
        day = future_date(errors, "committed_delivery_date", committed_delivery_date, locked, at)
        items = _accepted_items(locked)
        owed = [row for row in items if not row.delivered_in_full]
        if item not in (None, ""):
            owed = [row for row in owed if row.pk == item]
            if not owed:
                errors["item"] = [_("Not an accepted item of this request still to be delivered.")]
        raise_if(errors)
        assert day is not None
        previous = min(row.committed_delivery_date for row in owed if row.committed_delivery_date)
        for row in owed:
            row.committed_delivery_date = day
        moved = [row.pk for row in owed]
        data: dict = {
            "reason": text,
            "previous_date": previous.isoformat() if previous else None,
            "committed_delivery_date": day.isoformat(),
        }
        if item not in (None, ""):
            data |= {"item": owed[0].pk, "item_description": owed[0].description}

        def write() -> None:
            RequestItem.objects.filter(pk__in=moved).update(committed_delivery_date=day)

        return Change(
            fields={"committed_delivery_date": _earliest_owed(items)}, data=data, after=write
        )

    return act("report_delay", request, by=by, version=version, now=now, apply=apply)
