"""What every page shares: the tenant rule as a 404, domain errors as flash messages, and no
dead end at an address that only takes a form (`post_or_back`)."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from ..exceptions import DomainError, InvalidTransition, NotAllowed, NotVisible, StaleVersion
from ..models import PriorityRequest
from . import typed_text
from .field_labels import labelled


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
            for message in field_messages:
                messages.error(request, labelled(field, message))


def post_or_back(to: str):
    """For a view that only takes a POST (in place of `@require_POST`), no dead ends: a GET
    (a reloaded or bookmarked form address) goes back to the page `to` names, at the form (the
    request page gets the view's `reference`; a request the person may not see is the same 404
    as its page); a POST from someone whose session ended keeps what they typed and comes back
    there after sign-in; and a form refused by the CSRF check does the same
    (`sosa_portal.errors.csrf_failure` calls `after_csrf_failure` for a form from this site).

    Above `@login_required` it sees signed-out people; below it, login_required sends them to
    sign in and back to the form address, which then goes back to `to`."""

    def places(request, kwargs) -> tuple[str, str]:
        reference = kwargs.get("reference")
        page = reverse(to, kwargs={"reference": reference} if reference else None)
        return page, page + typed_text.anchor(request)

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            page, landing = places(request, kwargs)
            if not request.user.is_authenticated:
                if request.method == "POST":
                    return typed_text.sign_in_again(request, page, landing)
                return redirect(landing)
            if request.method != "POST":
                if "reference" in kwargs:  # the tenant rule first, as on the page itself
                    visible_request_or_404(request.user, kwargs["reference"])
                return redirect(landing)
            return view(request, *args, **kwargs)

        def after_csrf_failure(request, *args, **kwargs):
            return typed_text.send_again(request, *places(request, kwargs))

        wrapper.after_csrf_failure = after_csrf_failure
        return wrapper

    return decorate
