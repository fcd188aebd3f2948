"""Writes: the only code that changes state (DESIGN §6).

- `actions.py`: one function per action of DESIGN §4, all through `engine.py`'s one
  transactional engine;
- `deliveries.py`: deliveries item by item, delays, `fulfil`; `splits.py`: follow-on
  requests and typed links;
- `drafts.py`: creating and editing drafts, references;
- `comments.py`: comments and attachments (`attachments.py` checks the files);
- `clocks.py`: the stage clocks and their ledgers; `sweep.py`: the deadline sweep;
- `events.py`: `record_events`, the one fan-out of events to notices and webhook deliveries;
- `notifications.py`: a person's notices read on opening a request, their delivery
  preferences and digest hour, mentions ("@username") in comments;
- `webhooks.py`: registering a webhook.

Pages, API, tasks and the admin call the names re-exported here.
"""

from .actions import (
    ACTIONS,
    answer,
    approve,
    authorise,
    close_unfulfilled,
    decline,
    determine,
    endorse,
    forward,
    fulfil,
    record_delivery,
    report_delay,
    request_info,
    split,
    submit,
    supplier_accept,
    supplier_reject,
    triage,
    withdraw,
)
from .comments import add_attachment, add_comment
from .drafts import (
    DRAFT_FIELDS,
    ITEM_FIELDS,
    create_request,
    delete_draft,
    draft_problems,
    next_reference,
    submission_problems,
    update_draft,
)
from .events import record_events
from .notifications import mark_request_read, set_preferences
from .splits import link_requests

__all__ = [
    "ACTIONS",
    "DRAFT_FIELDS",
    "ITEM_FIELDS",
    "add_attachment",
    "add_comment",
    "answer",
    "approve",
    "authorise",
    "close_unfulfilled",
    "create_request",
    "decline",
    "delete_draft",
    "determine",
    "draft_problems",
    "endorse",
    "forward",
    "fulfil",
    "link_requests",
    "mark_request_read",
    "next_reference",
    "record_delivery",
    "record_events",
    "report_delay",
    "request_info",
    "set_preferences",
    "split",
    "submission_problems",
    "submit",
    "supplier_accept",
    "supplier_reject",
    "triage",
    "update_draft",
    "withdraw",
]
