"""API shapes: how a request reads, what a draft accepts, and each action's body."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from partners.models import Agency, Nation

from ..models import (
    PROGRAM_SYMBOL_CHOICES,
    Attachment,
    Comment,
    Event,
    ExportJurisdiction,
    ItemResponse,
    LicenceStatus,
    Party,
    PriorityRequest,
    Rating,
    RequestItem,
    Resolution,
    Urgency,
    Visibility,
    delivery_progress,
)
from ..permissions import allowed_actions
from ..queries.representation import ITEM_COLUMNS, running_or_paused_clock
from ..queries.standing import ball_of, signed_steps
from .action_bodies import MAX_ITEMS
from .strict import StrictFieldsMixin

User = get_user_model()


class ItemSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """An item as the requester writes it, and as the API shows it with the supplier's answer
    (read-only: `id`, `response` '' | accepted | rejected, its committed date and reason)."""

    quantity = serializers.IntegerField(min_value=1, max_value=10_000_000)
    response = serializers.ChoiceField(ItemResponse.choices, allow_blank=True, read_only=True)

    class Meta:
        model = RequestItem
        # The fast path's item columns: the list and the detail show the same item.
        fields = [column for column in ITEM_COLUMNS if column != "request_id"]
        read_only_fields = [
            "id",
            "committed_delivery_date",
            "response_reason",
            "quantity_delivered",
        ]


class NamedRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ClockSerializer(serializers.Serializer):
    stage = serializers.CharField()
    status = serializers.ChoiceField(choices=["running", "paused"])
    started_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    explanation = serializers.CharField()


SIGNED_STEP_PEOPLE = ("determined_by_id", "approved_by_id", "endorsed_by_id")
SIGNED_STEP_COLUMNS = (
    "route",
    "recommended_rating",
    "recommended_symbol",
    "determination_note",
    "dod_reference",
    "determined_at",
    "bis_case_number",
    "rating",
    "program_symbol",
    "approval_note",
    "rating_change_reason",
    "approved_at",
    "endorsement_note",
    "submitted_at",
    *SIGNED_STEP_PEOPLE,
)


class ApprovalSerializer(serializers.Serializer):
    """Who signed a step, when, and the note they gave (the Code of Conduct approval)."""

    note = serializers.CharField()
    by = serializers.CharField(allow_null=True, help_text="Username of the signer.")
    at = serializers.DateTimeField(allow_null=True)


class EndorsementSerializer(ApprovalSerializer):
    """The requesting nation's endorsement (its `at` is when the responding nation got it)."""


class DeterminationSerializer(ApprovalSerializer):
    """The first key of the DPAS route: the DoD's program determination."""

    rating = serializers.ChoiceField(Rating.choices, help_text="The recommended rating.")
    program_symbol = serializers.ChoiceField(PROGRAM_SYMBOL_CHOICES)
    rating_label = serializers.CharField()
    dod_reference = serializers.CharField(allow_blank=True)


class AuthorisationSerializer(ApprovalSerializer):
    """The second key of the DPAS route: Commerce (BIS) authorises the rating."""

    bis_case_number = serializers.CharField()
    rating = serializers.ChoiceField(Rating.choices, help_text="The authorised rating.")
    program_symbol = serializers.ChoiceField(PROGRAM_SYMBOL_CHOICES)
    rating_label = serializers.CharField()
    change_reason = serializers.CharField(
        allow_blank=True, help_text="Why it differs from the DoD's recommendation ('' same)."
    )


class BallSerializer(serializers.Serializer):
    """Whose move it is: the party, its nation, and the person where there is one."""

    party = serializers.ChoiceField(Party.choices)
    nation = serializers.CharField(help_text="The code of the nation whose move it is.")
    person = serializers.CharField(
        allow_null=True, help_text="The requester or the assigned reviewer; null for a desk."
    )


class NullWhenBlank(serializers.ChoiceField):
    """A choice stored as "" until made, shown as `null`."""

    def to_representation(self, value):
        return super().to_representation(value) if value else None


