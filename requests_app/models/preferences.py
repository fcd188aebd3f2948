"""How each person hears of each kind of notice: e-mailed at once (the default: no row), held
for a daily digest at a local hour of their choosing, or in the portal only. The outbox
(`outbox/notices.py`, `outbox/digest.py`) reads these rows; alarms never wait."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..choices import MENTION, POSTURE, NoticeDelivery
from ..deadlines import LADDER, REMINDER_LADDER
from ..transitions import TRANSITIONS

# The rungs at and past the due time (overdue, escalated, the requester's overdue answer):
# e-mailed at once, whatever the person chose for the other kinds.
ALARM_KINDS = frozenset(rung.name for rung in (*LADDER, *REMINDER_LADDER) if rung.level >= 1)
# Every kind of notice the portal writes: one per action, one per rung, a mention, a posture.
NOTICE_KINDS = frozenset(
    {*TRANSITIONS, *(rung.name for rung in (*LADDER, *REMINDER_LADDER)), MENTION, POSTURE}
)
DEFAULT_DIGEST_HOUR = 8


class NotificationPreference(models.Model):
    """One person's choice for one kind of notice; without a row, it is e-mailed at once."""

    user = models.ForeignKey(  # indexed by notification_preference_once
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        db_index=False,
    )
    kind = models.CharField(max_length=32)
    delivery = models.CharField(
        max_length=8, choices=NoticeDelivery.choices, default=NoticeDelivery.EMAIL_NOW
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once"),
            models.CheckConstraint(
                condition=~Q(kind__in=sorted(ALARM_KINDS)) | Q(delivery=NoticeDelivery.EMAIL_NOW),
                name="notification_alarms_never_wait",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.delivery}"


class NotificationDigest(models.Model):
    """A person's daily digest: the local hour it goes out (in their time zone, else their
    nation's) and its sending state, claimed like an outbox row so that two runs never send the
    same digest."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_digest"
    )
    hour = models.PositiveSmallIntegerField(
        _("digest hour"), default=DEFAULT_DIGEST_HOUR, validators=[MaxValueValidator(23)]
    )
    # The digest hour, as a moment, that the last digest went out for (or that was current when
    # the person chose a digest): the next one is due at the next digest hour after it.
    last_slot_at = models.DateTimeField(null=True, blank=True)
    # Held by the worker sending it until then (or, after a failure, resting until then).
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)  # tries since the last one went out
    last_error = models.TextField(blank=True, max_length=2000)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(hour__lte=23), name="notification_digest_hour")
        ]

    def __str__(self) -> str:
        return f"digest of {self.user_id} at {self.hour:02d}:00"
