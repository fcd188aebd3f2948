"""Who sees what and who may do what (DESIGN §2). The one place for these rules."""

from __future__ import annotations

from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import Agency, Role, Supplier, current_signatories
from partners.people import profile_of, served_nation_ids, staff_or, user_role

from .choices import ItemResponse, Resolution, Route, State
from .exceptions import InvalidTransition, NotAllowed
from .transitions import REQUESTING, RESPONDING, TRANSITIONS, Transition
from .wording import action_verb

if TYPE_CHECKING:
    from .models import PriorityRequest

NOTHING = Q(pk__in=[])
# The responding side sees a request from the moment it is received: submitted, or endorsed
# where the requesting nation requires endorsement (until then it is a 404 there).
RECEIVED = Q(submitted_at__isnull=False)
# Internal comments are for officials; requesters and suppliers never see them.
INTERNAL_READERS = frozenset({Role.LIAISON, Role.REVIEWER, Role.OBSERVER})
INTERNAL_WRITERS = frozenset({Role.LIAISON, Role.REVIEWER})
COMMENTERS = frozenset({Role.REQUESTER, Role.LIAISON, Role.REVIEWER, Role.SUPPLIER})


__all__ = ["profile_of", "served_nation_ids", "user_role"]  # the person, as partners.people has it


def is_admin(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.is_staff))


def visibility_filter(user) -> Q:
    """A filter on PriorityRequest selecting exactly what `user` may see."""
    if not user.is_authenticated:
        return NOTHING
    if is_admin(user):
        return Q()
    role, profile = user_role(user), profile_of(user)
    if role is None or profile is None:
        return NOTHING
    nation = profile.nation_id
    if role == Role.REQUESTER:
        return Q(requesting_nation_id=nation)
    if role == Role.LIAISON:
        served = served_nation_ids(user)
        return (
            ~Q(state=State.DRAFT) & Q(requesting_nation_id=nation, responding_nation_id__in=served)
        ) | (RECEIVED & Q(responding_nation_id=nation, requesting_nation_id__in=served))
    if role == Role.REVIEWER:
        return RECEIVED & Q(responding_nation_id=nation)
    if role == Role.SUPPLIER:
        if not profile.supplier_id:
            return NOTHING
        return RECEIVED & Q(supplier_id=profile.supplier_id)
    if role == Role.OBSERVER:
        return nation_visibility_filter(nation)
    return NOTHING


def nation_visibility_filter(nation_id) -> Q:
    """Read-only view of a nation: the requests it files once out of draft, and those it
    answers once received (endorsed where its partner requires that)."""
    return (~Q(state=State.DRAFT) & Q(requesting_nation_id=nation_id)) | (
        RECEIVED & Q(responding_nation_id=nation_id)
    )


def agency_visibility_filter(agency) -> Q:
    """What an agency's own systems receive (webhooks): the observer rule of its nation."""
    return nation_visibility_filter(agency.nation_id)


def webhook_visibility_filter(webhook) -> Q:
    """What a webhook hears of (DESIGN §2, "a webhook sees what its owner sees"): its agency's
    nation, narrowed to what the person who registered it may see now — a requester's webhook
    hears of its nation's filed requests, not of those its nation answers. Staff registering for
    an agency add no view of their own; neither does a webhook whose owner is gone."""
    owner = webhook.created_by
    if owner is not None and not owner.is_active:
        return NOTHING  # a person who left takes their webhook's view with them
    narrowed = Q() if owner is None or is_admin(owner) else visibility_filter(owner)
    return agency_visibility_filter(webhook.agency) & narrowed


def may_take(user, request: PriorityRequest, transition: Transition) -> bool:
    """Whether the user's role may take this action on a request they can see (state aside)."""
    return may_take_on(
        user,
        transition,
        state=request.state,
        requesting_nation_id=request.requesting_nation_id,
        responding_nation_id=request.responding_nation_id,
    )


def check_may_take(user, request: PriorityRequest, transition: Transition) -> None:
    """Raise the refusal for an action on a visible request: off its route like a wrong state
    (`InvalidTransition`, 409), a role or key that may not take it (`NotAllowed`, 403)."""
    if transition.route and request.route != transition.route:
        raise InvalidTransition(
            _("Cannot %(action)s %(reference)s: it runs the %(route)s route.")
            % {
                "action": action_verb(transition.action),
                "reference": request.reference,
                "route": request.get_route_display(),
            },
            {
                "route": [
                    _("'%(action)s' is not an action of the %(route)s route.")
                    % {"action": transition.action, "route": request.route}
                ]
            },
        )
    if not may_take(user, request, transition):
        raise NotAllowed(
            _("Your role may not %(action)s this request.")
            % {"action": action_verb(transition.action)}
        )


def may_take_on(
    user,
    transition: Transition,
    *,
    state: str,
    requesting_nation_id: int,
    responding_nation_id: int,
) -> bool:
    """`may_take` from the request's plain values (the fast read path)."""
    role = user_role(user)
    if role not in transition.roles:
        return False
    profile = profile_of(user)
    # A role without a profile (e.g. a staff member added to a group) acts for no nation.
    if profile is None:
        return False
    if transition.agency_kind and (
        profile.agency is None or profile.agency.kind != transition.agency_kind
    ):
        return False
    side = transition.side_in(state)
    if side == RESPONDING:
        return profile.nation_id == responding_nation_id
    if side == REQUESTING:
        return profile.nation_id == requesting_nation_id
    return True


