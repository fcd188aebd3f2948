"""The admin behind the second factor, and the admin's second-factor actions on users: issue an
invitation to set up an authenticator app, reset a lost one (pen-test finding 7; both audited).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse

from . import invitations, two_factor


class VerifiedAdminSite(admin.AdminSite):
    """Django's admin, open only to staff who owe no second-factor step (TwoFactorMiddleware
    already holds them at /admin/; this keeps the rule if a path ever slips past it)."""

    def has_permission(self, request) -> bool:
        return super().has_permission(request) and two_factor.pending_step(request.user) is None


def _selected(request, queryset) -> dict:
    return {
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "selected": [str(pk) for pk in queryset.values_list("pk", flat=True)],
    }


def _invitation_page(modeladmin, request, users):
    """Invitations for `users`, shown once on the answer to the action."""
    issued, skipped = [], []
    for user in users:
        if not user.is_active:
            skipped.append(f"{user.get_username()} is not active.")
            continue
        try:
            invitation, code = invitations.issue_invitation(
                user, by=request.user, request=request, via="admin"
            )
        except invitations.AlreadyEnrolled as refused:
            skipped.append(str(refused))
            continue
        link = request.build_absolute_uri(invitations.invite_path(code))
        issued.append({"invitation": invitation, "link": link, "code": invitations.grouped(code)})
    for reason in skipped:
        modeladmin.message_user(request, reason, messages.WARNING)
    if not issued:
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": "Second-factor invitations",
        "issued": issued,
        "opts": modeladmin.model._meta,
    }
    return TemplateResponse(request, "admin/partners/two_factor_invitations.html", context)


@admin.action(description="Issue second-factor invitation", permissions=["change"])
def issue_invitations(modeladmin, request, queryset):
    return _invitation_page(modeladmin, request, list(queryset.order_by("username")))


@admin.action(description="Reset second factor", permissions=["change"])
def reset_second_factors(modeladmin, request, queryset):
    """Ask first; then remove each person's devices and recovery codes (audited), and on
    request issue each a new invitation at once."""
    users = list(queryset.order_by("username"))
    if request.POST.get("post") != "yes":
        context = {
            **modeladmin.admin_site.each_context(request),
            **_selected(request, queryset),
            "title": "Reset second factor",
            "users": users,
            "opts": modeladmin.model._meta,
        }
        return TemplateResponse(request, "admin/partners/reset_second_factor.html", context)
    for user in users:
        invitations.reset_second_factor(user, by=request.user, request=request, via="admin")
    modeladmin.message_user(
        request,
        f"Second factor reset for {len(users)} user(s): they need a new invitation to set up "
        "an authenticator app again.",
        messages.SUCCESS,
    )
    if request.POST.get("then_invite"):
        return _invitation_page(modeladmin, request, users)
    return None
