"""Reference pages of who is who (DESIGN §8): the arrangements between nations, their posture
and its history; staff and senior contacts of either nation change the posture here."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .arrangements import REASON_MAX, may_set_posture, set_posture
from .models import Arrangement, Posture, PostureChange
from .people import profile_of

HISTORY_SHOWN = 5


class PostureForm(forms.Form):
    posture = forms.ChoiceField(label=gettext_lazy("New posture"), choices=Posture.choices)
    reason = forms.CharField(
        label=gettext_lazy("Why it changes"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Both nations' liaison officers and senior contacts read it; the open requests' "
            "clocks are recounted under the new posture."
        ),
    )


@dataclass
class Row:
    """One arrangement as the page shows it."""

    arrangement: Arrangement
    is_own: bool
    may_change: bool
    recent: list[PostureChange]
    form: PostureForm
    open_form: bool = False


def _rows(user) -> list[Row]:
    profile = profile_of(user)
    own = profile.nation_id if profile else None
    history = PostureChange.objects.select_related("changed_by")
    arrangements = Arrangement.objects.select_related(
        "first_nation", "second_nation"
    ).prefetch_related(Prefetch("posture_changes", queryset=history, to_attr="history"))
    rows = [
        Row(
            arrangement=arrangement,
            is_own=own in arrangement.nation_ids,
            may_change=may_set_posture(user, arrangement),
            recent=arrangement.history[:HISTORY_SHOWN],
            form=PostureForm(
                prefix=f"a{arrangement.pk}",
                initial={
                    "posture": Posture.EMERGENCY
                    if arrangement.posture == Posture.PEACETIME
                    else Posture.PEACETIME
                },
            ),
        )
        for arrangement in arrangements
    ]
    rows.sort(
        key=lambda row: (
            not row.is_own,
            row.arrangement.first_nation.name,
            row.arrangement.second_nation.name,
        )
    )
    return rows


@login_required
def arrangements(request, *, rows=None, status=200):
    """Every arrangement: who may file to whom, since when, under which posture and why."""
    profile = profile_of(request.user)
    return render(
        request,
        "partners/arrangements.html",
        {
            "arrangements": rows if rows is not None else _rows(request.user),
            "own_nation": profile.nation if profile else None,
        },
        status=status,
    )


@login_required
def change_posture(request, arrangement_id: int):
    if request.method != "POST":  # a bookmarked or reloaded form address: the page itself
        return redirect("arrangements")
    arrangement = Arrangement.objects.filter(pk=arrangement_id).first()
    if arrangement is None or not may_set_posture(request.user, arrangement):
        raise Http404
    form = PostureForm(request.POST, prefix=f"a{arrangement.pk}")
    if form.is_valid():
        try:
            set_posture(
                arrangement,
                form.cleaned_data["posture"],
                by=request.user,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        else:
            messages.success(
                request,
                _(
                    "%(arrangement)s is now under the %(posture)s posture. The open requests' "
                    "clocks are being recounted; both nations are told."
                )
                % {"arrangement": arrangement, "posture": arrangement.get_posture_display()},
            )
            return redirect("arrangements")
    rows = _rows(request.user)
    for row in rows:
        if row.arrangement.pk == arrangement.pk:
            row.form, row.open_form = form, True
    messages.error(request, _("The posture did not change: see the form below."))
    return arrangements(request, rows=rows, status=400)
