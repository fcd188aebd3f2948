"""The queue's side list (issue 16 point 2): its views with their counts, the officer's own
saved views, click-to-sort columns; and the small actions around it: save or delete a view,
watch a request, open the next request that needs the officer's nation."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import PriorityRequest, SavedView, Watch
from ..permissions import may_use_queue, profile_of
from ..queries.lists import RequestFilter
from ..queries.queue import (
    DEFAULT_VIEW,
    VIEW_KEYS,
    VIEWS,
    apply_view,
    bounded_counts,
    first_needing,
)
from .common import post_or_back

# Never part of a saved view or a sort link: the page position and the export switch.
NOT_KEPT = ("after", "before", "page", "format")
# The sortable columns: (column, ordering when first clicked, the other way round or None).
SORT_COLUMNS = {
    "rating": ("priority", None),
    "due": ("due_at", None),
    "reference": ("-created_at", "created_at"),
}


def kept_query(query: QueryDict, **changes) -> QueryDict:
    kept = query.copy()
    for name in NOT_KEPT:
        kept.pop(name, None)
    for name, value in changes.items():
        if value is None:
            kept.pop(name, None)
        else:
            kept[name] = value
    return kept


# The side list's badges stop at "99+": a bounded count reads at most this many rows per view,
# a tenth of the list's own count (COUNT_LIMIT), for eight views on every queue page.
SIDE_COUNT_LIMIT = 99


def count_text(found: int | None) -> str:
    return f"{SIDE_COUNT_LIMIT:,}+" if found is None else f"{found:,}"


def counts_key(user) -> str:
    return f"queue-side-counts:{user.pk}"


def side_counts(user, keys: list[str], named) -> dict[str, int | None]:
    """The side list's counts, kept for SOSA_QUEUE_COUNTS_SECONDS per person (default 30): an
    officer who pages through the queue does not count eight views on every page. The
    officer's own changes (an action, a watch, an assignment) forget them at once
    (`forget_counts`); other people's show within that time. 0 turns the keeping off.
    `named()` builds the views' querysets, only when they are counted."""
    seconds = getattr(settings, "SOSA_QUEUE_COUNTS_SECONDS", 30)
    if not seconds:
        return bounded_counts(named(), SIDE_COUNT_LIMIT)
    # The views and saved views counted (a saved view is never edited, only added or deleted).
    shape = ",".join(keys)
    kept = cache.get(counts_key(user))
    if kept and kept.get("shape") == shape:
        return kept["counts"]
    counts = bounded_counts(named(), SIDE_COUNT_LIMIT)
    cache.set(counts_key(user), {"shape": shape, "counts": counts}, seconds)
    return counts


def forget_counts(user) -> None:
    cache.delete(counts_key(user))


def queue_side(request, view: str, sort: str, profile) -> dict:
    """The side list's views and saved views, each with its count (one query for all), and
    the column headers' sort links."""
    user, now = request.user, timezone.now()
    nation_id = profile.nation_id if profile else None
    saved = list(SavedView.objects.filter(owner=user))

    def named() -> dict:
        visible = PriorityRequest.objects.visible_to(user).open()
        views = {
            view_.key: apply_view(visible, view_.key, user=user, nation_id=nation_id, now=now)
            for view_ in VIEWS
        }
        for mine in saved:
            stored = QueryDict(mine.query)
            key = stored.get("view") or DEFAULT_VIEW
            key = key if key in VIEW_KEYS else DEFAULT_VIEW
            narrowed = apply_view(visible, key, user=user, nation_id=nation_id, now=now)
            views[f"saved-{mine.pk}"] = RequestFilter(stored, queryset=narrowed, request=request).qs
        return views

    keys = [view_.key for view_ in VIEWS] + [f"saved-{mine.pk}" for mine in saved]
    counts = side_counts(user, keys, named)
    current_query = kept_query(request.GET, sort=None if sort == "priority" else sort)
    current_query.setdefault("view", view)
    this_query = current_query.urlencode()
    return {
        "queue_view": view,
        "queue_sort": sort,
        "queue_views": [
            {
                "key": view_.key,
                "label": view_.label,
                "description": view_.description,
                "count": count_text(counts[view_.key]),
                "href": f"?view={view_.key}",
                "current": view_.key == view
                and not any(this_query == saved_view.query for saved_view in saved),
            }
            for view_ in VIEWS
        ],
        "saved_views": [
            {
                "pk": mine.pk,
                "name": mine.name,
                "count": count_text(counts[f"saved-{mine.pk}"]),
                "href": "?" + mine.query,
                "current": this_query == mine.query,
            }
            for mine in saved
        ],
        "this_query": this_query,
        "sort_links": sort_links(request.GET, sort),
        "current_view_label": next(v.label for v in VIEWS if v.key == view),
        "current_view_description": next(v.description for v in VIEWS if v.key == view),
    }


