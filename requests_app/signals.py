"""A Closure added or removed moves the due times of the open clocks it touches (a task)."""

from celery import current_app
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from partners.models import Closure

RECOMPUTE_TASK = "requests_app.tasks.recompute_closure_clocks"


@receiver([post_save, post_delete], sender=Closure, dispatch_uid="closure-recompute-clocks")
def closure_changed(sender, instance: Closure, **kwargs) -> None:
    nation_id, on = instance.nation_id, instance.date.isoformat()

    def enqueue() -> None:
        task = current_app.tasks[RECOMPUTE_TASK]
        try:
            task.delay(nation_id, on)
        except Exception:  # broker down: run it here rather than lose it
            task(nation_id, on)

    transaction.on_commit(enqueue)
