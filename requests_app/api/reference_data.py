"""Reference data and the caller, as the API shows them: nations, suppliers, `/me`."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from partners.models import Nation, Supplier

from ..permissions import profile_of, served_nation_ids, user_role
from .serializers import NamedRefSerializer


class NationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Nation
        fields = [
            "code",
            "name",
            "time_zone",
            "holiday_calendar",
            "sosa_signed_on",
            "priority_system",
            "conduct_response_working_days",
            "requires_endorsement",
        ]


class LedgerSerializer(serializers.Serializer):
    forwarded = serializers.IntegerField()
    accepted = serializers.IntegerField()
    rejected = serializers.IntegerField()
    waiting = serializers.IntegerField()
    answered_late = serializers.IntegerField()
    median_working_days = serializers.FloatField(source="median_days", allow_null=True)
    p90_working_days = serializers.IntegerField(source="p90_days", allow_null=True)
    items_delivered = serializers.IntegerField(source="delivered")
    on_time_delivery_percent = serializers.FloatField(allow_null=True)
    summary = serializers.CharField()


class SupplierSerializer(serializers.ModelSerializer):
    nation = serializers.CharField(source="nation.code")
    signatory = serializers.BooleanField(
        source="signed_code_of_conduct",
        read_only=True,
        help_text="A current signatory of its nation's Code of Conduct (signed, not withdrawn).",
    )
    ledger = serializers.SerializerMethodField(
        help_text="Its response ledger; null unless the caller is staff or an official of "
        "the firm's nation."
    )

    class Meta:
        model = Supplier
        fields = [
            "id",
            "name",
            "nation",
            "cage_code",
            "code_of_conduct_signed_on",
            "code_of_conduct_version",
            "code_of_conduct_withdrawn_on",
            "signatory",
            "ledger",
        ]

    @extend_schema_field(LedgerSerializer(allow_null=True))
    def get_ledger(self, supplier: Supplier) -> dict | None:
        ledger = self.context.get("ledgers", {}).get(supplier.pk)
        return LedgerSerializer(ledger).data if ledger is not None else None


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField()
    email = serializers.EmailField()
    role = serializers.CharField(allow_null=True)
    nation = serializers.CharField(allow_null=True)
    agency = NamedRefSerializer(allow_null=True)
    supplier = NamedRefSerializer(allow_null=True)
    serves = serializers.ListField(child=serializers.CharField())
    time_zone = serializers.CharField()
    is_staff = serializers.BooleanField()

    def to_representation(self, user):
        """The signed-in person (`partners.people`) as `/me` shows it."""
        profile = profile_of(user)
        served = served_nation_ids(user) if profile else []
        codes = Nation.objects.filter(pk__in=served).values_list("code", flat=True)
        return super().to_representation(
            {
                "username": user.get_username(),
                "name": user.get_full_name(),
                "email": user.email,
                "role": user_role(user),
                "nation": profile.nation.code if profile else None,
                "agency": _named(profile.agency if profile else None),
                "supplier": _named(profile.supplier if profile else None),
                "serves": sorted(codes) if served else [],
                "time_zone": profile.effective_time_zone if profile else "UTC",
                "is_staff": user.is_staff,
            }
        )


def _named(row) -> dict | None:
    return {"id": row.pk, "name": row.name} if row is not None else None
