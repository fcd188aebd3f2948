"""/reports/: SLA and turnaround reports as server-drawn charts, tables and CSV (DESIGN §8)."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from typing import cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import path
from django.utils import dateformat, timezone
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sosa_portal.lib.dates import out_of_range

from ..models import Route
from ..permissions import may_see_reports
from ..queries import reports
from ..queries.reports import Period, Scope, Table
from . import charts

MET, MISSED = "#1c6b3a", "#a1161c"
RATING_COLOURS = {"dx": "#8a1020", "do": "#0b5394", "unrated": "#6b7785"}
MEDIAN, P90 = "#1b6ac9", "#0b3d6e"


class ReportFilterForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    nation = forms.ChoiceField(label=gettext_lazy("Nation"), required=False)
    route = forms.ChoiceField(
        label=gettext_lazy("Route"),
        required=False,
        choices=[("", gettext_lazy("Either route")), *Route.choices],
    )

    def __init__(self, data, *, nations, default: Period):
        super().__init__(
            {"start": default.start_on, "end": default.end_on, **data.dict()}
            if data is not None
            else None
        )
        self.nations = {nation.code: nation for nation in nations}
        self.default = default
        nation_field = cast(forms.ChoiceField, self.fields["nation"])
        nation_field.choices = [("", _("All nations"))] + [
            (nation.code, nation.name) for nation in nations
        ]
        nation_field.help_text = _("Requests it files or answers.")

    def clean_start(self):
        return self._in_range("start")

    def clean_end(self):
        return self._in_range("end")

    def _in_range(self, name: str):
        day = self.cleaned_data.get(name)
        if message := out_of_range(day):
            raise forms.ValidationError(message)
        return day

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        start = cleaned.get("start") or self.default.start_on
        end = cleaned.get("end") or self.default.end_on
        if start > end:
            self.add_error("end", _("The end date must not be before the start date."))
        elif (end - start).days > reports.MAX_PERIOD_DAYS:
            self.add_error("start", _("Choose a period of at most three years."))
        cleaned["period"] = Period(start, end, self.default.tz)
        return cleaned


@dataclass(frozen=True)
class Section:
    table: Table
    chart: SafeString | None
    csv_url: str


def _sla_chart(table: Table, labels: list[str]) -> SafeString:
    met, totals = table.values("met"), table.values("total")
    return charts.bar_chart(
        chart_id=f"chart-{table.name}",
        title=str(table.title),
        description=_("Stacked bars: clocks met on time and missed, per row of the table below."),
        labels=labels,
        series=[
            charts.Series(_("Met"), met, MET, "met"),
            charts.Series(_("Missed"), table.values("missed"), MISSED, "missed"),
        ],
        stacked=True,
        value_texts=[
            _("%(met)s of %(total)s met") % {"met": m, "total": t} if t else "—"
            for m, t in zip(met, totals, strict=True)
        ],
    )


def _delivery_chart(table: Table) -> SafeString:
    on_time, totals = table.values("on_time"), table.values("total")
    labels = [
        " · ".join(str(part) for part in parts)
        for parts in zip(
            table.values("nation"), table.values("route"), table.values("rating"), strict=True
        )
    ]
    return charts.bar_chart(
        chart_id=f"chart-{table.name}",
        title=str(table.title),
        description=_("Stacked bars: items delivered by their committed date and late, per row."),
        labels=labels,
        series=[
            charts.Series(_("On time"), on_time, MET, "met"),
            charts.Series(_("Late"), table.values("late"), MISSED, "missed"),
        ],
        stacked=True,
        value_texts=[
            _("%(on_time)s of %(total)s on time") % {"on_time": o, "total": t}
            for o, t in zip(on_time, totals, strict=True)
        ],
    )


def chart_for(table: Table) -> SafeString | None:
    """The chart drawn from a table's numbers (None when there is nothing to draw)."""
    if table.is_empty:
        return None
    chart_id = f"chart-{table.name}"
    if table.name in ("sla_by_stage", "sla_by_nation"):
        return _sla_chart(table, table.values(table.columns[0].key))
    if table.name == "sla_by_month":
        month = table.columns[0]
        return _sla_chart(table, [month.display(value) for value in table.values("month")])
    if table.name in ("time_by_stage", "time_by_route"):
        labels = table.values("stage")
        if table.name == "time_by_route":
            routes = table.values("route")
            labels = [f"{route} · {stage}" for route, stage in zip(routes, labels, strict=True)]
        return charts.bar_chart(
            chart_id=chart_id,
            title=str(table.title),
            description=_("Median and 90th-percentile working days per stage."),
            labels=labels,
            series=[
                charts.Series(_("Median"), table.values("median_days"), MEDIAN, "median"),
                charts.Series(_("90th percentile"), table.values("p90_days"), P90, "p90"),
            ],
            integer=False,
        )
    if table.name == "open_by_state":
        return charts.bar_chart(
            chart_id=chart_id,
            title=str(table.title),
            description=_("Stacked bars: open requests in each state, by rating."),
            labels=table.values("state"),
            series=[
                charts.Series(reports.rating_label(rating), table.values(key), colour, key)
                for rating, (key, colour) in zip(
                    reports.RATINGS, RATING_COLOURS.items(), strict=True
                )
            ],
            stacked=True,
            value_texts=[str(total) for total in table.values("total")],
        )
    if table.name == "open_by_rating":
        return charts.bar_chart(
            chart_id=chart_id,
            title=str(table.title),
            description=_("Bars: open requests per rating."),
            labels=table.values("rating"),
            series=[charts.Series(_("Open requests"), table.values("open"), MEDIAN, "open")],
        )
    if table.name == "delivery_by_item":
        return _delivery_chart(table)
    if table.name != "overdue_trend":
        return None
    week = table.columns[0]
    return charts.line_chart(
        chart_id=chart_id,
        title=str(table.title),
        description=_("Line: requests overdue at the end of each week."),
        labels=[date_short(value) for value in table.values(week.key)],
        values=table.values("overdue"),
        name=_("overdue"),
        colour=MISSED,
    )


