"""`python manage.py compile_catalogue`: the `.mo` of every `.po` under LOCALE_PATHS, in pure
Python (no GNU gettext needed); `make` and the Dockerfile run it: the `.mo` is never committed."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from sosa_portal.lib.catalogue import compile_catalogues


class Command(BaseCommand):
    help = "Compile the translation catalogues (locale/*/LC_MESSAGES/*.po) into .mo files."

    def add_arguments(self, parser):
        parser.add_argument(
            "--stale", action="store_true", help="Only catalogues whose .po is newer than its .mo."
        )

    def handle(self, *args, stale=False, **options):
        for locale_dir in settings.LOCALE_PATHS:
            for mo_path in compile_catalogues(Path(locale_dir), only_stale=stale):
                self.stdout.write(f"Compiled {mo_path}")
