"""`python manage.py issue_token <username> [--name N] [--days D]`: print a new API key once."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from partners.accounts.tokens import issue_token


class Command(BaseCommand):
    help = "Issue an API token for a user and print its key (it is shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="command line", help="A label for the token.")
        parser.add_argument("--days", type=int, default=None, help="Expire after N days.")

    def handle(self, *args, username, name, days, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user named {username!r}.")
        expires_at = timezone.now() + dt.timedelta(days=days) if days else None
        _token, key = issue_token(user, name=name, expires_at=expires_at, via="command line")
        self.stdout.write(key)
