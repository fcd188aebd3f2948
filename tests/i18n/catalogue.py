"""The Hindi catalogue compiled before a test reads it (`make` does this too; a plain `pytest`
on a fresh clone has no .mo yet)."""

from django.conf import settings
from django.utils.translation import trans_real

from sosa_portal.lib.catalogue import compile_catalogues


def ensure_compiled() -> None:
    if compile_catalogues(settings.LOCALE_PATHS[0], only_stale=True):
        trans_real._translations = {}  # read the new .mo, not a catalogue already loaded
        trans_real._default = None
