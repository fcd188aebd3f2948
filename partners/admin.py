"""Admin for nations, agencies, suppliers, people and closures (DESIGN §2: admins manage these)."""

from __future__ import annotations

import warnings
from functools import lru_cache

import holidays
from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .accounts.admin_site import issue_invitations, reset_second_factors
from .accounts.tokens import revoke_token
from .arrangements import REASON_MAX, save_arrangement, set_posture
from .models import (
    Agency,
    ApiToken,
    Arrangement,
    AuditEntry,
    Closure,
    Nation,
    PostureChange,
    Profile,
    Supplier,
    TwoFactorInvitation,
)

User = get_user_model()


@lru_cache(maxsize=256)
def holiday_coverage_gap(country: str, subdiv: str, year: int) -> str:
    """The `holidays` package's warning when it lacks (lunar) holidays of a year, else ''."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            holidays.country_holidays(country, subdiv=subdiv or None, years=year)
        except NotImplementedError as error:
            return str(error)
    return "; ".join(str(warning.message) for warning in caught)


class ClosureInline(admin.TabularInline):
    model = Closure
    extra = 0
    ordering = ["-date"]


class ArrangementForm(forms.ModelForm):
    posture_reason = forms.CharField(
        label="Why the posture changes",
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed when the posture changes: both nations' liaison officers and senior "
        "contacts read it, and the open requests' clocks are recounted.",
    )

    class Meta:
        model = Arrangement
        fields = ["first_nation", "second_nation", "signed_on", "status", "posture"]

    def clean(self):
        data = super().clean()
        changing = self.instance.pk and "posture" in self.changed_data
        if changing and not (data.get("posture_reason") or "").strip():
            self.add_error("posture_reason", "Say why the posture changes.")
        return data


class PostureChangeInline(admin.TabularInline):
    model = PostureChange
    extra = 0
    can_delete = False
    fields = ["changed_at", "previous", "posture", "reason", "changed_by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Arrangement)
class ArrangementAdmin(admin.ModelAdmin):
    """Arrangements between nations; every change is an audited entry (who, what, when), and
    a posture change goes through `set_posture` (history, notices, clocks recounted)."""

    form = ArrangementForm
    list_display = ["__str__", "signed_on", "status", "posture", "changed_by", "changed_at"]
    list_filter = ["status", "posture"]
    search_fields = ["first_nation__code", "first_nation__name", "second_nation__code"]
    list_select_related = ["first_nation", "second_nation", "changed_by"]
    readonly_fields = ["changed_by", "changed_at", "posture_since"]
    inlines = [PostureChangeInline]

    def save_model(self, request, obj, form, change) -> None:
        fields = [name for name in form.changed_data if name != "posture_reason"]
        new_posture = obj.posture
        if change and "posture" in fields:
            obj.posture = form.initial["posture"]  # set_posture makes the change itself
            fields.remove("posture")
        if fields or not change:
            save_arrangement(
                obj, by=request.user, fields=fields, created=not change, request=request
            )
        if change and new_posture != obj.posture:
            set_posture(
                obj,
                new_posture,
                by=request.user,
                reason=form.cleaned_data["posture_reason"],
                request=request,
            )


@admin.register(Nation)
class NationAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "priority_system",
        "time_zone",
        "holiday_calendar",
        "holiday_subdivision",
        "sosa_signed_on",
        "conduct_response_working_days",
        "requires_endorsement",
    ]
    list_display_links = ["code", "name"]
    list_filter = ["priority_system"]
    search_fields = ["code", "name"]
    ordering = ["name"]
    inlines = [ClosureInline]

    def changelist_view(self, request, extra_context=None):
        # Lunar holidays (Diwali, Eid…) may be missing for some years: admins add Closures.
        year = timezone.now().year
        calendars = Nation.objects.exclude(holiday_calendar="").values_list(
            "code", "holiday_calendar", "holiday_subdivision"
        )
        for code, country, subdiv in calendars:
            for checked in (year, year + 1):
                gap = holiday_coverage_gap(country, subdiv, checked)
                if gap:
                    messages.warning(
                        request,
                        f"{code}: the holidays package has no full calendar for {checked} "
                        f"({gap}). Add the missing holidays as Closures.",
                    )
        return super().changelist_view(request, extra_context)


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "nation", "kind"]
    list_filter = ["kind", "nation"]
    search_fields = ["name", "nation__name", "nation__code"]
    list_select_related = ["nation"]


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "cage_code",
        "nation",
        "code_of_conduct_signed_on",
        "code_of_conduct_version",
        "code_of_conduct_withdrawn_on",
        "signed",
    ]
    readonly_fields = [
        "code_of_conduct_withdrawn_on",
        "code_of_conduct_withdrawal_reason",
        "code_of_conduct_withdrawn_by",
    ]
    list_filter = [("code_of_conduct_signed_on", admin.EmptyFieldListFilter), "nation"]
    search_fields = ["name", "cage_code", "nation__name", "nation__code"]
    list_select_related = ["nation"]

    @admin.display(boolean=True, description="Current signatory")
    def signed(self, supplier: Supplier) -> bool:
        return supplier.signed_code_of_conduct


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "nation", "agency", "supplier", "is_senior_contact"]
    list_filter = ["nation", "user__groups", "is_senior_contact"]
    search_fields = ["user__username", "user__email", "user__last_name", "nation__code"]
    list_select_related = ["user", "nation", "agency__nation", "supplier"]
    autocomplete_fields = ["user", "agency", "supplier"]
    filter_horizontal = ["served_nations"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("user__groups")

    @admin.display(description="role")
    def role(self, profile: Profile) -> str:
        return ", ".join(group.name for group in profile.user.groups.all())


class ProfileInline(admin.StackedInline):
    model = Profile
    fk_name = "user"
    can_delete = False
    extra = 0
    max_num = 1
    autocomplete_fields = ["agency", "supplier"]
    filter_horizontal = ["served_nations"]


admin.site.unregister(User)
# Devices change only through the users' audited actions below (an admin could otherwise read a
# person's TOTP secret or recovery codes, or delete them unrecorded).
for device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(device_model):
        admin.site.unregister(device_model)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Django's user admin with the SOSA profile (nation, agency or supplier, served nations)
    and the second-factor actions: issue an invitation, reset a lost device."""

    inlines = [ProfileInline]
    list_display = ["username", "email", "role", "nation", "two_factor", "is_staff", "is_active"]
    list_filter = ["groups", "profile__nation", "is_staff", "is_superuser", "is_active"]
    list_select_related = ["profile__nation"]
    actions = [issue_invitations, reset_second_factors]

    def get_queryset(self, request):
        enrolled = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        queryset = super().get_queryset(request).prefetch_related("groups")
        return queryset.annotate(has_two_factor=Exists(enrolled))

    @admin.display(boolean=True, description="two-factor", ordering="has_two_factor")
    def two_factor(self, user) -> bool:
        return user.has_two_factor

    @admin.display(description="role")
    def role(self, user) -> str:
        return ", ".join(group.name for group in user.groups.all())

    @admin.display(description="nation", ordering="profile__nation__code")
    def nation(self, user) -> str:
        profile = getattr(user, "profile", None)
        return profile.nation.code if profile else ""


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    list_display = ["date", "nation", "name"]
    list_filter = ["nation"]
    search_fields = ["name", "nation__code", "nation__name"]
    list_select_related = ["nation"]
    date_hierarchy = "date"


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "user",
        "key_hint",
        "created_at",
        "expires_at",
        "last_used_at",
        "active",
    ]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "expires_at"]
    search_fields = ["name", "key_hint", "user__username"]
    list_select_related = ["user"]
    readonly_fields = ["user", "key_hint", "created_at", "revoked_at", "last_used_at"]
    fields = ["user", "name", "key_hint", "created_at", "expires_at", "revoked_at", "last_used_at"]
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        # A key is shown once, to its owner: tokens are issued at /account/tokens/.
        return False

    @admin.display(boolean=True, description="active")
    def active(self, token: ApiToken) -> bool:
        return token.is_active

    @admin.action(description="Revoke the selected tokens", permissions=["change"])
    def revoke(self, request, queryset) -> None:
        tokens = list(queryset.filter(revoked_at__isnull=True))
        for token in tokens:
            revoke_token(token, by=request.user, request=request, via="admin")
        self.message_user(request, f"{len(tokens)} token(s) revoked.")


@admin.register(TwoFactorInvitation)
class TwoFactorInvitationAdmin(admin.ModelAdmin):
    """Invitations to set up a second factor: view only. Issue one with the action on users
    (or `manage.py invite_2fa`); the code is shown then, once, and only its hash is kept."""

    list_display = ["user", "issued_by", "created_at", "expires_at", "used_at", "status"]
    list_filter = [("used_at", admin.EmptyFieldListFilter), "created_at"]
    search_fields = ["user__username", "issued_by__username"]
    list_select_related = ["user", "issued_by"]
    fields = ["user", "issued_by", "created_at", "expires_at", "used_at", "voided_at", "status"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The account audit trail: view only (request actions are on each request's page).
    The CSV of both trails is at /audit/export.csv?from=YYYY-MM-DD&to=YYYY-MM-DD."""

    list_display = ["created_at", "kind", "username", "actor", "ip_address", "user_agent"]
    list_filter = ["kind", "created_at"]
    date_hierarchy = "created_at"
    search_fields = ["username", "ip_address"]
    list_select_related = ["actor"]
    fields = ["created_at", "kind", "actor", "username", "ip_address", "user_agent", "detail"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
