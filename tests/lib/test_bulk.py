import pytest
from django.contrib.auth.models import Group

from sosa_portal.lib.bulk import insert_rows, update_rows

pytestmark = pytest.mark.django_db


def test_insert_rows_returns_new_ids_in_row_order_and_keeps_awkward_text():
    names = ['quote " here', "back\\slash", "{braces,comma}", "plain"]
    ids = insert_rows(Group, ["name"], [(name,) for name in names])
    assert [Group.objects.get(pk=pk).name for pk in ids] == names


def test_insert_rows_can_skip_rows_that_break_a_unique_constraint():
    Group.objects.create(name="taken")
    assert insert_rows(Group, ["name"], [("taken",), ("free",)], ignore_conflicts=True) == []
    assert sorted(
        Group.objects.filter(name__in=["free", "taken"]).values_list("name", flat=True)
    ) == [
        "free",
        "taken",
    ]


def test_insert_rows_of_nothing_writes_nothing():
    before = Group.objects.count()
    assert insert_rows(Group, ["name"], []) == []
    assert Group.objects.count() == before


def test_update_rows_writes_the_named_fields_of_every_row():
    groups = [Group.objects.create(name=f"g{index}") for index in range(3)]
    for group in groups:
        group.name = group.name.upper() + ' "x"'
    update_rows(Group, list(reversed(groups)), ["name"])
    names = Group.objects.filter(pk__in=[group.pk for group in groups]).values_list(
        "name", flat=True
    )
    assert sorted(names) == ['G0 "x"', 'G1 "x"', 'G2 "x"']
