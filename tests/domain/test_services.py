"""The life cycle of DESIGN §4 through the service functions: who may act, when, with what."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from requests_app import services
from requests_app.exceptions import (
    InvalidInput,
    InvalidTransition,
    NotAllowed,
    NotVisible,
    StaleVersion,
)
from requests_app.models import Comment, Event, Notification, PriorityRequest, State
from requests_app.services import events as notifications
from requests_app.transitions import OPEN_STATES, TRANSITIONS
from tests import factories as f
from tests.helpers import NOW, support

User = get_user_model()
# Every test runs at NOW (tests/helpers.py), a Tuesday 10:00 in Washington.
pytestmark = pytest.mark.usefixtures("frozen_now")
TODAY = dt.date(2026, 11, 24)
PAST = TODAY - dt.timedelta(days=7)
SOON = TODAY + dt.timedelta(days=60)


@pytest.fixture
def reach(people, make_request, make_coc_request):
    """reach("needs_info"), reach("needs_info_from_review") and reach("coc_<state>") (a
    US→India request) besides make_request's states."""

    def reach(state: str):
        if state == "needs_info":
            request = make_request("submitted")
            return services.request_info(request, by=people.liaison_us, question="Which lot?")
        if state == "needs_info_from_review":
            request = make_request("in_review")
            return services.request_info(request, by=people.reviewer_us, question="Which lot?")
        if state == "resolved":
            request = make_request("submitted")
            return services.decline(request, by=people.liaison_us, reason="No program.")
        if state.startswith("coc_"):  # a US→India request, on the Code of Conduct route
            return make_coc_request(state.removeprefix("coc_"))
        return make_request(state)

    return reach


def act(action, request, by, people, **args):
    """Call the service of `action`, resolving people/companies named by attribute and the
    request's items by a function of the request."""
    resolved = {
        key: getattr(people, value)
        if isinstance(value, str) and hasattr(people, value)
        else value(request)
        if callable(value)
        else value
        for key, value in args.items()
    }
    return services.ACTIONS[action](request, by=by, **resolved)


def snapshot(request):
    row = PriorityRequest.objects.get(pk=request.pk)
    return (row.state, row.resolution, row.version, Event.objects.filter(request=row).count())


# The arguments that make each action valid (people and companies named by attribute).
GOOD_ARGS = {
    "submit": {},
    "request_info": {"question": "Which production lot do you need?"},
    "answer": {"answer": "Lot 7, serial range 700-799."},
    "triage": {"assignee": "reviewer_us"},
    "endorse": {"note": "India's MoD stands behind it."},
    "determine": {"rating": "DO", "program_symbol": "G2", "note": "Supports a G2 program."},
    "authorise": {
        "bis_case_number": "BIS-26-0107",
        "rating": "DX",  # as tests/conftest.py's PATH determines it
        "program_symbol": "A1",
        "note": "Authorised as recommended.",
    },
    "approve": {"note": "India's MoD supports it."},
    "decline": {"reason": "No approved program."},
    "forward": {"supplier": "company_us"},
    "supplier_accept": {"committed_delivery_date": SOON},
    "supplier_reject": {"reason": "No capacity.", "earliest_date": SOON},
    "report_delay": {"reason": "Casting scrapped.", "committed_delivery_date": SOON},
    "record_delivery": {
        "item": lambda request: request.items.order_by("id")[0].pk,
        "quantity": 1,  # of 4
        "delivered_on": TODAY,
    },
    "fulfil": {"delivered_on": TODAY},
    "split": {
        "items": lambda request: list(
            request.items.filter(response="rejected").values_list("id", flat=True)
        )
    },
    "close_unfulfilled": {"reason": "Supplier base cannot deliver."},
    "withdraw": {"reason": "Need met from stock."},
}

