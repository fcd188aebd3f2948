"""Priority among unrated requests follows urgency (DESIGN §4: the Code of Conduct route rates
nothing). A generated column cannot be altered: its indexes and itself are dropped and made
again with the new expression, which the database computes for every existing row."""

from django.db import migrations, models

RANK = models.GeneratedField(
    db_persist=True,
    expression=models.Case(
        models.When(rating="DX", then=models.Value(0)),
        models.When(rating="DO", then=models.Value(1)),
        models.When(urgency="emergency", then=models.Value(2)),
        models.When(urgency="urgent", then=models.Value(3)),
        default=models.Value(4),
    ),
    output_field=models.SmallIntegerField(),
)


class Migration(migrations.Migration):
    dependencies = [
        ("requests_app", "0011_two_keys_and_endorsement"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="priorityrequest", name="request_priority_idx"),
        migrations.RemoveIndex(model_name="priorityrequest", name="request_state_idx"),
        migrations.RemoveField(model_name="priorityrequest", name="priority_rank"),
        migrations.AddField(model_name="priorityrequest", name="priority_rank", field=RANK),
        migrations.AddIndex(
            model_name="priorityrequest",
            index=models.Index(
                fields=["priority_rank", "due_at", "id"], name="request_priority_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="priorityrequest",
            index=models.Index(
                fields=["state", "priority_rank", "due_at"], name="request_state_idx"
            ),
        ),
    ]
