"""What people read about each action and event, side by side: the button that takes it, the
line the timeline writes about it, and the label of the notice it sends. Checked against
`TRANSITIONS` on import, so a new action cannot ship unnamed."""

from __future__ import annotations

import contextlib
import datetime as dt

from django.utils.translation import gettext, gettext_lazy, ngettext, pgettext_lazy

from partners.models import Posture

from .choices import Party, Stage
from .deadlines import days_late
from .moments import day_text
from .transitions import TRANSITIONS

# The button (and form title) of each action.
ACTION_LABELS = {
    "submit": gettext_lazy("Submit the request"),
    "request_info": gettext_lazy("Ask for more information"),
    "answer": gettext_lazy("Answer the question"),
    "triage": gettext_lazy("Accept for review and assign"),
    "endorse": gettext_lazy("Endorse for the partner nation"),
    "determine": gettext_lazy("Make the program determination"),
    "authorise": gettext_lazy("Authorise the rating"),
    "approve": gettext_lazy("Approve (Code of Conduct)"),
    "decline": gettext_lazy("Decline"),
    "forward": gettext_lazy("Forward to a supplier"),
    "supplier_accept": gettext_lazy("Accept the order"),
    "supplier_reject": gettext_lazy("Reject the order"),
    "report_delay": gettext_lazy("Report a delay"),
    "record_delivery": gettext_lazy("Record a delivery"),
    "fulfil": gettext_lazy("Record that everything arrived"),
    "split": gettext_lazy("Split the rejected items into a follow-on request"),
    "close_unfulfilled": gettext_lazy("Close as unfulfilled"),
    "withdraw": gettext_lazy("Withdraw the request"),
}
# An action as a refusal names it ("Cannot supplier accept IN-2026-00042: …"): in English its
# code word, in another language a verb phrase of its own.
ACTION_VERBS = {
    "submit": pgettext_lazy("refused action", "submit"),
    "request_info": pgettext_lazy("refused action", "request info"),
    "answer": pgettext_lazy("refused action", "answer"),
    "triage": pgettext_lazy("refused action", "triage"),
    "endorse": pgettext_lazy("refused action", "endorse"),
    "determine": pgettext_lazy("refused action", "determine"),
    "authorise": pgettext_lazy("refused action", "authorise"),
    "approve": pgettext_lazy("refused action", "approve"),
    "decline": pgettext_lazy("refused action", "decline"),
    "forward": pgettext_lazy("refused action", "forward"),
    "supplier_accept": pgettext_lazy("refused action", "supplier accept"),
    "supplier_reject": pgettext_lazy("refused action", "supplier reject"),
    "report_delay": pgettext_lazy("refused action", "report delay"),
    "record_delivery": pgettext_lazy("refused action", "record delivery"),
    "fulfil": pgettext_lazy("refused action", "fulfil"),
    "split": pgettext_lazy("refused action", "split"),
    "close_unfulfilled": pgettext_lazy("refused action", "close unfulfilled"),
    "withdraw": pgettext_lazy("refused action", "withdraw"),
}


def action_verb(action: str) -> str:
    """ "supplier accept": an action as a refusal names it, in the active language."""
    verb = ACTION_VERBS.get(action)
    return str(verb) if verb is not None else action.replace("_", " ")


# A liaison officer records what the supplier said on its behalf.
ON_BEHALF_LABELS = {
    "supplier_accept": gettext_lazy("Record the supplier's acceptance"),
    "supplier_reject": gettext_lazy("Record the supplier's rejection"),
    "report_delay": gettext_lazy("Record a delay reported by the supplier"),
}

