"""The life cycle of DESIGN §4 as data: action → from-states, to-state, roles, required fields,
and what the action does around the state — its clock effect, the stage time it stamps and who
hears of it. `services` and `outbox` read this table; they hold no `if action == …` chains."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from partners.models import Role

from .choices import Resolution, Route, State

OPEN_STATES = frozenset(State.values) - {State.RESOLVED}

# What an action does to the clocks: stop the open ones and open the next stage's (restart);
# pause them while the requester answers (pause); resume the paused ones (resume).
RESTART, PAUSE, RESUME = "restart", "pause", "resume"
# …or only follow the items (a delivery, a moved date, a split): the clocks of the items owed
# stay with their levels; an item delivered in full or moved gets its clock stopped or renewed.
ITEMS = "items"

# Which side's officials may take an action (DESIGN §2): those of the responding nation, of
# the requesting nation, of whichever side holds the request now (the requesting side until it
# is endorsed), or of either.
RESPONDING, REQUESTING, HOLDER, EITHER = "responding", "requesting", "holder", "either"
# The states in which the requesting nation still holds the request: the responding nation
# cannot see it yet (permissions.py).
BEFORE_ENDORSEMENT = frozenset({State.AWAITING_ENDORSEMENT})

# The time a request first enters a state (an answer returns to a stage already entered).
# `submitted_at` is when the responding nation receives it: after endorsement where needed.
STAGE_TIMESTAMP: dict[str, str] = {
    State.AWAITING_ENDORSEMENT: "sent_for_endorsement_at",
    State.SUBMITTED: "submitted_at",
    State.IN_REVIEW: "triaged_at",
    State.AWAITING_AUTHORISATION: "determined_at",
    State.APPROVED: "approved_at",
    State.WITH_SUPPLIER: "forwarded_at",
    State.ACCEPTED: "accepted_at",
    State.RESOLVED: "resolved_at",
}


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str | None  # None: back to the state the request came from (answer)
    roles: frozenset[str]
    requires: tuple[str, ...] = ()
    resolution: str = ""
    side: str = EITHER
    # The route it belongs to ('' both): elsewhere it is refused like a wrong state (409).
    route: str = ""
    # The key it needs: the kind of agency the reviewer must belong to ('' any).
    agency_kind: str = ""
    clock: str = RESTART
    # Offered only while the request has rejected items to carry on (split).
    needs_rejected_items: bool = False
    # Who hears of it (parties of `services.events.AudienceIndex`; never the actor).
    audience: tuple[str, ...] = ()

    @property
    def stamp(self) -> str:
        """The request field set to the action's time when it enters a new state ('' none)."""
        return STAGE_TIMESTAMP.get(self.target, "") if self.target else ""

    def side_in(self, state: str) -> str:
        """Which side's officials may take it in `state`: RESPONDING, REQUESTING or EITHER."""
        if self.side == HOLDER:
            return REQUESTING if state in BEFORE_ENDORSEMENT else RESPONDING
        return self.side

    @property
    def url_name(self) -> str:
        return self.action.replace("_", "-")


def _t(action, sources, target, roles, requires=(), *, audience=(), **extra) -> Transition:
    return Transition(
        action,
        frozenset(sources),
        target,
        frozenset(roles),
        tuple(requires),
        audience=tuple(audience),
        **extra,
    )


