"""`/reports/single-source/`: the single-source watch (issue 14 point 4) — parts only one firm
has ever accepted, firms holding more than a share of a nation's open requests; each as CSV.
Liaison officers, observers and staff only; everything limited to what the reader may see."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sosa_portal.lib import safe_csv

from ..permissions import may_see_single_source_watch
from ..queries.watch import DEFAULT_MONTHS, DEFAULT_SHARE, heavy_firms, sole_source_parts

PARTS_HEADER = ["Part (NSN or part number)", "Description", "Requests", "Only firm", "CAGE/NCAGE"]
FIRMS_HEADER = ["Nation", "Firm", "CAGE/NCAGE", "Open requests held", "Of the nation's", "Share %"]


class WatchForm(forms.Form):
    months = forms.IntegerField(
        label=_("Requested in the last (months)"), min_value=1, max_value=120, initial=12
    )
    share = forms.IntegerField(
        label=_("Firms holding more than (%)"), min_value=1, max_value=100, initial=25
    )


@login_required
def single_source(request):
    if not may_see_single_source_watch(request.user):
        raise Http404
    form = WatchForm(request.GET or {"months": DEFAULT_MONTHS, "share": DEFAULT_SHARE})
    if not form.is_valid():
        return render(request, "requests/watch.html", {"form": form}, status=400)
    months, share = form.cleaned_data["months"], form.cleaned_data["share"]
    parts = sole_source_parts(request.user, months=months, now=timezone.now())
    firms = heavy_firms(request.user, share=share)
    table = request.GET.get("format") == "csv" and request.GET.get("table")
    if table == "parts":
        return safe_csv.streaming_response(
            PARTS_HEADER,
            ([p.part, p.description, p.requests, p.firm, p.cage_code] for p in parts),
            "single-source-parts.csv",
        )
    if table == "firms":
        return safe_csv.streaming_response(
            FIRMS_HEADER,
            ([f.nation, f.firm, f.cage_code, f.held, f.open_requests, f.percent] for f in firms),
            "concentrated-firms.csv",
        )
    return render(
        request,
        "requests/watch.html",
        {"form": form, "parts": parts, "firms": firms, "months": months, "share": share},
    )


urlpatterns = [path("reports/single-source/", single_source, name="single_source_watch")]