def sort_links(query: QueryDict, sort: str) -> dict:
    links = {}
    for column, (first, other) in SORT_COLUMNS.items():
        active = sort in (first, other)
        target = other if (active and other and sort == first) else first
        links[column] = {
            "href": "?" + kept_query(query, sort=target).urlencode(),
            "aria_sort": (
                ("descending" if sort.startswith("-") else "ascending") if active else None
            ),
        }
    return links


class SaveViewForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name of this view"), max_length=60)
    query = forms.CharField(max_length=1000, required=False)


def ensure_liaison(user) -> None:
    if not may_use_queue(user):
        raise Http404(_("The queue is for liaison officers."))


@login_required
@post_or_back(to="queue")
def save_view(request):
    ensure_liaison(request.user)
    form = SaveViewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the view a name (up to 60 characters) to save it."))
        return redirect("queue")
    name, query = form.cleaned_data["name"].strip(), form.cleaned_data["query"]
    query = kept_query(QueryDict(query)).urlencode()
    if SavedView.objects.filter(owner=request.user).count() >= SavedView.MAX_PER_PERSON:
        messages.error(
            request,
            _("You have %(count)d saved views, the most one person keeps: delete one first.")
            % {"count": SavedView.MAX_PER_PERSON},
        )
        return redirect(reverse("queue") + "?" + query)
    try:
        with transaction.atomic():  # a savepoint: the name's unique check may refuse it
            SavedView.objects.create(owner=request.user, name=name, query=query)
    except IntegrityError:
        messages.error(
            request,
            _("You already have a view named “%(name)s”: choose another name.") % {"name": name},
        )
    else:
        messages.success(
            request, _("View “%(name)s” saved. It is in the list on the left.") % {"name": name}
        )
    return redirect(reverse("queue") + "?" + query)


@login_required
def delete_view(request, view_id: int):
    """Delete one's own saved view (anyone else's is not found). A GET goes back to the queue."""
    view = get_object_or_404(SavedView, pk=view_id, owner=request.user)
    if request.method != "POST":
        return redirect("queue")
    view.delete()
    messages.success(request, _("View “%(name)s” deleted.") % {"name": view.name})
    return redirect("queue")


@login_required
@post_or_back(to="request-detail")
def toggle_watch(request, reference: str):
    """Watch a request (it shows under "Watching" in the queue), or stop watching it."""
    found = get_object_or_404(PriorityRequest.objects.visible_to(request.user), reference=reference)
    forget_counts(request.user)
    watching = Watch.objects.filter(user=request.user, request=found)
    if request.POST.get("watch") == "0":
        watching.delete()
        messages.success(
            request, _("You no longer watch %(reference)s.") % {"reference": reference}
        )
    else:
        Watch.objects.get_or_create(user=request.user, request=found)
        messages.success(
            request,
            _("You are watching %(reference)s: it is listed under “Watching” in your queue.")
            % {"reference": reference},
        )
    return redirect("request-detail", reference=reference)


@login_required
def next_in_queue(request):
    """Open the next request that needs the officer's nation now, after the one in `from`."""
    user = request.user
    ensure_liaison(user)
    profile = profile_of(user)
    if profile is None:
        return redirect("queue")
    current = (
        PriorityRequest.objects.visible_to(user)
        .only("pk", "reference", "priority_rank", "due_at")
        .filter(reference=request.GET.get("from", ""))
        .first()
    )
    found = first_needing(user, profile.nation_id, timezone.now(), after=current)
    if found is None:
        messages.success(request, _("Nothing else needs your nation now: the queue is clear."))
        return redirect("queue")
    return redirect("request-detail", reference=found.reference)


urlpatterns = [
    path("queue/views/", save_view, name="queue-save-view"),
    path("queue/views/<int:view_id>/delete/", delete_view, name="queue-delete-view"),
    path("queue/next/", next_in_queue, name="queue-next"),
    path("requests/<str:reference>/watch/", toggle_watch, name="request-watch"),
]
