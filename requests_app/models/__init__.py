"""Priority-support requests, their items, comments, attachments, audit events and clocks.

Rows change state only through `requests_app.services`; these classes hold data, constraints,
indexes and small derived properties. The enums live in `requests_app.choices` and are
re-exported here for code that reads them beside a model.
"""

from ..choices import (
    MENTION,
    POSTURE,
    PROGRAM_SYMBOL_CHOICES,
    PROGRAM_SYMBOLS,
    ExportJurisdiction,
    ItemResponse,
    LicenceStatus,
    NoticeDelivery,
    Party,
    Rating,
    Resolution,
    Route,
    Stage,
    State,
    Urgency,
    Visibility,
    rating_label,
)
from .clocks import Clock, Escalation, clock_status
from .deliveries import Delivery, delivery_progress
from .events import Event, EventQuerySet
from .heartbeats import Heartbeat
from .links import LinkKind, RequestLink
from .outbox import (
    IdempotencyRecord,
    Notification,
    OutboxAttempt,
    Webhook,
    WebhookDelivery,
    new_webhook_secret,
)
from .preferences import ALARM_KINDS, NOTICE_KINDS, NotificationDigest, NotificationPreference
from .queue import SavedView, Watch
from .requests import (
    Attachment,
    Comment,
    PriorityRequest,
    PriorityRequestQuerySet,
    ReferenceSequence,
    RequestItem,
    attachment_path,
)

__all__ = [
    "ALARM_KINDS",
    "MENTION",
    "NOTICE_KINDS",
    "POSTURE",
    "PROGRAM_SYMBOLS",
    "PROGRAM_SYMBOL_CHOICES",
    "Attachment",
    "Clock",
    "Comment",
    "Delivery",
    "Escalation",
    "Event",
    "EventQuerySet",
    "ExportJurisdiction",
    "Heartbeat",
    "IdempotencyRecord",
    "ItemResponse",
    "LicenceStatus",
    "LinkKind",
    "NoticeDelivery",
    "Notification",
    "NotificationDigest",
    "NotificationPreference",
    "OutboxAttempt",
    "Party",
    "PriorityRequest",
    "PriorityRequestQuerySet",
    "Rating",
    "ReferenceSequence",
    "RequestItem",
    "RequestLink",
    "Resolution",
    "Route",
    "SavedView",
    "Stage",
    "State",
    "Urgency",
    "Visibility",
    "Watch",
    "Webhook",
    "WebhookDelivery",
    "attachment_path",
    "clock_status",
    "delivery_progress",
    "new_webhook_secret",
    "rating_label",
]
