"""What the request admins share."""

from __future__ import annotations


class ViewOnlyMixin:
    """Rows written only by services and the sweep: admins may look, never add, edit or delete."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
