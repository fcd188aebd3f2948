"""`python manage.py sweep_deadlines`: the same sweep as the beat task, for sites using cron."""

from django.core.management.base import BaseCommand

from requests_app.outbox.notices import deliver_due
from requests_app.services.sweep import sweep_deadlines


class Command(BaseCommand):
    help = "Escalate every clock whose next escalation time has passed (safe to run twice)."

    def add_arguments(self, parser):
        parser.add_argument("--send", action="store_true", help="Also deliver pending notices now.")

    def handle(self, *args, send=False, **options):
        result = sweep_deadlines()
        self.stdout.write(
            f"Swept {result.clocks} clocks in {result.batches} batches: "
            f"{result.escalations} escalations, {result.notifications} notices queued."
        )
        if send:
            sent = deliver_due(grace_seconds=0)
            self.stdout.write(f"Delivered {sent} notices.")
