"""Report figures (DESIGN §5): `base.py` (period, scope, columns, tables), `tables.py` (each
report, computed from the clocks and their ledgers), `durations.py` (how long stages ran) and
`deliveries.py` (on-time delivery by item)."""

from .base import (
    MAX_PERIOD_DAYS,
    RATINGS,
    Column,
    Period,
    Scope,
    Table,
    default_period,
    nations_in,
    number,
    percentile,
    scoped_requests,
)
from .durations import running_working_days
from .tables import TABLES, all_tables, rating_label, trend_points

__all__ = [
    "MAX_PERIOD_DAYS",
    "RATINGS",
    "TABLES",
    "Column",
    "Period",
    "Scope",
    "Table",
    "all_tables",
    "default_period",
    "nations_in",
    "number",
    "percentile",
    "rating_label",
    "running_working_days",
    "scoped_requests",
    "trend_points",
]
