"""A Closure added or removed moves the due times of the open clocks it touches, and a posture
change recounts those of the arrangement's open requests (tasks, queued after commit)."""

from celery import current_app
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from partners.arrangements import posture_changed
from partners.models import Arrangement, Closure, PostureChange

from .services import postures

RECOMPUTE_TASK = "requests_app.tasks.recompute_closure_clocks"
POSTURE_TASK = "requests_app.tasks.apply_posture"


def _enqueue_after_commit(name: str, *args) -> None:
    def enqueue() -> None:
        task = current_app.tasks[name]
        try:
            task.delay(*args)
        except Exception:  # broker down: run it here rather than lose it
            task(*args)

    transaction.on_commit(enqueue)


@receiver(posture_changed, sender=Arrangement, dispatch_uid="posture-recount-clocks")
def posture_was_changed(sender, arrangement: Arrangement, change: PostureChange, **kwargs) -> None:
    notice_ids = postures.notify_posture_change(arrangement, change)
    _enqueue_after_commit(POSTURE_TASK, arrangement.pk, notice_ids)


@receiver([post_save, post_delete], sender=Closure, dispatch_uid="closure-recompute-clocks")
def closure_changed(sender, instance: Closure, **kwargs) -> None:
    _enqueue_after_commit(RECOMPUTE_TASK, instance.nation_id, instance.date.isoformat())