class RequestSerializer(serializers.ModelSerializer):
    """A request as the API shows it (DESIGN §7)."""

    requesting_nation = serializers.CharField(source="requesting_nation.code")
    responding_nation = serializers.CharField(source="responding_nation.code")
    requesting_agency = serializers.SerializerMethodField()
    assignee = serializers.CharField(source="assignee.username", default=None, allow_null=True)
    supplier = serializers.SerializerMethodField()
    # No rating is `null` (as in webhooks), not "": until Commerce authorises one (DPAS), and
    # always on the Code of Conduct route.
    rating = NullWhenBlank(Rating.choices, allow_null=True, read_only=True)
    program_symbol = NullWhenBlank(PROGRAM_SYMBOL_CHOICES, allow_null=True, read_only=True)
    # Declared because DRF drops `allow_blank` from read-only model fields, and the schema
    # would then promise one of the choices where the API sends "".
    resolution = serializers.ChoiceField(Resolution.choices, allow_blank=True, read_only=True)
    export_jurisdiction = serializers.ChoiceField(
        ExportJurisdiction.choices, allow_blank=True, read_only=True
    )
    licence_status = serializers.ChoiceField(
        LicenceStatus.choices, allow_blank=True, read_only=True
    )
    rating_label = serializers.CharField(
        source="rating_display", allow_null=True, help_text='"DX-A1"; null when unrated.'
    )
    items = ItemSerializer(many=True)
    items_delivered = serializers.SerializerMethodField(
        help_text='Accepted items delivered in full ("2 of 3 items delivered").'
    )
    items_accepted = serializers.SerializerMethodField(
        help_text="Items the supplier accepted (the rest were rejected or are unanswered)."
    )
    clock = serializers.SerializerMethodField()
    due_explanation = serializers.SerializerMethodField()
    ball_in_court = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()
    endorsement = serializers.SerializerMethodField()
    determination = serializers.SerializerMethodField()
    authorisation = serializers.SerializerMethodField()
    approval = serializers.SerializerMethodField()

    class Meta:
        model = PriorityRequest
        fields = [
            "reference",
            "title",
            "state",
            "resolution",
            "requesting_nation",
            "responding_nation",
            "requesting_agency",
            "urgency",
            "rating",
            "program_symbol",
            "rating_label",
            "contract_number",
            "program",
            "justification",
            "required_delivery_date",
            "committed_delivery_date",
            "delivered_on",
            "assignee",
            "supplier",
            "items",
            "items_delivered",
            "items_accepted",
            "due_at",
            "clock",
            "due_explanation",
            "ball_in_court",
            "escalation_level",
            "escalated_at",
            "prime_contractor",
            "supplier_tier",
            "end_user",
            "steps_taken",
            "export_jurisdiction",
            "export_classification",
            "licence_status",
            "handling_marking",
            "determination_note",
            "bis_case_number",
            "resolution_reason",
            "route",
            "endorsement",
            "determination",
            "authorisation",
            "approval",
            "allowed_actions",
            "version",
            "created_at",
            "updated_at",
            "submitted_at",
            "resolved_at",
        ]
        read_only_fields = fields

    @extend_schema_field(NamedRefSerializer(allow_null=True))
    def get_requesting_agency(self, obj):
        agency = obj.requesting_agency
        return {"id": agency.pk, "name": agency.name} if agency else None

    @extend_schema_field(NamedRefSerializer(allow_null=True))
    def get_supplier(self, obj):
        supplier = obj.supplier
        return {"id": supplier.pk, "name": supplier.name} if supplier else None

    @extend_schema_field(ClockSerializer(allow_null=True))
    def get_clock(self, obj):
        clock = running_or_paused_clock(obj)
        if clock is None:
            return None
        return {
            "stage": clock.stage,
            "status": clock.status,
            "started_at": serializers.DateTimeField().to_representation(clock.started_at),
            "due_at": serializers.DateTimeField().to_representation(clock.due_at),
            "explanation": clock.explanation,
        }

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_due_explanation(self, obj):
        clock = running_or_paused_clock(obj)
        return clock.explanation if clock else None

    @extend_schema_field(BallSerializer(allow_null=True))
    def get_ball_in_court(self, obj):
        return ball_of(obj)

    def _signed_steps(self, obj) -> dict:
        cached = getattr(obj, "_signed_steps", None)
        if cached is None:
            row = {column: getattr(obj, column) for column in SIGNED_STEP_COLUMNS}
            people = dict(
                User.objects.filter(
                    pk__in=[row[c] for c in SIGNED_STEP_PEOPLE if row[c]]
                ).values_list("pk", "username")
            )
            cached = signed_steps(row, people.get, serializers.DateTimeField().to_representation)
            obj._signed_steps = cached
        return cached

    @extend_schema_field(EndorsementSerializer(allow_null=True))
    def get_endorsement(self, obj):
        return self._signed_steps(obj)["endorsement"]

    @extend_schema_field(DeterminationSerializer(allow_null=True))
    def get_determination(self, obj):
        return self._signed_steps(obj)["determination"]

    @extend_schema_field(AuthorisationSerializer(allow_null=True))
    def get_authorisation(self, obj):
        return self._signed_steps(obj)["authorisation"]

    @extend_schema_field(ApprovalSerializer(allow_null=True))
    def get_approval(self, obj):
        return self._signed_steps(obj)["approval"]

    @extend_schema_field(serializers.IntegerField())
    def get_items_delivered(self, obj) -> int:
        return delivery_progress(obj.items.all())["items_delivered"]

    @extend_schema_field(serializers.IntegerField())
    def get_items_accepted(self, obj) -> int:
        return delivery_progress(obj.items.all())["items_accepted"]

    def to_representation(self, instance):
        shown = super().to_representation(instance)
        shown["rating_label"] = shown["rating_label"] or None
        return shown

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, obj):
        request = self.context.get("request")
        if request is None:
            return []
        return [action.replace("_", "-") for action in allowed_actions(request.user, obj)]


