"""Nations, agencies, suppliers and the people who act for them."""

from __future__ import annotations

import hashlib
from zoneinfo import available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sosa_portal.lib.models import AppendOnlyModel, AppendOnlyQuerySet

from .calendars import WorkingCalendar


class Role(models.TextChoices):
    """Roles are Django groups of these names (DESIGN §2)."""

    REQUESTER = "requester", _("Requester")
    LIAISON = "liaison", _("Liaison officer")
    REVIEWER = "reviewer", _("Reviewer")
    SUPPLIER = "supplier", _("Supplier")
    OBSERVER = "observer", _("Observer")


def validate_time_zone(value: str) -> None:
    if value and value not in available_timezones():
        raise ValidationError(_("Unknown time zone: %(value)s"), params={"value": value})


class Nation(models.Model):
    code = models.CharField(_("ISO code"), max_length=2, unique=True)
    name = models.CharField(max_length=100)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    holiday_calendar = models.CharField(
        max_length=8, blank=True, help_text=_("Country code for the holidays library, e.g. US, IN.")
    )
    holiday_subdivision = models.CharField(
        max_length=8, blank=True, help_text=_("Optional subdivision, e.g. DL for Delhi.")
    )
    sosa_signed_on = models.DateField(_("SOSA signing date"), null=True, blank=True)
    priority_system = models.CharField(
        max_length=16,
        choices=[("dpas", _("DPAS rated orders")), ("code_of_conduct", _("Code of Conduct"))],
        default="code_of_conduct",
        help_text=_("How suppliers of this nation are bound to give priority."),
    )
    conduct_response_working_days = models.PositiveSmallIntegerField(
        _("Code of Conduct response time (working days)"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("The supplier response time this nation's Code of Conduct asks."),
    )
    requires_endorsement = models.BooleanField(
        _("requires national endorsement"),
        default=False,
        help_text=_("Its own liaison officer endorses each request before it leaves."),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def relies_on_code_of_conduct(self) -> bool:
        """Partner side: only Code of Conduct signatories may receive forwarded requests."""
        return self.priority_system == "code_of_conduct"


class ArrangementStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    TERMINATED = "terminated", _("Terminated")


class Posture(models.TextChoices):
    """The situation an arrangement's clocks follow (DESIGN §5)."""

    PEACETIME = "peacetime", _("Peacetime")
    EMERGENCY = "emergency", _("Emergency")
    ARMED_CONFLICT = "armed_conflict", _("Armed conflict")


class ArrangementQuerySet(models.QuerySet):
    def between(self, one: Nation | int, other: Nation | int | OuterRef) -> ArrangementQuerySet:
        """The arrangement of this pair of nations, whichever way round it was entered."""
        return self.filter(
            models.Q(first_nation=one, second_nation=other)
            | models.Q(first_nation=other, second_nation=one)
        )

    def active(self) -> ArrangementQuerySet:
        return self.filter(status=ArrangementStatus.ACTIVE)

    def of(self, nation: Nation | int) -> ArrangementQuerySet:
        return self.filter(models.Q(first_nation=nation) | models.Q(second_nation=nation))


class Arrangement(models.Model):
    """A Security of Supply Arrangement between two nations (one per pair)."""

    first_nation = models.ForeignKey(
        Nation, on_delete=models.PROTECT, related_name="+", verbose_name=_("nation")
    )
    second_nation = models.ForeignKey(
        Nation, on_delete=models.PROTECT, related_name="+", verbose_name=_("other nation")
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=ArrangementStatus, default=ArrangementStatus.ACTIVE
    )
    posture = models.CharField(max_length=16, choices=Posture, default=Posture.PEACETIME)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    changed_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ArrangementQuerySet.as_manager()

    class Meta:
        ordering = ["first_nation__name", "second_nation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["first_nation", "second_nation"], name="arrangement_one_per_pair"
            ),
            models.CheckConstraint(
                condition=~models.Q(first_nation=models.F("second_nation")),
                name="arrangement_two_nations",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_nation.code}–{self.second_nation.code}"

    def clean(self) -> None:
        if self.first_nation_id and self.first_nation_id == self.second_nation_id:
            raise ValidationError({"second_nation": _("An arrangement is between two nations.")})
        if self.first_nation_id and self.second_nation_id:
            pair = Arrangement.objects.between(self.first_nation_id, self.second_nation_id)
            if pair.exclude(pk=self.pk).exists():
                raise ValidationError(_("These two nations already have an arrangement."))

    @property
    def is_active(self) -> bool:
        return self.status == ArrangementStatus.ACTIVE

    def other_than(self, nation: Nation) -> Nation:
        return self.second_nation if self.first_nation_id == nation.pk else self.first_nation


class Agency(models.Model):
    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Defence ministry")
        PROGRAM_DETERMINATION = "program_determination", _("Program determination")
        RATING_AUTHORITY = "rating_authority", _("Rating authority")
        CONTRACT_ADMINISTRATION = "contract_administration", _("Contract administration")
        OTHER = "other", _("Other")

    nation = models.ForeignKey(Nation, on_delete=models.PROTECT, related_name="agencies")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=Kind.choices, default=Kind.MINISTRY)

    class Meta:
        ordering = ["nation__code", "name"]
        verbose_name_plural = "agencies"
        constraints = [
            models.UniqueConstraint(fields=["nation", "name"], name="agency_unique_name_per_nation")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.nation.code})"


