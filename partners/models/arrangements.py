"""Security of Supply Arrangements between nations, and the posture their clocks follow."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .nations import Nation


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
    # When the posture in force began (None: peacetime since the arrangement was entered).
    posture_since = models.DateTimeField(null=True, blank=True, editable=False)
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

    @property
    def nation_ids(self) -> tuple[int, int]:
        return (self.first_nation_id, self.second_nation_id)


class PostureChange(models.Model):
    """One change of an arrangement's posture: the history `/arrangements/` shows."""

    arrangement = models.ForeignKey(
        Arrangement, on_delete=models.CASCADE, related_name="posture_changes"
    )
    previous = models.CharField(max_length=16, choices=Posture)
    posture = models.CharField(max_length=16, choices=Posture)
    reason = models.TextField(max_length=2000)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [
            models.Index(fields=["arrangement", "-changed_at"], name="posture_change_arr_idx")
        ]

    def __str__(self) -> str:
        return f"{self.arrangement}: {self.previous} → {self.posture}"