# The timeline's line for each event (the actor's name goes before it).
EVENT_TEXT = {
    "create": gettext_lazy("filed the draft"),
    "edit": gettext_lazy("edited the draft"),
    "submit": gettext_lazy("submitted the request"),
    "request_info": gettext_lazy("asked for more information; the deadline is paused"),
    "answer": gettext_lazy("answered; the deadline resumes"),
    "triage": gettext_lazy("accepted it for review and assigned it to %(assignee)s"),
    "endorse": gettext_lazy("endorsed it and sent it to the responding nation"),
    "determine": gettext_lazy("made the program determination and recommended %(rating)s"),
    "authorise": gettext_lazy(
        "authorised the rating %(rating)s under BIS case %(bis_case_number)s"
    ),
    "approve": gettext_lazy("approved it under the Code of Conduct"),
    # Before the routes were split, one step rated a request (kept for old timelines).
    "rate": gettext_lazy("rated it %(rating)s"),
    "decline": gettext_lazy("declined it"),
    "forward": gettext_lazy("forwarded it to %(supplier_name)s"),
    "supplier_accept": gettext_lazy(
        "accepted the order and committed to deliver by %(committed_delivery_date)s"
    ),
    "supplier_reject": gettext_lazy(
        "rejected the order; the earliest possible delivery is %(earliest_date)s"
    ),
    "report_delay": gettext_lazy(
        "reported a delay; the new committed delivery date is %(committed_delivery_date)s"
    ),
    "report_delay_item": gettext_lazy(
        "reported a delay of %(item_description)s; its new committed delivery date is "
        "%(committed_delivery_date)s"
    ),
    "record_delivery": gettext_lazy(
        "recorded a delivery of %(quantity)s × %(item_description)s on %(delivered_on)s "
        "(%(quantity_delivered)s of %(item_quantity)s; %(items_delivered)s of "
        "%(items_accepted)s items delivered)"
    ),
    "fulfil": gettext_lazy("recorded delivery on %(delivered_on)s"),
    "split": gettext_lazy("moved %(item_names)s into the follow-on request %(follow_on)s"),
    "split_follow_on": gettext_lazy(
        "opened this follow-on request from %(split_from)s for %(item_names)s, approved as "
        "before and ready to forward to another supplier"
    ),
    "link": gettext_lazy("linked it (%(kind)s) to %(reference)s"),
    "close_unfulfilled": gettext_lazy("closed it as unfulfilled"),
    "withdraw": gettext_lazy("withdrew it"),
    "attach": gettext_lazy("attached %(name)s"),
    "posture": gettext_lazy(
        "put the arrangement under the %(posture_label)s posture: the clocks were recounted"
    ),
}
ESCALATION_TEXT = {
    "due_soon": gettext_lazy("The %(stage)s deadline is due soon."),
    "overdue": gettext_lazy("The %(stage)s deadline has passed: the request is overdue."),
    "escalated": gettext_lazy(
        "Escalated to senior contacts: the %(stage)s deadline passed two working days ago."
    ),
    "reminder": gettext_lazy("Reminder: the requester's answer is due soon."),
    "reminder_overdue": gettext_lazy("Reminder: the requester's answer is overdue."),
}
STAGE_LABELS = dict(Stage.choices)
POSTURE_LABELS = dict(Posture.choices)

# What each kind of notice says, for people (actions of DESIGN §4 and rungs of §5).
KIND_LABELS = {
    "submit": gettext_lazy("Submitted"),
    "request_info": gettext_lazy("Information requested"),
    "answer": gettext_lazy("Answered"),
    "triage": gettext_lazy("Assigned to you"),
    "endorse": gettext_lazy("Endorsed"),
    "determine": gettext_lazy("Program determination made"),
    "authorise": gettext_lazy("Rating authorised"),
    "approve": gettext_lazy("Approved"),
    "decline": gettext_lazy("Declined"),
    "forward": gettext_lazy("Forwarded to supplier"),
    "supplier_accept": gettext_lazy("Accepted by supplier"),
    "supplier_reject": gettext_lazy("Rejected by supplier"),
    "report_delay": gettext_lazy("Delivery delayed"),
    "record_delivery": gettext_lazy("Delivery recorded"),
    "fulfil": gettext_lazy("Fulfilled"),
    "split": gettext_lazy("Follow-on request opened"),
    "close_unfulfilled": gettext_lazy("Closed unfulfilled"),
    "withdraw": gettext_lazy("Withdrawn"),
    "due_soon": gettext_lazy("Due soon"),
    "overdue": gettext_lazy("Overdue"),
    "escalated": gettext_lazy("Escalated"),
    "reminder": gettext_lazy("Reminder: your answer is due soon"),
    "reminder_overdue": gettext_lazy("Reminder: your answer is overdue"),
    "posture": gettext_lazy("Posture changed"),
}


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind) or kind.replace("_", " ").capitalize()


def _readable(data: dict) -> dict:
    values = {key: value for key, value in data.items() if value is not None}
    for key, value in values.items():
        if key.endswith(("_date", "_on")) and isinstance(value, str):
            with contextlib.suppress(ValueError):
                values[key] = day_text(dt.date.fromisoformat(value))
    return values


class _Blank(dict):
    def __missing__(self, key):
        return "—"


