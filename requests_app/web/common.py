"""What every page shares: the tenant rule as a 404, and domain errors as flash messages."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.utils.translation import gettext as _

from ..exceptions import DomainError, InvalidTransition, NotAllowed, NotVisible, StaleVersion
from ..models import PriorityRequest


def visible_request_or_404(user, reference: str) -> PriorityRequest:
    """The request if this user may see it; otherwise a 404 that says nothing more."""
    found = (
        PriorityRequest.objects.visible_to(user)
        .with_posture()  # the posture banner asks nothing more
        .select_related(
            "requesting_nation",
            "responding_nation",
            "requesting_agency",
            "assignee",
            "supplier",
            "created_by",
            "endorsed_by",
            "determined_by",
            "approved_by",
        )
        .filter(reference=reference)
        .first()
    )
    if found is None:
        raise Http404(_("No such request."))
    return found


def flash_domain_error(request, error: DomainError) -> None:
    """The one mapping from domain errors to what a person reads on the page."""
    if isinstance(error, NotVisible):
        raise Http404(_("No such request."))
    if isinstance(error, StaleVersion):
        messages.error(
            request,
            _(
                "Someone else changed this request while you were looking at it. "
                "Nothing was saved: the page now shows the latest version — check it and "
                "try again."
            ),
        )
    elif isinstance(error, NotAllowed):
        messages.error(request, error.message or _("Your role may not do that."))
    elif isinstance(error, InvalidTransition):
        messages.error(request, error.message)
    else:
        for field, field_messages in error.errors.items():
            label = "" if field in ("detail", "state") else f"{field.replace('_', ' ')}: "
            for message in field_messages:
                messages.error(request, f"{label}{message}")
