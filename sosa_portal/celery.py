"""The Celery app: broker and schedule come from Django settings (CELERY_* names)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sosa_portal.settings")

# Tasks that POST to agency systems: their own queue (see route_task).
WEBHOOK_TASKS = frozenset(
    {"requests_app.tasks.send_webhooks", "requests_app.tasks.resend_webhooks"}
)


def webhook_queue() -> str:
    """`CELERY_WEBHOOK_QUEUE`, else the default queue's name + "-webhooks"."""
    from django.conf import settings

    return settings.CELERY_WEBHOOK_QUEUE or f"{app.conf.task_default_queue}-webhooks"


def route_task(name, args, kwargs, options, task=None, **extra):
    """Webhook deliveries go to a queue of their own, so a slow or dead destination never
    delays a notice (a worker pool of their own in production: docker-compose.yml)."""
    if name in WEBHOOK_TASKS:
        return {"queue": webhook_queue()}
    return None


app = Celery("sosa_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Each worker's heartbeat, every minute, for the health checks (sosa_portal/health.py).
app.steps["worker"].add("requests_app.tasks:WorkerHeartbeat")
