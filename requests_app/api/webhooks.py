"""Webhooks over the API: an agency registers its endpoints and reads their delivery log."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from partners.models import Agency

from ..exceptions import InvalidInput, NotAllowed
from ..models import Webhook, WebhookDelivery
from ..permissions import is_admin, profile_of
from ..services import webhooks
from ..transitions import EVENT_KINDS
from .idempotency import idempotent
from .openapi import errors
from .pagination import KeysetCursorPagination
from .strict import StrictFieldsMixin


class WebhookSerializer(serializers.ModelSerializer):
    agency: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(read_only=True)
    event_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_KINDS),
        help_text="Event actions to receive; empty: all.",
    )
    created_by = serializers.CharField(source="created_by.username", default=None)

    class Meta:
        model = Webhook
        fields = ["id", "agency", "url", "event_kinds", "is_active", "created_by", "created_at"]
        read_only_fields = fields


class WebhookCreatedSerializer(WebhookSerializer):
    secret = serializers.CharField(
        help_text="Verifies `X-SOSA-Signature` (HMAC-SHA256 of the body). Shown only now."
    )

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class HttpUrlField(serializers.URLField):
    """A URL that is http or https (DRF's own also accepts ftp)."""

    def __init__(self, **kwargs):
        serializers.CharField.__init__(self, **kwargs)
        self.validators.append(
            URLValidator(schemes=["http", "https"], message=self.error_messages["invalid"])
        )


class WebhookCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    url = HttpUrlField(max_length=500, help_text="http or https.")
    event_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_KINDS),
        required=False,
        default=list,
        max_length=len(EVENT_KINDS),
        help_text="Event actions to receive; empty or absent: all.",
    )
    agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(),
        required=False,
        help_text="Staff only: the agency to register for (others register for their own).",
    )


class DeliverySerializer(serializers.ModelSerializer):
    action = serializers.CharField(source="event.action")
    status = serializers.ChoiceField(choices=["pending", "delivered", "failed"])

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event",
            "action",
            "status",
            "created_at",
            "attempts",
            "next_attempt_at",
            "delivered_at",
            "failed_at",
            "response_status",
            "last_error",
            "payload",
        ]
        read_only_fields = fields


class DeliveryPagination(KeysetCursorPagination):
    """The delivery log, newest first (the only ordering it offers)."""

    def ordering(self, request) -> str:
        return "-created_at"

    def get_schema_operation_parameters(self, view):
        return [
            param
            for param in super().get_schema_operation_parameters(view)
            if param["name"] != "ordering"
        ]


class WebhookViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """An agency's webhooks; staff see and manage all of them."""

    serializer_class = WebhookSerializer
    pagination_class = None
    lookup_value_regex = "[0-9]{1,18}"

    def get_queryset(self):
        rows = Webhook.objects.select_related("created_by").order_by("-created_at", "-id")
        user = self.request.user
        if is_admin(user):
            return rows
        profile = profile_of(user)
        if profile is None or profile.agency_id is None:
            return rows.none()
        return rows.filter(agency_id=profile.agency_id)

    @extend_schema(responses={200: WebhookSerializer(many=True), **errors(401, 429)})
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: WebhookSerializer, **errors(401, 404, 429)})
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(responses={204: None, **errors(401, 404, 429)})
    def destroy(self, request, *args, **kwargs):
        return super().destroy(request, *args, **kwargs)

    @extend_schema(
        request=WebhookCreateSerializer,
        responses={201: WebhookCreatedSerializer, **errors(400, 401, 403, 422, 429)},
        summary="Register a webhook for your agency; the secret is returned only here",
    )
    @idempotent
    def create(self, request):
        body = WebhookCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        agency = self._agency_for(request.user, body.validated_data.get("agency"))
        try:
            webhook = webhooks.register(
                agency=agency,
                url=body.validated_data["url"],
                event_kinds=body.validated_data["event_kinds"],
                by=request.user,
            )
        except DjangoValidationError as exc:
            raise InvalidInput("Some fields are not valid.", exc.message_dict) from None
        return Response(WebhookCreatedSerializer(webhook).data, status=status.HTTP_201_CREATED)

    @staticmethod
    def _agency_for(user, requested: Agency | None) -> Agency:
        profile = profile_of(user)
        if is_admin(user) and requested is not None:
            return requested
        if is_admin(user) and (profile is None or profile.agency is None):
            raise InvalidInput(errors={"agency": ["Name the agency to register for."]})
        if profile is None or profile.agency is None:
            raise NotAllowed("Only people of an agency register webhooks.")
        if requested is not None and requested.pk != profile.agency_id:
            raise InvalidInput(errors={"agency": ["You register webhooks for your own agency."]})
        return profile.agency

    @extend_schema(responses={200: DeliverySerializer(many=True), **errors(400, 401, 404, 429)})
    @action(detail=True, methods=["get"], pagination_class=DeliveryPagination)
    def deliveries(self, request, pk=None):
        webhook = self.get_object()
        rows = WebhookDelivery.objects.filter(webhook=webhook).select_related("event")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(DeliverySerializer(page, many=True).data)
