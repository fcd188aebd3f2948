"""Registering an agency's webhook (deliveries are written by `services.events`)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from sosa_portal.lib import net

from ..exceptions import InvalidInput
from ..models import Webhook
from ..transitions import check_event_kinds


def register(*, agency, url: str, event_kinds: list[str], by) -> Webhook:
    """A new active webhook for `agency`, with a fresh secret (the caller shows it once)."""
    webhook = Webhook(agency=agency, url=url, event_kinds=event_kinds, created_by=by)
    webhook.full_clean()
    limit = settings.SOSA_WEBHOOKS_PER_AGENCY
    if Webhook.objects.filter(agency=agency, is_active=True).count() >= limit:
        raise InvalidInput(
            errors={
                "detail": [
                    _(
                        "Your agency has %(limit)s active webhooks, the most it may: "
                        "delete one it no longer uses first."
                    )
                    % {"limit": limit}
                ]
            }
        )
    allowed = net.networks(settings.SOSA_WEBHOOK_ALLOWED_NETWORKS)
    problem = net.registration_problem(url, allowed)
    if problem:
        raise InvalidInput(errors={"url": [problem]})
    webhook.event_kinds = check_event_kinds(event_kinds)
    webhook.save()
    return webhook
