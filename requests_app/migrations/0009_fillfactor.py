"""Leave 10% of each page free in the tables the sweep and every action update (requests,
clocks), so that PostgreSQL can update a row in place (a HOT update, no new entry in each of
the table's indexes) instead of moving it. PostgreSQL only; a no-op elsewhere."""

from django.db import migrations

TABLES = ("requests_app_priorityrequest", "requests_app_clock")


def set_fillfactor(percent: int):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for table in TABLES:
            schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = {percent})")

    return apply


class Migration(migrations.Migration):
    dependencies = [("requests_app", "0008_fewer_redundant_indexes")]

    operations = [migrations.RunPython(set_fillfactor(90), set_fillfactor(100))]
