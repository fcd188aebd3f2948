"""API and page load: gunicorn (2 workers) driven by wrk from a second process.

    make bench                  # 100,000 requests seeded with COPY
    make bench SIZE=1000000     # a million (about ten minutes)

Needs PostgreSQL (BENCH_DATABASE_URL; default a local `sosa_bench`, created if missing; its
tables are emptied) and `wrk`.
Seeds SIZE requests, then measures, against a "ceiling" (a trivial token-authenticated endpoint
of the same stack, in the same run): API list, filtered list, list page 50 by cursor, detail,
priority order, create, three actions (report-delay; the DPAS route's two keys, determine and
authorise), the liaison queue page; then one escalation
sweep of SIZE/100 due clocks in a fresh process, and a posture change of US–India (to
emergency and back) recounting the clocks of all that pair's open requests. Prints a
markdown table (requests/s, p50, p99, SQL queries per request, peak worker RSS), the query
plans of the pages' main queries, and writes both to benchmarks/results/load-<size>-<date>.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# The benchmark empties and re-seeds its tables: its own database, never the DATABASE_URL's.
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sosa_bench"
)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sosa_portal.settings")
PORT = int(os.environ.get("BENCH_PORT", "8799"))
BASE = f"http://127.0.0.1:{PORT}"
# The server's settings: production-like (DEBUG off), no throttling in the way.
SERVER_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "benchmark-only-" + "x" * 40,
    "ALLOWED_HOSTS": "127.0.0.1,testserver",
    "SECURE_SSL_REDIRECT": "0",
    "API_RATE": "100000000/min",
    "SOSA_PAGES_PER_MINUTE": "0",  # wrk is one "person" asking hundreds of pages a second
    "CONN_MAX_AGE": "600",
}


def setup(size: int, reuse: bool):
    """Database, demo people and SIZE seeded requests; the seeding result (None if reused)."""
    url = os.environ["DATABASE_URL"]
    from benchmarks.sweep import ensure_database  # importing it points DATABASE_URL at its DB

    os.environ["DATABASE_URL"] = url  # …so this benchmark's own database, put back
    ensure_database(url)
    os.environ.update(SERVER_ENV)
    import django

    django.setup()
    from django.conf import settings

    # As `make dirs`: without the embedded broker's folders a task cannot be queued, and the
    # posture change would recount inside set_posture (its fallback), not in the timed call.
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get(key)
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
    from django.core.management import call_command

    from benchmarks.copy_seed import seed
    from benchmarks.seed import reset
    from requests_app.models import PriorityRequest

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # pages need the manifest
    if reuse and PriorityRequest.objects.count() >= size:
        return None
    call_command("seed_demo", stdout=io.StringIO())
    reset()
    seeded = seed(size, now=dt.datetime.now(tz=dt.UTC))
    print(
        f"seeded {seeded.requests:,} requests in {seeded.seconds:.1f} s "
        f"({seeded.per_second:,.0f}/s)"
    )
    return seeded


def verified_session(user) -> str:
    """A session cookie of `user` who has passed the second factor (liaison officers must)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="Benchmark authenticator", defaults={"confirmed": True}
    )
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def scenarios(size: int):
    """What to measure, with the people, tokens and rows each scenario needs."""
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    from benchmarks.measure import Scenario
    from partners.accounts.tokens import issue_token
    from partners.models import ApiToken
    from requests_app.models import PriorityRequest

    users = get_user_model().objects
    liaison, requester = users.get(username="liaison.us"), users.get(username="requester.in")
    # Earlier runs' keys are lost with their process; each person holds a capped number.
    ApiToken.objects.filter(name="benchmark").delete()
    reads = {"Authorization": "Token " + issue_token(liaison, name="benchmark")[1]}

    def acting_as(username: str) -> dict:
        key = issue_token(users.get(username=username), name="benchmark")[1]
        return {"Authorization": "Token " + key, "Content-Type": "application/json"}

    files = {
        "Authorization": "Token " + issue_token(requester, name="benchmark")[1],
        "Content-Type": "application/json",
    }
    acts = reads | {"Content-Type": "application/json"}
    from_india = PriorityRequest.objects.filter(
        responding_nation__code="US", requesting_nation__code="IN"
    )
    sample = from_india.exclude(state="draft").order_by("-id").first()
    # Page 50 through the cursor: follow `next` 49 times in-process, then time that URL.
    client = APIClient()
    client.force_authenticate(liaison)
    page_50 = "/api/v1/requests/?page_size=25"
    for _ in range(49):
        page_50 = client.get(page_50).json()["next"].replace("http://testserver", "")
    # The action: report a delay on accepted requests, a different one each time.
    accepted = list(
        from_india.filter(state="accepted")
        .order_by("-id")
        .values_list("reference", flat=True)[:20_000]
    )
    # The two keys: the DoD determines requests in review, Commerce authorises those waiting.
    in_review, waiting = (
        list(
            from_india.filter(state=state)
            .order_by("-id")
            .values_list("reference", flat=True)[:20_000]
        )
        for state in ("in_review", "awaiting_authorisation")
    )
    # A delivery: part of the first item of other accepted requests, each delivered once.
    from requests_app.models import RequestItem

    owed = list(
        RequestItem.objects.filter(
            request__in=from_india.filter(state="accepted").order_by("id")[:20_000],
            response="accepted",
            quantity_delivered=0,
        )
        .order_by("request_id", "id")
        .distinct("request_id")
        .values_list("request__reference", "id")
    )
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    later = (dt.date.today() + dt.timedelta(days=400)).isoformat()
    draft = {
        "title": "Gyroscopes for the Tejas fleet",
        "responding_nation": "US",
        "justification": "Aircraft grounded without spares.",
        "required_delivery_date": later,
        "contract_number": "W58RGZ-26-C-0042",
        "items": [{"description": "Gyroscope assembly", "part_number": "GY-200", "quantity": 4}],
    }
    list_path = "/api/v1/requests/"
    # Delta sync: what changed since the 1,000th most recent change, oldest change first.
    since = PriorityRequest.objects.order_by("-updated_at").values_list("updated_at", flat=True)[
        1000
    ]
    sync_path = list_path + "?" + urlencode({"updated_since": since.isoformat()})
    sync_path += "&ordering=updated_at"
    # The event feed: a page of 100 after a cursor 1,000 events before the end.
    from requests_app.models import Event
    from requests_app.queries import feed

    mark = Event.objects.order_by("-tx", "-id").values_list("tx", "id")[1000]
    feed_path = "/api/v1/events/?" + urlencode({"after": feed.encode(*mark), "page_size": 100})
    return [
        Scenario("ceiling: GET /api/v1/ping/", "/api/v1/ping/", reads, target=1.0),
        Scenario("API list, first page", list_path, reads, explain=True),
        Scenario(
            "API list, state=with_supplier&rating=DX",
            list_path + "?state=with_supplier&rating=DX",
            reads,
            explain=True,
        ),
        Scenario("API list, page 50 by cursor", page_50, reads, explain=True),
        Scenario("API list, priority order", list_path + "?ordering=priority", reads, explain=True),
        Scenario("API detail", f"/api/v1/requests/{sample.reference}/", reads, explain=True),
        # `q` (queries/search.py): one request by its contract number, through the GIN index,
        # and two words every seeded request has (the newest first, as the list).
        Scenario(
            "API search: one request by its contract",
            list_path + "?" + urlencode({"q": sample.contract_number}),
            reads,
            explain=True,
        ),
        Scenario(
            "API search: two common words", list_path + "?q=fleet+spares", reads, explain=True
        ),
        Scenario("API sync: updated_since, by updated_at", sync_path, reads, explain=True),
        Scenario("API event feed: 100 after a cursor", feed_path, reads),
        Scenario(
            "API create (POST, requester)",
            list_path,
            files,
            method="POST",
            body=json.dumps(draft),
            expect=201,
            target=0.20,
        ),
        Scenario(
            "API action: report-delay (POST, liaison)",
            "/",
            acts,
            method="POST",
            body=json.dumps({"reason": "Test bench backlog.", "committed_delivery_date": later}),
            paths=[f"/api/v1/requests/{reference}/report-delay/" for reference in accepted],
            target=0.20,
        ),
        Scenario(
            "API action: determine (POST, DoD reviewer)",
            "/",
            acting_as("reviewer.us"),
            method="POST",
            body=json.dumps({"rating": "DX", "program_symbol": "G2", "note": "G2 need."}),
            paths=[f"/api/v1/requests/{reference}/determine/" for reference in in_review],
            target=0.20,
            consumes=True,
        ),
        Scenario(
            "API action: authorise (POST, Commerce BIS)",
            "/",
            acting_as("authority.us"),
            method="POST",
            body=json.dumps(
                {
                    "bis_case_number": "BIS-26-0107",
                    "rating": "DX",
                    "program_symbol": "G2",
                    "note": "Authorised.",
                    # The seeded rows carry no recommendation: the rating "changes" from none.
                    "change_reason": "Benchmark row.",
                }
            ),
            paths=[f"/api/v1/requests/{reference}/authorise/" for reference in waiting],
            target=0.20,
            consumes=True,
        ),
        Scenario(
            "API action: record-delivery (POST, requester)",
            "/",
            files,
            method="POST",
            paths=[f"/api/v1/requests/{reference}/record-delivery/" for reference, _ in owed],
            bodies=[
                json.dumps({"item": item, "quantity": 1, "delivered_on": yesterday})
                for _, item in owed
            ],
            target=0.20,
            consumes=True,
        ),
        Scenario(
            "liaison queue page /queue/",
            "/queue/",
            {"Cookie": verified_session(liaison)},
            explain=True,
        ),
    ]


