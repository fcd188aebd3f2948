"""The outbox rows: notices for people and webhook deliveries for agency systems (sent by
`requests_app.outbox`), the webhooks themselves, and the API's idempotency records."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.models import Agency

from ..transitions import check_event_kinds
from .events import Event
from .requests import PriorityRequest


class Notification(models.Model):
    """Outbox: one notice for one recipient; sent by workers after commit."""

    recipient = models.ForeignKey(  # indexed by notification_recipient_idx
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
    )
    kind = models.CharField(max_length=32)
    request = models.ForeignKey(
        PriorityRequest, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    event = models.ForeignKey(  # indexed by notification_once_per_event
        Event,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        db_index=False,
    )
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, max_length=2000)
    # Held by the worker sending it until then; after that another may retry (the sender died).
    claimed_until = models.DateTimeField(null=True, blank=True)
    # Set aside by the outbox for its recipient's daily digest (their preference for its
    # kind): no longer sent on its own; `outbox/digest.py` sends it with the others.
    held_for_digest_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "recipient", "kind"], name="notification_once_per_event"
            )
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(sent_at__isnull=True, failed_at__isnull=True),
                name="notification_unsent_idx",
            ),
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient_idx"),
            # The unread badge on every page counts from here alone.
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
            # Whose digest has something in it.
            models.Index(
                fields=["recipient"],
                condition=Q(held_for_digest_at__isnull=False, sent_at__isnull=True),
                name="notification_held_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"


class IdempotencyRecord(models.Model):
    """The first response to a POST carrying an `Idempotency-Key`, replayed on retries."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text=_("SHA-256 of method, path and body"))
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)  # null: in progress
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user")
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created_idx")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key} → {self.status_code}"


# --- webhooks (fan-out in services/events.py, sending in outbox/webhooks.py) ------------------


def new_webhook_secret() -> str:
    return secrets.token_urlsafe(32)


class Webhook(models.Model):
    """An agency's endpoint that receives, signed, the events of the requests its nation sees."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(
        _("URL"), max_length=500, validators=[URLValidator(schemes=["http", "https"])]
    )
    # Kept in clear: it signs every delivery (HMAC-SHA256). Shown to the agency once.
    secret = models.CharField(max_length=100, blank=True, editable=False)
    event_kinds = models.JSONField(
        default=list, blank=True, help_text=_("Event actions to send; empty: all.")
    )
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # The circuit breaker: failed attempts in a row, and until when the destination rests.
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    paused_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["agency", "is_active"], name="webhook_agency_idx")]

    def __str__(self) -> str:
        return f"{self.agency} → {self.url}"

    def save(self, *args, **kwargs):
        if not self.secret:
            self.secret = new_webhook_secret()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        check_event_kinds(self.event_kinds)

    def wants(self, action: str) -> bool:
        return not self.event_kinds or action in self.event_kinds


class WebhookDelivery(models.Model):
    """Outbox and delivery log: one event for one webhook; sent by workers after commit."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="webhook_deliveries")
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True, max_length=2000)
    # Held by the worker sending it until then; after that another may retry (the sender died).
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["webhook", "event"], name="webhook_delivery_once")
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(delivered_at__isnull=True, failed_at__isnull=True),
                name="webhook_delivery_pending_idx",
            ),
            models.Index(fields=["webhook", "-created_at"], name="webhook_delivery_log_idx"),
        ]

    def __str__(self) -> str:
        return f"event {self.event_id} → webhook {self.webhook_id}"

    @property
    def status(self) -> str:
        if self.delivered_at:
            return "delivered"
        return "failed" if self.failed_at else "pending"


class OutboxAttempt(models.Model):
    """One try at sending a notice or a webhook delivery: written and committed before the
    send, its coarse outcome ("delivered", "timeout", "http 500"…) after. An attempt whose
    worker stopped mid-send keeps no answer: it reads "interrupted" once another retries."""

    notification = models.ForeignKey(
        Notification,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attempt_log",
    )
    delivery = models.ForeignKey(
        WebhookDelivery,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attempt_log",
    )
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=40)

    class Meta:
        ordering = ["started_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(notification__isnull=False, delivery__isnull=True)
                | Q(notification__isnull=True, delivery__isnull=False),
                name="outbox_attempt_of_one_row",
            )
        ]

    def __str__(self) -> str:
        return f"attempt {self.number}: {self.outcome}"
