"""The portal's date formats, one per kind of value, in both languages (FORMAT_MODULE_PATH).

Templates write `|date:"DATE_FORMAT"` for a date-only value (a required or committed delivery
date: "Wed 10 Jun 2026", never shifted by a time zone) and `|date:"DATETIME_FORMAT"` for a moment
(when something happened: "Thu 3 Dec 2026, 17:00 EST"); `requests_app.moments` writes the same
in Python (pages, e-mails, CSV's human columns). Due times have their own helper
(`moments.due_time`). Weekday and month names follow the active language."""
