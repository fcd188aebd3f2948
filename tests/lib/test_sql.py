import datetime as dt

from django.contrib.auth.models import Group
from django.db import connection

from sosa_portal.lib import sql


def test_identifiers_are_quoted_by_the_connections_own_rule():
    assert sql.quote("last") == connection.ops.quote_name("last")
    assert sql.table(Group) == connection.ops.quote_name("auth_group")
    assert sql.column(Group, "name") == f"{sql.table(Group)}.{connection.ops.quote_name('name')}"
    assert sql.column(Group, "name", alias="g") == f"g.{connection.ops.quote_name('name')}"


def test_placeholders_match_the_parameter_count():
    assert sql.placeholders(3) == "%s, %s, %s"
    assert sql.placeholders(1) == "%s"


def test_an_array_literal_escapes_quotes_backslashes_and_keeps_nulls_and_times():
    moment = dt.datetime(2026, 12, 2, 9, 30, tzinfo=dt.UTC)
    assert sql.array_literal([1, 2, 3]) == "{1,2,3}"
    assert sql.array_literal(['a"b', "c\\d", None, True, 7]) == '{"a\\"b","c\\\\d",NULL,true,7}'
    assert sql.array_literal([moment]) == '{"2026-12-02T09:30:00+00:00"}'
    assert sql.array_literal(["{x,y}"]) == '{"{x,y}"}'


def test_an_array_of_one_shared_value_repeats_it_once_per_row():
    moment = dt.datetime(2026, 12, 2, 9, 30, tzinfo=dt.UTC)
    assert (
        sql.array_literal([moment] * 3) == "{" + ",".join(['"2026-12-02T09:30:00+00:00"'] * 3) + "}"
    )
    assert sql.array_literal([None, None]) == "{NULL,NULL}"
    assert sql.array_literal(['a"b'] * 2) == '{"a\\"b","a\\"b"}'


def test_the_main_read_is_the_longest_select_from_the_table():
    table = sql.quote("requests_app_priorityrequest")
    statements = [
        f"SELECT COUNT(*) FROM {table}",
        "SELECT 1 FROM other",
        f"SELECT a, b, c FROM {table} WHERE x ORDER BY y LIMIT 26",
        f"UPDATE {table} SET a = 1",
    ]
    assert sql.main_read(statements, "requests_app_priorityrequest") == statements[2]
    assert sql.main_read(["SELECT 1"], "requests_app_priorityrequest") is None
