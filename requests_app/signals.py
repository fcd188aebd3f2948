"""A Closure added or removed moves the due times of the open clocks it touches (a task)."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from partners.models import Closure


@receiver([post_save, post_delete], sender=Closure, dispatch_uid="closure-recompute-clocks")
def closure_changed(sender, instance: Closure, **kwargs) -> None:
    from .tasks import recompute_closure_clocks

    nation_id, on = instance.nation_id, instance.date.isoformat()

    def enqueue() -> None:
        try:
            recompute_closure_clocks.delay(nation_id, on)
        except Exception:  # broker down: run it here rather than lose it
            recompute_closure_clocks(nation_id, on)

    transaction.on_commit(enqueue)
