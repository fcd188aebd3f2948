"""Filing and editing drafts (DESIGN §8): the form with its item rows and attachments."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import services
from ..exceptions import DomainError, InvalidInput
from ..models import (
    PriorityRequest,
    Urgency,
)
from ..moments import day_text
from ..permissions import (
    may_delete_draft,
    may_edit_draft,
    may_file,
    profile_of,
)
from ..services import attachments
from . import held_uploads
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


def render_draft_form(request, form, formset, *, draft, items_errors=(), held=(), status=200):
    context = {
        "held": list(held),
        "form": form,
        "formset": formset,
        "draft": draft,
        "items_errors": list(items_errors),
        "error_summary": error_summary(form, formset, items_errors),
        "attachments": list(draft.attachments.all()) if draft else [],
    }
    return render(request, "requests/form.html", context, status=status)


def save_draft(request, form, formset, *, draft: PriorityRequest | None):
    """Save a draft in one transaction (all or nothing); with "Continue", check it could be
    submitted too and go on to "Check your answers". Every problem (fields, items, the rules of
    submission, files) is reported in one round; the files that passed are held for the next."""
    user = request.user
    submitting = "submit" in request.POST
    held = held_uploads.held_from(user, request.POST.getlist("held"))
    dropped = set(request.POST.getlist("drop_held"))
    held_uploads.release([kept for kept in held if kept.token in dropped])
    held = [kept for kept in held if kept.token not in dropped]
    uploads = form.files.getlist("attachments") if form.files else []
    forms_valid = form.is_valid() & formset.is_valid()  # both, to show every error at once
    items, sources = collected_items(formset)
    problems = round_problems(form, items, draft=draft, submitting=submitting)
    file_problems = [message for upload in uploads for message in attachments.problems_with(upload)]
    if not forms_valid or problems or file_problems:
        rest = add_item_errors(formset, sources, problems)
        items_errors = rest.pop("items", [])
        add_service_errors(form, {k: v for k, v in rest.items() if k not in form.errors})
        for message in file_problems:
            form.add_error("attachments", message)
        held += [
            held_uploads.hold(user, upload)
            for upload in uploads
            if not attachments.problems_with(upload)
        ][: held_uploads.MAX_HELD - len(held)]
        return render_draft_form(
            request, form, formset, draft=draft, items_errors=items_errors, held=held, status=400
        )
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
            attach_all(saved, user, [kept.open() for kept in held] + list(uploads), stored)
    except InvalidInput as error:
        remove_files(stored)
        rest = add_item_errors(formset, sources, error.errors)
        items_errors = rest.pop("items", [])
        add_service_errors(form, rest)
        return render_draft_form(
            request, form, formset, draft=draft, items_errors=items_errors, held=held, status=400
        )
    except DomainError as error:
        remove_files(stored)
        flash_domain_error(request, error)
        if draft is None:
            return render_draft_form(
                request, form, formset, draft=None, held=held, status=error.status
            )
        fresh = visible_request_or_404(user, draft.reference)
        if not may_edit_draft(user, fresh):  # submitted or withdrawn meanwhile
            return redirect(draft_url(fresh))
        return render_fresh_draft(request, fresh, status=error.status)
    held_uploads.release(held)
    if submitting:
        messages.info(
            request,
            _(
                "Draft %(reference)s is saved and ready to send. Check your answers, then "
                "send it to %(nation)s."
            )
            % {"reference": saved.reference, "nation": saved.responding_nation.name},
        )
        return redirect("request-check", saved.reference)
    messages.success(
        request,
        _("Draft %(reference)s was saved. Submit it when it is complete.")
        % {"reference": saved.reference},
    )
    return redirect(draft_url(saved))


def round_problems(form, items: list[dict], *, draft, submitting: bool) -> dict[str, list[str]]:
    """The service's rules for this round, on whatever the form could read: the draft's, and
    with "Continue" the submission's too."""
    values = form.draft_values() if hasattr(form, "cleaned_data") else {}
    nation = draft.requesting_nation if draft else form.nation
    problems = services.draft_problems(nation, values, items, new=draft is None)
    if submitting:
        responding = values.get("responding_nation") or (draft.responding_nation if draft else None)
        for name, messages_ in services.submission_problems(
            requesting_nation=nation,
            responding_nation=responding,
            title=values.get("title") or "",
            justification=values.get("justification") or "",
            required_delivery_date=values.get("required_delivery_date"),
            items=items,
            at=timezone.now(),
        ).items():
            problems.setdefault(name, []).extend(m for m in messages_ if m not in problems[name])
    return problems


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
        raise InvalidInput(_("Some files were refused."), {"attachments": refused})


def remove_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def draft_url(request_row: PriorityRequest) -> str:
    return reverse("request-detail", args=[request_row.reference])


@login_required
def request_check(request, reference):
    """ "Check your answers": a saved draft as the partner nation will read it, each part with a
    "Change" link, and the button that sends it. What would stop it is listed on top."""
    draft = visible_request_or_404(request.user, reference)
    if not may_edit_draft(request.user, draft):
        messages.info(request, _("Only a draft of your nation is checked before sending."))
        return redirect(draft_url(draft))
    items = list(draft.items.order_by("id"))
    problems = services.submission_problems(
        requesting_nation=draft.requesting_nation,
        responding_nation=draft.responding_nation,
        title=draft.title,
        justification=draft.justification,
        required_delivery_date=draft.required_delivery_date,
        items=items,
        at=timezone.now(),
    )
    form = DraftForm(nation=draft.requesting_nation, current=draft.responding_nation_id)
    sections = [
        (
            title,
            [
                (field.label, display_value(draft, field.name), field.auto_id)
                for field, _wide, _hint in fields
            ],
        )
        for title, fields in form.sections()
    ]
    context = {
        "row": draft,
        "sections": sections,
        "items": items,
        "attachments": list(draft.attachments.all()),
        "problems": [message for messages_ in problems.values() for message in messages_],
    }
    return render(request, "requests/check.html", context)


def display_value(draft: PriorityRequest, name: str) -> str:
    """A draft field as the check page shows it: the choice's label, the date, or the text."""
    shown = getattr(draft, f"get_{name}_display", None)
    value = shown() if shown else getattr(draft, name)
    if value is None or value == "":
        return ""
    if hasattr(value, "isoformat"):
        return day_text(value)
    return str(value)


@login_required
def request_delete(request, reference):
    """Delete a draft, after a page that says what goes with it (GET), by a requester of its
    nation (POST, with the version the page showed)."""
    draft = visible_request_or_404(request.user, reference)
    if not may_delete_draft(request.user, draft):
        messages.info(request, _("Only a draft that was never sent can be deleted."))
        return redirect(draft_url(draft))
    if request.method != "POST":
        context = {
            "row": draft,
            "items": draft.items.count(),
            "attachments": draft.attachments.count(),
        }
        return render(request, "requests/delete_draft.html", context)
    try:
        services.delete_draft(draft, by=request.user, version=posted_version(request))
    except DomainError as error:
        flash_domain_error(request, error)
        return redirect(draft_url(draft))
    messages.success(
        request,
        _("Draft %(reference)s was deleted, with its items and files.") % {"reference": reference},
    )
    return redirect("request-list")


def posted_version(request) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None
