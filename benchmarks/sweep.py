"""Sweep cost: one sweep with 1% of open clocks due, and proof it ignores the 99% not due.

    make bench-sweep                # 20k and 100k open requests, 1,000 due in each run
    .venv/bin/python benchmarks/sweep.py --sizes 10000 100000 --due 1000

Needs PostgreSQL (DATABASE_URL; default postgres://postgres@127.0.0.1:5432/sosa_bench, created
if missing). Prints a markdown table and writes it to benchmarks/results/sweep-<date>.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sosa_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sosa_portal.settings")
os.environ.setdefault("SOSA_QUIET_SEED", "1")


def ensure_database(url: str) -> None:
    import dj_database_url
    import psycopg2
    from psycopg2 import sql

    config = dj_database_url.parse(url)
    if not config["ENGINE"].endswith("postgresql"):
        return
    admin = psycopg2.connect(
        dbname="postgres",
        user=config["USER"],
        password=config["PASSWORD"] or None,
        host=config["HOST"] or "127.0.0.1",
        port=config["PORT"] or 5432,
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
        if not cursor.fetchone():
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
    admin.close()


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def reset_peak_rss() -> float:
    """Reset the kernel's peak-RSS mark (Linux) and return the current RSS in MB."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")
    return _status_kb("VmRSS") / 1024


def peak_rss_mb() -> float:
    peak = _status_kb("VmHWM")
    return (peak or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--due", type=int, default=1_000)
    args = parser.parse_args()

    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from benchmarks.seed import reset, seed_supplier_stage
    from requests_app.escalations import sweep_deadlines
    from requests_app.models import Escalation, Event, Notification

    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())
    from requests_app import notifications

    # Measure the sweep's own work: the after-commit hand-off to workers is not timed here.
    notifications.enqueue_sending = lambda event_ids: True

    rows = []
    now = dt.datetime.now(tz=dt.UTC)
    for size in args.sizes:
        reset()
        seeded = seed_supplier_stage(size, due=args.due, now=now)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        rss_before = reset_peak_rss()
        started = time.perf_counter()
        result = sweep_deadlines(now=now)
        seconds = time.perf_counter() - started
        rss_after = peak_rss_mb()
        started = time.perf_counter()
        idle = sweep_deadlines(now=now)
        idle_ms = (time.perf_counter() - started) * 1000
        assert idle.clocks == 0
        rows.append(
            {
                "open": size,
                "due": result.clocks,
                "seed_rps": seeded.per_second,
                "sweep_s": seconds,
                "per_clock_ms": seconds * 1000 / max(result.clocks, 1),
                "idle_ms": idle_ms,
                "escalations": Escalation.objects.count(),
                "events": Event.objects.filter(action="escalate").count(),
                "notices": Notification.objects.count(),
                "rss_mb": max(rss_after - rss_before, 0.0),
            }
        )

    header = (
        "| open requests | due clocks | seeding req/s | sweep | per due clock | idle sweep | "
        "escalations | events | outbox rows | RSS growth |\n"
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    table = header + "".join(
        f"| {r['open']:,} | {r['due']:,} | {r['seed_rps']:,.0f} | {r['sweep_s']:.2f} s | "
        f"{r['per_clock_ms']:.2f} ms | {r['idle_ms']:.1f} ms | {r['escalations']:,} | "
        f"{r['events']:,} | {r['notices']:,} | {r['rss_mb']:.0f} MB |\n"
        for r in rows
    )
    print(table)
    out = ROOT / "benchmarks" / "results" / f"sweep-{dt.date.today().isoformat()}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(f"# Sweep benchmark, {dt.datetime.now():%Y-%m-%d %H:%M}\n\n{table}")
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
