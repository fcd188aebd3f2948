"""In-app notifications (DESIGN §8): the signed-in user's outbox rows, newest first."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from sosa_portal.lib.redirects import safe_target

from ..models import Notification
from ..wording import kind_label

PER_PAGE = 25
ALARMS = {"overdue", "escalated", "reminder_overdue"}


def _back(request) -> str:
    return safe_target(request, request.POST.get("next"), "/notifications/")


@login_required
def notifications(request):
    notices = Notification.objects.filter(recipient=request.user).order_by("-created_at", "-id")
    page = Paginator(notices, PER_PAGE).get_page(request.GET.get("page"))
    for notice in page:
        notice.label = kind_label(notice.kind)
        notice.alarm = notice.kind in ALARMS
    return render(
        request,
        "requests/notifications.html",
        {"page": page, "notices": page.object_list},
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
