"""Who sees what and who may do what (DESIGN §2). The one place for these rules."""

from __future__ import annotations

from django.db.models import Q

from partners.models import Profile, Role

from .models import PriorityRequest, State
from .transitions import TRANSITIONS, Transition

NOTHING = Q(pk__in=[])
# Internal comments are for officials; requesters and suppliers never see them.
INTERNAL_READERS = frozenset({Role.LIAISON, Role.REVIEWER, Role.OBSERVER})
INTERNAL_WRITERS = frozenset({Role.LIAISON, Role.REVIEWER})
COMMENTERS = frozenset({Role.REQUESTER, Role.LIAISON, Role.REVIEWER, Role.SUPPLIER})


def is_admin(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.is_staff))


def user_role(user) -> str | None:
    """The user's role: the first of the role groups they belong to (cached on the user)."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_sosa_role"):
        names = set(user.groups.values_list("name", flat=True))
        user._sosa_role = next((role for role in Role.values if role in names), None)
    return user._sosa_role


def profile_of(user) -> Profile | None:
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_sosa_profile"):
        user._sosa_profile = (
            Profile.objects.select_related("nation", "agency", "supplier").filter(user=user).first()
        )
    return user._sosa_profile


def served_nation_ids(user) -> list[int]:
    if not hasattr(user, "_sosa_served"):
        profile = profile_of(user)
        user._sosa_served = (
            list(profile.served_nations.values_list("id", flat=True)) if profile else []
        )
    return user._sosa_served


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
        return not_draft & (Q(requesting_nation_id=nation) | Q(responding_nation_id=nation))
    return NOTHING


def may_take(user, request: PriorityRequest, transition: Transition) -> bool:
    """Whether the user's role may take this action on a request they can see (state aside)."""
    role = user_role(user)
    if role not in transition.roles:
        return False
    profile = profile_of(user)
    # A role without a profile (e.g. a staff member added to a group) acts for no nation.
    if profile is None:
        return False
    return not (
        transition.responding_side_only and profile.nation_id != request.responding_nation_id
    )


def allowed_actions(user, request: PriorityRequest) -> list[str]:
    """Actions this user may take on this request now (role, side and state)."""
    return [
        action
        for action, transition in TRANSITIONS.items()
        if request.state in transition.sources and may_take(user, request, transition)
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


def may_file(user) -> bool:
    return user_role(user) == Role.REQUESTER and profile_of(user) is not None
