"""`GET /api/v1/arrangements/`: the arrangements between nations, read-only (DESIGN §7)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from partners.models import Arrangement, ArrangementStatus, Nation, Posture

from .openapi import errors


class ArrangementSerializer(serializers.ModelSerializer):
    nations = serializers.SerializerMethodField()
    status = serializers.ChoiceField(ArrangementStatus.choices, read_only=True)
    posture = serializers.ChoiceField(Posture.choices, read_only=True)

    class Meta:
        model = Arrangement
        fields = ["id", "nations", "signed_on", "status", "posture", "posture_since", "changed_at"]

    def get_nations(self, arrangement: Arrangement) -> list[str]:
        """The ISO codes of the two nations."""
        return [arrangement.first_nation.code, arrangement.second_nation.code]


@extend_schema_view(
    list=extend_schema(
        responses={200: ArrangementSerializer(many=True), **errors(400, 401, 429)},
        description="Every arrangement; `?nation=IN` keeps those of one nation.",
    )
)
class ArrangementViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = ArrangementSerializer
    pagination_class = None

    def get_queryset(self):
        rows = Arrangement.objects.select_related("first_nation", "second_nation")
        code = self.request.query_params.get("nation")
        if code is None:
            return rows.order_by("first_nation__code", "second_nation__code")
        if not (len(code) == 2 and code.isalpha()):
            raise serializers.ValidationError({"nation": ["Give a two-letter nation code."]})
        nation = Nation.objects.filter(code=code.upper()).first()
        if nation is None:
            return rows.none()
        return rows.of(nation).order_by("first_nation__code", "second_nation__code")
