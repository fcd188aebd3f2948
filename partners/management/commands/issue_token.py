"""`python manage.py issue_token <username> (--days D | --no-expiry) [--name N]`: print a new API
key once. The expiry is always said: `--days 0` is refused, never read as "never expires"."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from partners.accounts.forms import MAX_TOKEN_DAYS
from partners.accounts.tokens import TooManyTokens, issue_token


class Command(BaseCommand):
    help = "Issue an API token for a user and print its key (it is shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="command line", help="A label for the token.")
        lifetime = parser.add_mutually_exclusive_group(required=True)
        lifetime.add_argument(
            "--days", type=int, help=f"Expire after N days (1 to {MAX_TOKEN_DAYS})."
        )
        lifetime.add_argument(
            "--no-expiry", action="store_true", help="A token that lasts until it is revoked."
        )

    def handle(self, *args, username, name, days, no_expiry, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user named {username!r}.")
        if not no_expiry and not 1 <= days <= MAX_TOKEN_DAYS:
            raise CommandError(
                f"--days must be 1 to {MAX_TOKEN_DAYS}; for a token that never expires say "
                "--no-expiry."
            )
        expires_at = None if no_expiry else timezone.now() + dt.timedelta(days=days)
        try:
            _token, key = issue_token(user, name=name, expires_at=expires_at, via="command line")
        except TooManyTokens as refused:
            raise CommandError(str(refused)) from None
        self.stdout.write(key)