# (action, from-state, actor, expected state, expected resolution): every role of every action.
ALLOWED = [
    ("submit", "draft", "requester_in", "submitted", ""),
    ("endorse", "awaiting_endorsement", "liaison_in", "submitted", ""),
    ("request_info", "awaiting_endorsement", "liaison_in", "needs_info", ""),
    ("decline", "awaiting_endorsement", "liaison_in", "resolved", "declined"),
    ("request_info", "submitted", "liaison_us", "needs_info", ""),
    ("request_info", "in_review", "reviewer_us", "needs_info", ""),
    ("answer", "needs_info", "requester_in", "submitted", ""),
    ("answer", "needs_info_from_review", "requester_in2", "in_review", ""),
    ("triage", "submitted", "liaison_us", "in_review", ""),
    ("determine", "in_review", "reviewer_us", "awaiting_authorisation", ""),
    ("authorise", "awaiting_authorisation", "authority_us", "approved", ""),
    ("approve", "coc_in_review", "reviewer_in", "approved", ""),
    ("request_info", "awaiting_authorisation", "authority_us", "needs_info", ""),
    ("decline", "awaiting_authorisation", "authority_us", "resolved", "declined"),
    ("decline", "submitted", "liaison_us", "resolved", "declined"),
    ("decline", "in_review", "reviewer_us", "resolved", "declined"),
    ("forward", "approved", "liaison_us", "with_supplier", ""),
    ("supplier_accept", "with_supplier", "supplier_us", "accepted", ""),
    ("supplier_accept", "with_supplier", "liaison_us", "accepted", ""),
    ("supplier_reject", "with_supplier", "supplier_us", "approved", ""),
    ("supplier_reject", "with_supplier", "liaison_us", "approved", ""),
    ("report_delay", "accepted", "supplier_us", "accepted", ""),
    ("report_delay", "accepted", "liaison_us", "accepted", ""),
    ("record_delivery", "accepted", "requester_in", "accepted", ""),
    ("record_delivery", "accepted", "liaison_us", "accepted", ""),
    ("record_delivery", "accepted", "supplier_us", "accepted", ""),
    ("split", "partly_accepted", "liaison_us", "accepted", ""),
    ("fulfil", "accepted", "requester_in", "resolved", "fulfilled"),
    ("fulfil", "accepted", "liaison_us", "resolved", "fulfilled"),
    ("close_unfulfilled", "approved", "liaison_us", "resolved", "unfulfilled"),
    ("close_unfulfilled", "with_supplier", "liaison_us", "resolved", "unfulfilled"),
    ("close_unfulfilled", "accepted", "liaison_us", "resolved", "unfulfilled"),
    ("withdraw", "submitted", "requester_in", "resolved", "withdrawn"),
]


def test_every_action_and_every_role_that_may_take_it_is_covered():
    assert {case[0] for case in ALLOWED} == set(TRANSITIONS) == set(GOOD_ARGS)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("action", "start", "who", "expected", "resolution"),
    ALLOWED,
    ids=[f"{case[0]}-by-{case[2]}-from-{case[1]}" for case in ALLOWED],
)
def test_an_action_moves_the_request_and_leaves_an_audit_trail(
    people, reach, action, start, who, expected, resolution
):
    request = reach(start)
    before_state, before_version = request.state, request.version
    actor = getattr(people, who)

    act(action, request, actor, people, version=before_version, **GOOD_ARGS[action])

    done = PriorityRequest.objects.get(pk=request.pk)  # split answers with its follow-on
    assert (done.state, done.resolution) == (expected, resolution)
    assert done.version == before_version + 1
    event = Event.objects.filter(request=done).latest("id")
    assert (event.action, event.actor, event.from_state, event.to_state) == (
        action,
        actor,
        before_state,
        expected,
    )


