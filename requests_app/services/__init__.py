"""Writes: the only code that changes state (DESIGN §6).

- `actions.py`: one function per action of DESIGN §4, all through one transactional engine;
- `drafts.py`: creating and editing drafts, references;
- `comments.py`: comments and attachments (`attachments.py` checks the files);
- `clocks.py`: the stage clocks and their ledgers; `sweep.py`: the deadline sweep;
- `events.py`: `record_events`, the one fan-out of events to notices and webhook deliveries;
- `webhooks.py`: registering a webhook.

Pages, API, tasks and the admin call the names re-exported here.
"""

from .actions import (
    ACTIONS,
    answer,
    close_unfulfilled,
    decline,
    forward,
    fulfil,
    rate,
    report_delay,
    request_info,
    submit,
    supplier_accept,
    supplier_reject,
    triage,
    withdraw,
)
from .comments import add_attachment, add_comment
from .drafts import DRAFT_FIELDS, ITEM_FIELDS, create_request, next_reference, update_draft
from .events import record_events

__all__ = [
    "ACTIONS",
    "DRAFT_FIELDS",
    "ITEM_FIELDS",
    "add_attachment",
    "add_comment",
    "answer",
    "close_unfulfilled",
    "create_request",
    "decline",
    "forward",
    "fulfil",
    "next_reference",
    "rate",
    "record_events",
    "report_delay",
    "request_info",
    "submit",
    "supplier_accept",
    "supplier_reject",
    "triage",
    "update_draft",
    "withdraw",
]
