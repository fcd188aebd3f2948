"""partners/people.py: who a signed-in person is, loaded once per user object and kept in the
module's own cache, not on the User."""

import gc

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from partners import people as cache
from partners.models import Role

pytestmark = pytest.mark.django_db


def test_role_profile_and_served_nations_load_in_one_query_per_user_object(
    people, django_assert_num_queries
):
    user = get_user_model().objects.get(pk=people.liaison_us.pk)
    with django_assert_num_queries(1):
        assert cache.user_role(user) == Role.LIAISON
        assert cache.profile_of(user).nation.code == "US"
        assert people.india.pk in cache.served_nation_ids(user)
    assert not [name for name in vars(user) if name.startswith("_sosa")]


def test_a_fresh_user_object_sees_a_changed_role(people):
    user = get_user_model().objects.get(pk=people.requester_in.pk)
    assert cache.user_role(user) == Role.REQUESTER
    user.groups.clear()
    again = get_user_model().objects.get(pk=user.pk)
    assert cache.user_role(again) is None
    assert cache.user_role(user) == Role.REQUESTER  # the old object keeps what it loaded
    cache.forget(user)
    assert cache.user_role(user) is None


def test_the_cache_lets_go_of_a_user_object_that_is_gone(people):
    user = get_user_model().objects.get(pk=people.reviewer_us.pk)
    cache.person(user)
    key = id(user)
    assert key in cache._cache
    del user
    gc.collect()
    assert key not in cache._cache


def test_nobody_signed_in_is_nobody():
    anonymous = AnonymousUser()
    assert cache.user_role(anonymous) is None
    assert cache.profile_of(anonymous) is None
    assert cache.served_nation_ids(anonymous) == []


def test_a_person_is_named_by_full_name_and_username(people):
    user = people.requester_in
    user.first_name, user.last_name = "Asha", "Rao"
    assert cache.person_label(user) == f"Asha Rao ({user.username})"
    user.first_name = user.last_name = ""
    assert cache.person_label(user) == user.username
