"""Priority requests, their items, comments and attachments, and the reference counter."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Case, OuterRef, Q, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.models import Agency, Arrangement, Nation, Supplier

from ..choices import (
    PROGRAM_SYMBOL_CHOICES,
    ExportJurisdiction,
    ItemResponse,
    LicenceStatus,
    Rating,
    Resolution,
    Route,
    State,
    Urgency,
    Visibility,
    rating_label,
)
from ..deadlines import ball_in_court
from ..permissions import visibility_filter
from ..postures import PEACETIME, PostureRule, posture_rule


class ReferenceSequence(models.Model):
    """Last number handed out per prefix (`IN-2026`): references are never reused."""

    prefix = models.CharField(max_length=16, unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.prefix}: {self.last}"


class PriorityRequestQuerySet(models.QuerySet):
    def visible_to(self, user) -> PriorityRequestQuerySet:
        """The tenant rule of DESIGN §2: only what this user may see."""
        return self.filter(visibility_filter(user))

    def open(self) -> PriorityRequestQuerySet:
        return self.exclude(state=State.RESOLVED)

    def with_posture(self) -> PriorityRequestQuerySet:
        """Read the posture of each request's arrangement in the same query (for
        `arrangement_posture`: an action or a page then asks nothing more)."""
        pair = Arrangement.objects.filter(
            Q(
                first_nation=OuterRef("requesting_nation"),
                second_nation=OuterRef("responding_nation"),
            )
            | Q(
                first_nation=OuterRef("responding_nation"),
                second_nation=OuterRef("requesting_nation"),
            )
        )
        return self.annotate(
            pair_posture=Subquery(pair.values("posture")[:1]),
            pair_posture_since=Subquery(pair.values("posture_since")[:1]),
        )

    def by_priority(self) -> PriorityRequestQuerySet:
        """DX before DO before unrated (emergency, urgent, routine); among equals the earlier
        due, then the earlier filed."""
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
    # The rating in force (DPAS route only): Commerce's authorised rating and symbol.
    rating = models.CharField(max_length=2, choices=Rating.choices, blank=True)
    program_symbol = models.CharField(max_length=2, choices=PROGRAM_SYMBOL_CHOICES, blank=True)
    # The first key: the DoD's program determination and the rating it recommends.
    recommended_rating = models.CharField(max_length=2, choices=Rating.choices, blank=True)
    recommended_symbol = models.CharField(max_length=2, choices=PROGRAM_SYMBOL_CHOICES, blank=True)
    determination_note = models.TextField(max_length=5000, blank=True)
    dod_reference = models.CharField(_("DoD reference"), max_length=64, blank=True)
    determined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The second key: Commerce (BIS) authorises the rating under its own case number.
    bis_case_number = models.CharField(_("BIS case number"), max_length=64, blank=True)
    rating_change_reason = models.TextField(max_length=2000, blank=True)
    # Who made it `approved` and why: Commerce on the DPAS route, the MoD on Code of Conduct.
    approval_note = models.TextField(max_length=5000, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # National endorsement, where the requesting nation requires it.
    endorsement_note = models.TextField(max_length=5000, blank=True)
    endorsed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    required_delivery_date = models.DateField(null=True, blank=True)
    committed_delivery_date = models.DateField(null=True, blank=True)
    delivered_on = models.DateField(null=True, blank=True)
    prime_contractor = models.CharField(max_length=200, blank=True)
    # What `q` searches (services/search.py): the words of the reference, title, contract,
    # program, prime contractor, supplier, items' part numbers and NSNs and shared comments;
    # internal comments apart, for officials only. GIN full-text indexes on PostgreSQL.
    search_text = models.TextField(blank=True, default="", db_default="", editable=False)
    search_internal = models.TextField(blank=True, default="", db_default="", editable=False)
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

    # The responding nation's priority system, fixed when the draft names it (DESIGN §1).
    route = models.CharField(max_length=16, choices=Route.choices, default=Route.DPAS)
    state = models.CharField(max_length=22, choices=State.choices, default=State.DRAFT)
    resolution = models.CharField(max_length=16, choices=Resolution.choices, blank=True)
    resolution_reason = models.TextField(max_length=5000, blank=True)
    # The state a `needs_info` request returns to when answered.
    info_requested_in = models.CharField(max_length=22, choices=State.choices, blank=True)

    # Denormalised from the running clock, for lists, filters and ordering.
    due_at = models.DateTimeField(null=True, blank=True)
    escalation_level = models.SmallIntegerField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    # DX, then DO, then the unrated by urgency: the Code of Conduct route rates nothing, so
    # among its requests (and the DPAS ones not yet rated) urgency sets the priority.
    priority_rank = models.GeneratedField(
        expression=Case(
            When(rating="DX", then=Value(0)),
            When(rating="DO", then=Value(1)),
            When(urgency="emergency", then=Value(2)),
            When(urgency="urgent", then=Value(3)),
            default=Value(4),
        ),
        output_field=models.SmallIntegerField(),
        db_persist=True,
    )

    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    sent_for_endorsement_at = models.DateTimeField(null=True, blank=True)
    # When the responding nation received it (after endorsement where that is required).
    submitted_at = models.DateTimeField(null=True, blank=True)
    triaged_at = models.DateTimeField(null=True, blank=True)
    determined_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
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
            # US ratings have no force abroad: a Code of Conduct request is never rated.
            models.CheckConstraint(
                condition=Q(rating="") | Q(route=Route.DPAS), name="request_rated_only_on_dpas"
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
            # Delta sync: `updated_since` and `ordering=updated_at` (DESIGN §7).
            models.Index(fields=["updated_at", "id"], name="request_updated_idx"),
            # A posture change walks the open requests of one pair of nations, by id.
            models.Index(
                fields=["requesting_nation", "responding_nation", "id"],
                # Two inequalities (not NOT IN): a form PostgreSQL prints back as it was written.
                condition=~Q(state=State.DRAFT) & ~Q(state=State.RESOLVED),
                name="request_open_pair_idx",
            ),
            # The queue's "Escalated" view and its count: few rows, found without a scan.
            models.Index(
                fields=["priority_rank", "due_at", "id"],
                condition=(Q(escalation_level=2) | Q(escalated_at__isnull=False))
                & ~Q(state=State.RESOLVED),
                name="request_escalated_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    @property
    def rating_display(self) -> str:
        return rating_label(self.rating, self.program_symbol)

    @property
    def ball_in_court(self) -> str | None:
        return ball_in_court(self.state, self.route)

    @property
    def is_open(self) -> bool:
        return self.state != State.RESOLVED

    @property
    def arrangement_posture(self) -> PostureRule:
        """The posture of the arrangement between its nations (DESIGN §5), read once per
        request object (an action opens and schedules several clocks; a page asks twice)."""
        cache = self.__dict__
        if "_sosa_posture" not in cache:
            if "pair_posture" in cache:  # read with the row (`with_posture`)
                row = (
                    (cache["pair_posture"], cache["pair_posture_since"])
                    if cache["pair_posture"]
                    else None
                )
            else:
                row = (
                    Arrangement.objects.between(
                        self.requesting_nation_id, self.responding_nation_id
                    )
                    .values_list("posture", "posture_since")
                    .first()
                )
            cache["_sosa_posture"] = (
                posture_rule(row[0], since=row[1], overrides=posture_overrides())
                if row
                else PEACETIME
            )
        return cache["_sosa_posture"]


def posture_overrides():
    return getattr(settings, "SOSA_POSTURE_SLA", None)


class RequestItem(models.Model):
    request = models.ForeignKey(PriorityRequest, on_delete=models.CASCADE, related_name="items")
    description = models.CharField(max_length=300)
    part_number = models.CharField(max_length=64, blank=True)
    nsn = models.CharField(_("NSN"), max_length=16, blank=True)
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    unit = models.CharField(max_length=16, default="each")
    required_date = models.DateField(null=True, blank=True)
    # The supplier's answer for this item (DESIGN §4a): accepted with its own committed date,
    # or rejected with a reason; cleared when the request goes to another supplier.
    response = models.CharField(max_length=8, choices=ItemResponse.choices, blank=True)
    committed_delivery_date = models.DateField(null=True, blank=True)
    response_reason = models.TextField(max_length=2000, blank=True)
    # Why the supplier commits later than the date needed (asked by the page before it saves).
    commitment_note = models.TextField(max_length=2000, blank=True)
    # The sum of its deliveries (models.deliveries), kept by services.deliveries.
    quantity_delivered = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="item_quantity_positive"),
            models.CheckConstraint(
                condition=Q(quantity_delivered__lte=models.F("quantity")),
                name="item_not_over_delivered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} {self.unit} {self.description}"

    @property
    def quantity_open(self) -> int:
        return self.quantity - self.quantity_delivered

    @property
    def delivered_in_full(self) -> bool:
        return self.quantity_delivered >= self.quantity


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
