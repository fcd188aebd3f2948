"""The words `q` finds a request by (issue 16 point 3), kept on the request as it changes: the
reference, title, contract, program, prime contractor, the supplier, the items' part numbers
and NSNs, and the shared comments in `search_text`; internal comments in `search_internal`,
which only officials search. Drafts are written whole; a comment or a forward adds its words."""

from __future__ import annotations

from collections.abc import Iterable

from ..choices import Visibility

FIELDS = ("reference", "title", "contract_number", "program", "prime_contractor")
ITEM_FIELDS = ("part_number", "nsn")


def document(request, items: Iterable) -> str:
    """The searchable words of a request and its items (comments are added as they come)."""
    words = [getattr(request, name) or "" for name in FIELDS]
    if request.supplier_id:
        words.append(request.supplier.name)
    for item in items:
        words.extend(getattr(item, name) or "" for name in ITEM_FIELDS)
    return " ".join(word for word in words if word)


def add_words(request, text: str, visibility: str = Visibility.SHARED) -> None:
    """Append `text` to the request's document of that visibility (the caller saves it). A
    national comment is not searched: one nation's officials must not find another's."""
    if visibility == Visibility.NATIONAL:
        return
    field = "search_text" if visibility == Visibility.SHARED else "search_internal"
    current = getattr(request, field) or ""
    setattr(request, field, f"{current} {text}".strip())
