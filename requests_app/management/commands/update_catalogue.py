"""`python manage.py update_catalogue`: bring every language's catalogue (locale/<lang>/
LC_MESSAGES/django.po) up to date with the code and templates — new strings added with an empty
translation, strings no longer used dropped — and say how many still need translating.

The same extraction as `makemessages`, over the project's own sources only; the test
`tests/lib/test_catalogue.py` runs it on a copy to prove the committed catalogue is complete."""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from sosa_portal.lib.catalogue import EXTRACT_IGNORE, problems


class Command(BaseCommand):
    help = "Extract the translatable strings into each catalogue (makemessages, own sources)."

    def handle(self, *args, **options):
        languages = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
        call_command(
            "makemessages",
            locale=languages,
            ignore_patterns=list(EXTRACT_IGNORE),
            no_obsolete=True,
            verbosity=0,
        )
        for language in languages:
            po_path = Path(settings.LOCALE_PATHS[0]) / language / "LC_MESSAGES" / "django.po"
            left = problems(po_path)
            self.stdout.write(f"{po_path}: {len(left)} entries to translate or mend.")