class Supplier(models.Model):
    nation = models.ForeignKey(Nation, on_delete=models.PROTECT, related_name="suppliers")
    name = models.CharField(max_length=200)
    cage_code = models.CharField(_("CAGE/NCAGE code"), max_length=5, unique=True)
    code_of_conduct_signed_on = models.DateField(
        _("Code of Conduct signed on"), null=True, blank=True
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.cage_code})"

    @property
    def signed_code_of_conduct(self) -> bool:
        return self.code_of_conduct_signed_on is not None


class Profile(models.Model):
    """Who a user acts for: a nation, and an agency or a supplier."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    nation = models.ForeignKey(Nation, on_delete=models.PROTECT, related_name="people")
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="people"
    )
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, null=True, blank=True, related_name="people"
    )
    served_nations = models.ManyToManyField(
        Nation,
        blank=True,
        related_name="liaisons",
        help_text=_("For liaison officers: the partner nations they serve."),
    )
    time_zone = models.CharField(
        max_length=64, blank=True, validators=[validate_time_zone], help_text=_("Blank: nation's.")
    )
    is_senior_contact = models.BooleanField(
        default=False, help_text=_("Receives level-2 escalations for the nation.")
    )

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.nation.code})"

    def clean(self) -> None:
        if self.agency_id and self.supplier_id:
            raise ValidationError(_("A person acts for an agency or a supplier, not both."))
        if self.agency is not None and self.agency.nation_id != self.nation_id:
            raise ValidationError({"agency": _("The agency belongs to another nation.")})
        if self.supplier is not None and self.supplier.nation_id != self.nation_id:
            raise ValidationError({"supplier": _("The supplier belongs to another nation.")})

    @property
    def effective_time_zone(self) -> str:
        return self.time_zone or self.nation.time_zone


class Closure(models.Model):
    """An extra non-working day of a nation beyond its statutory calendar."""

    nation = models.ForeignKey(Nation, on_delete=models.CASCADE, related_name="closures")
    date = models.DateField()
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["nation", "date"], name="closure_unique_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.nation.code} {self.date}: {self.name}"


def calendar_for(nation: Nation, closures: dict | None = None) -> WorkingCalendar:
    """The working calendar of a nation, with its closures read from the database (or given:
    `calendars_for` reads those of many nations at once)."""
    if closures is None:
        closures = dict(Closure.objects.filter(nation=nation).values_list("date", "name"))
    return WorkingCalendar(
        country=nation.holiday_calendar,
        subdiv=nation.holiday_subdivision,
        time_zone=nation.time_zone,
        closures=closures,
    )


def calendars_for(nations) -> dict[int, WorkingCalendar]:
    """The working calendar of each nation by id, their closures read in one query."""
    nations = list(nations)
    closures: dict[int, dict] = {nation.pk: {} for nation in nations}
    rows = Closure.objects.filter(nation__in=nations).values_list("nation_id", "date", "name")
    for nation_id, day, name in rows:
        closures[nation_id][day] = name
    return {nation.pk: calendar_for(nation, closures[nation.pk]) for nation in nations}


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """An API key of one user. Only its SHA-256 is stored: the key is shown once, at issue."""

    PREFIX = "sosa_"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_hint = models.CharField(max_length=12, editable=False, help_text=_("First characters"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_hint}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        # Keys are 256-bit random strings: a plain SHA-256 is enough (no dictionary to guess).
        return hashlib.sha256(key.encode()).hexdigest()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and (
            self.expires_at is None or self.expires_at > timezone.now()
        )


class AuditKind(models.TextChoices):
    SIGNED_IN = "signed_in", _("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
    SIGNED_OUT = "signed_out", _("Signed out")
    TWO_FACTOR_ENROLLED = "2fa_enrolled", _("Two-factor enrolled")
    TWO_FACTOR_DISABLED = "2fa_disabled", _("Two-factor disabled")
    TOKEN_CREATED = "token_created", _("API token created")
    TOKEN_REVOKED = "token_revoked", _("API token revoked")
    ARRANGEMENT_CHANGED = "arrangement_changed", _("Arrangement changed")


class AuditEntry(AppendOnlyModel):
    """Append-only record of an account-level event (request actions are `Event`s).

    Written by `partners.accounts.audit`; the actor is empty when nobody signed in (a failed
    sign-in).
    """

    kind = models.CharField(max_length=24, choices=AuditKind)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_entries",
    )
    username = models.CharField(max_length=150, blank=True, help_text=_("The user name tried"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["created_at"], name="audit_created_idx"),
            models.Index(fields=["kind", "created_at"], name="audit_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.kind} {self.username}"
