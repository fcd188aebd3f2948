"""Sweep cost: one sweep with a fixed number of clocks due, and proof it ignores the rest.

    make bench-sweep                # 10k, 100k and 1M open clocks, 10,000 due in each run
    .venv/bin/python benchmarks/sweep.py --sizes 10000 100000 1000000 --due 10000
    .venv/bin/python benchmarks/sweep.py --stage delivery …   # per-item delivery clocks
    SWEEP_PROFILE=/tmp/sweep.prof …  # also write a cProfile of the timed sweep

Needs PostgreSQL (BENCH_SWEEP_DATABASE_URL; default a local sosa_bench_sweep, created if
missing; its tables are emptied). Seeds with COPY (`benchmarks/copy_seed.py`), then runs the
sweep in a fresh process (DEBUG off, as in a worker) so its peak RSS is its own, not the
seeding's. Prints a markdown table and writes it to benchmarks/results/sweep-<date>.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# The benchmark empties and re-seeds its tables: its own database, never the DATABASE_URL's.
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_SWEEP_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sosa_bench_sweep"
)
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


def measure_sweep(now: dt.datetime) -> dict:
    """In this (fresh) process: one warm-up sweep with nothing due, the timed sweep with its
    peak-RSS growth, then an idle sweep."""
    import django

    django.setup()
    from requests_app.outbox import notices
    from requests_app.services.sweep import sweep_deadlines

    # Measure the sweep's own work: the after-commit hand-off to workers is not timed here.
    notices.enqueue_sending = lambda event_ids: True
    sweep_deadlines(now=now - dt.timedelta(days=365))  # imports and connection, as in a worker
    rss_before = reset_peak_rss()
    profile_to = os.environ.get("SWEEP_PROFILE")
    if profile_to:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    result = sweep_deadlines(now=now)
    seconds = time.perf_counter() - started
    if profile_to:
        profiler.disable()
        profiler.dump_stats(profile_to)
    rss_peak = peak_rss_mb()
    started = time.perf_counter()
    idle = sweep_deadlines(now=now)
    idle_ms = (time.perf_counter() - started) * 1000
    return {
        "due": result.clocks,
        "sweep_s": seconds,
        "idle_ms": idle_ms,
        "idle_clocks": idle.clocks,
        "rss_before_mb": rss_before,
        "rss_peak_mb": rss_peak,
    }


def sweep_in_fresh_process(now: dt.datetime) -> dict:
    env = {
        **os.environ,
        "DEBUG": "0",  # no query log growing in memory, as in production
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "benchmark-only-" + "x" * 40,
    }
    done = subprocess.run(
        [sys.executable, __file__, "--sweep-at", now.isoformat()],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        sys.exit(f"sweep process failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def settle() -> None:
    """Bring the freshly loaded tables to the state of a database in service before timing:
    VACUUM sets the hint bits and visibility map a bulk load leaves unset (the first reader
    would otherwise write every page it touches), CHECKPOINT writes out the load's dirty pages
    (the sweep would otherwise share the disk with a checkpoint of gigabytes of WAL)."""
    from django.db import connection

    from benchmarks.copy_seed import TABLES

    with connection.cursor() as cursor:  # autocommit: VACUUM cannot run in a transaction
        cursor.execute(f"VACUUM (ANALYZE) {', '.join(TABLES.values())}")
        cursor.execute("CHECKPOINT")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument(
        "--stage",
        choices=["supplier_response", "delivery"],
        default="supplier_response",
        help="supplier_response: one clock per request; delivery: 3 item clocks per request",
    )
    parser.add_argument("--sweep-at", help=argparse.SUPPRESS)  # internal: the fresh process
    args = parser.parse_args()
    if args.sweep_at:
        print(json.dumps(measure_sweep(dt.datetime.fromisoformat(args.sweep_at))))
        return

    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    from benchmarks.copy_seed import seed_delivery_stage, seed_supplier_stage
    from benchmarks.seed import reset
    from requests_app.models import Escalation, Event, Notification

    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())

    rows = []
    now = dt.datetime.now(tz=dt.UTC)
    for size in args.sizes:
        reset()
        seeding = seed_delivery_stage if args.stage == "delivery" else seed_supplier_stage
        seeded = seeding(size, due=min(args.due, size), now=now)
        settle()
        swept = sweep_in_fresh_process(now)
        assert swept["idle_clocks"] == 0
        rows.append(
            {
                "open": size,
                "due": swept["due"],
                "seed_rps": seeded.per_second,
                "indexes_s": seeded.phases["indexes"],
                "sweep_s": swept["sweep_s"],
                "per_clock_ms": swept["sweep_s"] * 1000 / max(swept["due"], 1),
                "idle_ms": swept["idle_ms"],
                "escalations": Escalation.objects.count(),
                "events": Event.objects.filter(action="escalate").count(),
                "notices": Notification.objects.count(),
                "rss_mb": max(swept["rss_peak_mb"] - swept["rss_before_mb"], 0.0),
            }
        )
        print(rows[-1], flush=True)

    header = (
        f"Stage: {args.stage}"
        + (" (3 items per request, one delivery clock each)" if args.stage == "delivery" else "")
        + "\n\n| open clocks | due clocks | seeding req/s | index rebuild (in seeding) | sweep | "
        "per due clock | idle sweep | escalations | events | outbox rows | RSS growth |\n"
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    table = header + "".join(
        f"| {r['open']:,} | {r['due']:,} | {r['seed_rps']:,.0f} | {r['indexes_s']:.1f} s | "
        f"{r['sweep_s']:.2f} s | {r['per_clock_ms']:.2f} ms | {r['idle_ms']:.1f} ms | "
        f"{r['escalations']:,} | {r['events']:,} | {r['notices']:,} | {r['rss_mb']:.0f} MB |\n"
        for r in rows
    )
    print(table)
    suffix = "-delivery" if args.stage == "delivery" else ""
    out = ROOT / "benchmarks" / "results" / f"sweep-{dt.date.today().isoformat()}{suffix}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        f"# Sweep benchmark, {dt.datetime.now():%Y-%m-%d %H:%M}\n\n{table}\n"
        "RSS growth: peak RSS (VmHWM, reset just before) during the sweep minus RSS before it, "
        "in a fresh process that has run one idle sweep. The tables were settled first "
        "(VACUUM ANALYZE, CHECKPOINT), as in a database in service.\n"
    )
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
