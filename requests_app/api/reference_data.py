"""Reference data and the caller, as the API shows them: nations, suppliers, `/me`."""

from __future__ import annotations

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


class SupplierSerializer(serializers.ModelSerializer):
    nation = serializers.CharField(source="nation.code")

    class Meta:
        model = Supplier
        fields = ["id", "name", "nation", "cage_code", "code_of_conduct_signed_on"]


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
