"""Nations, agencies, suppliers, the people who act for them, arrangements, tokens, audit."""

from __future__ import annotations

from .accounts import ApiToken, ApiTokenQuerySet, AuditEntry, AuditKind, TwoFactorInvitation
from .arrangements import (
    Arrangement,
    ArrangementQuerySet,
    ArrangementStatus,
    Posture,
    PostureChange,
)
from .nations import Closure, Nation, Role, calendar_for, calendars_for, validate_time_zone
from .people import Agency, Profile, Supplier, current_signatories

__all__ = [
    "Agency",
    "ApiToken",
    "ApiTokenQuerySet",
    "Arrangement",
    "ArrangementQuerySet",
    "ArrangementStatus",
    "AuditEntry",
    "AuditKind",
    "Closure",
    "Nation",
    "Posture",
    "PostureChange",
    "Profile",
    "Role",
    "Supplier",
    "TwoFactorInvitation",
    "calendar_for",
    "calendars_for",
    "current_signatories",
    "validate_time_zone",
]
