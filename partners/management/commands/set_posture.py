"""`python manage.py set_posture US IN emergency --reason "…"`: change an arrangement's posture.

The same service as the admin and `/arrangements/` (audited, history kept, both nations told);
the open requests' clocks are recounted by a task (run here when no broker answers).
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from partners.arrangements import set_posture
from partners.models import Arrangement, Nation, Posture


class Command(BaseCommand):
    help = "Put the arrangement between two nations under a posture (DESIGN §5)."

    def add_arguments(self, parser):
        parser.add_argument("nation", help="ISO code of one nation, e.g. US")
        parser.add_argument("other", help="ISO code of the other nation, e.g. IN")
        parser.add_argument("posture", choices=Posture.values)
        parser.add_argument("--reason", required=True, help="Why: both nations read it.")

    def handle(self, *args, nation, other, posture, reason, **options):
        codes = [nation.upper(), other.upper()]
        nations = {n.code: n for n in Nation.objects.filter(code__in=codes)}
        missing = [code for code in codes if code not in nations]
        if missing:
            raise CommandError(f"No nation with the code {', '.join(missing)}.")
        arrangement = Arrangement.objects.between(*(nations[code] for code in codes)).first()
        if arrangement is None:
            raise CommandError(f"{codes[0]} and {codes[1]} have no arrangement.")
        try:
            set_posture(arrangement, posture, by=None, reason=reason)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            f"{arrangement} is now under the {Posture(posture).label.lower()} posture; "
            "its open requests' clocks are being recounted."
        )
