"""In-app notifications (DESIGN §8): the signed-in person's notices, newest first, gathered
under their request (its reference and title) so that the newest group comes first; filtered
in the URL (`?unread=1`, `?show=overdue` or `?show=mentions`); 25 notices a page. Each says who
did what and where the request stands (`notice_wording.notice_line`). How each kind reaches the
person by e-mail is `notification_settings.py`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from sosa_portal.lib.redirects import safe_target

from ..models import ALARM_KINDS, Notification
from ..notice_wording import by_request, notice_explanation, notice_kind_label, notice_line
from ..queries.notifications import SHOWS, notices_of

PER_PAGE = 25
SHOW_LABELS = {
    "": _("All"),
    "overdue": _("Overdue or escalated"),
    "mentions": _("Mentions of you"),
}
assert set(SHOW_LABELS) == set(SHOWS), "every filter has its label"


def _back(request) -> str:
    return safe_target(request, request.POST.get("next"), "/notifications/")


def _with(request, **changes: str) -> str:
    """This page's address with `changes` to its filters ('' drops one), from its first page."""
    params = request.GET.copy()
    params.pop("page", None)
    for name, value in changes.items():
        if value:
            params[name] = value
        else:
            params.pop(name, None)
    query = params.urlencode()
    return f"{request.path}?{query}" if query else request.path


@login_required
def notifications(request):
    show = request.GET.get("show", "")
    show = show if show in SHOWS else ""
    unread = request.GET.get("unread") == "1"
    notices = notices_of(request.user, show=show, unread=unread)
    page = Paginator(notices, PER_PAGE).get_page(request.GET.get("page"))
    for notice in page:
        notice.label = notice_kind_label(notice.kind)
        notice.alarm = notice.kind in ALARM_KINDS
        notice.line = notice_line(notice)
        notice.explanation = notice_explanation(notice.payload or {})
    return render(
        request,
        "requests/notifications.html",
        {
            "page": page,
            "notices": page.object_list,
            "groups": by_request(page.object_list),
            "show": show,
            "unread_only": unread,
            "shows": [
                (key, label, key == show, _with(request, show=key))
                for key, label in SHOW_LABELS.items()
            ],
            "unread_toggle": _with(request, unread="" if unread else "1"),
            "filtered": bool(show or unread),
        },
    )


@require_POST
@login_required
def mark_read(request, notice_id: int):
    """Mark one of the user's own notices read (someone else's id changes nothing: 404)."""
    notice = get_object_or_404(Notification, pk=notice_id, recipient=request.user)
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
    return redirect(_back(request))


@require_POST
@login_required
def mark_all_read(request):
    count = Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if count:
        messages.success(
            request,
            ngettext(
                "%(count)s notification marked as read.",
                "%(count)s notifications marked as read.",
                count,
            )
            % {"count": count},
        )
    return redirect(_back(request))


urlpatterns = [
    path("notifications/", notifications, name="notifications"),
    path("notifications/<int:notice_id>/read/", mark_read, name="notification_read"),
    path("notifications/read-all/", mark_all_read, name="notifications_read_all"),
]
