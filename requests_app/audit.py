"""The request trail of the staff audit export: every `Event`, as `partners.accounts.audit` lays
out its rows (added to the export by `RequestsAppConfig.ready`)."""

from __future__ import annotations

import json

from partners.accounts.audit import within

from .models import Event


def request_rows(since, until):
    for event in within(Event.objects.select_related("actor", "request"), since, until).iterator():
        actor = event.actor.get_username() if event.actor else ""
        yield (
            event.created_at,
            [
                "request",
                event.action,
                actor,
                actor,
                "",
                "",
                event.request.reference,
                event.from_state,
                event.to_state,
                json.dumps(event.data, sort_keys=True, default=str),
            ],
        )
