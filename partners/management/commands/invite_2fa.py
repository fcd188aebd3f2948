"""`python manage.py invite_2fa <username>`: print a second-factor invitation once — the link and
the code — for a person to set up an authenticator app (the first administrator, too). A newer
invitation voids the older ones; someone who has a device is reset in the admin first."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from partners.accounts.invitations import AlreadyEnrolled, grouped, invite_path, issue_invitation


class Command(BaseCommand):
    help = "Issue a second-factor invitation for a user and print it (shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user named {username!r}.")
        try:
            invitation, code = issue_invitation(user, via="command line")
        except AlreadyEnrolled as refused:
            raise CommandError(str(refused)) from None
        until = timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d %H:%M %Z")
        self.stdout.write(f"Link: {settings.SITE_URL.rstrip('/')}{invite_path(code)}")
        self.stdout.write(f"Code: {grouped(code)}")
        self.stdout.write(f"Valid until {until}, once, for {username} after their password.")
