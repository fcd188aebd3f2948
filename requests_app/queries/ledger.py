"""A firm's response ledger (issue 14 point 3), from the clock ledger: how many requests it was
forwarded, accepted, rejected, answered late; the median and 90th percentile of the working
days it took to answer (in its nation's calendar); and the share of its accepted items
delivered in full by the date it committed to. Two grouped reads for any number of firms."""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Q
from django.utils.translation import gettext, ngettext

from partners.models import Nation, calendars_for

from ..models import Clock, ItemResponse, RequestItem, Stage
from .reports.deliveries import last_arrival

ANSWERS = ("supplier_accept", "supplier_reject")


@dataclass
class Ledger:
    forwarded: int = 0
    accepted: int = 0
    rejected: int = 0
    waiting: int = 0  # forwarded and not yet answered
    answered_late: int = 0
    days_to_answer: list[int] = field(default_factory=list)
    delivered: int = 0  # accepted items delivered in full
    delivered_on_time: int = 0

    @property
    def answered(self) -> int:
        return self.accepted + self.rejected

    @property
    def answered_on_time(self) -> int:
        return self.answered - self.answered_late

    @property
    def median_days(self) -> float | None:
        return statistics.median(self.days_to_answer) if self.days_to_answer else None

    @property
    def p90_days(self) -> int | None:
        """The nearest-rank 90th percentile: 9 answers in 10 came within it."""
        if not self.days_to_answer:
            return None
        ordered = sorted(self.days_to_answer)
        return ordered[math.ceil(0.9 * len(ordered)) - 1]

    @property
    def on_time_delivery_percent(self) -> float | None:
        if not self.delivered:
            return None
        return round(100 * self.delivered_on_time / self.delivered, 1)

    @property
    def summary(self) -> str:
        """'answered 14 of 15 on time, median 3 working days', as the forward form shows it."""
        if not self.forwarded:
            return gettext("no request forwarded yet")
        if not self.answered:
            return gettext("forwarded %(forwarded)s, none answered yet") % {
                "forwarded": self.forwarded
            }
        median = self.median_days
        days = ngettext(
            "%(median)s working day", "%(median)s working days", 1 if median == 1 else 2
        ) % {"median": f"{median:g}"}
        return gettext("answered %(on_time)s of %(answered)s on time, median %(days)s") % {
            "on_time": self.answered_on_time,
            "answered": self.answered,
            "days": days,
        }


def ledgers(supplier_ids) -> dict[int, Ledger]:
    """The ledger of each firm by id (every firm asked for has one, empty if never used)."""
    ids = list(supplier_ids)
    found = {pk: Ledger() for pk in ids}
    if not ids:
        return found
    clocks = list(
        Clock.objects.filter(supplier_id__in=ids, stage=Stage.SUPPLIER_RESPONSE).values_list(
            "supplier_id",
            "started_at",
            "stopped_at",
            "due_at",
            "stop_reason",
            "request__responding_nation_id",
        )
    )
    calendars = calendars_for(Nation.objects.filter(pk__in={row[5] for row in clocks}))
    for firm, started, stopped, due, reason, nation_id in clocks:
        ledger = found[firm]
        ledger.forwarded += 1
        if stopped is None:
            ledger.waiting += 1
            continue
        if reason not in ANSWERS:
            continue  # withdrawn or declined while it waited: not an answer
        if reason == "supplier_accept":
            ledger.accepted += 1
        else:
            ledger.rejected += 1
        if stopped > due:
            ledger.answered_late += 1
        calendar = calendars[nation_id]
        ledger.days_to_answer.append(
            calendar.working_days_between(
                calendar.local_date(started), calendar.local_date(stopped)
            )
        )
    _add_deliveries(found, ids)
    return found


def _add_deliveries(found: dict[int, Ledger], ids: list[int]) -> None:
    rows = (
        RequestItem.objects.filter(
            request__supplier_id__in=ids,
            response=ItemResponse.ACCEPTED,
            quantity_delivered__gte=F("quantity"),
        )
        .annotate(arrived=last_arrival())
        .values("request__supplier_id")
        .annotate(
            total=Count("pk"),
            on_time=Count("pk", filter=Q(arrived__lte=F("committed_delivery_date"))),
        )
        .order_by()
    )
    for row in rows:
        ledger = found[row["request__supplier_id"]]
        ledger.delivered, ledger.delivered_on_time = row["total"], row["on_time"]


def rated_orders(supplier_ids) -> dict[int, int]:
    """How many rated orders (DPAS) each firm was forwarded."""
    counts: dict[int, int] = defaultdict(int)
    rows = (
        Clock.objects.filter(supplier_id__in=list(supplier_ids), stage=Stage.SUPPLIER_RESPONSE)
        .exclude(request__rating="")
        .values("supplier_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        counts[row["supplier_id"]] = row["n"]
    return counts
