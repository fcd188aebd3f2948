"""The typed links of a request in the API (DESIGN §4a): `GET/POST …/links/`."""

from __future__ import annotations

from rest_framework import serializers

from ..models import LinkKind
from .strict import StrictFieldsMixin


class LinkSerializer(StrictFieldsMixin, serializers.Serializer):
    """A typed link as its reader sees it (DESIGN §4a): `kind` split_from | related |
    duplicate_of, `direction` out (this request is …) or in (… of this request), and the
    other request, shown only where the caller may see it."""

    kind = serializers.ChoiceField(choices=LinkKind.choices)
    direction = serializers.ChoiceField(choices=["out", "in"], read_only=True)
    relation = serializers.CharField(read_only=True, help_text='How it reads: "Follow-on of".')
    reference = serializers.CharField(max_length=20, help_text="The other request's reference.")
    title = serializers.CharField(read_only=True)
    state = serializers.CharField(read_only=True)


def link_data(link) -> dict:
    """A `queries.links.Link` as `LinkSerializer` shows it."""
    return {
        "kind": link.kind,
        "direction": "out" if link.outgoing else "in",
        "relation": link.label,
        "reference": link.other.reference,
        "title": link.other.title,
        "state": link.other.state,
    }