def describe(event) -> str:
    """The timeline's line for one event, its data filled in (dates as dates)."""
    data = _Blank(_readable(event.data or {}))
    if event.action == "escalate":
        data["stage"] = STAGE_LABELS.get(data.get("stage"), data["stage"]).lower()
        if "item_description" in data:  # an item's delivery clock (DESIGN §4a)
            data["stage"] = f"{data['stage']} ({data['item_description']})"
        template = ESCALATION_TEXT.get(data.get("name"), gettext_lazy("Deadline reminder."))
        return str(template) % data
    if event.action == "posture":
        data["posture_label"] = str(POSTURE_LABELS.get(data.get("posture"), "")).lower()
    if isinstance(data.get("items"), list):
        data["item_names"] = ", ".join(
            str(entry.get("description", entry.get("id"))) for entry in data["items"]
        )
    template = EVENT_TEXT.get(_variant(event.action, data))
    if template is None:
        return event.action.replace("_", " ")
    return str(template) % data


def _variant(action: str, data: dict) -> str:
    """The timeline line an event needs: an item's delay, the follow-on's own split line."""
    if action == "report_delay" and "item_description" in data:
        return "report_delay_item"
    if action == "split" and "split_from" in data:
        return "split_follow_on"
    return action


# Every action has its button, its timeline line and its notice label.
for _phrases in (ACTION_LABELS, ACTION_VERBS, EVENT_TEXT, KIND_LABELS):
    assert set(TRANSITIONS) <= set(_phrases), "every action has its phrases"


def standing(
    *,
    route: str,
    rating_label: str,
    bis_case_number: str,
    nation_name: str,
    conduct_days: int | None,
) -> str:
    """What an approved request is, in the words its supplier must read: a rated order under
    the DPAS (the legal duty), or a Code of Conduct request (every reasonable effort, no DPAS
    wording). '' before approval."""
    if route == "dpas":
        if not rating_label:
            return ""
        return gettext_lazy(
            "This is a rated order under 15 CFR 700: %(rating)s, BIS case %(case)s."
        ) % {"rating": rating_label, "case": bis_case_number}
    if conduct_days is None:
        return ""
    return gettext_lazy(
        "%(nation)s's Code of Conduct asks every reasonable effort: a response within "
        "%(days)s working days (best effort)."
    ) % {"nation": nation_name, "days": conduct_days}


def waiting_for(
    holder: dict | None,
    stage: str,
    *,
    nation_name: str = "",
    person_name: str = "",
    time_left: str = "",
) -> str:
    """The page's "Waiting for" line: "India's liaison officer — triage, 2 working days left",
    "United States' reviewer (Dana Cole) — determination"; with only the holder, "US Commerce
    (BIS) — rating authorisation" ('' when no one's move)."""
    if holder is None:
        return ""
    party = str(Party(holder["party"]).label)
    if nation_name:
        owner = f"{nation_name}'" if nation_name.endswith("s") else f"{nation_name}'s"
        named = holder["party"] == Party.RATING_AUTHORITY  # "Commerce (BIS)" keeps its capital
        who = f"{owner} {party if named else party[:1].lower() + party[1:]}"
    else:
        who = f"{holder['nation']} {party}"
    person = person_name or holder["person"]
    if person:
        who += f" ({person})"
    line = f"{who} — {str(STAGE_LABELS[stage]).lower()}" if stage else who
    return f"{line}, {time_left}" if time_left else line


def time_left_text(due: dict | None) -> str:
    """ "2 working days left", "overdue by 1 working day", "paused" ('' without a deadline)."""
    if not due:
        return ""
    if due["paused"]:
        return gettext("paused")
    if due["overdue"]:
        return ngettext(
            "overdue by %(days)d working day", "overdue by %(days)d working days", due["late_days"]
        ) % {"days": due["late_days"]}
    return ngettext("%(days)d working day left", "%(days)d working days left", due["days"]) % {
        "days": due["days"]
    }


def committed_late(committed: dt.date | None, required: dt.date | None) -> str:
    """ "committed 45 days after required" when a commitment misses the date needed ('' when
    it does not, or either date is unknown: `deadlines.days_late`)."""
    days = days_late(committed, required)
    if not days:
        return ""
    return ngettext(
        "committed %(days)d day after required", "committed %(days)d days after required", days
    ) % {"days": days}


def delivered_text(progress: dict | None) -> str:
    """ "2 of 3 items delivered" (accepted items delivered in full, DESIGN §4a; '' when no item
    was accepted)."""
    if not progress or not progress["items_accepted"]:
        return ""
    return ngettext(
        "%(delivered)d of %(accepted)d item delivered",
        "%(delivered)d of %(accepted)d items delivered",
        progress["items_accepted"],
    ) % {"delivered": progress["items_delivered"], "accepted": progress["items_accepted"]}
