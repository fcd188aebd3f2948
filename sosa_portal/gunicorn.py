"""gunicorn's settings in production (`gunicorn -c python:sosa_portal.gunicorn …`, the
Dockerfile's command): its own log lines in the portal's JSON; with PROMETHEUS_MULTIPROC_DIR
set, each worker process writes its metrics there, the folder is emptied when gunicorn starts,
and a worker that exits is marked dead so that its gauges drop out of /metrics (its counters
stay counted)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from sosa_portal.lib.logs import logging_config

# gunicorn's own lines (start, workers, errors) as the same JSON lines as the portal's.
logconfig_dict = logging_config(
    os.environ.get("LOG_LEVEL", "INFO"), os.environ.get("LOG_FORMAT", "json")
)


def on_starting(server) -> None:
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)  # the last run's files would count twice
        Path(folder).mkdir(parents=True, exist_ok=True)


def child_exit(server, worker) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
