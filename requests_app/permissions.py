"""Who sees what and who may do what (DESIGN §2). The one place for these rules."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from partners.models import Role, Supplier
from partners.people import profile_of, served_nation_ids, user_role

from .choices import State
from .transitions import TRANSITIONS, Transition

if TYPE_CHECKING:
    from .models import PriorityRequest

NOTHING = Q(pk__in=[])
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
    not_draft = ~Q(state=State.DRAFT)
    if role == Role.REQUESTER:
        return Q(requesting_nation_id=nation)
    if role == Role.LIAISON:
        served = served_nation_ids(user)
        return not_draft & (
            Q(requesting_nation_id=nation, responding_nation_id__in=served)
            | Q(responding_nation_id=nation, requesting_nation_id__in=served)
        )
    if role == Role.REVIEWER:
        return not_draft & Q(responding_nation_id=nation)
    if role == Role.SUPPLIER:
        if not profile.supplier_id:
            return NOTHING
        return not_draft & Q(supplier_id=profile.supplier_id)
    if role == Role.OBSERVER:
        return nation_visibility_filter(nation)
    return NOTHING


def nation_visibility_filter(nation_id) -> Q:
    """Read-only view of a nation: the requests it files or answers, once submitted."""
    return ~Q(state=State.DRAFT) & (
        Q(requesting_nation_id=nation_id) | Q(responding_nation_id=nation_id)
    )


def agency_visibility_filter(agency) -> Q:
    """What an agency's own systems receive (webhooks): the observer rule of its nation."""
    return nation_visibility_filter(agency.nation_id)


def may_take(user, request: PriorityRequest, transition: Transition) -> bool:
    """Whether the user's role may take this action on a request they can see (state aside)."""
    return may_take_on(user, transition, responding_nation_id=request.responding_nation_id)


def may_take_on(user, transition: Transition, *, responding_nation_id: int) -> bool:
    """`may_take` from the request's plain values (the fast read path)."""
    role = user_role(user)
    if role not in transition.roles:
        return False
    profile = profile_of(user)
    # A role without a profile (e.g. a staff member added to a group) acts for no nation.
    if profile is None:
        return False
    return not (transition.responding_side_only and profile.nation_id != responding_nation_id)


def allowed_actions(user, request: PriorityRequest) -> list[str]:
    """Actions this user may take on this request now (role, side and state)."""
    return allowed_actions_on(
        user, state=request.state, responding_nation_id=request.responding_nation_id
    )


def allowed_actions_on(user, *, state: str, responding_nation_id: int) -> list[str]:
    """`allowed_actions` from the request's plain values (the fast read path)."""
    return [
        action
        for action, transition in TRANSITIONS.items()
        if state in transition.sources
        and may_take_on(user, transition, responding_nation_id=responding_nation_id)
    ]


def may_edit_draft(user, request: PriorityRequest) -> bool:
    return request.state == State.DRAFT and user_role(user) == Role.REQUESTER


def may_comment(user, visibility: str) -> bool:
    role = user_role(user)
    if visibility == "internal":
        return role in INTERNAL_WRITERS
    return role in COMMENTERS


def sees_internal(user) -> bool:
    return is_admin(user) or user_role(user) in INTERNAL_READERS


# Suppliers see only what is forwarded to them: no aggregate reports.
REPORT_ROLES = frozenset({Role.REQUESTER, Role.LIAISON, Role.REVIEWER, Role.OBSERVER})


def may_see_reports(user) -> bool:
    return is_admin(user) or user_role(user) in REPORT_ROLES


def may_file(user) -> bool:
    return user_role(user) == Role.REQUESTER and profile_of(user) is not None


def assignable_people(nation_id) -> QuerySet:
    """Who a request answered by this nation may be assigned to: its active reviewers and
    liaison officers (used by `services.triage` and by the pages' assignee pickers)."""
    # A person's role is the first role group they are in (`user_role`); requester comes first.
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            profile__nation_id=nation_id,
            groups__name__in=[Role.LIAISON, Role.REVIEWER],
        )
        .exclude(groups__name=Role.REQUESTER)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def eligible_suppliers(request: PriorityRequest) -> QuerySet:
    """Suppliers a rated request may be forwarded to: those of the responding nation and, where
    that nation relies on its Code of Conduct, only its signatories (used by `services.forward`
    and by the page's supplier picker)."""
    suppliers = Supplier.objects.filter(nation_id=request.responding_nation_id)
    if request.responding_nation.relies_on_code_of_conduct:
        suppliers = suppliers.filter(code_of_conduct_signed_on__isnull=False)
    return suppliers.order_by("name")
