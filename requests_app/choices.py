"""Every enum of the request domain, and the DPAS program symbols: the rules import these,
not the models."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AWAITING_ENDORSEMENT = "awaiting_endorsement", _("Awaiting endorsement")
    SUBMITTED = "submitted", _("Submitted")
    NEEDS_INFO = "needs_info", _("Needs information")
    IN_REVIEW = "in_review", _("In review")
    AWAITING_AUTHORISATION = "awaiting_authorisation", _("Awaiting rating authorisation")
    # Replaced `rated` (migration 0010): on the Code of Conduct route nothing is rated.
    APPROVED = "approved", _("Approved")
    WITH_SUPPLIER = "with_supplier", _("With supplier")
    ACCEPTED = "accepted", _("Accepted")
    RESOLVED = "resolved", _("Resolved")


class Route(models.TextChoices):
    """How the responding nation gives priority (DESIGN §1): its `Nation.priority_system`."""

    DPAS = "dpas", _("DPAS")
    CODE_OF_CONDUCT = "code_of_conduct", _("Code of Conduct")


class Resolution(models.TextChoices):
    FULFILLED = "fulfilled", _("Fulfilled")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    UNFULFILLED = "unfulfilled", _("Unfulfilled")


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    URGENT = "urgent", _("Urgent")
    EMERGENCY = "emergency", _("Emergency")


class Rating(models.TextChoices):
    DX = "DX", _("DX (highest national urgency)")
    DO = "DO", _("DO")


# DPAS Schedule I program identification symbols (as revised 22 Jul 2024).
PROGRAM_SYMBOLS: dict[str, str] = {
    "A1": "Aircraft",
    "A2": "Missiles and space",
    "A3": "Ships",
    "A4": "Tank-automotive",
    "A5": "Weapons",
    "A6": "Ammunition",
    "A7": "Electronics and communications",
    "B1": "Building supplies",
    "B8": "Production equipment (contractor)",
    "B9": "Production equipment (government)",
    "C2": "Construction",
    "C3": "Maintenance, repair and operations",
    "C9": "Miscellaneous",
    "D1": "Canada: military programs",
    "D2": "Canada: production and construction",
    "D3": "Canada: atomic energy",
    "G1": "Foreign nations: munitions bought through US commercial channels",
    "G2": "Foreign nations: direct defence needs of foreign governments",
    "G3": "Foreign nations: foreign production and construction",
    "G4": "Foreign nations: foreign critical infrastructure",
    "J1": "Co-production",
    "E1": "Atomic energy: construction",
    "E2": "Atomic energy: operations",
    "E3": "Atomic energy: other",
}
PROGRAM_SYMBOL_CHOICES = [(code, f"{code} — {label}") for code, label in PROGRAM_SYMBOLS.items()]


class ExportJurisdiction(models.TextChoices):
    ITAR = "ITAR", "ITAR"
    EAR = "EAR", "EAR"


class LicenceStatus(models.TextChoices):
    NOT_REQUIRED = "not_required", _("Not required")
    PENDING = "pending", _("Pending")
    GRANTED = "granted", _("Granted")
    DENIED = "denied", _("Denied")


class Party(models.TextChoices):
    """Whose move it is ("ball in court")."""

    REQUESTER = "requester", _("Requester")
    LIAISON = "liaison", _("Liaison officer")
    REVIEWER = "reviewer", _("Reviewer")
    RATING_AUTHORITY = "rating_authority", _("Commerce (BIS)")
    SUPPLIER = "supplier", _("Supplier")


class ItemResponse(models.TextChoices):
    """A supplier's answer for one item (DESIGN §4a); '' before it answers."""

    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class Visibility(models.TextChoices):
    INTERNAL = "internal", _("Internal (officials only)")
    # Officials of the author's nation only: a ministry's own deliberation (issue 17 point 5).
    NATIONAL = "national", _("National (officials of the author's nation only)")
    SHARED = "shared", _("Shared")


class Stage(models.TextChoices):
    """A timed stage: one clock per stage a request passes through."""

    ENDORSEMENT = "endorsement", _("Endorsement")
    TRIAGE = "triage", _("Triage")
    ANSWER = "answer", _("Requester answer")
    DETERMINATION = "determination", _("Determination")
    REVIEW = "review", _("Review")
    AUTHORISATION = "authorisation", _("Rating authorisation")
    FORWARD = "forward", _("Forward to supplier")
    SUPPLIER_RESPONSE = "supplier_response", _("Supplier response")
    DELIVERY = "delivery", _("Delivery")


def rating_label(rating: str, program_symbol: str) -> str:
    """`DX-A1` style, or empty when unrated."""
    return f"{rating}-{program_symbol}" if rating else ""


class NoticeDelivery(models.TextChoices):
    """How a person hears of one kind of notice (`NotificationPreference`)."""

    EMAIL_NOW = "now", _("E-mail now")
    DIGEST = "digest", _("Daily digest")
    IN_APP = "in_app", _("In-app only")


# The kinds of notice that are neither an action (`TRANSITIONS`) nor a rung (`deadlines.LADDER`).
MENTION = "mention"  # a comment names the person: "@liaison.us"
POSTURE = "posture"  # an arrangement's posture changed
