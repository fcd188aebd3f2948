"""The typed links of a request as its viewer may read them (DESIGN §4a): each link names the
request at the other end only where the viewer may see that request (the tenant rule)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from ..models import LinkKind, PriorityRequest, RequestLink

# How a link reads from each of its ends.
OUTGOING = {
    LinkKind.SPLIT_FROM: _("Follow-on of"),
    LinkKind.RELATED: _("Related to"),
    LinkKind.DUPLICATE_OF: _("Duplicate of"),
}
INCOMING = {
    LinkKind.SPLIT_FROM: _("Follow-on request"),
    LinkKind.RELATED: _("Related to"),
    LinkKind.DUPLICATE_OF: _("Has a duplicate"),
}


@dataclass(frozen=True)
class Link:
    kind: str
    label: str
    other: PriorityRequest
    outgoing: bool


def visible_links(request: PriorityRequest, user) -> list[Link]:
    """The links of `request` whose other end `user` may see, oldest first."""
    rows = RequestLink.objects.filter(source=request) | RequestLink.objects.filter(target=request)
    rows = rows.order_by("created_at", "id")
    others = {row.target_id if row.source_id == request.pk else row.source_id for row in rows}
    seen = {
        other.pk: other
        for other in PriorityRequest.objects.visible_to(user)
        .filter(pk__in=others)
        .only("id", "reference", "title", "state", "resolution")
    }
    links = []
    for row in rows:
        outgoing = row.source_id == request.pk
        other = seen.get(row.target_id if outgoing else row.source_id)
        if other is not None:
            label = (OUTGOING if outgoing else INCOMING)[LinkKind(row.kind)]
            links.append(Link(row.kind, str(label), other, outgoing))
    return links
