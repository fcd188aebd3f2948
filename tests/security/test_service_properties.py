"""Random sequences of actions by random users against the service layer (issue 6, bad input).

A Hypothesis state machine files a few India→US, US→India and UK→US requests, drives them to
random starting states, then lets every person of every role and nation try random actions,
comments, draft edits and deadline sweeps, with valid and invalid arguments, at moments that
move forward. After every step it checks that only domain errors were raised, that a refused
step changed nothing, and that every request is in a state of DESIGN §4 that its events replay to.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from partners.models import Role
from requests_app import services
from requests_app.deadlines import sla_rule
from requests_app.exceptions import (
    InvalidInput,
    InvalidTransition,
    NotAllowed,
    NotVisible,
    StaleVersion,
)
from requests_app.models import (
    PROGRAM_SYMBOLS,
    Clock,
    Comment,
    Event,
    PriorityRequest,
    Rating,
    RequestItem,
    Resolution,
    State,
)
from requests_app.permissions import (
    COMMENTERS,
    INTERNAL_WRITERS,
    allowed_actions,
    assignable_people,
    eligible_suppliers,
    profile_of,
    user_role,
)
from requests_app.services import sweep as escalations
from requests_app.transitions import TRANSITIONS
from tests import factories as f

DOMAIN_ERRORS = (NotVisible, NotAllowed, InvalidTransition, StaleVersion, InvalidInput)
BASE_AT = dt.datetime(2026, 3, 2, 8, 30, tzinfo=dt.UTC)  # a Monday morning in Delhi
# Events that record something beside the state; they leave `version` alone.
NON_VERSION_EVENTS = {"create", "comment", "attach", "escalate"}
STEADY_EVENTS = {"comment", "attach", "escalate"}
# The actions that move a request on, in the order of either route (endorsement where needed).
HAPPY_PATH = [
    "submit",
    "endorse",
    "triage",
    "determine",
    "authorise",
    "approve",
    "forward",
    "supplier_accept",
]
START_STATES = ["draft", "submitted", "in_review", "approved", "with_supplier", "accepted"]
USERS = [
    "requester_in",
    "requester_in2",
    "liaison_in",
    "reviewer_in",
    "observer_in",
    "requester_us",
    "liaison_us",
    "reviewer_us",
    "authority_us",
    "supplier_us",
    "other_supplier_us",
    "observer_us",
    "requester_gb",
    "liaison_gb",
    "reviewer_gb",
    "observer_gb",
    "supplier_gb",
    "senior_us",
]
TEXTS = ["", "   ", None, "Please confirm the NSN.", "<script>alert(1)</script>", "x" * 300]
MINUTES = [0, 5, 60, 6 * 60, 24 * 60, 3 * 24 * 60, 9 * 24 * 60]
SUMMARY_FIELDS = (
    "state",
    "resolution",
    "version",
    "info_requested_in",
    "due_at",
    "escalation_level",
    "assignee_id",
    "supplier_id",
    "rating",
    "program_symbol",
    "title",
    "responding_nation_id",
    "required_delivery_date",
    "committed_delivery_date",
    "delivered_on",
    "resolution_reason",
)


def summary(pk: int) -> tuple:
    """Everything a refused step must leave as it was."""
    row = PriorityRequest.objects.values(*SUMMARY_FIELDS).get(pk=pk)
    clocks = tuple(
        Clock.objects.filter(request_id=pk)
        .order_by("id")
        .values_list("id", "stage", "due_at", "paused_at", "stopped_at", "level")
    )
    return (
        tuple(row.values()),
        Event.objects.filter(request_id=pk).count(),
        Comment.objects.filter(request_id=pk).count(),
        tuple(RequestItem.objects.filter(request_id=pk).values_list("id", flat=True)),
        clocks,
    )


def check_replay(request: PriorityRequest) -> None:
    """The request's events, in order, walk TRANSITIONS from nothing to its current state."""
    state, resolution, came_from, last_at, changes = "", "", "", None, 0
    for logged in Event.objects.filter(request=request).order_by("id"):
        where = f"{request.reference} event {logged.pk} {logged.action}"
        assert logged.from_state == state, where
        assert last_at is None or logged.created_at >= last_at, f"{where}: time went back"
        last_at = logged.created_at
        if logged.action == "create":
            assert state == "" and logged.to_state == State.DRAFT, where
        elif logged.action == "edit":
            assert state == logged.to_state == State.DRAFT, where
        elif logged.action in STEADY_EVENTS:
            assert logged.to_state == state, where
        elif logged.action == "split":  # rejected items moved on: the request stays put
            assert state in TRANSITIONS["split"].sources, where
            assert logged.to_state == state, where
        else:
            transition = TRANSITIONS[logged.action]
            assert state in transition.sources, where
            expected = transition.target or came_from
            if logged.action == "submit" and request.requesting_nation.requires_endorsement:
                expected = State.AWAITING_ENDORSEMENT
            resolution = transition.resolution
            # The delivery that completes the last accepted item resolves the request.
            if logged.action == "record_delivery" and logged.to_state == State.RESOLVED:
                expected, resolution = State.RESOLVED, Resolution.FULFILLED
            assert logged.to_state == expected, where
            came_from = state if logged.action == "request_info" else came_from
        if logged.action not in NON_VERSION_EVENTS:
            changes += 1
        state = logged.to_state
    assert state == request.state, request.reference
    assert resolution == request.resolution, request.reference
    assert request.version == 1 + changes, request.reference


