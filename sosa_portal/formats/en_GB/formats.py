"""British English: see sosa_portal/formats/__init__.py."""

DATE_FORMAT = "D j M Y"  # Wed 10 Jun 2026
DATETIME_FORMAT = "D j M Y, H:i T"  # Thu 3 Dec 2026, 17:00 EST
SHORT_DATE_FORMAT = "j M Y"
