"""Priority-support requests, their items, comments, attachments, audit events and clocks.

Rows change state only through `requests_app.services`; these classes hold data, constraints,
indexes and small derived properties.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.core.validators import MinValueValidator, URLValidator
from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.models import Agency, Nation, Supplier
from sosa_portal.lib.models import AppendOnlyModel, AppendOnlyQuerySet


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    NEEDS_INFO = "needs_info", _("Needs information")
    IN_REVIEW = "in_review", _("In review")
    RATED = "rated", _("Rated")
    WITH_SUPPLIER = "with_supplier", _("With supplier")
    ACCEPTED = "accepted", _("Accepted")
    RESOLVED = "resolved", _("Resolved")


class Resolution(models.TextChoices):
    FULFILLED = "fulfilled", _("Fulfilled")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    UNFULFILLED = "unfulfilled", _("Unfulfilled")


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    URGENT = "urgent", _("Urgent")
    EMERGENCY = "emergency", _("Emergency")


class Rating(models.TextChoices):
    DX = "DX", _("DX (highest national urgency)")
    DO = "DO", _("DO")


# DPAS Schedule I program identification symbols (as revised 22 Jul 2024).
PROGRAM_SYMBOLS: dict[str, str] = {
    "A1": "Aircraft",
    "A2": "Missiles and space",
    "A3": "Ships",
    "A4": "Tank-automotive",
    "A5": "Weapons",
    "A6": "Ammunition",
    "A7": "Electronics and communications",
    "B1": "Building supplies",
    "B8": "Production equipment (contractor)",
    "B9": "Production equipment (government)",
    "C2": "Construction",
    "C3": "Maintenance, repair and operations",
    "C9": "Miscellaneous",
    "D1": "Canada: military programs",
    "D2": "Canada: production and construction",
    "D3": "Canada: atomic energy",
    "G1": "Foreign nations: munitions bought through US commercial channels",
    "G2": "Foreign nations: direct defence needs of foreign governments",
    "G3": "Foreign nations: foreign production and construction",
    "G4": "Foreign nations: foreign critical infrastructure",
    "J1": "Co-production",
    "E1": "Atomic energy: construction",
    "E2": "Atomic energy: operations",
    "E3": "Atomic energy: other",
}
PROGRAM_SYMBOL_CHOICES = [(code, f"{code} — {label}") for code, label in PROGRAM_SYMBOLS.items()]


class ExportJurisdiction(models.TextChoices):
    ITAR = "ITAR", "ITAR"
    EAR = "EAR", "EAR"


class LicenceStatus(models.TextChoices):
    NOT_REQUIRED = "not_required", _("Not required")
    PENDING = "pending", _("Pending")
    GRANTED = "granted", _("Granted")
    DENIED = "denied", _("Denied")


class Party(models.TextChoices):
    """Whose move it is ("ball in court")."""

    REQUESTER = "requester", _("Requester")
    LIAISON = "liaison", _("Liaison officer")
    REVIEWER = "reviewer", _("Reviewer")
    SUPPLIER = "supplier", _("Supplier")


class Visibility(models.TextChoices):
    INTERNAL = "internal", _("Internal (officials only)")
    SHARED = "shared", _("Shared")


class ReferenceSequence(models.Model):
    """Last number handed out per prefix (`IN-2026`): references are never reused."""

    prefix = models.CharField(max_length=16, unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.prefix}: {self.last}"


def due_soon_q(now) -> Q:
    """ "Due soon" everywhere means the ladder's level 0 (one working day before due) was
    reached by the running clock, and it is not overdue yet."""
    return Q(escalation_level=0, due_at__gte=now)


def overdue_q(now) -> Q:
    return Q(due_at__lt=now)


# Level 2 of the ladder reached (the sweep sets both; escalated_at stays until resolved).
ESCALATED_Q = Q(escalation_level=2) | Q(escalated_at__isnull=False)


def rating_label(rating: str, program_symbol: str) -> str:
    """`DX-A1` style, or empty when unrated."""
    return f"{rating}-{program_symbol}" if rating else ""


class PriorityRequestQuerySet(models.QuerySet):
    def visible_to(self, user) -> PriorityRequestQuerySet:
        """The tenant rule of DESIGN §2: only what this user may see."""
        from .permissions import visibility_filter

        return self.filter(visibility_filter(user))

    def open(self) -> PriorityRequestQuerySet:
        return self.exclude(state=State.RESOLVED)

    def overdue(self, now=None) -> PriorityRequestQuerySet:
        return self.open().filter(overdue_q(now or timezone.now()))

    def due_soon(self, now=None) -> PriorityRequestQuerySet:
        return self.open().filter(due_soon_q(now or timezone.now()))

    def escalated(self) -> PriorityRequestQuerySet:
        return self.open().filter(ESCALATED_Q)

    def by_priority(self) -> PriorityRequestQuerySet:
        """DX before DO before unrated; among equals the earlier due, then the earlier filed."""
        return self.order_by("priority_rank", models.F("due_at").asc(nulls_last=True), "id")


class PriorityRequest(models.Model):
    reference = models.CharField(max_length=20, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    # No single-column index on the nations: request_req/resp_nation_idx lead with them.
    requesting_nation = models.ForeignKey(
        Nation, on_delete=models.PROTECT, related_name="requests_filed", db_index=False
    )
    requesting_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="requests_filed"
    )
    responding_nation = models.ForeignKey(
        Nation, on_delete=models.PROTECT, related_name="requests_received", db_index=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="requests_created"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requests_assigned",
    )
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, null=True, blank=True, related_name="requests"
    )
    contract_number = models.CharField(max_length=64, blank=True)
    program = models.CharField(max_length=200, blank=True)
    justification = models.TextField(max_length=5000, blank=True)
    urgency = models.CharField(max_length=16, choices=Urgency.choices, default=Urgency.ROUTINE)
    rating = models.CharField(max_length=2, choices=Rating.choices, blank=True)
    program_symbol = models.CharField(max_length=2, choices=PROGRAM_SYMBOL_CHOICES, blank=True)
    determination_note = models.TextField(max_length=5000, blank=True)
    rating_authorisation_ref = models.CharField(max_length=64, blank=True)
    required_delivery_date = models.DateField(null=True, blank=True)
    committed_delivery_date = models.DateField(null=True, blank=True)
    delivered_on = models.DateField(null=True, blank=True)
    prime_contractor = models.CharField(max_length=200, blank=True)
    supplier_tier = models.CharField(max_length=32, blank=True)
    end_user = models.CharField(max_length=200, blank=True)
    steps_taken = models.TextField(max_length=5000, blank=True)
    export_jurisdiction = models.CharField(
        max_length=4, choices=ExportJurisdiction.choices, blank=True
    )
    export_classification = models.CharField(
        max_length=32, blank=True, help_text=_("USML category or ECCN.")
    )
    licence_status = models.CharField(max_length=16, choices=LicenceStatus.choices, blank=True)
    handling_marking = models.CharField(max_length=100, blank=True)

    state = models.CharField(max_length=16, choices=State.choices, default=State.DRAFT)
    resolution = models.CharField(max_length=16, choices=Resolution.choices, blank=True)
    resolution_reason = models.TextField(max_length=5000, blank=True)
    # The state a `needs_info` request returns to when answered.
    info_requested_in = models.CharField(max_length=16, choices=State.choices, blank=True)

    # Denormalised from the running clock, for lists, filters and ordering.
    due_at = models.DateTimeField(null=True, blank=True)
    escalation_level = models.SmallIntegerField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    priority_rank = models.GeneratedField(
        expression=Case(
            When(rating="DX", then=Value(0)),
            When(rating="DO", then=Value(1)),
            default=Value(2),
        ),
        output_field=models.SmallIntegerField(),
        db_persist=True,
    )

    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    triaged_at = models.DateTimeField(null=True, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    forwarded_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects = PriorityRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=State.values), name="request_state_valid"),
            models.CheckConstraint(
                condition=(Q(state=State.RESOLVED) & Q(resolution__in=Resolution.values))
                | (~Q(state=State.RESOLVED) & Q(resolution="")),
                name="request_resolution_iff_resolved",
            ),
            models.CheckConstraint(
                condition=Q(rating="", program_symbol="")
                | (Q(rating__in=Rating.values) & ~Q(program_symbol="")),
                name="request_rating_has_symbol",
            ),
            models.CheckConstraint(
                condition=~Q(requesting_nation=models.F("responding_nation")),
                name="request_between_two_nations",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="request_version_positive"),
        ]
        indexes = [
            models.Index(fields=["priority_rank", "due_at", "id"], name="request_priority_idx"),
            models.Index(fields=["state", "priority_rank", "due_at"], name="request_state_idx"),
            # A state filter on the newest-first list (the API's default order) seeks here.
            models.Index(fields=["state", "-created_at", "-id"], name="request_state_created_idx"),
            models.Index(fields=["requesting_nation", "state"], name="request_req_nation_idx"),
            models.Index(fields=["responding_nation", "state"], name="request_resp_nation_idx"),
            models.Index(fields=["due_at"], name="request_due_idx"),
            models.Index(fields=["-created_at", "-id"], name="request_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    @property
    def rating_display(self) -> str:
        return rating_label(self.rating, self.program_symbol)

    @property
    def ball_in_court(self) -> str | None:
        from .deadlines import ball_in_court

        return ball_in_court(self.state)

    @property
    def is_open(self) -> bool:
        return self.state != State.RESOLVED


class RequestItem(models.Model):
    request = models.ForeignKey(PriorityRequest, on_delete=models.CASCADE, related_name="items")
    description = models.CharField(max_length=300)
    part_number = models.CharField(max_length=64, blank=True)
    nsn = models.CharField(_("NSN"), max_length=16, blank=True)
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    unit = models.CharField(max_length=16, default="each")
    required_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="item_quantity_positive")
        ]

    def __str__(self) -> str:
        return f"{self.quantity} {self.unit} {self.description}"


class Comment(models.Model):
    request = models.ForeignKey(PriorityRequest, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    body = models.TextField(max_length=5000)
    visibility = models.CharField(max_length=8, choices=Visibility.choices)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["request", "created_at"], name="comment_request_idx")]

    def __str__(self) -> str:
        return f"{self.request_id} {self.visibility} by {self.author_id}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # Stored under a random name: the user's name is kept in `name`, never used as a path.
    return f"attachments/{uuid.uuid4().hex}"


class Attachment(models.Model):
    request = models.ForeignKey(
        PriorityRequest, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=200)
    name = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name


class EventQuerySet(AppendOnlyQuerySet):
    """Refuses update, delete and bulk_update: events are only ever added."""


class Event(AppendOnlyModel):
    """Append-only audit of everything that happened to a request."""

    request = models.ForeignKey(  # indexed by event_request_idx
        PriorityRequest, on_delete=models.PROTECT, related_name="events", db_index=False
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    action = models.CharField(max_length=32)
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["request", "created_at"], name="event_request_idx")]

    def __str__(self) -> str:
        return f"{self.request_id} {self.action} {self.from_state}→{self.to_state}"


class Stage(models.TextChoices):
    """A timed stage: one clock per stage a request passes through."""

    TRIAGE = "triage", _("Triage")
    ANSWER = "answer", _("Requester answer")
    DETERMINATION = "determination", _("Determination")
    FORWARD = "forward", _("Forward to supplier")
    SUPPLIER_RESPONSE = "supplier_response", _("Supplier response")
    DELIVERY = "delivery", _("Delivery")


class Clock(models.Model):
    """The deadline of one stage, with its ledger of running and paused intervals."""

    request = models.ForeignKey(  # indexed by clock_request_idx
        PriorityRequest, on_delete=models.CASCADE, related_name="clocks", db_index=False
    )
    stage = models.CharField(max_length=24, choices=Stage.choices)
    started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    explanation = models.TextField(blank=True, max_length=2000)
    next_escalation_at = models.DateTimeField(null=True, blank=True)
    level = models.SmallIntegerField(null=True, blank=True, help_text=_("Escalation level reached"))
    paused_at = models.DateTimeField(null=True, blank=True)
    remaining_working_days = models.SmallIntegerField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    stop_reason = models.CharField(max_length=32, blank=True)
    # [{"status": "running"|"paused", "from": iso, "to": iso|None, "reason": str, "actor": id}]
    ledger = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "stage"],
                condition=Q(stopped_at__isnull=True),
                name="clock_one_open_per_stage",
            ),
            models.UniqueConstraint(
                fields=["request"],
                condition=Q(stopped_at__isnull=True, paused_at__isnull=True),
                name="clock_one_running_per_request",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_escalation_at"],
                condition=Q(stopped_at__isnull=True, paused_at__isnull=True),
                name="clock_sweep_idx",
            ),
            models.Index(fields=["request", "stage"], name="clock_request_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.stage} due {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def status(self) -> str:
        return clock_status(stopped_at=self.stopped_at, paused_at=self.paused_at)


def clock_status(*, stopped_at, paused_at) -> str:
    if stopped_at:
        return "stopped"
    return "paused" if paused_at else "running"


class Escalation(models.Model):
    """One level of the ladder reached by one clock; recorded once."""

    clock = models.ForeignKey(  # indexed by escalation_once_per_level
        Clock, on_delete=models.CASCADE, related_name="escalations", db_index=False
    )
    level = models.SmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clock", "level"], name="escalation_once_per_level")
        ]

    def __str__(self) -> str:
        return f"clock {self.clock_id} level {self.level}"


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


# --- webhooks (logic in requests_app/webhooks.py) ----------------------------------------------


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
        from .webhooks import check_event_kinds

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
