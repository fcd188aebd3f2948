"""One's own API tokens over the API (issue 15, point 7): list, create with an explicit expiry,
rotate and revoke. Someone else's token is a 404; a key is shown once, in the 201."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from partners.accounts.forms import MAX_TOKEN_DAYS
from partners.accounts.tokens import TooManyTokens, issue_token, revoke_token, rotate_token
from partners.models import ApiToken

from ..exceptions import InvalidInput
from .idempotency import idempotent
from .openapi import errors
from .strict import StrictFieldsMixin


class TokenSerializer(serializers.ModelSerializer):
    active = serializers.BooleanField(source="is_active", read_only=True)

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "key_hint",
            "created_at",
            "expires_at",
            "revoked_at",
            "last_used_at",
            "active",
        ]
        read_only_fields = fields


class IssuedTokenSerializer(TokenSerializer):
    key = serializers.CharField(read_only=True, help_text="The key: shown only in this answer.")

    class Meta(TokenSerializer.Meta):
        fields = [*TokenSerializer.Meta.fields, "key"]
        read_only_fields = fields


def lifetime_field(**options) -> serializers.IntegerField:
    options.setdefault(
        "help_text",
        "Days until the token expires; `null` for one that lasts until revoked. "
        "Always said: there is no default.",
    )
    return serializers.IntegerField(
        min_value=1, max_value=MAX_TOKEN_DAYS, allow_null=True, **options
    )


class TokenCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    name = serializers.CharField(max_length=100, help_text="What will use it.")
    expires_in_days = lifetime_field()


class TokenRotateSerializer(StrictFieldsMixin, serializers.Serializer):
    expires_in_days = lifetime_field(
        required=False,
        help_text="Days until the new key expires; absent: the old key's lifetime again.",
    )


def _expiry(days: int | None, now: dt.datetime) -> dt.datetime | None:
    return None if days is None else now + dt.timedelta(days=days)


def _issued(token: ApiToken, key: str) -> Response:
    data = IssuedTokenSerializer(token).data
    data["key"] = key
    return Response(data, status=status.HTTP_201_CREATED)


class TokenViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The caller's own API tokens (revoked and expired ones too, for the record)."""

    serializer_class = TokenSerializer
    pagination_class = None
    lookup_value_regex = "[0-9]{1,18}"

    def get_queryset(self):
        return ApiToken.objects.filter(user=self.request.user).order_by("-created_at", "-id")

    @extend_schema(responses={200: TokenSerializer(many=True), **errors(401, 429)})
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: TokenSerializer, **errors(401, 404, 429)})
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        request=TokenCreateSerializer,
        responses={201: IssuedTokenSerializer, **errors(400, 401, 422, 429)},
        summary="Issue a token for yourself; its key is returned only here",
    )
    @idempotent
    def create(self, request):
        body = TokenCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        expires_at = _expiry(body.validated_data["expires_in_days"], timezone.now())
        try:
            token, key = issue_token(
                request.user,
                name=body.validated_data["name"],
                expires_at=expires_at,
                by=request.user,
                request=request,
            )
        except TooManyTokens as refused:
            raise InvalidInput(str(refused)) from None
        return _issued(token, key)

    @extend_schema(
        request=TokenRotateSerializer,
        responses={201: IssuedTokenSerializer, **errors(400, 401, 404, 409, 422, 429)},
        summary="Replace a token by a new key (same name); the old key stops working at once",
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def rotate(self, request, pk=None):
        token = self.get_object()
        if not token.is_active:
            return Response(
                {"errors": {"detail": ["This token is revoked or expired: issue a new one."]}},
                status=status.HTTP_409_CONFLICT,
            )
        body = TokenRotateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        now = timezone.now()
        if "expires_in_days" in body.validated_data:
            expires_at = _expiry(body.validated_data["expires_in_days"], now)
        else:  # the same lifetime as the key it replaces
            lifetime = token.expires_at - token.created_at if token.expires_at else None
            expires_at = now + lifetime if lifetime else None
        new_token, key = rotate_token(
            token, expires_at=expires_at, by=request.user, request=request, now=now
        )
        return _issued(new_token, key)

    @extend_schema(responses={204: None, **errors(401, 404, 429)}, summary="Revoke a token")
    def destroy(self, request, *args, **kwargs):
        revoke_token(self.get_object(), by=request.user, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)