def allowed_actions(user, request: PriorityRequest) -> list[str]:
    """Actions this user may take on this request now (route, role, key, side and state)."""
    responses = [item.response for item in request.items.all()]
    return allowed_actions_on(
        user,
        state=request.state,
        route=request.route,
        requesting_nation_id=request.requesting_nation_id,
        responding_nation_id=request.responding_nation_id,
        rejected_items=has_items_to_split(request.resolution, responses),
    )


def has_items_to_split(resolution: str, responses) -> bool:
    """Whether rejected items may still go on as a follow-on request: the request is open or
    was fulfilled (DESIGN §4a)."""
    return resolution in ("", Resolution.FULFILLED) and ItemResponse.REJECTED in responses


def allowed_actions_on(
    user,
    *,
    state: str,
    route: str,
    requesting_nation_id: int,
    responding_nation_id: int,
    rejected_items: bool = False,
) -> list[str]:
    """`allowed_actions` from the request's plain values (the fast read path)."""
    return [
        action
        for action, transition in TRANSITIONS.items()
        if state in transition.sources
        and transition.route in ("", route)
        and (rejected_items or not transition.needs_rejected_items)
        and may_take_on(
            user,
            transition,
            state=state,
            requesting_nation_id=requesting_nation_id,
            responding_nation_id=responding_nation_id,
        )
    ]


def may_edit_draft(user, request: PriorityRequest) -> bool:
    return request.state == State.DRAFT and user_role(user) == Role.REQUESTER


def may_delete_draft(user, request: PriorityRequest) -> bool:
    """A draft that never left the requesting nation (never submitted) may be deleted."""
    return may_edit_draft(user, request) and request.submitted_at is None


def may_comment(user, visibility: str) -> bool:
    role = user_role(user)
    if visibility in ("internal", "national"):
        return role in INTERNAL_WRITERS
    return role in COMMENTERS


def may_link(user, request: PriorityRequest) -> bool:
    """Liaison officers (of either nation, seeing the request) link it to another request."""
    return is_admin(user) or user_role(user) == Role.LIAISON


def sees_internal(user) -> bool:
    return is_admin(user) or user_role(user) in INTERNAL_READERS


def supplier_of(user) -> int | None:
    """The firm a supplier's account answers for (None for everyone else)."""
    if user_role(user) != Role.SUPPLIER:
        return None
    profile = profile_of(user)
    return profile.supplier_id if profile is not None else None


# Suppliers see only what is forwarded to them: no aggregate reports.
REPORT_ROLES = frozenset({Role.REQUESTER, Role.LIAISON, Role.REVIEWER, Role.OBSERVER})


def may_use_queue(user) -> bool:
    """The triage queue, its views and "next in queue": liaison officers (and staff)."""
    return is_admin(user) or user_role(user) == Role.LIAISON


def may_see_reports(user) -> bool:
    return is_admin(user) or user_role(user) in REPORT_ROLES


# Who reads a firm's response ledger: staff and its own nation's officials — not requesters,
# nor the firms themselves (one supplier does not read its competitors' figures).
LEDGER_ROLES = frozenset({Role.LIAISON, Role.REVIEWER, Role.OBSERVER})


def sees_ledger(user, nation_id: int) -> bool:
    return staff_or(
        user, lambda profile: profile.nation_id == nation_id and user_role(user) in LEDGER_ROLES
    )


# The single-source watch (issue 14 point 4): liaison officers, observers and staff only.
WATCH_ROLES = frozenset({Role.LIAISON, Role.OBSERVER})


def may_see_single_source_watch(user) -> bool:
    return is_admin(user) or user_role(user) in WATCH_ROLES


def may_file(user) -> bool:
    return user_role(user) == Role.REQUESTER and profile_of(user) is not None


def assignable_people(nation_id) -> QuerySet:
    """Who a request answered by this nation may be assigned to: its active reviewers (not
    those of the rating authority) and liaison officers (used by `services.triage` and by the
    pages' assignee pickers)."""
    # A person's role is the first role group they are in (`user_role`); requester comes first.
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            profile__nation_id=nation_id,
            groups__name__in=[Role.LIAISON, Role.REVIEWER],
        )
        .exclude(groups__name=Role.REQUESTER)
        # Commerce holds the second key: a request is assigned to the first.
        .exclude(profile__agency__kind=Agency.Kind.RATING_AUTHORITY)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def key_of(user) -> str:
    """The step a reviewer signs: Commerce's `authorisation` (the DPAS route's second key), the
    DoD's `determination` (its first), or a partner ministry's `review` on the Code of Conduct
    route ('' for anyone else)."""
    profile = profile_of(user)
    if user_role(user) != Role.REVIEWER or profile is None:
        return ""
    if profile.agency is not None and profile.agency.kind == Agency.Kind.RATING_AUTHORITY:
        return "authorisation"
    return "review" if profile.nation.relies_on_code_of_conduct else "determination"


def eligible_suppliers(request: PriorityRequest) -> QuerySet:
    """Suppliers an approved request may be forwarded to: those of the responding nation and,
    on the Code of Conduct route, only its current signatories (used by `services.forward` and
    by the page's supplier picker)."""
    suppliers = Supplier.objects.filter(nation_id=request.responding_nation_id)
    if request.route == Route.CODE_OF_CONDUCT:
        # A current signatory: it has signed by today, the responding nation's date.
        today = timezone.now().astimezone(ZoneInfo(request.responding_nation.time_zone)).date()
        suppliers = suppliers.filter(current_signatories(today))
    return suppliers.order_by("name")
