"""Request pages (DESIGN §8): the list, the filing form, the request page and its actions.

Thin: each view parses a form, calls one service, and renders; domain errors become messages
through `flash_domain_error`, and invalid input is put back next to the field it concerns.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partners.models import Role
from partners.reference import nations, nations_by_id

from .. import services
from ..action_forms import ACTION_FORMS, DANGEROUS_ACTIONS
from ..exceptions import DomainError, InvalidInput, NotAllowed
from ..forms import (
    AttachmentForm,
    CommentForm,
    DraftForm,
    add_item_errors,
    add_service_errors,
    collected_items,
    items_formset,
)
from ..models import (
    Attachment,
    Party,
    PriorityRequest,
    Rating,
    Resolution,
    State,
    Urgency,
    Visibility,
)
from ..permissions import (
    allowed_actions,
    may_comment,
    may_edit_draft,
    may_file,
    may_take,
    profile_of,
    user_role,
)
from ..queries import cursors, dues
from ..queries.lists import RequestFilter
from ..queries.timeline import timeline
from ..transitions import TRANSITIONS
from ..wording import ACTION_LABELS, ON_BEHALF_LABELS
from .common import flash_domain_error, visible_request_or_404
from .request_display import due_summary, error_summary

PAGE_SIZE = 25
# Up to this many matching rows the pages say how many; beyond it "more than 1,000".
COUNT_LIMIT = 1000
PARTY_LABELS = dict(Party.choices)
# Lists page by position (the API's keyset cursor), never by OFFSET; `page` is the old link.
# What `describe_rows` and the cursors read of a row; a field missing here costs a query per row.
LIST_FIELDS = (
    "reference",
    "title",
    "requesting_nation",
    "responding_nation",
    "assignee",
    "state",
    "resolution",
    "urgency",
    "rating",
    "program_symbol",
    "due_at",
    "escalation_level",
    "escalated_at",
    "version",
    "priority_rank",
    "created_at",
)
CURSOR_PARAMS = ("after", "before", "page")


def read_cursor(request, name: str, ordering: str) -> list | None:
    """The position in the `after` or `before` parameter (the API's cursor codec); a mangled or
    stale link shows the first page."""
    raw = request.GET.get(name)
    if not raw:
        return None  # the first page
    try:
        return cursors.decode(raw, ordering)
    except cursors.InvalidCursor:
        return None


def keyset_page(request, rows, ordering: str) -> cursors.KeysetPage:
    """A page of `rows` in `ordering` after (or before) the cursor in the query string: one
    LIMITed query, plus a bounded count when the page alone does not tell how many match."""
    after = read_cursor(request, "after", ordering)
    before = None if after is not None else read_cursor(request, "before", ordering)
    limits = {"size": PAGE_SIZE, "count_limit": COUNT_LIMIT}
    page = cursors.page_at(rows, ordering, after=after, before=before, **limits)
    if not page.object_list and (after is not None or before is not None):
        # The rows of the link were resolved or moved since: start again at the top.
        page = cursors.page_at(rows, ordering, after=None, before=None, **limits)
    return page


def list_context(
    request,
    requests,
    filterset,
    *,
    ordering: str,
    open_only: bool = False,
    more_fields: tuple[str, ...] = (),
) -> dict:
    """What the list and the queue share: the page of rows, the filters and their options.
    The rows load only the columns a list shows (`LIST_FIELDS` and the caller's `more_fields`),
    not the request's long texts."""
    page = keyset_page(request, requests.only(*LIST_FIELDS, *more_fields), ordering)
    now = timezone.now()
    form = filterset.form
    return {
        "page": page,
        "rows": describe_rows(page.object_list, now=now),
        "filters": form,
        "filtered": any(
            value for name, value in request.GET.items() if name not in (*CURSOR_PARAMS, "format")
        ),
        **filter_options(form, open_only=open_only),
        "now": now,
    }


def choice_options(choices, selected) -> SafeString:
    """A filter's `<option>` tags, the current value selected: built here, as a template loop
    costs more than the rest of the filter form for the forty-odd options of the page."""
    return mark_safe(  # every value and label is escaped
        "".join(
            f'<option value="{escape(value)}"{" selected" if value == selected else ""}>'
            f"{escape(label)}</option>"
            for value, label in choices
        )
    )


def filter_options(form, *, open_only: bool) -> dict:
    """The filter form's current values and its select boxes' options. The queue lists open
    requests only, so it offers no "resolved" state."""
    state, rating, overdue = (form[name].value() for name in ("state", "rating", "overdue"))
    # Nation codes in links may come in lower case.
    from_code, to_code = (
        str(form[name].value()).upper() for name in ("requesting_nation", "responding_nation")
    )
    states = [(value, label) for value, label in display_labels(State).items()]
    if open_only:
        states = [(value, label) for value, label in states if value != State.RESOLVED]
    codes = [(nation.code, nation.name) for nation in nations()]
    return {
        "search_text": form["q"].value() or "",
        "state_options": choice_options(states, state),
        "rating_options": choice_options(display_labels(Rating).items(), rating),
        "from_options": choice_options(codes, from_code),
        "to_options": choice_options(codes, to_code),
        "overdue_only": overdue == "true",
        "not_overdue": overdue == "false",
    }


def display_labels(choices) -> dict[str, str]:
    """An enum's labels in the active language, translated once per language and process."""
    key = (choices, get_language())
    if key not in _LABELS:
        _LABELS[key] = {value: str(label) for value, label in choices.choices}
    return _LABELS[key]


_LABELS: dict[tuple, dict[str, str]] = {}


def describe_rows(rows, *, now) -> list[dict]:
    """Every string each row of a list shows, worked out once per page (labels, links, classes,
    the deadline) so that the template only places them: per-row `{% if %}` chains, lookups on
    model instances and choice labels cost more than the page's queries. Plain dicts, as the
    template engine tries a key before an attribute. Nations come from the cache, not a join."""
    by_id = nations_by_id(
        {row.requesting_nation_id for row in rows} | {row.responding_nation_id for row in rows}
    )
    before, after = reverse("request-detail", args=["REFERENCE"]).split("REFERENCE")
    months: dict[int, str] = {}
    states, resolutions, urgencies = (display_labels(enum) for enum in (State, Resolution, Urgency))
    unrated, overdue_text, soon_text = _("Unrated"), _("Overdue"), _("Due soon")
    shown = []
    for row in rows:
        requesting, responding = by_id[row.requesting_nation_id], by_id[row.responding_nation_id]
        rating = row.rating
        cells = {
            "reference": row.reference,
            "version": row.version,
            "title": row.title,
            "href": before + row.reference + after,
            "from_code": requesting.code,
            "from_name": requesting.name,
            "to_code": responding.code,
            "to_name": responding.name,
            "state": row.state,
            "state_label": states.get(row.state, row.state),
            "resolution_label": resolutions.get(row.resolution, "") if row.resolution else "",
            "urgency_badge": urgencies.get(row.urgency, row.urgency)
            if row.urgency != Urgency.ROUTINE
            else "",
            "rating_class": f"badge badge--{rating}" if rating else "muted",
            "rating_text": row.rating_display if rating else unrated,
            "ball_text": PARTY_LABELS.get(row.ball_in_court, "") or "—",
            "due_text": "",  # no deadline shown
            "escalated": row.escalated_at is not None,
        }
        if row.due_at and row.is_open:
            local = timezone.localtime(row.due_at)
            if local.month not in months:
                months[local.month] = str(MONTHS_3[local.month]).title()
            overdue = dues.is_overdue(row.due_at, now)
            soon = dues.is_due_soon(level=row.escalation_level, due_at=row.due_at, now=now)
            status = "overdue" if overdue else "soon" if soon else ""
            cells |= {
                # The `date` filter's "c" and "j M Y, H:i", without a DateFormat per row.
                "due_iso": local.isoformat(),
                "due_text": f"{local.day} {months[local.month]} {local.year}, {local:%H:%M}",
                "due_class": f"due due--{status}" if status else "due",
                "due_badge": "overdue" if overdue else "due-soon" if soon else "",
                "due_badge_text": overdue_text if overdue else soon_text if soon else "",
            }
        shown.append(cells)
    return shown


@login_required
def request_list(request):
    visible = PriorityRequest.objects.visible_to(request.user)
    filterset = RequestFilter(request.GET, queryset=visible)
    context = list_context(request, filterset.qs, filterset, ordering="-created_at")
    context["may_file"] = may_file(request.user)
    return render(request, "requests/list.html", context)


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
        form = DraftForm(request.POST, request.FILES, nation=nation)
        return save_draft(request, form, items_formset(request.POST), draft=draft)
    return render_fresh_draft(request, draft)


def render_fresh_draft(request, draft: PriorityRequest, *, status: int = 200):
    form = DraftForm(
        nation=draft.requesting_nation,
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


# --- the request page ---------------------------------------------------------------------------


@login_required
def request_detail(request, reference):
    return render_detail(request, visible_request_or_404(request.user, reference))


def render_detail(request, row: PriorityRequest, *, bound=None, status: int = 200):
    """The request page; `bound` is the one form that was posted and is shown with its errors."""
    user = request.user
    bound_name, bound_form = bound or ("", None)
    panels = []
    on_behalf = user_role(user) == Role.LIAISON
    for action in allowed_actions(user, row):
        form = bound_form if action == bound_name else ACTION_FORMS[action](request_row=row)
        panels.append(
            {
                "action": action,
                "label": (on_behalf and ON_BEHALF_LABELS.get(action)) or ACTION_LABELS[action],
                "form": form,
                "open": action == bound_name,
                "danger": action in DANGEROUS_ACTIONS,
            }
        )
    # Comments and attachments share one rule: whoever may write a shared comment.
    may_write = may_comment(user, Visibility.SHARED)
    comment_form = attach_form = None
    if bound_name == "comment":
        comment_form = bound_form
    elif may_write:
        comment_form = CommentForm(may_write_internal=may_comment(user, Visibility.INTERNAL))
    if bound_name == "attach":
        attach_form = bound_form
    elif may_write:
        attach_form = AttachmentForm()
    context = {
        "row": row,
        "ball_label": PARTY_LABELS.get(row.ball_in_court, ""),
        "due": due_summary(row),
        "items": list(row.items.all()),
        "attachments": list(row.attachments.select_related("uploaded_by")),
        "timeline": timeline(row, user),
        "panels": panels,
        "may_edit": may_edit_draft(user, row),
        "comment_form": comment_form,
        "comment_open": bound_name == "comment",
        "attach_form": attach_form,
        "attach_open": bound_name == "attach",
    }
    return render(request, "requests/detail.html", context, status=status)


def after_change(request, row: PriorityRequest):
    """Back to the request page, or to the list when the change took it out of this user's view
    (a supplier that rejects an order no longer sees it)."""
    if PriorityRequest.objects.visible_to(request.user).filter(pk=row.pk).exists():
        return redirect(draft_url(row))
    return redirect("request-list")


@login_required
@require_POST
def request_act(request, reference, action):
    action = action.replace("-", "_")
    if action not in ACTION_FORMS:
        raise Http404
    row = visible_request_or_404(request.user, reference)
    if not may_take(request.user, row, TRANSITIONS[action]):
        error = NotAllowed(_("Your role may not take this action on this request."))
        flash_domain_error(request, error)
        return render_detail(request, row, status=error.status)
    form = ACTION_FORMS[action](request.POST, request_row=row)
    if not form.is_valid():
        messages.error(request, _("Nothing was changed: check the fields marked below."))
        return render_detail(request, row, bound=(action, form), status=400)
    try:
        updated = services.ACTIONS[action](row, by=request.user, **form.service_kwargs())
    except InvalidInput as error:
        flash_domain_error(request, error)
        add_service_errors(form, error.errors)
        return render_detail(request, row, bound=(action, form), status=error.status)
    except DomainError as error:
        flash_domain_error(request, error)
        fresh = visible_request_or_404(request.user, reference)
        return render_detail(request, fresh, status=error.status)
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


@login_required
@require_POST
def request_comment(request, reference):
    row = visible_request_or_404(request.user, reference)
    form = CommentForm(
        request.POST, may_write_internal=may_comment(request.user, Visibility.INTERNAL)
    )
    if not form.is_valid():
        messages.error(request, _("The comment was not added: check the field marked below."))
        return render_detail(request, row, bound=("comment", form), status=400)
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
    else:
        messages.success(request, _("Comment added."))
    return redirect(draft_url(row) + "#timeline")


@login_required
@require_POST
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


@login_required
def attachment_download(request, reference, attachment_id):
    row = visible_request_or_404(request.user, reference)
    attachment = Attachment.objects.filter(request=row, pk=attachment_id).first()
    if attachment is None:
        raise Http404(_("No such attachment."))
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns = [
    path("requests/", request_list, name="request-list"),
    path("requests/new/", request_new, name="request-new"),
    path("requests/<str:reference>/", request_detail, name="request-detail"),
    path("requests/<str:reference>/edit/", request_edit, name="request-edit"),
    path("requests/<str:reference>/act/<str:action>/", request_act, name="request-act"),
    path("requests/<str:reference>/comment/", request_comment, name="request-comment"),
    path("requests/<str:reference>/attach/", request_attach, name="request-attach"),
    path(
        "requests/<str:reference>/attachments/<int:attachment_id>/",
        attachment_download,
        name="request-attachment",
    ),
]
