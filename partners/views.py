"""Reference pages of who is who (DESIGN §8): the arrangements between nations."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .models import Arrangement
from .people import profile_of


@login_required
def arrangements(request):
    """Every arrangement, read-only: who may file to whom, since when, under which posture."""
    profile = profile_of(request.user)
    rows = list(Arrangement.objects.select_related("first_nation", "second_nation"))
    own = profile.nation_id if profile else None
    for row in rows:
        row.is_own = own in (row.first_nation_id, row.second_nation_id)
    rows.sort(key=lambda row: (not row.is_own, row.first_nation.name, row.second_nation.name))
    return render(
        request,
        "partners/arrangements.html",
        {"arrangements": rows, "own_nation": profile.nation if profile else None},
    )
