"""The liaison officer's triage queue (DESIGN §8): open requests by priority, bulk assignment
through `services.triage`, and a CSV export of exactly the filtered list."""

from __future__ import annotations

import functools
from typing import cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sosa_portal.lib import safe_csv
from sosa_portal.lib.redirects import safe_target

from .. import services
from ..exceptions import DomainError, InvalidInput, StaleVersion
from ..models import PriorityRequest
from ..moments import acting_side_of, due_time
from ..permissions import (
    allowed_actions_on,
    assignable_people,
    profile_of,
)
from ..queries import cursors
from ..queries.lists import RequestFilter
from ..queries.queue import DEFAULT_VIEW, VIEW_KEYS, apply_view
from .common import post_or_back
from .forms import BulkAssignForm, person_label
from .lists import CURSOR_PARAMS, PARTY_LABELS, choice_options, list_context
from .queue_views import SIDE_COUNT_LIMIT, ensure_liaison, forget_counts, queue_side

CSV_HEADER = (
    "reference",
    "title",
    "state",
    "resolution",
    "route",
    "rating",
    "bis_case_number",
    "determined_by",
    "approved_by",
    "urgency",
    "requesting_nation",
    "responding_nation",
    "assignee",
    "supplier",
    "ball_in_court",
    "due_at",
    "overdue",
    "escalated",
    "required_delivery_date",
    "submitted_at",
)
User = get_user_model()


def ensure_queue_user(user) -> None:
    ensure_liaison(user)  # permissions.may_use_queue, one rule for every queue page


# Click-to-sort columns (`sort=` in the URL): the orderings the keyset pages know.
SORTS = ("priority", "due_at", "-created_at", "created_at")


def chosen(request, name: str, allowed, default: str) -> str:
    value = request.GET.get(name) or default
    return value if value in allowed else default


def queue_requests(request):
    """The queue's rows for this user and query string: (filterset, rows, view, sort). The
    view narrows the visible open requests first (default "Needs us now"), then the filters."""
    user = request.user
    ensure_queue_user(user)
    view = chosen(request, "view", VIEW_KEYS, DEFAULT_VIEW)
    profile = profile_of(user)
    viewed = apply_view(
        PriorityRequest.objects.visible_to(user).open(),
        view,
        user=user,
        nation_id=profile.nation_id if profile else None,
        now=timezone.now(),
    )
    filterset = RequestFilter(request.GET, queryset=viewed, request=request)
    sort = chosen(request, "sort", SORTS, "priority")
    return filterset, filterset.qs, view, sort


@login_required
def queue(request):
    filterset, rows, view, sort = queue_requests(request)
    if request.GET.get("format") == "csv":
        return csv_export(
            rows.order_by(*cursors.order_by(sort)).select_related(
                "requesting_nation",
                "responding_nation",
                "assignee",
                "supplier",
                "determined_by",
                "approved_by",
            )
        )
    # The page's nations come from the cache (list_context); the supplier is not shown.
    context = list_context(
        request,
        rows.select_related("assignee"),
        filterset,
        ordering=sort,
        open_only=True,
        more_fields=("assignee__username", "assignee__first_name", "assignee__last_name"),
        # As the side list's badges ("99+"): the queue is work to do, not a register to count.
        count_limit=SIDE_COUNT_LIMIT,
    )
    mark_assignable(request.user, context["page"].object_list)
    for row, cells in zip(context["page"].object_list, context["rows"], strict=True):
        cells["may_assign"] = row.may_assign
        cells["assignee_label"] = assignee_label(row.assignee) if row.assignee else ""
    profile = profile_of(request.user)
    # One query for both pickers: the "Assigned to" filter and the bulk form's select.
    people = assignable_people_now(profile.nation_id) if profile else []
    context |= {
        "assignee_options": assignee_options(people, filterset.form["assignee"].value()),
        "bulk_picker": bulk_picker(people) if profile else None,
        "csv_query": query_without(request.GET, CURSOR_PARAMS),
        **queue_side(request, view, sort, profile),
    }
    return render(request, "requests/queue.html", context)


def query_without(query, names) -> str:
    """The query string less the page position: the export is the whole filtered list."""
    kept = query.copy()
    for name in names:
        kept.pop(name, None)
    return kept.urlencode()


def mark_assignable(user, rows) -> None:
    """`row.may_assign`: may this user triage the row now? Decided once per (state, nation)."""
    decided: dict[tuple[str, str, int, int], bool] = {}
    for row in rows:
        key = (row.state, row.route, row.requesting_nation_id, row.responding_nation_id)
        if key not in decided:
            decided[key] = "triage" in allowed_actions_on(
                user,
                state=row.state,
                route=row.route,
                requesting_nation_id=row.requesting_nation_id,
                responding_nation_id=row.responding_nation_id,
            )
        row.may_assign = decided[key]


def assignee_label(person) -> str:
    return person.get_full_name() or person.username


def assignee_options(people, selected: str | None) -> SafeString:
    """The "Assigned to" filter offers the people requests can be assigned to (the bulk form's
    short list), not everyone assigned somewhere in the queue, which needs a scan of it."""
    choices = [(person.username, person_label(person)) for person in people]
    if selected and selected not in {person.username for person in people}:
        choices.append((selected, selected))  # keep a linked filter shown
    return choice_options(choices, selected)