class DraftSerializer(StrictFieldsMixin, serializers.Serializer):
    """What a requester writes on a draft (create and PATCH)."""

    title = serializers.CharField(max_length=200)
    responding_nation = serializers.SlugRelatedField(
        slug_field="code", queryset=Nation.objects.all()
    )
    requesting_agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(),
        required=False,
        allow_null=True,
        # As for an agency of another nation: no way to learn which agency ids exist.
        error_messages={"does_not_exist": "Choose an agency of your nation."},
    )
    contract_number = serializers.CharField(max_length=64, required=False, allow_blank=True)
    program = serializers.CharField(max_length=200, required=False, allow_blank=True)
    justification = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    required_delivery_date = serializers.DateField(required=False, allow_null=True)
    prime_contractor = serializers.CharField(max_length=200, required=False, allow_blank=True)
    supplier_tier = serializers.CharField(max_length=32, required=False, allow_blank=True)
    end_user = serializers.CharField(max_length=200, required=False, allow_blank=True)
    steps_taken = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    export_jurisdiction = serializers.ChoiceField(
        choices=ExportJurisdiction.choices, required=False, allow_blank=True
    )
    export_classification = serializers.CharField(max_length=32, required=False, allow_blank=True)
    licence_status = serializers.ChoiceField(
        choices=LicenceStatus.choices, required=False, allow_blank=True
    )
    handling_marking = serializers.CharField(max_length=100, required=False, allow_blank=True)
    items = ItemSerializer(many=True, required=False, max_length=MAX_ITEMS)
    version = serializers.IntegerField(required=False, min_value=1, write_only=True)


# --- comments, attachments, events, reference data --------------------------------------------


class CommentSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", read_only=True)
    body = serializers.CharField(max_length=5000)
    visibility = serializers.ChoiceField(choices=Visibility.choices, default=Visibility.SHARED)

    class Meta:
        model = Comment
        fields = ["id", "author", "body", "visibility", "created_at"]
        read_only_fields = ["id", "author", "created_at"]


class AttachmentSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = [
            "id",
            "name",
            "size",
            "content_type",
            "sha256",
            "uploaded_by",
            "created_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, obj) -> str:
        return f"/api/v1/requests/{obj.request.reference}/attachments/{obj.pk}/"


class AttachmentUploadSerializer(StrictFieldsMixin, serializers.Serializer):
    file = serializers.FileField(allow_empty_file=False)


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(
        source="actor.username",
        default=None,
        allow_null=True,
        help_text="Username of who acted; null for the system (the deadline sweep).",
    )

    class Meta:
        model = Event
        fields = ["id", "action", "actor", "from_state", "to_state", "data", "created_at"]
        read_only_fields = fields