def check_request(request: PriorityRequest) -> None:
    """The request is in a state of DESIGN §4, with the fields and clocks that state implies."""
    state = request.state
    assert state in State.values
    if state == State.RESOLVED:
        assert request.resolution in Resolution.values
        assert request.resolved_at is not None
    else:
        assert request.resolution == ""
    if state == State.NEEDS_INFO:
        assert request.info_requested_in in TRANSITIONS["request_info"].sources
    else:
        assert request.info_requested_in == ""
    if state in (State.IN_REVIEW, State.APPROVED, State.WITH_SUPPLIER, State.ACCEPTED):
        assert request.assignee_id is not None
    if state in (State.APPROVED, State.WITH_SUPPLIER, State.ACCEPTED) and request.route == "dpas":
        assert request.rating in Rating.values
        assert request.program_symbol in PROGRAM_SYMBOLS
    if state in (State.WITH_SUPPLIER, State.ACCEPTED):
        assert request.supplier_id is not None
    if state == State.ACCEPTED:
        assert request.committed_delivery_date is not None
    if request.resolution == Resolution.FULFILLED:
        assert request.delivered_on is not None

    overrides = getattr(django_settings, "SOSA_SLA_OVERRIDES", None)
    open_clocks = list(Clock.objects.filter(request=request, stopped_at__isnull=True))
    running = [clock for clock in open_clocks if clock.paused_at is None]
    paused = [clock for clock in open_clocks if clock.paused_at is not None]
    check_running(request, running)
    if state in (State.DRAFT, State.RESOLVED):
        assert open_clocks == [], request.reference
    if request.route != "dpas":
        assert request.rating == "", request.reference  # US ratings have no force there
    rule_now = sla_rule(state, overrides, request.route or "dpas")
    if rule_now is not None:
        assert {clock.stage for clock in running} == {rule_now.stage}, request.reference
    if state == State.NEEDS_INFO:
        paused_rule = sla_rule(request.info_requested_in, overrides, request.route)
        expected = [paused_rule.stage] if paused_rule else []
        assert [clock.stage for clock in paused] == expected, request.reference
    else:
        assert paused == [], request.reference
    assert request.due_at == min((c.due_at for c in running), default=None), request.reference
    levels = [clock.level for clock in running if clock.level is not None]
    assert request.escalation_level == max(levels, default=None), request.reference
    check_replay(request)


def check_running(request: PriorityRequest, running: list[Clock]) -> None:
    """One running clock, or one per accepted item still owed while deliveries are awaited."""
    owed = [
        item.pk for item in request.items.filter(response="accepted") if not item.delivered_in_full
    ]
    if request.state == State.ACCEPTED:
        assert sorted(clock.item_id for clock in running) == sorted(owed), request.reference
    else:
        assert len(running) <= 1, request.reference


