"""Strict request bodies: a field the body names that the operation does not know is a 400
naming it, so a misspelt `versoin` can never silently skip the stale-version check."""

from __future__ import annotations

from collections.abc import Mapping

from rest_framework import serializers


class StrictFieldsMixin(serializers.Serializer):
    """Put first among a (write) serializer's bases. Fields the serializer
    shows but does not take (read-only ones, echoed back from a representation) are ignored
    as DRF ignores them; names it does not have at all are refused."""

    def to_internal_value(self, data):
        unknown: dict[str, list[str]] = {}
        if isinstance(data, Mapping):
            names = sorted(str(name) for name in data if name not in self.fields)
            if names:
                known = ", ".join(sorted(n for n, f in self.fields.items() if not f.read_only))
                message = f"Unknown field. This body takes: {known}." if known else "Unknown field."
                unknown = {name: [message] for name in names}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as invalid:  # every problem in one answer
            if unknown and isinstance(invalid.detail, dict):
                raise serializers.ValidationError({**invalid.detail, **unknown}) from invalid
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value
