"""Filing and editing drafts (DESIGN §8): the form with its item rows and attachments."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from .. import services
from ..exceptions import DomainError, InvalidInput
from ..models import (
    PriorityRequest,
    Urgency,
)
from ..permissions import (
    may_edit_draft,
    may_file,
    profile_of,
)
from .common import flash_domain_error, visible_request_or_404
from .forms import (
    DraftForm,
    add_item_errors,
    add_service_errors,
    collected_items,
    items_formset,
)
from .request_display import error_summary

# --- filing and editing drafts ----------------------------------------------------------------


@login_required
def request_new(request):
    user = request.user
    if not may_file(user):
        messages.error(
            request,
            _("Only requesters file new requests. Ask your agency's requester to file it."),
        )
        return redirect("request-list")
    nation = profile_of(user).nation
    if request.method == "POST":
        form = DraftForm(request.POST, request.FILES, nation=nation)
        return save_draft(request, form, items_formset(request.POST), draft=None)
    form = DraftForm(
        nation=nation,
        initial={"requesting_agency": profile_of(user).agency, "urgency": Urgency.ROUTINE},
    )
    return render_draft_form(request, form, items_formset(), draft=None)


@login_required
def request_edit(request, reference):
    draft = visible_request_or_404(request.user, reference)
    if not may_edit_draft(request.user, draft):
        messages.info(request, _("Only a draft can be edited, by a requester of its nation."))
        return redirect(draft_url(draft))
    nation = draft.requesting_nation
    if request.method == "POST":
        form = DraftForm(
            request.POST, request.FILES, nation=nation, current=draft.responding_nation_id
        )
        return save_draft(request, form, items_formset(request.POST), draft=draft)
    return render_fresh_draft(request, draft)


def render_fresh_draft(request, draft: PriorityRequest, *, status: int = 200):
    form = DraftForm(
        nation=draft.requesting_nation,
        current=draft.responding_nation_id,
        initial={name: getattr(draft, name) for name in services.DRAFT_FIELDS}
        | {"version": draft.version},
    )
    items = [
        {name: getattr(item, name) for name in services.ITEM_FIELDS} for item in draft.items.all()
    ]
    return render_draft_form(
        request, form, items_formset(initial=items), draft=draft, status=status
    )


def render_draft_form(request, form, formset, *, draft, items_errors=(), status=200):
    context = {
        "form": form,
        "formset": formset,
        "draft": draft,
        "items_errors": list(items_errors),
        "error_summary": error_summary(form, formset, items_errors),
        "attachments": list(draft.attachments.all()) if draft else [],
    }
    return render(request, "requests/form.html", context, status=status)


def save_draft(request, form, formset, *, draft: PriorityRequest | None):
    """Save (and with the Submit button, submit) a draft in one transaction: all or nothing."""
    user = request.user
    submitting = "submit" in request.POST
    forms_valid = form.is_valid() & formset.is_valid()  # both, to show every error at once
    if not forms_valid:
        return render_draft_form(request, form, formset, draft=draft, status=400)
    items, sources = collected_items(formset)
    stored: list[str] = []  # files written, removed again if the transaction rolls back
    try:
        with transaction.atomic():
            if draft is None:
                saved = services.create_request(by=user, items=items, **form.draft_values())
            else:
                saved = services.update_draft(
                    draft,
                    by=user,
                    version=form.cleaned_data.get("version"),
                    items=items,
                    **form.draft_values(),
                )
            attach_all(saved, user, form.cleaned_data["attachments"], stored)
            if submitting:
                saved = services.submit(saved, by=user, version=saved.version)
    except InvalidInput as error:
        remove_files(stored)
        rest = add_item_errors(formset, sources, error.errors)
        items_errors = rest.pop("items", [])
        add_service_errors(form, rest)
        return render_draft_form(
            request, form, formset, draft=draft, items_errors=items_errors, status=400
        )
    except DomainError as error:
        remove_files(stored)
        flash_domain_error(request, error)
        if draft is None:
            return render_draft_form(request, form, formset, draft=None, status=error.status)
        fresh = visible_request_or_404(user, draft.reference)
        if not may_edit_draft(user, fresh):  # submitted or withdrawn meanwhile
            return redirect(draft_url(fresh))
        return render_fresh_draft(request, fresh, status=error.status)
    if submitting:
        messages.success(
            request,
            _(
                "Request %(reference)s was submitted to %(nation)s. Quote %(reference)s "
                "in any correspondence about it."
            )
            % {"reference": saved.reference, "nation": saved.responding_nation.name},
        )
    else:
        messages.success(
            request,
            _("Draft %(reference)s was saved. Submit it when it is complete.")
            % {"reference": saved.reference},
        )
    return redirect(draft_url(saved))


def attach_all(request_row, user, files, stored: list[str]) -> None:
    """Store each file through the service; refuse them all if any is refused."""
    refused: list[str] = []
    for uploaded in files:
        try:
            attachment = services.add_attachment(request_row, by=user, uploaded=uploaded)
        except InvalidInput as error:
            for message in (m for messages_ in error.errors.values() for m in messages_):
                refused.append(
                    message if uploaded.name in message else f"{uploaded.name}: {message}"
                )
        else:
            stored.append(attachment.file.name)
    if refused:
        raise InvalidInput("Some files were refused.", {"attachments": refused})


def remove_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def draft_url(request_row: PriorityRequest) -> str:
    return reverse("request-detail", args=[request_row.reference])
