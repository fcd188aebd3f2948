"""Who may file to whom (DESIGN §1): a nation files only to a nation it has an active arrangement
with, and only where a liaison officer of that nation serves it (someone must triage)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from .models import Arrangement, Nation, Profile, Role


def _liaisons_serving(requesting) -> QuerySet:
    """Active liaison officers (of any nation) who serve `requesting`."""
    return Profile.objects.filter(
        served_nations=requesting, user__is_active=True, user__groups__name=Role.LIAISON
    )


def filing_refusal(requesting: Nation, responding: Nation | None) -> str | None:
    """Why `requesting` may not file to `responding` now, in words for the requester; None
    when it may."""
    if responding is None:
        return None
    if responding.pk == requesting.pk:
        return _("Choose the other nation of the arrangement.")
    names = {"requesting": requesting.name, "responding": responding.name}
    if not Arrangement.objects.active().between(requesting, responding).exists():
        return _("No active arrangement between %(requesting)s and %(responding)s.") % names
    if not _liaisons_serving(requesting).filter(nation=responding).exists():
        return _("No liaison officer of %(responding)s serves %(requesting)s yet.") % names
    return None


def filing_targets(requesting: Nation) -> QuerySet:
    """The nations `requesting` may file to now, by name (the filing form's choices)."""
    paired = Arrangement.objects.active().between(requesting, OuterRef("pk"))
    served = _liaisons_serving(requesting).filter(nation=OuterRef("pk"))
    return (
        Nation.objects.exclude(pk=requesting.pk)
        .filter(Exists(paired), Exists(served))
        .order_by("name")
    )
