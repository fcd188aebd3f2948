"""On-time delivery by item (DESIGN §4a; issue 13 point 3): each accepted item whose last part
arrived in the period, on time when that was no later than its committed date, by responding
nation, route and rating. One grouped query."""

from __future__ import annotations

from django.db.models import Count, F, Max, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from ...models import Delivery, ItemResponse, RequestItem, Route
from .base import Column, Scope, Table


def _rating_text(rating: str) -> str:
    return rating or str(_("Unrated"))


def last_arrival() -> Subquery:
    """The day the last part of an item arrived (for an annotation on `RequestItem`)."""
    return Subquery(
        Delivery.objects.filter(item=OuterRef("pk"))
        .order_by()
        .values("item")
        .annotate(day=Max("delivered_on"))
        .values("day")
    )


def delivery_by_item(scope: Scope) -> Table:
    period = scope.period
    grouped = (
        RequestItem.objects.filter(
            request__in=scope.requests.values("pk"),
            response=ItemResponse.ACCEPTED,
            quantity_delivered__gte=F("quantity"),
        )
        .annotate(arrived=last_arrival())
        .filter(
            arrived__gte=period.starts_at.date(),
            arrived__lt=period.ends_at.date(),
        )
        .values("request__responding_nation__name", "request__route", "request__rating")
        .annotate(
            on_time=Count("pk", filter=Q(arrived__lte=F("committed_delivery_date"))),
            late=Count("pk", filter=Q(arrived__gt=F("committed_delivery_date"))),
        )
        .order_by("request__responding_nation__name", "request__route", "request__rating")
    )
    routes = dict(Route.choices)
    rows = []
    for row in grouped:
        total = row["on_time"] + row["late"]
        rows.append(
            {
                "nation": row["request__responding_nation__name"],
                "route": str(routes.get(row["request__route"], row["request__route"])),
                "rating": _rating_text(row["request__rating"]),
                "on_time": row["on_time"],
                "late": row["late"],
                "total": total,
                "percent_on_time": round(100 * row["on_time"] / total, 1) if total else None,
            }
        )
    return Table(
        "delivery_by_item",
        _("On-time delivery by item"),
        _(
            "Accepted items delivered in full in the period: on time when the last of an item "
            "arrived by the date the supplier committed to for it."
        ),
        _("No item was delivered in full in this period."),
        (
            Column("nation", _("Responding nation"), "text"),
            Column("route", _("Route"), "text"),
            Column("rating", _("Rating"), "text"),
            Column("on_time", _("On time"), "count"),
            Column("late", _("Late"), "count"),
            Column("total", _("Items delivered"), "count"),
            Column("percent_on_time", _("On time"), "percent"),
        ),
        rows,
        is_empty=not rows,
    )
