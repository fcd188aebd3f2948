# The words `q` searches (issue 16 point 3): written for every request, then (PostgreSQL)
# the GIN full-text indexes of requests_app/queries/search_rebuild.py.

from django.db import migrations, models

from requests_app.queries import search_rebuild


def forwards(apps, schema_editor):
    search_rebuild.rebuild(apps)
    search_rebuild.create_indexes()


def backwards(apps, schema_editor):
    search_rebuild.drop_indexes()


class Migration(migrations.Migration):

    dependencies = [
        ('requests_app', '0023_notification_preferences_and_digest'),
    ]

    operations = [
        migrations.AddField(
            model_name='priorityrequest',
            name='search_internal',
            field=models.TextField(blank=True, db_default='', default='', editable=False),
        ),
        migrations.AddField(
            model_name='priorityrequest',
            name='search_text',
            field=models.TextField(blank=True, db_default='', default='', editable=False),
        ),
        migrations.RunPython(forwards, backwards),
    ]
