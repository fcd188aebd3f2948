"""Who may file to whom (DESIGN §1): a nation files only to a nation it has an active arrangement
with, and only where a liaison officer of that nation serves it (someone must triage)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from .models import Arrangement, ArrangementStatus, Nation, Profile, Role


def _serving_liaisons(serving_nation, served_nation) -> QuerySet:
    return Profile.objects.filter(
        nation=serving_nation,
        served_nations=served_nation,
        user__is_active=True,
        user__groups__name=Role.LIAISON,
    )


def filing_refusal(requesting: Nation, responding: Nation | None) -> str | None:
    """Why `requesting` may not file to `responding` now, in words for the requester; None
    when it may."""
    if responding is None:
        return None
    if responding.pk == requesting.pk:
        return "Choose the other nation of the arrangement."
    arrangement = Arrangement.objects.between(requesting, responding).first()
    if arrangement is None or not arrangement.is_active:
        return f"No active arrangement between {requesting.name} and {responding.name}."
    if not _serving_liaisons(responding, requesting).exists():
        return f"No liaison officer of {responding.name} serves {requesting.name} yet."
    return None


def filing_targets(requesting: Nation) -> QuerySet:
    """The nations `requesting` may file to now, by name (the filing form's choices)."""
    active = Arrangement.objects.filter(status=ArrangementStatus.ACTIVE)
    paired = active.filter(
        Q(first_nation=requesting, second_nation=OuterRef("pk"))
        | Q(second_nation=requesting, first_nation=OuterRef("pk"))
    )
    served = Profile.objects.filter(
        nation=OuterRef("pk"),
        served_nations=requesting,
        user__is_active=True,
        user__groups__name=Role.LIAISON,
    )
    return (
        Nation.objects.exclude(pk=requesting.pk)
        .filter(Exists(paired), Exists(served))
        .order_by("name")
    )