def start_server() -> subprocess.Popen:
    server = subprocess.Popen(
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
        env={**os.environ, **SERVER_ENV},
    )
    for _ in range(150):
        try:
            urllib.request.urlopen(f"{BASE}/healthz/ready", timeout=1)  # no worker here
            return server
        except Exception:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def make_due(count: int) -> int:
    """Make `count` running clocks due now (on top of those already due); how many are due."""
    from django.db import connection
    from django.utils import timezone

    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM requests_app_clock "
            "WHERE stopped_at IS NULL AND paused_at IS NULL AND next_escalation_at <= %s",
            [now],
        )
        already = cursor.fetchone()[0]
        cursor.execute(
            "UPDATE requests_app_clock SET due_at = %s, next_escalation_at = %s WHERE id IN ("
            " SELECT id FROM requests_app_clock WHERE stopped_at IS NULL AND paused_at IS NULL"
            " AND next_escalation_at > %s ORDER BY id LIMIT %s)",
            [
                now - dt.timedelta(hours=2),
                now - dt.timedelta(hours=26),
                now,
                max(count - already, 0),
            ],
        )
        cursor.execute("ANALYZE requests_app_clock")
    return max(count, already)


def sweep_scenario(due: int) -> dict:
    """One escalation sweep of `due` clocks in a fresh process (as `sweep.py` runs it), with
    the rows it wrote counted here."""
    from django.utils import timezone

    from benchmarks import sweep
    from requests_app.models import Escalation, Event, Notification

    def counts() -> tuple[int, int, int]:
        return Escalation.objects.count(), Event.objects.count(), Notification.objects.count()

    make_due(due)
    before = counts()
    os.environ["BENCH_SWEEP_DATABASE_URL"] = os.environ["DATABASE_URL"]
    swept = sweep.sweep_in_fresh_process(timezone.now())
    after = counts()
    return {
        "due": swept["due"],
        "seconds": swept["sweep_s"],
        "idle_ms": swept["idle_ms"],
        "escalations": after[0] - before[0],
        "events": after[1] - before[1],
        "notifications": after[2] - before[2],
        "rss_growth_mb": max(swept["rss_peak_mb"] - swept["rss_before_mb"], 0.0),
    }


