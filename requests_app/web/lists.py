"""The request list (DESIGN §8): filters, keyset pages both ways, and the rows as the list and
the queue show them."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from partners.reference import calendars_by_id, nations, nations_by_id

from ..models import (
    Party,
    PriorityRequest,
    Rating,
    Resolution,
    Route,
    State,
    Urgency,
)
from ..moments import acting_side_of
from ..permissions import (
    may_file,
)
from ..queries import cursors, dues
from ..queries.lists import RequestFilter, delivery_progress_by_request
from ..wording import committed_late, delivered_text
from .request_display import due_cell

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
    "route",
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
    "committed_delivery_date",
    "required_delivery_date",
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


def keyset_page(request, rows, ordering: str, count_limit: int | None = None) -> cursors.KeysetPage:
    """A page of `rows` in `ordering` after (or before) the cursor in the query string: one
    LIMITed query, plus a bounded count when the page alone does not tell how many match."""
    after = read_cursor(request, "after", ordering)
    before = None if after is not None else read_cursor(request, "before", ordering)
    limits = {"size": PAGE_SIZE, "count_limit": count_limit or COUNT_LIMIT}
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
    count_limit: int | None = None,
) -> dict:
    """What the list and the queue share: the page of rows, the filters and their options.
    The rows load only the columns a list shows (`LIST_FIELDS` and the caller's `more_fields`),
    not the request's long texts."""
    page = keyset_page(
        request, requests.only(*LIST_FIELDS, *more_fields), ordering, count_limit=count_limit
    )
    now = timezone.now()
    form = filterset.form
    return {
        "page": page,
        "rows": describe_rows(page.object_list, now=now),
        "filters": form,
        "filtered": any(
            value
            for name, value in request.GET.items()
            if name not in (*CURSOR_PARAMS, "format", "view", "sort")
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
    state, rating, route, overdue = (
        form[name].value() for name in ("state", "rating", "route", "overdue")
    )
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
        "route_options": choice_options(display_labels(Route).items(), route),
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
    calendars = calendars_by_id(by_id)
    reader = timezone.get_current_timezone_name()
    states, resolutions, urgencies = (display_labels(enum) for enum in (State, Resolution, Urgency))
    unrated, overdue_text, soon_text = _("Unrated"), _("Overdue"), _("Due soon")
    progress = delivery_progress_by_request([row.pk for row in rows if row.state == State.ACCEPTED])
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
            "late_text": str(
                committed_late(row.committed_delivery_date, row.required_delivery_date)
            ),
            "delivered_text": str(delivered_text(progress.get(row.pk))),
        }
        if row.due_at and row.is_open:
            # In the terms of the nation that must act: its working days left, its close of
            # business (moments.due_time), the reader's own time in the cell's title.
            side = acting_side_of(row.state, row.route)
            acting = requesting if side == "requesting" else responding
            when, left, overdue = due_cell(
                row.due_at, acting, calendars[acting.pk], reader=reader, now=now
            )
            soon = dues.is_due_soon(level=row.escalation_level, due_at=row.due_at, now=now)
            status = "overdue" if overdue else "soon" if soon else ""
            cells |= {
                "due_iso": when.iso,
                "due_text": left,
                "due_when": when.short,
                "due_yours": when.yours,
                "due_class": f"due due--{status}" if status else "due",
                "due_badge": "overdue" if overdue else "due-soon" if soon else "",
                "due_badge_text": overdue_text if overdue else soon_text if soon else "",
            }
        shown.append(cells)
    return shown


@login_required
def request_list(request):
    visible = PriorityRequest.objects.visible_to(request.user)
    filterset = RequestFilter(request.GET, queryset=visible, request=request)
    context = list_context(request, filterset.qs, filterset, ordering="-created_at")
    context["may_file"] = may_file(request.user)
    return render(request, "requests/list.html", context)