# (action, from-state, someone who sees the request but whose role may not take the action)
WRONG_ROLE = [
    ("submit", "draft", "admin"),
    ("request_info", "submitted", "requester_in"),
    ("request_info", "submitted", "observer_us"),
    ("request_info", "submitted", "liaison_in"),  # once sent, the responding side holds it
    ("request_info", "awaiting_endorsement", "requester_in"),
    ("answer", "needs_info", "liaison_us"),
    ("triage", "submitted", "reviewer_us"),
    ("triage", "submitted", "liaison_in"),  # the requesting side may not triage
    ("endorse", "awaiting_endorsement", "requester_in"),
    ("determine", "in_review", "liaison_us"),
    ("authorise", "awaiting_authorisation", "liaison_us"),
    ("approve", "coc_in_review", "liaison_in"),
    ("decline", "submitted", "requester_in"),
    ("decline", "submitted", "liaison_in"),
    ("forward", "approved", "reviewer_us"),
    ("forward", "approved", "liaison_in"),
    ("supplier_accept", "with_supplier", "requester_in"),
    ("supplier_reject", "with_supplier", "reviewer_us"),
    ("report_delay", "accepted", "requester_in"),
    ("fulfil", "accepted", "supplier_us"),
    ("record_delivery", "accepted", "observer_in"),
    ("split", "partly_accepted", "supplier_us"),
    ("split", "partly_accepted", "liaison_in"),  # the responding side forwards follow-ons
    ("close_unfulfilled", "approved", "reviewer_us"),
    ("withdraw", "submitted", "liaison_us"),
    ("withdraw", "accepted", "supplier_us"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("action", "start", "who"),
    WRONG_ROLE,
    ids=[f"{case[0]}-by-{case[2]}" for case in WRONG_ROLE],
)
def test_a_role_that_may_not_take_an_action_is_refused_and_nothing_changes(
    people, reach, action, start, who
):
    request = reach(start)
    actor = (
        User.objects.create_user("admin", "a@example.org", "pw", is_staff=True)
        if who == "admin"
        else getattr(people, who)
    )
    before = snapshot(request)
    with pytest.raises(NotAllowed):
        act(action, request, actor, people, **GOOD_ARGS[action])
    assert snapshot(request) == before


# Each action tried from its own from-state by everyone of a third nation.
THIRD_NATION = ["requester_gb", "liaison_gb", "reviewer_gb", "observer_gb", "supplier_gb"]
FIRST_STATE = {case[0]: case[1] for case in reversed(ALLOWED)}


@pytest.mark.django_db
@pytest.mark.parametrize("who", THIRD_NATION)
@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_a_user_of_a_third_nation_cannot_learn_the_request_exists(people, reach, action, who):
    request = reach(FIRST_STATE[action])
    before = snapshot(request)
    with pytest.raises(NotVisible):
        act(action, request, getattr(people, who), people, **GOOD_ARGS[action])
    assert snapshot(request) == before


@pytest.mark.django_db
def test_another_supplier_cannot_act_on_an_order_forwarded_elsewhere(people, make_request):
    request = make_request("with_supplier")
    with pytest.raises(NotVisible):
        services.supplier_accept(request, by=people.other_supplier_us, committed_delivery_date=SOON)


@pytest.mark.django_db
def test_a_liaison_cannot_submit_a_draft_it_cannot_see(people, make_request):
    request = make_request("draft")
    with pytest.raises(NotVisible):
        services.submit(request, by=people.liaison_us)


# (action, a state it is not allowed in, who would otherwise be allowed)
WRONG_STATE = [
    ("submit", "submitted", "requester_in"),
    ("request_info", "approved", "liaison_us"),
    ("request_info", "needs_info", "liaison_us"),
    ("answer", "submitted", "requester_in"),
    ("triage", "in_review", "liaison_us"),
    ("endorse", "submitted", "liaison_in"),
    ("determine", "submitted", "reviewer_us"),
    ("determine", "approved", "reviewer_us"),
    ("authorise", "in_review", "authority_us"),
    ("approve", "coc_submitted", "reviewer_in"),
    ("approve", "coc_approved", "reviewer_in"),
    ("decline", "approved", "liaison_us"),
    ("forward", "in_review", "liaison_us"),
    ("forward", "with_supplier", "liaison_us"),
    ("supplier_accept", "accepted", "supplier_us"),
    ("supplier_reject", "accepted", "supplier_us"),
    ("report_delay", "with_supplier", "supplier_us"),
    ("fulfil", "with_supplier", "liaison_us"),
    ("close_unfulfilled", "in_review", "liaison_us"),
    ("withdraw", "resolved", "requester_in"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("action", "start", "who"),
    WRONG_STATE,
    ids=[f"{case[0]}-in-{case[1]}" for case in WRONG_STATE],
)
def test_an_action_in_the_wrong_state_is_a_conflict_and_nothing_changes(
    people, reach, action, start, who
):
    request = reach(start)
    before = snapshot(request)
    with pytest.raises(InvalidTransition) as raised:
        act(action, request, getattr(people, who), people, **GOOD_ARGS[action])
    assert raised.value.status == 409
    assert "state" in raised.value.errors
    assert snapshot(request) == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("action", "start", "who"),
    [(case[0], case[1], case[2]) for case in ALLOWED],
    ids=[f"{case[0]}-by-{case[2]}" for case in ALLOWED],
)
def test_acting_on_a_stale_version_is_refused_and_nothing_changes(
    people, reach, action, start, who
):
    request = reach(start)
    before = snapshot(request)
    with pytest.raises(StaleVersion) as raised:
        act(
            action,
            request,
            getattr(people, who),
            people,
            version=request.version - 1,
            **GOOD_ARGS[action],
        )
    assert raised.value.status == 409
    assert "version" in raised.value.errors
    assert snapshot(request) == before


@pytest.mark.django_db
def test_the_version_a_page_was_loaded_with_wins_once(people, make_request):
    request = make_request("submitted")
    loaded = request.version
    services.triage(request, by=people.liaison_us, assignee=people.reviewer_us, version=loaded)
    with pytest.raises(StaleVersion):
        services.decline(request, by=people.liaison_us, reason="Too late.", version=loaded)


# --- invalid input ----------------------------------------------------------------------------


@pytest.fixture
def us_to_india_rated(people):
    """A US→India request, rated by India: India's suppliers are bound by its Code of Conduct."""
    request = f.draft(people.requester_us, people.india, title="Forgings for a US program")
    request = services.submit(request, by=people.requester_us)
    request = services.triage(request, by=people.liaison_in, assignee=people.reviewer_in)
    return support(
        request, by=people.reviewer_in, rating="DO", program_symbol="G3", note="Determined."
    )


BAD_INPUT = [
    ("determine", "in_review", "reviewer_us", {"program_symbol": "Z9"}, "program_symbol"),
    ("determine", "in_review", "reviewer_us", {"program_symbol": ""}, "program_symbol"),
    ("determine", "in_review", "reviewer_us", {"rating": "DZ"}, "rating"),
    ("determine", "in_review", "reviewer_us", {"note": "   "}, "note"),
    ("authorise", "awaiting_authorisation", "authority_us", {"bis_case_number": " "}, None),
    ("authorise", "awaiting_authorisation", "authority_us", {"rating": "DO"}, "change_reason"),
    ("endorse", "awaiting_endorsement", "liaison_in", {"note": ""}, "note"),
    ("approve", "coc_in_review", "reviewer_in", {"note": ""}, "note"),
    ("triage", "submitted", "liaison_us", {"assignee": "reviewer_in"}, "assignee"),
    ("triage", "submitted", "liaison_us", {"assignee": "requester_us"}, "assignee"),
    ("triage", "submitted", "liaison_us", {"assignee": "supplier_us"}, "assignee"),
    ("triage", "submitted", "liaison_us", {"assignee": None}, "assignee"),
    ("forward", "approved", "liaison_us", {"supplier": "company_in_signed"}, "supplier"),
    ("forward", "approved", "liaison_us", {"supplier": None}, "supplier"),
    ("request_info", "submitted", "liaison_us", {"question": ""}, "question"),
    ("answer", "needs_info", "requester_in", {"answer": " "}, "answer"),
    ("decline", "submitted", "liaison_us", {"reason": ""}, "reason"),
    ("supplier_accept", "with_supplier", "supplier_us", {"committed_delivery_date": PAST}, None),
    ("supplier_accept", "with_supplier", "supplier_us", {"committed_delivery_date": None}, None),
    ("supplier_reject", "with_supplier", "supplier_us", {"reason": ""}, "reason"),
    ("supplier_reject", "with_supplier", "supplier_us", {"earliest_date": PAST}, None),
    ("report_delay", "accepted", "supplier_us", {"committed_delivery_date": PAST}, None),
    ("fulfil", "accepted", "requester_in", {"delivered_on": SOON}, "delivered_on"),
    ("fulfil", "accepted", "requester_in", {"delivered_on": "2026-11-20"}, "delivered_on"),
    ("close_unfulfilled", "approved", "liaison_us", {"reason": ""}, "reason"),
    ("withdraw", "submitted", "requester_in", {"reason": None}, "reason"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("action", "start", "who", "bad", "field"),
    BAD_INPUT,
    ids=[f"{case[0]}-{case[4] or next(iter(case[3]))}-{n}" for n, case in enumerate(BAD_INPUT)],
)
def test_invalid_input_names_the_field_and_changes_nothing(
    people, reach, action, start, who, bad, field
):
    field = field or next(iter(bad))
    request = reach(start)
    before = snapshot(request)
    with pytest.raises(InvalidInput) as raised:
        act(action, request, getattr(people, who), people, **{**GOOD_ARGS[action], **bad})
    assert raised.value.status == 400
    assert list(raised.value.errors) == [field]
    assert snapshot(request) == before


@pytest.mark.django_db
def test_a_partner_side_request_cannot_go_to_a_supplier_without_the_code_of_conduct(
    people, us_to_india_rated
):
    before = snapshot(us_to_india_rated)
    with pytest.raises(InvalidInput) as raised:
        services.forward(
            us_to_india_rated, by=people.liaison_in, supplier=people.company_in_unsigned
        )
    assert "Code of Conduct" in raised.value.errors["supplier"][0]
    assert snapshot(us_to_india_rated) == before

    done = services.forward(
        us_to_india_rated, by=people.liaison_in, supplier=people.company_in_signed
    )
    assert done.state == "with_supplier"
    assert done.supplier == people.company_in_signed


@pytest.mark.django_db
def test_a_firm_that_signs_the_code_of_conduct_only_next_month_is_not_yet_a_signatory(
    people, make_coc_request
):
    people.company_in_signed.code_of_conduct_signed_on = TODAY + dt.timedelta(days=30)
    people.company_in_signed.save()
    approved = make_coc_request("approved")
    with pytest.raises(InvalidInput) as raised:
        services.forward(approved, by=people.liaison_in, supplier=people.company_in_signed)
    assert raised.value.errors["supplier"] == [
        "This supplier is not a current signatory of the Code of Conduct."
    ]


@pytest.mark.django_db
def test_a_us_supplier_needs_no_code_of_conduct_for_a_rated_order(people, make_request):
    people.company_us.code_of_conduct_signed_on = None
    people.company_us.save()
    done = services.forward(
        make_request("approved"), by=people.liaison_us, supplier=people.company_us
    )
    assert done.state == "with_supplier"


@pytest.mark.django_db
def test_a_draft_without_items_cannot_be_submitted(people):
    request = f.draft(people.requester_in, people.us, items=[])
    with pytest.raises(InvalidInput) as raised:
        services.submit(request, by=people.requester_in)
    assert list(raised.value.errors) == ["items"]
    assert f.is_state(request, "draft")


@pytest.mark.django_db
@pytest.mark.parametrize("required", [PAST, TODAY, None])
def test_a_draft_needed_by_today_or_earlier_cannot_be_submitted(people, required):
    request = f.draft(people.requester_in, people.us, required_delivery_date=required)
    with pytest.raises(InvalidInput) as raised:
        services.submit(request, by=people.requester_in)
    assert list(raised.value.errors) == ["required_delivery_date"]
    assert f.is_state(request, "draft")


@pytest.mark.django_db
def test_a_draft_without_justification_cannot_be_submitted(people):
    request = f.draft(people.requester_in, people.us, justification="")
    with pytest.raises(InvalidInput) as raised:
        services.submit(request, by=people.requester_in)
    assert "justification" in raised.value.errors


# --- what each action leaves behind ------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "asker"), [("submitted", "liaison_us"), ("in_review", "reviewer_us")]
)
def test_answering_a_question_returns_the_request_to_where_it_was(
    people, make_request, start, asker
):
    request = make_request(start)
    stamped = (request.submitted_at, request.triaged_at)
    asked = services.request_info(
        request, by=getattr(people, asker), question="Which lot?", now=NOW + dt.timedelta(days=1)
    )
    assert asked.state == "needs_info"
    assert asked.due_at is not None

    answered = services.answer(
        asked, by=people.requester_in, answer="Lot 7.", now=NOW + dt.timedelta(days=2)
    )

    assert answered.state == start
    assert answered.info_requested_in == ""
    # Still shows when it was submitted (and triaged), not when the answer came.
    assert (answered.submitted_at, answered.triaged_at) == stamped
    shared = Comment.objects.filter(request=request, visibility="shared")
    assert list(shared.values_list("body", flat=True)) == ["Which lot?", "Lot 7."]


@pytest.mark.django_db
def test_a_supplier_rejection_clears_the_supplier_and_returns_the_order_to_the_liaison(
    people, make_request
):
    request = make_request("with_supplier")
    rejected = services.supplier_reject(
        request, by=people.supplier_us, reason="No capacity.", earliest_date=SOON
    )
    assert rejected.state == "approved"
    assert rejected.supplier is None
    assert rejected.rating_display == "DX-A1"
    event = Event.objects.filter(request=request).latest("id")
    assert event.data["reason"] == "No capacity."
    assert event.data["supplier"] == people.company_us.pk

    again = services.forward(rejected, by=people.liaison_us, supplier=people.company_us_other)
    assert again.supplier == people.company_us_other


@pytest.mark.django_db
def test_rating_records_the_determination(people, make_request):
    rated = support(
        make_request("in_review"),
        by=people.reviewer_us,
        rating="DO",
        program_symbol="G2",
        note="Direct defence need of India.",
        authorisation_ref="DOC-2026-17",
    )
    assert rated.rating_display == "DO-G2"
    assert rated.determination_note == "Direct defence need of India."
    assert rated.bis_case_number == "DOC-2026-17"


@pytest.mark.django_db
def test_a_reported_delay_moves_the_committed_date_and_records_the_old_one(people, make_request):
    request = make_request("accepted")
    old = request.committed_delivery_date
    delayed = services.report_delay(
        request, by=people.supplier_us, reason="Casting scrapped.", committed_delivery_date=SOON
    )
    assert delayed.committed_delivery_date == SOON
    event = Event.objects.filter(request=request).latest("id")
    assert event.data["previous_date"] == old.isoformat()


@pytest.mark.django_db
@pytest.mark.parametrize("start", sorted(OPEN_STATES))
def test_the_requester_can_withdraw_from_every_open_state(people, reach, start):
    request = reach(start)
    withdrawn = services.withdraw(request, by=people.requester_in, reason="Need met from stock.")
    assert (withdrawn.state, withdrawn.resolution) == ("resolved", "withdrawn")
    assert withdrawn.resolution_reason == "Need met from stock."
    assert withdrawn.resolved_at is not None
    assert withdrawn.due_at is None
    assert not withdrawn.clocks.filter(stopped_at__isnull=True).exists()


def test_every_open_state_is_reachable_by_the_fixture():
    assert set(OPEN_STATES) == set(State.values) - {"resolved"}


# --- drafts -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_requester_files_a_draft_for_its_own_nation_with_its_items(people):
    request = services.create_request(
        by=people.requester_in,
        title="Gyroscopes",
        responding_nation=people.us,
        items=[f.item(quantity=3), f.item(description="Mounting kit", quantity=1)],
    )
    assert request.state == "draft"
    assert request.requesting_nation == people.india
    assert request.requesting_agency.name == "MoD Acquisition Wing"
    assert [i.quantity for i in request.items.all()] == [3, 1]
    assert Event.objects.get(request=request).action == "create"


CREATE_ERRORS = [
    ({"responding_nation": None}, "responding_nation"),
    ({"responding_nation": "india"}, "responding_nation"),
    ({"title": "  "}, "title"),
    ({"requesting_agency": "dod"}, "requesting_agency"),
    ({"urgency": "whenever"}, "urgency"),
    ({"colour": "red"}, "colour"),
    ({"state": "approved"}, "state"),
    ({"items": [f.item(quantity=0)]}, "items[0].quantity"),
    ({"items": [f.item(), f.item(quantity=-2)]}, "items[1].quantity"),
    ({"items": [f.item(quantity="3")]}, "items[0].quantity"),
    ({"items": [f.item(description="")]}, "items[0].description"),
    ({"items": [f.item(colour="red")]}, "items[0].colour"),
]


def _resolve_draft_values(people, values):
    names = {"india": people.india, "dod": people.requester_us.profile.agency}
    return {k: names.get(v, v) if isinstance(v, str) else v for k, v in values.items()}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("bad", "field"), CREATE_ERRORS, ids=[f"{case[1]}-{n}" for n, case in enumerate(CREATE_ERRORS)]
)
def test_filing_a_draft_with_bad_fields_names_them_and_files_nothing(people, bad, field):
    values = {"title": "Gyroscopes", "responding_nation": people.us, "items": [f.item()]}
    values |= _resolve_draft_values(people, bad)
    with pytest.raises(InvalidInput) as raised:
        services.create_request(by=people.requester_in, **values)
    assert field in raised.value.errors
    assert not PriorityRequest.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["liaison_us", "reviewer_us", "supplier_us", "observer_in"])
