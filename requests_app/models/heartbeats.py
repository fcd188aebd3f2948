"""Heartbeats of the background processes, read by the health check (`sosa_portal/health.py`).

Each Celery worker writes a row of its own every minute (`requests_app.tasks.WorkerHeartbeat`),
and the deadline sweep that beat schedules writes the `beat` row each time it has run. Rows in
the database, not keys in the cache: the database is the one thing every process shares, on the
embedded default (SQLite, the filesystem broker, a cache per process) as in production.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import models
from django.utils import timezone

WORKER = "worker"
BEAT = "beat"  # the kind, and the name, of the row the beat-scheduled sweep writes
# A worker gone this long (scaled down, its container replaced) is forgotten.
FORGET_WORKERS_AFTER = dt.timedelta(days=1)


class HeartbeatQuerySet(models.QuerySet):
    def record(
        self, name: str, *, kind: str, queues: Iterable[str] = (), at: dt.datetime | None = None
    ) -> None:
        """The process `name` is alive at `at` (now), consuming `queues`."""
        at = at or timezone.now()
        names = ",".join(queues)[:500]
        self.update_or_create(
            name=name[:200], defaults={"kind": kind, "queues": names, "beat_at": at}
        )
        if kind == WORKER:
            self.filter(kind=WORKER, beat_at__lt=at - FORGET_WORKERS_AFTER).delete()

    def workers(self) -> HeartbeatQuerySet:
        return self.filter(kind=WORKER)


class Heartbeat(models.Model):
    """The last time a worker, or beat's deadline sweep, was seen alive."""

    name = models.CharField(max_length=200, primary_key=True)  # a worker's node name, or "beat"
    kind = models.CharField(max_length=8, choices=[(WORKER, "worker"), (BEAT, "beat")])
    queues = models.CharField(max_length=500, blank=True)  # a worker's, comma-separated
    beat_at = models.DateTimeField()

    objects = HeartbeatQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"

    @property
    def queue_names(self) -> list[str]:
        return [name for name in self.queues.split(",") if name]
