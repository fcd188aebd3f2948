"""The life cycle of DESIGN §4 as data: action → from-states, to-state, roles, required fields,
and what the action does around the state — its clock effect, the stage time it stamps and who
hears of it. `services` and `outbox` read this table; they hold no `if action == …` chains."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from partners.models import Role

from .choices import Resolution, State

OPEN_STATES = frozenset(State.values) - {State.RESOLVED}

# What an action does to the clocks: stop the open ones and open the next stage's (restart);
# pause them while the requester answers (pause); resume the paused ones (resume).
RESTART, PAUSE, RESUME = "restart", "pause", "resume"

# The time a request first enters a state (an answer returns to a stage already entered).
STAGE_TIMESTAMP: dict[str, str] = {
    State.SUBMITTED: "submitted_at",
    State.IN_REVIEW: "triaged_at",
    State.RATED: "rated_at",
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
    # Only officials of the responding nation may take it (liaison or reviewer actions).
    responding_side_only: bool = False
    clock: str = RESTART
    # Who hears of it (parties of `services.events.AudienceIndex`; never the actor).
    audience: tuple[str, ...] = ()

    @property
    def stamp(self) -> str:
        """The request field set to the action's time when it enters a new state ('' none)."""
        return STAGE_TIMESTAMP.get(self.target, "") if self.target else ""

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
        _t("submit", [S.DRAFT], S.SUBMITTED, [R.REQUESTER], audience=("responding_liaisons",)),
        _t(
            "request_info",
            [S.SUBMITTED, S.IN_REVIEW],
            S.NEEDS_INFO,
            [R.LIAISON, R.REVIEWER],
            ["question"],
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
            responding_side_only=True,
            audience=("assignee",),
        ),
        _t(
            "rate",
            [S.IN_REVIEW],
            S.RATED,
            [R.REVIEWER],
            ["rating", "program_symbol", "note"],
            responding_side_only=True,
            audience=("responding_liaisons",),
        ),
        _t(
            "decline",
            [S.SUBMITTED, S.IN_REVIEW],
            S.RESOLVED,
            [R.LIAISON, R.REVIEWER],
            ["reason"],
            resolution=Resolution.DECLINED,
            responding_side_only=True,
            audience=("creator",),
        ),
        _t(
            "forward",
            [S.RATED],
            S.WITH_SUPPLIER,
            [R.LIAISON],
            ["supplier"],
            responding_side_only=True,
            audience=("supplier",),
        ),
        _t(
            "supplier_accept",
            [S.WITH_SUPPLIER],
            S.ACCEPTED,
            [R.SUPPLIER, R.LIAISON],
            ["committed_delivery_date"],
            responding_side_only=True,
            audience=("creator", "assignee", "responding_liaisons"),
        ),
        _t(
            "supplier_reject",
            [S.WITH_SUPPLIER],
            S.RATED,
            [R.SUPPLIER, R.LIAISON],
            ["reason", "earliest_date"],
            responding_side_only=True,
            audience=("creator", "assignee", "responding_liaisons"),
        ),
        _t(
            "report_delay",
            [S.ACCEPTED],
            S.ACCEPTED,
            [R.SUPPLIER, R.LIAISON],
            ["reason", "committed_delivery_date"],
            responding_side_only=True,
            audience=("creator", "assignee", "responding_liaisons"),
        ),
        _t(
            "fulfil",
            [S.ACCEPTED],
            S.RESOLVED,
            [R.LIAISON, R.REQUESTER],
            ["delivered_on"],
            resolution=Resolution.FULFILLED,
            audience=("creator", "assignee", "responding_liaisons"),
        ),
        _t(
            "close_unfulfilled",
            [S.RATED, S.WITH_SUPPLIER, S.ACCEPTED],
            S.RESOLVED,
            [R.LIAISON],
            ["reason"],
            resolution=Resolution.UNFULFILLED,
            responding_side_only=True,
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
EVENT_KINDS: tuple[str, ...] = (*TRANSITIONS, "comment", "attach", "escalate")


def check_event_kinds(kinds) -> list[str]:
    """The kinds as a list of known event actions, or a ValidationError naming `event_kinds`."""
    if not isinstance(kinds, list) or not all(isinstance(kind, str) for kind in kinds):
        raise ValidationError({"event_kinds": ["Give a list of event actions."]})
    unknown = sorted(set(kinds) - set(EVENT_KINDS))
    if unknown:
        raise ValidationError(
            {"event_kinds": [f"Unknown event kinds: {', '.join(unknown)}."]}, code="invalid"
        )
    return list(dict.fromkeys(kinds))
