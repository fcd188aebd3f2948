"""The process's own Prometheus metrics (prometheus-client), counted where things happen:
requests by route and status with their latency, actions by name and outcome, sign-ins, Celery
tasks, deadline sweeps. Under gunicorn (several processes) set PROMETHEUS_MULTIPROC_DIR to an
empty folder shared by the processes of one host: each writes its own files and `/metrics`
adds them up (`sosa_portal/metrics.py`). Figures read from the database at scrape time (open
clocks, the outbox) are not here: they are the same from every host."""

from __future__ import annotations

from celery.signals import task_failure, task_retry, task_success
from prometheus_client import Counter, Histogram

HTTP_REQUESTS = Counter(
    "sosa_http_requests_total",
    "HTTP requests answered, by route pattern, method and status code.",
    ["route", "method", "status"],
)
HTTP_LATENCY = Histogram(
    "sosa_http_request_duration_seconds",
    "Time to answer an HTTP request, by route pattern.",
    ["route"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
ACTIONS = Counter(
    "sosa_actions_total",
    "Request actions (DESIGN §4) attempted, by action and outcome (done, or the refusal).",
    ["action", "outcome"],
)
SIGN_INS = Counter(
    "sosa_sign_ins_total",
    "Password sign-ins by outcome: success, failure, locked_out.",
    ["outcome"],
)
TASKS = Counter(
    "sosa_celery_tasks_total",
    "Celery tasks finished in this host's workers, by task name and state.",
    ["task", "state"],
)
SWEEP_SECONDS = Histogram(
    "sosa_sweep_duration_seconds",
    "Time one deadline sweep took.",
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
SWEEP_ESCALATED = Counter(
    "sosa_sweep_clocks_escalated_total",
    "Clocks the deadline sweep escalated.",
)


def _task_counter(state: str):
    def receive(sender=None, **kwargs) -> None:
        TASKS.labels(getattr(sender, "name", None) or str(sender), state).inc()

    return receive


# Connected wherever this module is imported: every worker imports it with requests_app.tasks.
for _signal, _state in (
    (task_success, "success"),
    (task_failure, "failure"),
    (task_retry, "retry"),
):
    _signal.connect(_task_counter(_state), weak=False, dispatch_uid=f"sosa-metrics-task-{_state}")