class ServiceMachine(RuleBasedStateMachine):
    """Random people taking random actions on a few requests; one savepoint per example."""

    people = None  # set by the test: the `people` fixture

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.now = BASE_AT
        self.request_ids: list[int] = []

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- helpers -------------------------------------------------------------------------

    def user(self, name: str):
        return getattr(self.people, name)

    def today(self) -> dt.date:
        return self.now.date()

    def load(self, pk: int) -> PriorityRequest:
        return PriorityRequest.objects.select_related("requesting_nation", "responding_nation").get(
            pk=pk
        )

    def file(self, requester, responding_nation) -> PriorityRequest:
        return services.create_request(
            by=requester,
            now=self.now,
            items=[f.item()],
            title="Gyroscopes for the fleet",
            responding_nation=responding_nation,
            justification="Fleet grounding risk without spares.",
            required_delivery_date=BASE_AT.date() + dt.timedelta(days=365),
        )

    def valid_args(self, action: str, request: PriorityRequest, choose) -> dict:
        """Arguments a careful official would give for `action` on `request`."""
        later = self.today() + dt.timedelta(days=choose(st.integers(30, 200)))
        assignable = set(assignable_people(request.responding_nation_id))
        reviewers = [name for name in USERS if self.user(name) in assignable]
        values = {
            "question": "Which lot is this for?",
            "answer": "Lot 7, delivered to Nashik.",
            "note": "Supports the G2 program.",
            "reason": "No longer needed.",
            "rating": choose(st.sampled_from(Rating.values)),
            "program_symbol": choose(st.sampled_from(sorted(PROGRAM_SYMBOLS))),
            "committed_delivery_date": later,
            "earliest_date": later,
            "delivered_on": self.today() - dt.timedelta(days=1),
            "bis_case_number": "BIS-26-0001",
        }
        if action == "authorise":  # as the DoD recommended: a change would need its reason
            values["rating"] = request.recommended_rating
            values["program_symbol"] = request.recommended_symbol
        owed = [
            item
            for item in request.items.filter(response="accepted").order_by("id")
            if not item.delivered_in_full
        ]
        if owed:  # part or all of one item still to come
            item = choose(st.sampled_from(owed))
            values["item"] = item.pk
            values["quantity"] = choose(st.integers(1, item.quantity_open))
        values["items"] = list(
            request.items.filter(response="rejected").values_list("id", flat=True)
        )
        args = {}
        for name in TRANSITIONS[action].requires:
            if name == "assignee":
                args[name] = self.user(choose(st.sampled_from(reviewers)))
            elif name == "supplier":
                args[name] = choose(st.sampled_from(list(eligible_suppliers(request))))
            else:
                args[name] = values.get(name)
        return args

    def random_args(self, action: str, choose) -> dict:
        suppliers = [
            self.people.company_us,
            self.people.company_us_other,
            self.people.company_in_signed,
            self.people.company_in_unsigned,
            None,
        ]
        dates = st.one_of(
            st.integers(-30, 200).map(lambda days: self.today() + dt.timedelta(days=days)),
            st.sampled_from([None, "", "2026-05-01", self.now]),
        )
        fields = {
            "assignee": st.sampled_from([None, *USERS]).map(
                lambda name: self.user(name) if name else None
            ),
            "rating": st.sampled_from(["DX", "DO", "", None, "dx", "ZZ"]),
            "program_symbol": st.sampled_from(["A1", "A7", "", None, "Z9", "a1"]),
            "supplier": st.sampled_from(suppliers),
            "committed_delivery_date": dates,
            "earliest_date": dates,
            "delivered_on": dates,
            "item": st.sampled_from([None, "", 0, -1, 10**12, "x"]),
            "quantity": st.sampled_from([None, "", 0, -3, 1, 10**9, "2", True]),
            "items": st.sampled_from([None, [], [0], ["x"], "x", [10**12]]),
        }
        return {
            name: choose(fields.get(name, st.sampled_from(TEXTS)))
            for name in TRANSITIONS[action].requires
        }

    def version_arg(self, request: PriorityRequest, choose) -> int | None:
        return {
            "none": None,
            "current": request.version,
            "stale": request.version - 1,
            "ahead": request.version + 1,
        }[choose(st.sampled_from(["none", "none", "current", "current", "stale", "ahead"]))]

    def attempt(self, pk: int, call):
        """Run one service call; a domain error must leave every request as it was."""
        before = {each: summary(each) for each in self.request_ids}
        try:
            return call(), None
        except DOMAIN_ERRORS as error:
            for each in self.request_ids:
                assert summary(each) == before[each], f"refused {error!r} changed {each}"
            return None, error

    # --- rules ---------------------------------------------------------------------------

    @initialize(
        india_to_us=st.sampled_from(START_STATES),
        us_to_india=st.sampled_from(START_STATES),
        uk_to_us=st.sampled_from(["none", "draft", "submitted"]),
        data=st.data(),
    )
    def file_requests(self, india_to_us, us_to_india, uk_to_us, data):
        p = self.people
        plans = [(p.requester_in, p.us, india_to_us), (p.requester_us, p.india, us_to_india)]
        if uk_to_us != "none":
            plans.append((p.requester_gb, p.us, uk_to_us))
        for requester, responding, target in plans:
            request = self.file(requester, responding)
            while request.state != target:
                actor, action = next(
                    (self.user(name), action)
                    for action in HAPPY_PATH
                    for name, allowed in self.permitted_choices(request)
                    if allowed == action
                )
                args = self.valid_args(action, request, data.draw)
                request = services.ACTIONS[action](request, by=actor, now=self.now, **args)
            self.request_ids.append(request.pk)

    def permitted_choices(self, request: PriorityRequest) -> list[tuple[str, str]]:
        """(person, action) pairs the rules allow on `request` now."""
        return [
            (name, action)
            for name in USERS
            if PriorityRequest.objects.visible_to(self.user(name)).filter(pk=request.pk).exists()
            for action in allowed_actions(self.user(name), request)
        ]

    @rule(
        data=st.data(),
        action=st.sampled_from(sorted(services.ACTIONS)),
        actor=st.sampled_from(USERS),
        anyone=st.booleans(),
        minutes=st.sampled_from(MINUTES),
    )
    def random_action(self, data, action, actor, anyone, minutes):
        """Anyone (or someone the rules allow) tries anything, with arguments good or bad."""
        self.now += dt.timedelta(minutes=minutes)
        pk = data.draw(st.sampled_from(self.request_ids))
        request = self.load(pk)
        choices = self.permitted_choices(request)
        if not anyone and choices:
            actor, action = data.draw(st.sampled_from(choices))
        by = self.user(actor)
        transition = TRANSITIONS[action]
        visible = PriorityRequest.objects.visible_to(by).filter(pk=pk).exists()
        version = self.version_arg(request, data.draw)
        args = self.random_args(action, data.draw)
        done, error = self.attempt(
            pk,
            lambda: services.ACTIONS[action](pk, by=by, version=version, now=self.now, **args),
        )
        event(f"{action}: {type(error).__name__ if error else 'done'}")
        # A request someone may not see answers the same to everything: it does not exist.
        assert isinstance(error, NotVisible) == (not visible), (action, actor, error)
        if isinstance(error, StaleVersion):
            assert version is not None and version != request.version
        if done is None:
            return
        profile = profile_of(by)
        assert user_role(by) in transition.roles, (action, actor)
        assert request.state in transition.sources, (action, request.state)
        assert version in (None, request.version)
        assert profile.nation_id in (request.requesting_nation_id, request.responding_nation_id)
        side = transition.side_in(request.state)
        if side == "responding":
            assert profile.nation_id == request.responding_nation_id, (action, actor)
        if side == "requesting":
            assert profile.nation_id == request.requesting_nation_id, (action, actor)
        if transition.route:
            assert request.route == transition.route, (action, request.route)
        if transition.agency_kind:
            assert profile.agency.kind == transition.agency_kind, (action, actor)
        if user_role(by) == Role.SUPPLIER:
            assert profile.supplier_id == request.supplier_id, (action, actor)
        if user_role(by) == Role.REQUESTER:
            assert profile.nation_id == request.requesting_nation_id, (action, actor)
        assert done.version == request.version + 1
        last = Event.objects.filter(request_id=pk).order_by("-id").first()
        assert (last.action, last.actor_id, last.from_state) == (action, by.pk, request.state)

    @rule(data=st.data(), minutes=st.sampled_from(MINUTES))
    def permitted_action(self, data, minutes):
        """Someone the rules allow takes an action with good arguments: it must succeed."""
        self.now += dt.timedelta(minutes=minutes)
        pk = data.draw(st.sampled_from(self.request_ids))
        request = self.load(pk)
        choices = self.permitted_choices(request)
        if not choices:
            return
        actor, action = data.draw(st.sampled_from(choices))
        args = self.valid_args(action, request, data.draw)
        done = services.ACTIONS[action](
            pk, by=self.user(actor), version=request.version, now=self.now, **args
        )
        target = TRANSITIONS[action].target or request.info_requested_in
        if action == "submit" and request.requesting_nation.requires_endorsement:
            target = State.AWAITING_ENDORSEMENT
        if action == "record_delivery" and done.resolution == Resolution.FULFILLED:
            # The delivery that completes the last accepted item resolves the request (§4a).
            target = State.RESOLVED
            owed = done.items.filter(response="accepted")
            assert all(item.quantity_delivered == item.quantity for item in owed)
        event(f"permitted {action} from {request.state}")
        assert done.state == target
        assert done.version == request.version + 1

    @rule(
        data=st.data(),
        actor=st.sampled_from(USERS),
        visibility=st.sampled_from(["shared", "internal", "public", ""]),
        body=st.sampled_from(TEXTS),
    )
    def comment(self, data, actor, visibility, body):
        pk = data.draw(st.sampled_from(self.request_ids))
        request, by = self.load(pk), self.user(actor)
        visible = PriorityRequest.objects.visible_to(by).filter(pk=pk).exists()
        done, error = self.attempt(
            pk,
            lambda: services.add_comment(pk, by=by, body=body, visibility=visibility, now=self.now),
        )
        assert isinstance(error, NotVisible) == (not visible), (actor, error)
        if done is not None:
            writers = INTERNAL_WRITERS if visibility == "internal" else COMMENTERS
            assert user_role(by) in writers, (actor, visibility)
            assert done.body.strip() and self.load(pk).version == request.version

    @rule(
        data=st.data(),
        actor=st.sampled_from(USERS),
        changes=st.fixed_dictionaries(
            {},
            optional={
                "title": st.sampled_from(["", "  ", "Spare gyroscopes", None]),
                "urgency": st.sampled_from(["routine", "emergency", "whenever"]),
                "required_delivery_date": st.integers(-10, 400).map(
                    lambda days: BASE_AT.date() + dt.timedelta(days=days)
                ),
                "responding_nation": st.sampled_from(["us", "india", "uk", None]),
                "state": st.just(State.RESOLVED),
                "version": st.sampled_from([99]),
                "items": st.sampled_from(
                    [None, [], [f.item()], [f.item(quantity=0)], [f.item(description="")]]
                ),
            },
        ),
    )
    def edit_draft(self, data, actor, changes):
        pk = data.draw(st.sampled_from(self.request_ids))
        request, by = self.load(pk), self.user(actor)
        visible = PriorityRequest.objects.visible_to(by).filter(pk=pk).exists()
        changes = dict(changes)
        if changes.get("responding_nation"):
            changes["responding_nation"] = getattr(self.people, changes["responding_nation"])
        done, error = self.attempt(
            pk, lambda: services.update_draft(pk, by=by, now=self.now, **changes)
        )
        assert isinstance(error, NotVisible) == (not visible), (actor, error)
        if done is not None:
            assert user_role(by) == Role.REQUESTER and request.state == State.DRAFT
            assert "state" not in changes and changes.get("version") in (None, request.version)

    @rule(minutes=st.sampled_from(MINUTES))
    def sweep(self, minutes):
        """The deadline sweep escalates clocks but never changes a state or a version."""
        self.now += dt.timedelta(minutes=minutes)
        before = {pk: self.load(pk) for pk in self.request_ids}
        escalations.sweep_deadlines(self.now)
        for pk, request in before.items():
            after = self.load(pk)
            assert (after.state, after.version) == (request.state, request.version)

    @invariant()
    def every_request_is_consistent(self):
        for pk in self.request_ids:
            check_request(self.load(pk))


@pytest.mark.django_db
def test_random_actions_by_random_people_keep_every_request_in_design_states(people):
    people.india.requires_endorsement = True  # India's requests pass its liaison officer first
    people.india.save()
    ServiceMachine.people = people
    run_state_machine_as_test(
        ServiceMachine,
        settings=settings(
            max_examples=50,
            stateful_step_count=25,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
