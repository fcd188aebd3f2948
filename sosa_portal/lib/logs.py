"""Structured logs (issue 18 point 2): one JSON object per line from every logger (ours through
structlog, Django's, Celery's and gunicorn's error log through the same formatter), each with
the request id that follows a request into the tasks it queues, the actor and the request
reference where there is one. The event catalogue is docs/ops/logging.md.

Nothing secret reaches a line: values under sensitive keys are replaced, and API tokens,
second-factor invitation codes and password-reset links are cut out of any text."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import MutableMapping
from typing import Any

import structlog
from celery.signals import before_task_publish, task_postrun, task_prerun
from structlog.typing import EventDict, Processor

# A key one of whose words is one of these holds something no log line may carry.
SENSITIVE_WORDS = frozenset(
    {"password", "passwd", "secret", "token", "authorization", "authorisation", "cookie",
     "session", "csrf", "otp", "code", "body", "text", "note", "question", "answer", "reason"}
)  # fmt: skip
# Kept although a word of their name is in that list: what they hold is not secret.
PLAIN_KEYS = frozenset({"status_code", "event", "task_id", "request_id"})
REDACTED = "[redacted]"
SCRUBS = (
    (re.compile(r"sosa_[A-Za-z0-9_-]{16,}"), "sosa_[redacted]"),  # API tokens
    (re.compile(r"(/invite/)[^/\s?#]+"), r"\1[redacted]"),  # second-factor invitations
    (re.compile(r"(/reset/[^/\s]+/)[^/\s?#]+"), r"\1[redacted]"),  # password-reset links
)
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def scrub(text: str) -> str:
    for pattern, replacement in SCRUBS:
        text = pattern.sub(replacement, text)
    return text


def sensitive(key: str) -> bool:
    return key not in PLAIN_KEYS and not SENSITIVE_WORDS.isdisjoint(key.lower().split("_"))


def redact(_logger: Any, _method: str, event_dict: MutableMapping[str, Any]) -> EventDict:
    """No secret, token, password or typed text in a log line (a structlog processor)."""
    for key, value in list(event_dict.items()):
        if sensitive(key) and value not in (None, ""):
            event_dict[key] = REDACTED
        elif isinstance(value, str):
            event_dict[key] = scrub(value)
    return event_dict


def _message_args(_logger: Any, _method: str, event_dict: MutableMapping[str, Any]) -> EventDict:
    """A stdlib record's %-arguments are formatted into its event before scrubbing."""
    record = event_dict.get("_record")
    if record is not None and event_dict.get("event") == record.msg and record.args:
        event_dict["event"] = record.getMessage()
    return event_dict


SHARED: list[Processor] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True, key="time"),
]


def configure_structlog() -> None:
    structlog.configure(
        processors=[*SHARED, redact, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def formatter_options(style: str = "json") -> dict[str, Any]:
    """The keyword arguments of structlog's `ProcessorFormatter` for every handler."""
    renderer = (
        structlog.dev.ConsoleRenderer(colors=False)
        if style == "console"
        else structlog.processors.JSONRenderer(sort_keys=False)
    )
    return {
        "foreign_pre_chain": [*SHARED, _message_args],
        "processors": [
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            redact,
            renderer,
        ],
    }


def formatter(style: str = "json") -> logging.Formatter:
    return structlog.stdlib.ProcessorFormatter(**formatter_options(style))


def logging_config(level: str, style: str) -> dict:
    """Django's LOGGING: every record through structlog's formatter, JSON lines by default
    (`LOG_FORMAT=console`: readable lines for a person at a terminal)."""
    configure_structlog()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structured": {"()": structlog.stdlib.ProcessorFormatter, **formatter_options(style)}
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "structured"},
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # One line per request is ours (`RequestLogMiddleware`); Django's would repeat it.
            "django.request": {"level": "ERROR"},
            "django.server": {"level": "WARNING"},
        },
    }


log = structlog.get_logger("sosa")


def request_id_from(header: str | None) -> str:
    """The caller's X-Request-ID when it is a plain id, else a new one."""
    if header and REQUEST_ID.match(header):
        return header
    return uuid.uuid4().hex


class RequestLogMiddleware:
    """Each request gets a request id (the caller's `X-Request-ID`, or a new one, sent back in
    the response), bound for every line logged while it runs and for the tasks it queues;
    one `http.request` line when it ends, with the route pattern (never the raw path), the
    status, the time taken, the actor and the request reference."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        structlog.contextvars.clear_contextvars()
        request_id = request_id_from(request.headers.get("X-Request-ID"))
        request.request_id = request_id
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        match = getattr(request, "resolver_match", None)
        user = getattr(request, "user", None)
        fields: dict[str, Any] = {
            "method": request.method,
            "route": match.route if match is not None and match.route else "(unmatched)",
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        }
        if user is not None and user.is_authenticated:
            fields["actor"] = user.get_username()
        if match is not None and "reference" in match.kwargs:
            fields["reference"] = match.kwargs["reference"]
        level = logging.WARNING if response.status_code >= 500 else logging.INFO
        log.log(level, "http.request", **fields)
        structlog.contextvars.clear_contextvars()
        return response


# --- the request id follows a request into the tasks it queues ----------------------------------


@before_task_publish.connect(weak=False, dispatch_uid="sosa-logs-publish")
def _carry_request_id(headers=None, **kwargs) -> None:
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    if request_id and headers is not None:
        headers.setdefault("request_id", request_id)


@task_prerun.connect(weak=False, dispatch_uid="sosa-logs-prerun")
def _bind_task(task_id=None, task=None, **kwargs) -> None:
    eager = task is not None and task.request.is_eager  # run inside the caller: keep its id
    if not eager:
        structlog.contextvars.clear_contextvars()
        carried = getattr(task.request, "request_id", None) if task is not None else None
        structlog.contextvars.bind_contextvars(request_id=carried or request_id_from(None))
    structlog.contextvars.bind_contextvars(task=getattr(task, "name", ""), task_id=task_id)


@task_postrun.connect(weak=False, dispatch_uid="sosa-logs-postrun")
def _unbind_task(task_id=None, task=None, state=None, **kwargs) -> None:
    log.info("task.finished", state=state)
    if task is not None and task.request.is_eager:
        structlog.contextvars.unbind_contextvars("task", "task_id")
    else:
        structlog.contextvars.clear_contextvars()
