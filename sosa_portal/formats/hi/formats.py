"""Hindi: the same order as English, the weekday and month names in Hindi ("गुरू 3 दिस् 2026")."""

from ..en_GB.formats import DATE_FORMAT, DATETIME_FORMAT, SHORT_DATE_FORMAT

__all__ = ["DATETIME_FORMAT", "DATE_FORMAT", "SHORT_DATE_FORMAT"]