S, R = State, Role
TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        # To awaiting_endorsement instead where the requesting nation requires it (services).
        _t("submit", [S.DRAFT], S.SUBMITTED, [R.REQUESTER], audience=("responding_liaisons",)),
        _t(
            "endorse",
            [S.AWAITING_ENDORSEMENT],
            S.SUBMITTED,
            [R.LIAISON],
            ["note"],
            side=REQUESTING,
            audience=("creator", "responding_liaisons"),
        ),
        _t(
            "request_info",
            [S.AWAITING_ENDORSEMENT, S.SUBMITTED, S.IN_REVIEW, S.AWAITING_AUTHORISATION],
            S.NEEDS_INFO,
            [R.LIAISON, R.REVIEWER],
            ["question"],
            side=HOLDER,
            clock=PAUSE,
            audience=("creator",),
        ),
        _t(
            "answer",
            [S.NEEDS_INFO],
            None,
            [R.REQUESTER],
            ["answer"],
            clock=RESUME,
            audience=("assignee", "responding_liaisons"),
        ),
        _t(
            "triage",
            [S.SUBMITTED],
            S.IN_REVIEW,
            [R.LIAISON],
            ["assignee"],
            side=RESPONDING,
            audience=("assignee",),
        ),
        # The DPAS route's two keys: the DoD determines, then Commerce (BIS) authorises.
        _t(
            "determine",
            [S.IN_REVIEW],
            S.AWAITING_AUTHORISATION,
            [R.REVIEWER],
            ["rating", "program_symbol", "note"],
            side=RESPONDING,
            route=Route.DPAS,
            agency_kind="program_determination",
            audience=("responding_liaisons", "rating_authority"),
        ),
        _t(
            "authorise",
            [S.AWAITING_AUTHORISATION],
            S.APPROVED,
            [R.REVIEWER],
            ["bis_case_number", "rating", "program_symbol", "note"],
            side=RESPONDING,
            route=Route.DPAS,
            agency_kind="rating_authority",
            audience=("responding_liaisons", "assignee"),
        ),
        # The Code of Conduct route: the responding MoD supports it; nothing is rated.
        _t(
            "approve",
            [S.IN_REVIEW],
            S.APPROVED,
            [R.REVIEWER],
            ["note"],
            side=RESPONDING,
            route=Route.CODE_OF_CONDUCT,
            audience=("responding_liaisons",),
        ),
        _t(
            "decline",
            [S.AWAITING_ENDORSEMENT, S.SUBMITTED, S.IN_REVIEW, S.AWAITING_AUTHORISATION],
            S.RESOLVED,
            [R.LIAISON, R.REVIEWER],
            ["reason"],
            resolution=Resolution.DECLINED,
            side=HOLDER,
            audience=("creator",),
        ),
        _t(
            "forward",
            [S.APPROVED],
            S.WITH_SUPPLIER,
            [R.LIAISON],
            ["supplier"],
            side=RESPONDING,
            audience=("supplier",),
        ),
        _t(
            "supplier_accept",
            [S.WITH_SUPPLIER],
            S.ACCEPTED,
            [R.SUPPLIER, R.LIAISON],
            ["committed_delivery_date"],
            side=RESPONDING,
            audience=("creator", "assignee", "responding_liaisons"),
        ),
        _t(
            "supplier_reject",
            [S.WITH_SUPPLIER],
            S.APPROVED,
            [R.SUPPLIER, R.LIAISON],
            ["reason", "earliest_date"],
            side=RESPONDING,
            audience=("creator", "assignee", "responding_liaisons"),
        ),
        # One item's date, or every item still owed (DESIGN §4a).
        _t(
            "report_delay",
            [S.ACCEPTED],
            S.ACCEPTED,
            [R.SUPPLIER, R.LIAISON],
            ["reason", "committed_delivery_date"],
            side=RESPONDING,
            clock=ITEMS,
            audience=("creator", "assignee", "responding_liaisons"),
        ),
        # Part or all of one item; resolved (fulfilled) by the delivery that completes the
        # last accepted item (services.deliveries).
        _t(
            "record_delivery",
            [S.ACCEPTED],
            S.ACCEPTED,
            [R.LIAISON, R.REQUESTER, R.SUPPLIER],
            ["item", "quantity", "delivered_on"],
            clock=ITEMS,
            audience=("creator", "assignee", "responding_liaisons", "supplier"),
        ),
        # Everything still owed arrived: the last delivery of every open item.
        _t(
            "fulfil",
            [S.ACCEPTED],
            S.RESOLVED,
            [R.LIAISON, R.REQUESTER],
            ["delivered_on"],
            resolution=Resolution.FULFILLED,
            audience=("creator", "assignee", "responding_liaisons"),
        ),
        # The rejected items go on as a follow-on request, approved, ready to forward to
        # another supplier; the request itself stays where it is (fulfilled: resolved).
        _t(
            "split",
            [S.ACCEPTED, S.RESOLVED],
            None,
            [R.LIAISON],
            ["items"],
            side=RESPONDING,
            clock=ITEMS,
            needs_rejected_items=True,
            audience=("creator", "responding_liaisons"),
        ),
        _t(
            "close_unfulfilled",
            [S.APPROVED, S.WITH_SUPPLIER, S.ACCEPTED],
            S.RESOLVED,
            [R.LIAISON],
            ["reason"],
            resolution=Resolution.UNFULFILLED,
            side=RESPONDING,
            audience=("creator", "assignee", "supplier"),
        ),
        _t(
            "withdraw",
            OPEN_STATES,
            S.RESOLVED,
            [R.REQUESTER],
            ["reason"],
            resolution=Resolution.WITHDRAWN,
            audience=("assignee", "responding_liaisons", "supplier"),
        ),
    ]
}


# What a webhook may subscribe to: every action, and the events that are not actions.
EVENT_KINDS: tuple[str, ...] = (*TRANSITIONS, "comment", "attach", "escalate", "posture")


def check_event_kinds(kinds) -> list[str]:
    """The kinds as a list of known event actions, or a ValidationError naming `event_kinds`."""
    if not isinstance(kinds, list) or not all(isinstance(kind, str) for kind in kinds):
        raise ValidationError({"event_kinds": [_("Give a list of event actions.")]})
    unknown = sorted(set(kinds) - set(EVENT_KINDS))
    if unknown:
        raise ValidationError(
            {"event_kinds": [_("Unknown event kinds: %(kinds)s.") % {"kinds": ", ".join(unknown)}]},
            code="invalid",
        )
    return list(dict.fromkeys(kinds))
