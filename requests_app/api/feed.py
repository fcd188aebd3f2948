"""`GET /api/v1/events/?after=<cursor>`: the events of every request the caller may see, for
an agency system to poll without missing or repeating one (queries/feed.py says how)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from ..queries import feed
from . import params
from .openapi import errors
from .serializers import EventSerializer

MAX_PAGE = 200


class FeedEventSerializer(EventSerializer):
    request = serializers.CharField(source="request.reference", read_only=True)

    class Meta(EventSerializer.Meta):
        fields = [*EventSerializer.Meta.fields, "request"]
        read_only_fields = fields


class EventFeedView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "after",
                str,
                description="The `cursor` of the previous answer; absent: from the first event.",
            ),
            OpenApiParameter("page_size", int, description=f"1 to {MAX_PAGE}; default 100."),
        ],
        responses={
            200: inline_serializer(
                name="EventFeed",
                fields={
                    "results": FeedEventSerializer(many=True),
                    "cursor": serializers.CharField(
                        help_text="Poll again with `after=` this value (given even when "
                        "nothing is new)."
                    ),
                    "has_more": serializers.BooleanField(
                        help_text="More events wait: poll again at once."
                    ),
                },
            ),
            **errors(400, 401, 429),
        },
        summary="Events of every request you may see, oldest first, for polling",
    )
    def get(self, request):
        size = params.page_size(request.query_params, default=100, maximum=MAX_PAGE)
        try:
            page = feed.page(request.user, after=request.query_params.get("after"), size=size)
        except feed.InvalidFeedCursor:
            message = "Invalid cursor: use the `cursor` of an answer."
            raise ValidationError({"after": [message]}) from None
        return Response(
            {
                "results": FeedEventSerializer(page.events, many=True).data,
                "cursor": page.cursor,
                "has_more": page.has_more,
            }
        )
