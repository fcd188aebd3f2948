"""API and page load: gunicorn (2 workers) driven by wrk from a second process.

    make bench                  # 100,000 requests seeded with COPY
    make bench SIZE=10000

Needs PostgreSQL (DATABASE_URL; default a local `sosa_bench`, created if missing) and `wrk`.
Prints a markdown table (requests/s, p50, p99, SQL queries per request, peak worker RSS) with a
"ceiling" row — a trivial token-authenticated endpoint of the same stack — and writes it to
benchmarks/results/load-<size>-<date>.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sosa_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sosa_portal.settings")
PORT = int(os.environ.get("BENCH_PORT", "8799"))
BASE = f"http://127.0.0.1:{PORT}"


def wrk(path: str, token: str, *, seconds: int, connections: int, script: str = "") -> dict:
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-H",
        f"Authorization: Token {token}",
    ]
    if script:
        command += ["-s", script]
    output = subprocess.run(
        [*command, BASE + path], capture_output=True, text=True, check=True
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))

    def percentile(name: str) -> float:
        match = re.search(rf"\s{name}%\s+([\d.]+)(us|ms|s)", output)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": rps,
        "p50": percentile("50"),
        "p99": percentile("99"),
        "errors": int(errors.group(1)) if errors else 0,
    }


def queries_for(path: str, user, method: str = "get", data=None) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    with CaptureQueriesContext(connection) as captured:
        getattr(client, method)(path, data, format="json")
    return len(captured.captured_queries)


def worker_peak_rss_mb(master_pid: int) -> float:
    peaks = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if re.search(rf"^PPid:\s+{master_pid}$", text, re.M):
            match = re.search(r"^VmHWM:\s+(\d+)", text, re.M)
            if match:
                peaks.append(int(match.group(1)) / 1024)
    return max(peaks) if peaks else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--reuse", action="store_true", help="keep the seeded rows")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install -y wrk")

    from benchmarks.sweep import ensure_database

    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from benchmarks.copy_seed import seed
    from benchmarks.seed import reset
    from partners.tokens import issue_token
    from requests_app.models import PriorityRequest

    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())
    now = dt.datetime.now(tz=dt.UTC)
    seeded = None
    if not args.reuse or PriorityRequest.objects.count() < args.size:
        reset()
        seeded = seed(args.size, now=now)
        print(
            f"seeded {seeded.requests:,} requests in {seeded.seconds:.1f} s "
            f"({seeded.per_second:,.0f}/s)"
        )

    users = get_user_model().objects
    liaison = users.get(username="liaison.us")
    token = issue_token(liaison, name="benchmark")[1]
    sample = (
        PriorityRequest.objects.filter(responding_nation__code="US", requesting_nation__code="IN")
        .exclude(state="draft")
        .order_by("-id")
        .first()
    )
    cursor_page = "/api/v1/requests/?page_size=25"
    # Page 50 through the cursor: follow `next` 49 times in-process, then time that URL.
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(liaison)
    url = cursor_page
    for _ in range(49):
        url = client.get(url).json()["next"].replace("http://testserver", "")

    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-only-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "API_RATE": "100000000/min",
        "CONN_MAX_AGE": "600",
    }
    gunicorn = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "sosa_portal.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{BASE}/healthz", timeout=1)
                break
            except Exception:
                time.sleep(0.2)
        scenarios = [
            ("ceiling: GET /api/v1/ping/", "/api/v1/ping/"),
            ("API list, first page", "/api/v1/requests/"),
            (
                "API list, state=with_supplier&rating=DX",
                "/api/v1/requests/?state=with_supplier&rating=DX",
            ),
            ("API list, page 50 by cursor", url),
            ("API detail", f"/api/v1/requests/{sample.reference}/"),
            ("API list, priority order", "/api/v1/requests/?ordering=priority"),
        ]
        rows = []
        for label, path in scenarios:
            wrk(path, token, seconds=2, connections=args.connections)  # warm up
            result = wrk(path, token, seconds=args.seconds, connections=args.connections)
            result["queries"] = queries_for(path, liaison)
            result["label"] = label
            rows.append(result)
        peak = worker_peak_rss_mb(gunicorn.pid)
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(timeout=30)

    ceiling = rows[0]["rps"]
    table = (
        "| scenario | req/s | vs ceiling | p50 | p99 | SQL queries | non-2xx |\n"
        "|---|---:|---:|---:|---:|---:|---:|\n"
    )
    for row in rows:
        table += (
            f"| {row['label']} | {row['rps']:,.0f} | {row['rps'] / ceiling:.0%} | "
            f"{row['p50']:.1f} ms | {row['p99']:.1f} ms | {row['queries']} | {row['errors']} |\n"
        )
    summary = (
        f"{args.size:,} requests; gunicorn 2 workers, wrk 2 threads × {args.connections} "
        f"connections × {args.seconds} s; peak worker RSS {peak:.0f} MB"
        + (f"; seeding {seeded.per_second:,.0f} requests/s" if seeded else "")
    )
    print(summary + "\n\n" + table)
    out = ROOT / "benchmarks" / "results" / f"load-{args.size}-{dt.date.today().isoformat()}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(f"# Load benchmark, {dt.datetime.now():%Y-%m-%d %H:%M}\n\n{summary}\n\n{table}")
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
