"""Reference data and the caller over the API: nations, suppliers (with their ledgers), `/me`,
and the cheap authenticated `/ping`."""

from __future__ import annotations

from django.db.models import Q
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, viewsets
from rest_framework.decorators import api_view
from rest_framework.response import Response

from partners.models import Nation, Supplier

from ..permissions import sees_ledger
from ..queries.ledger import ledgers
from . import params
from .openapi import ERRORS, errors
from .reference_data import MeSerializer, NationSerializer, SupplierSerializer


@extend_schema_view(
    list=extend_schema(responses={200: NationSerializer(many=True), **errors(401, 429)}),
    retrieve=extend_schema(responses={200: NationSerializer, **errors(401, 404, 429)}),
)
class NationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = NationSerializer
    queryset = Nation.objects.order_by("code")
    lookup_field = "code"
    pagination_class = None


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("nation", str, description="ISO code of the supplier's nation."),
            OpenApiParameter(
                "code_of_conduct",
                bool,
                description="true: only current signatories of the Code of Conduct; false: "
                "only firms that are not (never signed, or withdrew). Anything else is a 400.",
            ),
        ],
        responses={200: SupplierSerializer(many=True), **errors(400, 401, 429)},
    ),
    retrieve=extend_schema(responses={200: SupplierSerializer, **errors(401, 404, 429)}),
)
class SupplierViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = SupplierSerializer
    pagination_class = None

    def get_queryset(self):
        suppliers = Supplier.objects.select_related("nation").order_by("name")
        nation = self.request.query_params.get("nation")
        if nation:
            suppliers = suppliers.filter(nation__code__iexact=nation)
        signatory = params.flag(self.request.query_params, "code_of_conduct")
        current = Q(
            code_of_conduct_signed_on__isnull=False, code_of_conduct_withdrawn_on__isnull=True
        )
        if signatory is not None:
            suppliers = suppliers.filter(current if signatory else ~current)
        return suppliers

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "ledgers": self._ledgers()}

    def _ledgers(self) -> dict:
        """The ledgers of the firms the caller may read them for (queries.ledger)."""
        user = self.request.user
        if self.action == "retrieve":
            firms = self.get_queryset().filter(pk=self.kwargs.get("pk"))
        else:
            firms = self.filter_queryset(self.get_queryset())
        return ledgers(
            firm.pk for firm in firms.only("pk", "nation_id") if sees_ledger(user, firm.nation_id)
        )


@extend_schema(
    responses={
        200: inline_serializer(
            name="Ping", fields={"ok": serializers.BooleanField(), "user": serializers.CharField()}
        ),
        401: ERRORS[401],
        429: ERRORS[429],
    }
)
@api_view(["GET"])
def ping(request):
    """A cheap authenticated check for agency systems (and the load benchmark's ceiling)."""
    return Response({"ok": True, "user": request.user.get_username()})


@extend_schema(responses={200: MeSerializer, **errors(401, 429)})
@api_view(["GET"])
def me(request):
    return Response(MeSerializer(request.user).data)
