"""`python manage.py health ready|full|worker|beat`: the checks of /healthz/ready and /healthz,
or of one background process, for container health checks (docker-compose.yml)."""

import json

from django.core.management.base import BaseCommand, CommandError

from sosa_portal import health


class Command(BaseCommand):
    help = (
        "Run health checks and print them as JSON; exit 1 when one fails. ready: database and "
        "broker; full: all of /healthz; worker: a fresh heartbeat on each queue (or --node's "
        "own); beat: the deadline sweep ran lately."
    )

    def add_arguments(self, parser):
        parser.add_argument("tier", choices=["ready", "full", "worker", "beat"])
        parser.add_argument(
            "--node", help="With `worker`: this worker's own heartbeat, e.g. celery@$HOSTNAME."
        )

    def handle(self, *args, tier, node=None, **options):
        checks = health.checks_for(tier, node=node)
        self.stdout.write(json.dumps(checks, indent=2))
        failing = [name for name, check in checks.items() if not check["ok"]]
        if failing:
            raise CommandError(f"unhealthy: {', '.join(failing)}")