def date_short(day: dt.date) -> str:
    """ "3 Dec": a chart's week label, its month named in the active language."""
    return dateformat.format(day, "j M")


def csv_response(table: Table, period: Period) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="sosa-{table.name}-{period.start_on}-{period.end_on}.csv"'
    )
    writer = csv.writer(response)
    writer.writerows(table.csv_rows())
    return response


@login_required
def reports_page(request):
    """Everything counted here is limited to the requests the reader may see."""
    user = request.user
    if not may_see_reports(user):
        return render(request, "requests/reports.html", {"refused": True}, status=403)
    now = timezone.now()
    default = reports.default_period(timezone.localdate(now), timezone.get_current_timezone())
    visible = reports.scoped_requests(user)
    form = ReportFilterForm(request.GET, nations=reports.nations_in(visible), default=default)
    wants_csv = request.GET.get("format") == "csv"
    if not form.is_valid():
        if wants_csv:
            named = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())
            return HttpResponseBadRequest(named, content_type="text/plain; charset=utf-8")
        return render(request, "requests/reports.html", {"form": form, "sections": []}, status=400)
    period = form.cleaned_data["period"]
    nation = form.nations.get(form.cleaned_data["nation"])
    route = form.cleaned_data["route"]
    scope = Scope(reports.scoped_requests(user, nation, route), period, now)
    if wants_csv:
        build = reports.TABLES.get(request.GET.get("table", ""))
        if build is None:
            raise Http404(_("No such report table."))
        return csv_response(build(scope), period)
    filters = {
        "start": period.start_on,
        "end": period.end_on,
        "nation": nation.code if nation else "",
        **({"route": route} if route else {}),
    }
    sections = [
        Section(
            table,
            chart_for(table),
            "?" + urlencode({**filters, "format": "csv", "table": table.name}),
        )
        for table in reports.all_tables(scope)
    ]
    return render(
        request,
        "requests/reports.html",
        {"form": form, "sections": sections, "period": period, "nation": nation},
    )


urlpatterns = [path("reports/", reports_page, name="reports")]
