"""A webhook that subscribed to `rate` hears the steps that replaced it: the DoD's
`determine`, Commerce's `authorise` and, on the Code of Conduct route, `approve`."""

from django.db import migrations

SUCCESSORS = ["determine", "authorise", "approve"]


def rate_becomes_its_successors(apps, schema_editor):
    webhooks = apps.get_model("requests_app", "Webhook")
    for webhook in webhooks._base_manager.all():
        kinds = list(webhook.event_kinds or [])
        if "rate" not in kinds:
            continue
        kinds = [kind for kind in kinds if kind != "rate"]
        kinds += [kind for kind in SUCCESSORS if kind not in kinds]
        webhook.event_kinds = kinds
        webhook.save(update_fields=["event_kinds"])


class Migration(migrations.Migration):
    dependencies = [
        ("requests_app", "0012_priority_follows_urgency"),
    ]

    operations = [
        migrations.RunPython(rate_becomes_its_successors, migrations.RunPython.noop),
    ]
