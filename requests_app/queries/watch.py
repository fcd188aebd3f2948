"""The single-source watch (issue 14 point 4, the "redundancy" of the seed): parts requested in
the last N months that only one firm has ever accepted, and firms that hold more than a share of
a nation's open requests. Both read only requests the viewer may see (the tenant rule), so a
nation's officials see what involves their nation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Value
from django.db.models.functions import Coalesce, NullIf

from ..models import ItemResponse, PriorityRequest, RequestItem, State
from ..permissions import visibility_filter

# Requests a firm holds: forwarded to it and not answered, or accepted and not yet in.
HELD_STATES = (State.WITH_SUPPLIER, State.ACCEPTED)
DEFAULT_MONTHS = 12
DEFAULT_SHARE = 25  # percent


@dataclass
class SolePart:
    part: str  # the NSN, else the part number
    description: str
    requests: int  # requested in the period
    firm: str
    cage_code: str
    nation: str


@dataclass
class HeavyFirm:
    nation: str
    firm: str
    cage_code: str
    held: int
    open_requests: int

    @property
    def percent(self) -> float:
        return round(100 * self.held / self.open_requests, 1) if self.open_requests else 0.0


def _part_key():
    """A part is named by its NSN where it has one, else by its part number."""
    return Coalesce(NullIf("nsn", Value("")), NullIf("part_number", Value("")))


def sole_source_parts(user, *, months: int = DEFAULT_MONTHS, now: dt.datetime) -> list[SolePart]:
    visible = PriorityRequest.objects.filter(visibility_filter(user)).values("pk")
    items = RequestItem.objects.filter(request__in=visible).annotate(part=_part_key())
    since = now - dt.timedelta(days=round(months * 30.44))
    recent = (
        items.filter(part__isnull=False, request__created_at__gte=since)
        .values("part")
        .annotate(requests=Count("request", distinct=True))
    )
    wanted = {row["part"]: row["requests"] for row in recent}
    if not wanted:
        return []
    accepted = (
        items.filter(
            part__in=list(wanted),
            response=ItemResponse.ACCEPTED,
            request__supplier__isnull=False,
        )
        .values("part")
        .annotate(firms=Count("request__supplier", distinct=True))
        .filter(firms=1)
    )
    sole = {row["part"] for row in accepted}
    rows: dict[str, SolePart] = {}
    for part, description, firm, cage, nation in (
        items.filter(part__in=sole, response=ItemResponse.ACCEPTED)
        .order_by("part", "-request__created_at")
        .values_list(
            "part",
            "description",
            "request__supplier__name",
            "request__supplier__cage_code",
            "request__supplier__nation__name",
        )
    ):
        if part not in rows:
            rows[part] = SolePart(part, description, wanted[part], firm, cage, nation)
    return sorted(rows.values(), key=lambda row: (-row.requests, row.part))


def heavy_firms(user, *, share: float = DEFAULT_SHARE) -> list[HeavyFirm]:
    """Firms holding more than `share` percent of their nation's open requests that are with
    a firm (forwarded or accepted)."""
    held = PriorityRequest.objects.filter(
        visibility_filter(user), state__in=HELD_STATES, supplier__isnull=False
    )
    totals = dict(
        held.values("responding_nation__name")
        .annotate(n=Count("pk"))
        .values_list("responding_nation__name", "n")
    )
    rows = [
        HeavyFirm(nation, firm, cage, count, totals[nation])
        for nation, firm, cage, count in held.values(
            "responding_nation__name", "supplier__name", "supplier__cage_code"
        )
        .annotate(n=Count("pk"))
        .values_list("responding_nation__name", "supplier__name", "supplier__cage_code", "n")
    ]
    return sorted(
        (row for row in rows if row.percent > share),
        key=lambda row: (-row.percent, row.nation, row.firm),
    )
