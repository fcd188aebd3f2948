"""Request pages (DESIGN §8): the request page and its actions; the list
(`lists.py`) and the filing form (`drafts.py`) bring their views to these URL patterns.

Thin: each view parses a form, calls one service, and renders; domain errors become messages
through `flash_domain_error`, and invalid input is put back next to the field it concerns.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from partners.calendars import format_day
from partners.models import Role, calendar_for
from sosa_portal.lib.files import download

from .. import services
from ..deadlines import needed_by
from ..exceptions import DomainError, InvalidInput
from ..models import (
    Attachment,
    PriorityRequest,
    Visibility,
    Watch,
    delivery_progress,
)
from ..permissions import (
    allowed_actions,
    check_may_take,
    may_comment,
    may_edit_draft,
    may_link,
    user_role,
)
from ..queries.links import visible_links
from ..queries.timeline import open_question, timeline
from ..transitions import TRANSITIONS
from ..wording import ACTION_LABELS, ON_BEHALF_LABELS, committed_late
from .action_forms import ACTION_FORMS, DANGEROUS_ACTIONS
from .common import flash_domain_error, post_or_back, visible_request_or_404
from .drafts import (
    attach_all,
    draft_url,
    remove_files,
    request_check,
    request_delete,
    request_edit,
    request_new,
)
from .forms import (
    AttachmentForm,
    LinkForm,
    add_service_errors,
    comment_form_for,
)
from .lists import request_list
from .queue_views import forget_counts
from .request_display import due_summary, waiting_line
from .typed_text import kept_form

# --- the request page ---------------------------------------------------------------------------


def items_with_flags(row) -> list:
    """The request's items, each with `late_text` where its commitment misses the date needed
    (the item's own, else the request's) and `off_day_text` where it falls on a day the
    responding nation does not work: accepted, but flagged."""
    items = list(row.items.prefetch_related("deliveries"))
    calendar = None
    for item in items:
        needed = needed_by(item.required_date, row.required_delivery_date)
        item.late_text = committed_late(item.committed_delivery_date, needed)
        item.off_day_text = ""
        if item.committed_delivery_date is not None:
            calendar = calendar or calendar_for(row.responding_nation)
            reason = calendar.non_working_reason(item.committed_delivery_date)
            if reason:
                item.off_day_text = _("committed on a non-working day: %(day)s (%(reason)s)") % {
                    "day": format_day(item.committed_delivery_date),
                    "reason": reason,
                }
    return items


@login_required
def request_detail(request, reference):
    row = visible_request_or_404(request.user, reference)
    services.mark_request_read(request.user, row)  # its notices: read by opening it
    return render_detail(request, row, bound=kept_form(request, row))  # typed before sign-in


def render_detail(request, row: PriorityRequest, *, bound=None, status: int = 200, extra=None):
    """The request page; `bound` is the one form that was posted and is shown with its errors.
    `?open=<action>` opens that action's panel (the question banner's "Answer now")."""
    user = request.user
    bound_name, bound_form = bound or ("", None)
    asked_to_open = request.GET.get("open", "") if request.method == "GET" else ""
    panels = []
    on_behalf = user_role(user) == Role.LIAISON
    for action in allowed_actions(user, row):
        form = bound_form if action == bound_name else ACTION_FORMS[action](request_row=row)
        panels.append(
            {
                "action": action,
                "label": (on_behalf and ON_BEHALF_LABELS.get(action)) or ACTION_LABELS[action],
                "form": form,
                "open": action in (bound_name, asked_to_open),
                "danger": action in DANGEROUS_ACTIONS,
            }
        )
    # Comments and attachments share one rule: whoever may write a shared comment.
    may_write = may_comment(user, Visibility.SHARED)
    comment_form = attach_form = None
    if bound_name == "comment":
        comment_form = bound_form
    elif may_write:
        comment_form = comment_form_for(user, row)
    if bound_name == "attach":
        attach_form = bound_form
    elif may_write:
        attach_form = AttachmentForm()
    link_form = bound_form if bound_name == "link" else None
    if link_form is None and may_link(user, row):
        link_form = LinkForm()
    items = items_with_flags(row)
    due = due_summary(row)
    context = {
        "row": row,
        "ball_label": waiting_line(row, due),
        "due": due,
        "items": items,
        "progress": delivery_progress(items),
        "links": visible_links(row, user),
        "link_form": link_form,
        "link_open": bound_name == "link",
        "attachments": list(row.attachments.select_related("uploaded_by")),
        "timeline": timeline(row, user),
        "panels": panels,
        "may_edit": may_edit_draft(user, row),
        "comment_form": comment_form,
        "comment_open": bound_name == "comment",
        "attach_form": attach_form,
        "attach_open": bound_name == "attach",
        "watching": Watch.objects.filter(user=user, request=row).exists(),
        "next_in_queue": on_behalf,
        "question": open_question(row),
        "may_answer": any(panel["action"] == "answer" for panel in panels),
        **(extra or {}),
    }
    return render(request, "requests/detail.html", context, status=status)


def after_change(request, row: PriorityRequest):
    """Back to the request page, or to the list when the change took it out of this user's view
    (a supplier that rejects an order no longer sees it)."""
    forget_counts(request.user)  # the queue's side list shows the change at once
    if PriorityRequest.objects.visible_to(request.user).filter(pk=row.pk).exists():
        return redirect(draft_url(row))
    return redirect("request-list")


@post_or_back(to="request-detail")
@login_required
def request_act(request, reference, action):
    action = action.replace("-", "_")
    if action not in ACTION_FORMS:
        raise Http404
    row = visible_request_or_404(request.user, reference)
    try:
        check_may_take(request.user, row, TRANSITIONS[action])
    except DomainError as error:
        flash_domain_error(request, error)
        return render_detail(request, row, status=error.status)
    form = ACTION_FORMS[action](request.POST, request.FILES, request_row=row)
    if not form.is_valid():
        messages.error(request, _("Nothing was changed: check the fields marked below."))
        return render_detail(request, row, bound=(action, form), status=400)
    # An answer may carry files: the answer and its files are kept together or not at all.
    files, stored = form.cleaned_data.get("attachments") or [], []
    try:
        with transaction.atomic():
            updated = services.ACTIONS[action](row, by=request.user, **form.service_kwargs())
            attach_all(updated, request.user, files, stored)
    except InvalidInput as error:
        remove_files(stored)
        flash_domain_error(request, error)
        add_service_errors(form, error.errors)
        return render_detail(request, row, bound=(action, form), status=error.status)
    except DomainError as error:
        remove_files(stored)
        flash_domain_error(request, error)
        fresh = visible_request_or_404(request.user, reference)
        return render_detail(request, fresh, status=error.status)
    if updated.pk != row.pk:  # split: on to the follow-on request, to forward it
        messages.success(
            request,
            _(
                "Follow-on request %(reference)s opened for the rejected items: forward it to "
                "another supplier."
            )
            % {"reference": updated.reference},
        )
        return after_change(request, updated)
    if action == "submit":  # the filing's last step: the reference to quote from now on
        messages.success(
            request,
            _(
                "Request %(reference)s was submitted to %(nation)s. Quote %(reference)s "
                "in any correspondence about it."
            )
            % {"reference": updated.reference, "nation": updated.responding_nation.name},
        )
        return after_change(request, updated)
    messages.success(
        request,
        _("%(action)s: done. %(reference)s is now “%(state)s”.")
        % {
            "action": ACTION_LABELS[action],
            "reference": updated.reference,
            "state": updated.get_state_display(),
        },
    )
    return after_change(request, updated)


@post_or_back(to="request-detail")
@login_required
def request_comment(request, reference):
    row = visible_request_or_404(request.user, reference)
    form = comment_form_for(request.user, row, request.POST)
    if not form.is_valid():
        messages.error(request, _("The comment was not added: check the field marked below."))
        return render_detail(request, row, bound=("comment", form), status=400)
    if request.POST.get("send_as") != "comment" and "answer" in allowed_actions(request.user, row):
        # A question is open and this person may answer it: ask before posting a mere comment.
        confirm = {"confirm_answer": form.cleaned_data["body"]}
        return render_detail(request, row, bound=("comment", form), extra=confirm)
    try:
        comment = services.add_comment(
            row,
            by=request.user,
            body=form.cleaned_data["body"],
            visibility=form.cleaned_data["visibility"],
        )
    except InvalidInput as error:
        flash_domain_error(request, error)
        add_service_errors(form, error.errors)
        return render_detail(request, row, bound=("comment", form), status=error.status)
    except DomainError as error:
        flash_domain_error(request, error)
        return render_detail(request, row, status=error.status)
    if comment.visibility == Visibility.INTERNAL:
        messages.success(request, _("Internal comment added: only officials can read it."))
    elif comment.visibility == Visibility.NATIONAL:
        messages.success(
            request, _("National comment added: only your own nation's officials can read it.")
        )
    else:
        messages.success(request, _("Comment added."))
    return redirect(draft_url(row) + "#timeline")


@post_or_back(to="request-detail")
@login_required
def request_attach(request, reference):
    row = visible_request_or_404(request.user, reference)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        return render_detail(request, row, bound=("attach", form), status=400)
    stored: list[str] = []
    try:
        with transaction.atomic():
            attach_all(row, request.user, form.cleaned_data["files"], stored)
    except InvalidInput as error:
        remove_files(stored)
        form.add_error("files", error.errors.get("attachments", []) or error.message)
        messages.error(request, _("No file was added: check the files marked below."))
        return render_detail(request, row, bound=("attach", form), status=error.status)
    except DomainError as error:
        remove_files(stored)
        flash_domain_error(request, error)
        return render_detail(request, row, status=error.status)
    messages.success(
        request,
        ngettext("%(count)d file attached.", "%(count)d files attached.", len(stored))
        % {"count": len(stored)},
    )
    return redirect(draft_url(row) + "#attachments")


@post_or_back(to="request-detail")
@login_required
def request_link(request, reference):
    row = visible_request_or_404(request.user, reference)
    form = LinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Nothing was linked: check the fields marked below."))
        return render_detail(request, row, bound=("link", form), status=400)
    try:
        link = services.link_requests(
            row,
            by=request.user,
            other_reference=form.cleaned_data["reference"],
            kind=form.cleaned_data["kind"],
        )
    except InvalidInput as error:
        flash_domain_error(request, error)
        add_service_errors(form, error.errors)
        return render_detail(request, row, bound=("link", form), status=error.status)
    except DomainError as error:
        flash_domain_error(request, error)
        return render_detail(request, row, status=error.status)
    messages.success(
        request,
        _("Linked to %(reference)s.") % {"reference": link.target.reference},
    )
    return redirect(draft_url(row) + "#links")


@login_required
def attachment_download(request, reference, attachment_id):
    row = visible_request_or_404(request.user, reference)
    attachment = Attachment.objects.filter(request=row, pk=attachment_id).first()
    if attachment is None:
        raise Http404(_("No such attachment."))
    return download(attachment.file, name=attachment.name, content_type=attachment.content_type)


urlpatterns = [
    path("requests/", request_list, name="request-list"),
    path("requests/new/", request_new, name="request-new"),
    path("requests/<str:reference>/", request_detail, name="request-detail"),
    path("requests/<str:reference>/edit/", request_edit, name="request-edit"),
    path("requests/<str:reference>/check/", request_check, name="request-check"),
    path("requests/<str:reference>/delete/", request_delete, name="request-delete"),
    path("requests/<str:reference>/act/<str:action>/", request_act, name="request-act"),
    path("requests/<str:reference>/comment/", request_comment, name="request-comment"),
    path("requests/<str:reference>/attach/", request_attach, name="request-attach"),
    path("requests/<str:reference>/link/", request_link, name="request-link"),
    path(
        "requests/<str:reference>/attachments/<int:attachment_id>/",
        attachment_download,
        name="request-attachment",
    ),
]