@functools.lru_cache(maxsize=256)
def assignable_people_sql(nation_id: int) -> tuple[str, tuple]:
    """`assignable_people`'s SQL for a nation, compiled once: the ORM takes longer to build
    that query (joins, an exclusion, DISTINCT) than the database to answer it."""
    people = assignable_people(nation_id).values_list("pk", "username", "first_name", "last_name")
    return people.query.sql_with_params()


def assignable_people_now(nation_id: int) -> list:
    """The people `assignable_people` lists today, as unsaved users with their names only."""
    sql, params = assignable_people_sql(nation_id)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [
            User(pk=pk, username=username, first_name=first_name, last_name=last_name)
            for pk, username, first_name, last_name in cursor.fetchall()
        ]


def bulk_picker(people) -> dict:
    """The bulk form's select, as `BulkAssignForm` would render it unbound, without building
    the form and its widget templates (one template per option) on every page view."""
    field = cast(forms.ModelChoiceField, BulkAssignForm.base_fields["assignee"])
    return {
        "label": field.label,
        "empty_label": field.empty_label,
        "people": [(person.pk, person_label(person)) for person in people],
    }


@login_required
@post_or_back(to="queue")
def queue_assign(request):
    """Triage each selected request with the chosen assignee, one service call each."""
    ensure_queue_user(request.user)
    back = safe_target(request, request.POST.get("next"), "/queue/", prefix="/queue/")
    references = list(dict.fromkeys(request.POST.getlist("references")))
    profile = profile_of(request.user)
    form = BulkAssignForm(request.POST, nation_id=profile.nation_id if profile else None)
    if not references:
        messages.error(request, _("Select at least one request to assign."))
        return redirect(back)
    if not form.is_valid():
        messages.error(request, _("Choose the person to assign the selected requests to."))
        return redirect(back)
    assignee = form.cleaned_data["assignee"]
    found = {
        row.reference: row
        for row in PriorityRequest.objects.visible_to(request.user).filter(reference__in=references)
    }
    assigned = []
    for reference in references:
        row = found.get(reference)
        if row is None:
            messages.error(request, _("%(reference)s: no such request.") % {"reference": reference})
            continue
        try:
            services.triage(
                row, by=request.user, assignee=assignee, version=posted_version(request, reference)
            )
        except DomainError as error:
            messages.error(
                request,
                _("%(reference)s was not assigned: %(reason)s")
                % {"reference": reference, "reason": failure_reason(error)},
            )
        else:
            assigned.append(reference)
    if assigned:
        forget_counts(request.user)
        messages.success(
            request,
            ngettext(
                "%(count)d request assigned to %(person)s: %(references)s.",
                "%(count)d requests assigned to %(person)s: %(references)s.",
                len(assigned),
            )
            % {
                "count": len(assigned),
                "person": person_label(assignee),
                "references": ", ".join(assigned),
            },
        )
    return redirect(back)


def posted_version(request, reference: str) -> int | None:
    value = request.POST.get(f"version-{reference}", "")
    return int(value) if value.isascii() and value.isdigit() else None


def failure_reason(error: DomainError) -> str:
    """One line for a request of a bulk action (the page-wide wording is in flash_domain_error)."""
    if isinstance(error, StaleVersion):
        return _("someone else changed it since the queue was loaded; check it and try again.")
    if isinstance(error, InvalidInput):
        return " ".join(message for messages_ in error.errors.values() for message in messages_)
    return error.message or _("not allowed.")


# --- CSV export ---------------------------------------------------------------------------------


def csv_export(rows):
    """Every row of the filtered queue (not just one page), streamed. No comments at all."""
    zone = timezone.get_current_timezone()
    now = timezone.now()

    def when(moment):
        return moment.astimezone(zone).isoformat(timespec="minutes") if moment else ""

    def values():
        for row in rows.iterator(chunk_size=500):
            yield (
                row.reference,
                row.title,
                row.state,
                row.resolution,
                row.route,
                row.rating_display,
                row.bis_case_number,
                row.determined_by.username if row.determined_by else "",
                row.approved_by.username if row.approved_by else "",
                row.urgency,
                row.requesting_nation.code,
                row.responding_nation.code,
                row.assignee.username if row.assignee else "",
                row.supplier.name if row.supplier else "",
                PARTY_LABELS.get(row.ball_in_court, ""),
                due_in_acting_zone(row),
                "yes" if row.due_at and row.due_at < now else "no",
                "yes" if row.escalated_at else "no",
                row.required_delivery_date.isoformat() if row.required_delivery_date else "",
                when(row.submitted_at),
            )

    def due_in_acting_zone(row) -> str:
        """The due time as the page writes it: in the zone of the nation that must act."""
        if not row.due_at:
            return ""
        nation = getattr(row, f"{acting_side_of(row.state, row.route)}_nation")
        return due_time(
            row.due_at, nation_code=nation.code, zone=nation.time_zone, reader_zone=nation.time_zone
        ).iso

    filename = f"sosa-queue-{timezone.localdate():%Y-%m-%d}.csv"
    return safe_csv.streaming_response(
        CSV_HEADER, values(), filename, limit=settings.SOSA_EXPORT_MAX_ROWS
    )


urlpatterns = [
    path("queue/", queue, name="queue"),
    path("queue/assign/", queue_assign, name="queue-assign"),
]
