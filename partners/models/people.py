"""Agencies, suppliers and the people who act for them."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .nations import Nation, validate_time_zone


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
    code_of_conduct_version = models.CharField(
        _("Code of Conduct version"), max_length=32, blank=True, help_text=_("e.g. 2024-08")
    )
    # Withdrawn (by the nation's liaison officer or staff, `partners.suppliers`): no new
    # requests are forwarded to it; those it holds stay with it.
    code_of_conduct_withdrawn_on = models.DateField(
        _("Code of Conduct withdrawn on"), null=True, blank=True, editable=False
    )
    code_of_conduct_withdrawal_reason = models.TextField(
        _("why it was withdrawn"), blank=True, max_length=2000, editable=False
    )
    code_of_conduct_withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.cage_code})"

    @property
    def signed_code_of_conduct(self) -> bool:
        """A current signatory: it signed, and its signature was not withdrawn."""
        return (
            self.code_of_conduct_signed_on is not None and self.code_of_conduct_withdrawn_on is None
        )


def current_signatories(day) -> models.Q:
    """Suppliers whose Code of Conduct signature stands on `day` (the nation's date)."""
    return models.Q(code_of_conduct_signed_on__lte=day) & (
        models.Q(code_of_conduct_withdrawn_on__isnull=True)
        | models.Q(code_of_conduct_withdrawn_on__gt=day)
    )


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
    # The language of the person's e-mails and notices: the one they last chose in a page's
    # language switch, or on their notification settings (blank: the portal's, English).
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        default="",
        db_default="",
        choices=settings.LANGUAGES,
        help_text=_("E-mails and notices come in this language. Blank: English."),
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