def posture_scenario() -> dict:
    """US–India to emergency and back: the recount of every open clock of that pair, timed
    and its queries counted (in this process, as the worker's task runs it)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from partners.arrangements import set_posture
    from partners.models import Arrangement, Nation
    from requests_app.models import Event
    from requests_app.services.postures import apply_posture

    arrangement = Arrangement.objects.between(
        Nation.objects.get(code="US"), Nation.objects.get(code="IN")
    ).get()
    runs = []
    for posture in ("emergency", "peacetime"):
        events = Event.objects.filter(action="posture").count()
        set_posture(arrangement, posture, by=None, reason=f"benchmark: {posture}")
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            result = apply_posture(arrangement.pk, now=timezone.now())
        runs.append(
            {
                "posture": posture,
                "seconds": time.perf_counter() - started,
                "queries": len(queries),
                "requests": result.requests,
                "clocks": result.clocks,
                "batches": result.batches,
                "events": Event.objects.filter(action="posture").count() - events,
            }
        )
    return {"runs": runs}


def summary_line(args, seeded, peak) -> str:
    return (
        f"{args.size:,} requests; gunicorn 2 workers, wrk 2 threads × {args.connections} "
        f"connections × {args.seconds} s per row; peak worker RSS {peak:.0f} MB"
        + (f"; seeding {seeded.per_second:,.0f} requests/s" if seeded else "")
    )


def report(args, seeded, rows, sweep, plans, peak, posture) -> tuple[str, str]:
    ceiling = rows[0]["rps"]
    table = (
        "| scenario | req/s | vs ceiling | target | p50 | p99 | p99/p50 | SQL queries "
        "| non-2xx |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    for row in rows:
        share = row["rps"] / ceiling
        ceiling_row = row["target"] >= 1
        met = "" if ceiling_row else (" ✓" if share >= row["target"] else " ✗")
        target = "" if ceiling_row else f"≥ {row['target']:.0%}"
        table += (
            f"| {row['label']} | {row['rps']:,.0f} | {share:.0%}{met} | {target} | "
            f"{row['p50']:.1f} ms | {row['p99']:.1f} ms | {row['p99'] / row['p50']:.1f}× | "
            f"{row['queries']} | {row['errors']} |\n"
        )
    if sweep is None:  # --only: the chosen rows alone
        return f"{summary_line(args, seeded, peak)}\n\n{table}", ""
    table += (
        f"\nEscalation sweep (fresh process): {sweep['due']:,} due clocks escalated in "
        f"{sweep['seconds']:.2f} s ({sweep['seconds'] / max(sweep['due'], 1) * 1000:.2f} ms each); "
        f"{sweep['escalations']:,} escalation rows, {sweep['events']:,} events, "
        f"{sweep['notifications']:,} outbox rows; RSS +{sweep['rss_growth_mb']:.0f} MB; "
        f"idle sweep {sweep['idle_ms']:.1f} ms.\n"
    )
    for run in posture["runs"]:
        table += (
            f"\nPosture change US–IN → {run['posture']}: {run['requests']:,} open requests of "
            f"the pair walked, {run['clocks']:,} clocks recounted, {run['events']:,} events, in "
            f"{run['seconds']:.2f} s ({run['seconds'] / max(run['requests'], 1) * 1000:.3f} ms "
            f"per request), {run['queries']:,} SQL queries in {run['batches']:,} batches.\n"
        )
    summary = summary_line(args, seeded, peak)
    plan_text = "\n".join(
        f"### {label}\n\nMain query on the requests table: {plan['scan']}, "
        f"planning {plan['planning_ms']} ms, execution {plan['execution_ms']} ms"
        f"{' — SEQUENTIAL SCAN' if plan['seq_scan'] else ''}.\n\n```\n{plan['plan']}\n```\n"
        for label, plan in plans.items()
    )
    return f"{summary}\n\n{table}", plan_text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--reuse", action="store_true", help="keep rows seeded by an earlier run")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="TEXT",
        help="measure only the rows whose label contains TEXT (and the ceiling); no sweep",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install -y wrk")

    from benchmarks import measure

    seeded = setup(args.size, args.reuse)
    plan = scenarios(args.size)
    if args.only:
        plan = [plan[0]] + [s for s in plan[1:] if any(text in s.label for text in args.only)]
    rows, plans = [], {}
    server = start_server()
    try:
        with tempfile.TemporaryDirectory() as scripts:
            for scenario in plan:
                warm, measured, counted = measure.split_once(scenario)
                measure.probe(BASE, warm)
                measure.wrk(BASE, warm, seconds=2, connections=args.connections, directory=scripts)
                result = measure.wrk(
                    BASE,
                    measured,
                    seconds=args.seconds,
                    connections=args.connections,
                    directory=scripts,
                )
                count, statements = measure.queries_for(counted)
                if scenario.explain:
                    plans[scenario.label] = measure.explain_requests_query(statements)
                rows.append(
                    result | {"label": scenario.label, "queries": count, "target": scenario.target}
                )
                print(
                    f"  {scenario.label}: {result['rps']:,.0f} req/s, {count} queries", flush=True
                )
        peak = measure.worker_peak_rss_mb(server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    if args.only:
        print(report(args, seeded, rows, None, plans, peak, None)[0])
        return
    sweep = sweep_scenario(max(args.size // 100, 1))
    posture = posture_scenario()
    head, plan_text = report(args, seeded, rows, sweep, plans, peak, posture)
    print(head)
    out = ROOT / "benchmarks" / "results" / f"load-{args.size}-{dt.date.today().isoformat()}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        f"# Load benchmark, {dt.datetime.now():%Y-%m-%d %H:%M}\n\n{head}\n"
        f"## Query plans (EXPLAIN ANALYZE)\n\n{plan_text}"
    )
    print(f"written to {out.relative_to(ROOT)} (with the query plans)")


if __name__ == "__main__":
    main()
