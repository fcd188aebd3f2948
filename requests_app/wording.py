"""What people read about each action and event, side by side: the notice labels (in-app list
and e-mail subjects). Checked against `TRANSITIONS` so a new action cannot ship unnamed."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from .transitions import TRANSITIONS

# What each kind of notice says, for people (actions of DESIGN §4 and rungs of §5).
KIND_LABELS = {
    "submit": gettext_lazy("Submitted"),
    "request_info": gettext_lazy("Information requested"),
    "answer": gettext_lazy("Answered"),
    "triage": gettext_lazy("Assigned to you"),
    "rate": gettext_lazy("Rated"),
    "decline": gettext_lazy("Declined"),
    "forward": gettext_lazy("Forwarded to supplier"),
    "supplier_accept": gettext_lazy("Accepted by supplier"),
    "supplier_reject": gettext_lazy("Rejected by supplier"),
    "report_delay": gettext_lazy("Delivery delayed"),
    "fulfil": gettext_lazy("Fulfilled"),
    "close_unfulfilled": gettext_lazy("Closed unfulfilled"),
    "withdraw": gettext_lazy("Withdrawn"),
    "due_soon": gettext_lazy("Due soon"),
    "overdue": gettext_lazy("Overdue"),
    "escalated": gettext_lazy("Escalated"),
    "reminder": gettext_lazy("Reminder: your answer is due soon"),
    "reminder_overdue": gettext_lazy("Reminder: your answer is overdue"),
}


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind) or kind.replace("_", " ").capitalize()


# Every action has its notice label; the rungs of the ladder (DESIGN §5) have theirs.
assert set(TRANSITIONS) <= set(KIND_LABELS), "every action has a notice label"
