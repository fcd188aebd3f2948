"""No lost work (issue 16 point 5): what someone typed into a form of the request page is kept
when their session has ended (or the form is older than their last sign-in), and put back in
that form when they come back to the page.

Text only: never files, the CSRF token, the request's version, or anything named like a
password or a token. It is given back on the page it came from, once, within an hour, and only
in a form that is open to whoever signed in there.
"""

from __future__ import annotations

import re
import time

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from ..models import PriorityRequest, Visibility
from ..permissions import allowed_actions, may_comment, may_link
from .action_forms import ACTION_FORMS
from .forms import LinkForm, comment_form_for

SESSION_KEY = "sosa_typed_text"
KEPT_FOR_SECONDS = 60 * 60
MOST_FIELDS, MOST_CHARACTERS = 60, 20_000  # above any field's max_length: nothing is cut
NEVER_KEPT = re.compile(r"csrf|password|passwd|secret|token|^version$|^next$", re.IGNORECASE)
# Where on the request page each form is, so a person lands on it.
ANCHORS = {
    "request-comment": "#comment",
    "request-attach": "#attachments",
    "request-link": "#links",
}


def anchor(request) -> str:
    """The place of the posted form on the request page: `?open=<action>#act-<action>` (the
    action's panel, opened) for an action, its section's `#id` for the others."""
    match = request.resolver_match
    if match is None:
        return ""
    if match.url_name == "request-act":
        action = str(match.kwargs.get("action", "")).replace("-", "_")
        return f"?open={action}#act-{action}" if action in ACTION_FORMS else ""
    return ANCHORS.get(match.url_name or "", "")


def keep(request, page: str) -> bool:
    """Keep the posted text fields of a request page's form for `page` (a path); False when
    this form is not one the request page fills again, or nothing was typed in it."""
    match = request.resolver_match
    if match is None or match.url_name not in ("request-comment", "request-act", "request-link"):
        return False
    fields = {
        name: [value[:MOST_CHARACTERS] for value in values]
        for name, values in list(request.POST.lists())[:MOST_FIELDS]
        if not NEVER_KEPT.search(name)
    }
    if not any(value.strip() for values in fields.values() for value in values):
        return False
    request.session[SESSION_KEY] = {
        "page": page,
        "form": match.url_name,
        "action": str(match.kwargs.get("action", "")).replace("-", "_"),
        "fields": fields,
        "at": int(time.time()),
    }
    return True


def sign_in_again(request, page: str, landing: str):
    """A signed-out person's POST: keep what they typed, and back to `landing` after sign-in."""
    kept = keep(request, page)
    text = _("Your session ended — sign in to continue.")
    if kept:
        text += " " + _("What you typed is kept.")
    if request.FILES:
        text += " " + _("Files are not kept: choose them again after signing in.")
    messages.warning(request, text)
    return redirect_to_login(landing)


def send_again(request, page: str, landing: str):
    """A form refused by the CSRF check (its page was from before the person's last sign-in):
    nothing was done; keep what they typed and show the page again (through sign-in when
    signed out)."""
    if not request.user.is_authenticated:
        return sign_in_again(request, page, landing)
    kept = keep(request, page)
    text = _("Nothing was sent: the page was from before your last sign-in.")
    if kept:
        text += " " + _("What you typed is kept below: check it and send it again.")
    else:
        text += " " + _("Send it again from this page.")
    messages.warning(request, text)
    return redirect(landing)


def kept_form(request, row: PriorityRequest) -> tuple[str, forms.Form] | None:
    """The form typed into before the session ended, filled again, when this is its page: for
    `render_detail(bound=…)`, which opens it. None when nothing was kept for this page."""
    kept = request.session.get(SESSION_KEY)
    if not isinstance(kept, dict) or kept.get("page") != request.path:
        return None
    del request.session[SESSION_KEY]
    if time.time() - kept.get("at", 0) > KEPT_FOR_SECONDS:
        return None
    name, form = open_form(request.user, row, kept.get("form"), kept.get("action", ""))
    fields: dict[str, list[str]] = kept.get("fields", {})
    if form is None:
        typed = " / ".join(v for values in fields.values() for v in values if v.strip())
        messages.warning(
            request,
            _("That form is no longer open to you here, so what you typed is not in it: %(text)s")
            % {"text": typed},
        )
        return None
    for field_name, field in form.fields.items():
        values = fields.get(field_name)
        if not values or field.widget.is_hidden or isinstance(field, forms.FileField):
            continue
        many = isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField)
        form.initial[field_name] = values if many else values[-1]
    messages.info(request, _("What you typed is back in the form: check it and send it."))
    return name, form


def open_form(user, row: PriorityRequest, url_name, action: str):
    """(name, an empty form) of the request page for a kept form, if it is open to `user`."""
    if url_name == "request-comment" and may_comment(user, Visibility.SHARED):
        return "comment", comment_form_for(user, row)
    if url_name == "request-link" and may_link(user, row):
        return "link", LinkForm()
    if url_name == "request-act" and action in allowed_actions(user, row):
        return action, ACTION_FORMS[action](request_row=row)
    return "", None