def test_only_requesters_file_requests(people, who):
    with pytest.raises(NotAllowed):
        services.create_request(by=getattr(people, who), title="x", responding_nation=people.us)


@pytest.mark.django_db
def test_editing_a_draft_changes_its_fields_and_replaces_its_items(people, make_request):
    request = make_request("draft")
    edited = services.update_draft(
        request,
        by=people.requester_in,
        version=request.version,
        title="Gyroscopes, revised",
        items=[f.item(description="Rate sensor", quantity=2)],
    )
    assert edited.title == "Gyroscopes, revised"
    assert edited.version == request.version + 1
    assert [(i.description, i.quantity) for i in edited.items.all()] == [("Rate sensor", 2)]
    event = Event.objects.filter(request=request).latest("id")
    assert (event.action, event.data["fields"]) == ("edit", ["title", "items"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("bad", "field"), CREATE_ERRORS, ids=[f"{case[1]}-{n}" for n, case in enumerate(CREATE_ERRORS)]
)
def test_editing_a_draft_with_bad_fields_names_them_and_changes_nothing(
    people, make_request, bad, field
):
    request = make_request("draft")
    before = (snapshot(request), list(request.items.values_list("description", "quantity")))
    with pytest.raises(InvalidInput) as raised:
        services.update_draft(request, by=people.requester_in, **_resolve_draft_values(people, bad))
    assert field in raised.value.errors
    after = (snapshot(request), list(request.items.values_list("description", "quantity")))
    assert after == before


@pytest.mark.django_db
def test_a_submitted_request_can_no_longer_be_edited(people, make_request):
    request = make_request("submitted")
    with pytest.raises(InvalidTransition):
        services.update_draft(request, by=people.requester_in, title="Sneaky change")
    assert PriorityRequest.objects.get(pk=request.pk).title == "Gyroscopes for the Tejas fleet"


@pytest.mark.django_db
def test_editing_a_draft_on_a_stale_version_is_refused(people, make_request):
    request = make_request("draft")
    services.update_draft(request, by=people.requester_in2, title="Edited by a colleague")
    with pytest.raises(StaleVersion):
        services.update_draft(
            request, by=people.requester_in, version=request.version, title="Mine"
        )
    assert PriorityRequest.objects.get(pk=request.pk).title == "Edited by a colleague"


@pytest.mark.django_db
def test_only_requesters_edit_and_others_cannot_see_drafts(people, make_request):
    request = make_request("draft")
    with pytest.raises(NotVisible):
        services.update_draft(request, by=people.liaison_us, title="x")
    with pytest.raises(NotVisible):
        services.update_draft(request, by=people.requester_us, title="x")
    with pytest.raises(NotAllowed):
        services.update_draft(make_request("submitted"), by=people.liaison_us, title="x")


# --- references -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_references_count_up_per_nation_and_year(people):
    first = f.draft(people.requester_in, people.us)
    second = f.draft(people.requester_in2, people.us)
    american = f.draft(people.requester_us, people.india)
    assert (first.reference, second.reference) == ("IN-2026-00001", "IN-2026-00002")
    assert american.reference == "US-2026-00001"
    assert services.next_reference("IN", 2027) == "IN-2027-00001"
    assert services.next_reference("IN", 2026) == "IN-2026-00003"


@pytest.mark.django_db
def test_a_reference_is_never_handed_out_again_after_its_request_is_deleted(people):
    reference = services.next_reference("IN", 2026)
    orphan = PriorityRequest.objects.create(
        reference=reference,
        title="Filed then removed by an admin",
        requesting_nation=people.india,
        responding_nation=people.us,
        created_by=people.requester_in,
    )
    orphan.delete()

    later = f.draft(people.requester_in, people.us)

    assert reference == "IN-2026-00001"
    assert later.reference == "IN-2026-00002"


# --- notifications ----------------------------------------------------------------------------


def notified(request, kind):
    return set(
        Notification.objects.filter(request=request, kind=kind).values_list(
            "recipient__username", flat=True
        )
    )


@pytest.mark.django_db
def test_submitting_notifies_the_liaison_officers_of_the_responding_nation(people, make_request):
    request = make_request("submitted")
    # liaison.gb serves the US too, but not for India; liaison.in is on the requesting side.
    assert notified(request, "submit") == {"liaison.us"}


@pytest.mark.django_db
def test_an_inactive_liaison_is_not_notified(people, make_request):
    f.make_user("liaison2.us", "liaison", people.us, serves=(people.india,))
    people.liaison_us.is_active = False
    people.liaison_us.save()
    assert notified(make_request("submitted"), "submit") == {"liaison2.us"}


@pytest.mark.django_db
def test_the_actor_never_notifies_themselves(people, make_request):
    request = make_request("submitted")
    services.triage(request, by=people.liaison_us, assignee=people.liaison_us)
    assert notified(request, "triage") == set()

    request = make_request("with_supplier")
    services.supplier_accept(request, by=people.liaison_us, committed_delivery_date=SOON)
    # The assignee is the officer who forwarded it (the actor here): only the requester hears.
    assert notified(request, "supplier_accept") == {"requester.in"}


@pytest.mark.django_db
def test_forwarding_notifies_the_people_of_that_supplier_only(people, make_request):
    request = make_request("with_supplier")
    assert notified(request, "forward") == {"supplier.us"}


@pytest.mark.django_db
def test_queuing_the_same_event_twice_writes_no_duplicate_notice(people, make_request):
    request = make_request("submitted")
    event = Event.objects.get(request=request, action="submit")
    before = Notification.objects.filter(event=event).count()

    notifications.queue_for_action(request, event)

    assert before == 1
    assert Notification.objects.filter(event=event).count() == 1


# --- the assignee follows the stage (issue 16 point 7) ------------------------------------------


@pytest.mark.django_db
def test_the_assignee_follows_the_stage_on_the_dpas_route(people, make_request):
    request = make_request("in_review")
    assert request.assignee == people.reviewer_us  # the DoD's reviewer determines

    determined = services.determine(
        request, by=people.reviewer_us, rating="DX", program_symbol="A1", note="Needed."
    )
    assert determined.assignee == people.authority_us  # Commerce's only authoriser

    authorised = services.authorise(
        determined,
        by=people.authority_us,
        bis_case_number="BIS-1",
        rating="DX",
        program_symbol="A1",
        note="Authorised.",
    )
    assert authorised.assignee == people.liaison_us  # who triaged it forwards it


@pytest.mark.django_db
def test_with_several_authorisers_nobody_in_particular_holds_it(people, make_request):
    from tests import factories as f

    f.make_user("authority2.us", "reviewer", people.us, agency=people.authority_us.profile.agency)
    request = make_request("in_review")

    determined = services.determine(
        request, by=people.reviewer_us, rating="DO", program_symbol="A2", note="Needed."
    )

    assert determined.assignee is None  # Commerce's pool: "United States' Commerce (BIS)"


@pytest.mark.django_db
def test_an_approval_on_the_code_of_conduct_route_goes_back_to_who_triaged(
    people, make_coc_request
):
    request = make_coc_request("in_review")

    approved = services.approve(request, by=request.assignee, note="Supported.")

    assert approved.assignee == people.liaison_in
