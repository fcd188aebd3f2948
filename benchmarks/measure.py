"""What `load.py` measures with: wrk runs, worker memory, queries per request, query plans."""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass, field, replace
from pathlib import Path

from sosa_portal.lib.sql import main_read

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Scenario:
    label: str
    path: str
    headers: dict[str, str]
    method: str = "GET"
    body: str = ""
    # Paths to cycle through (one per request) instead of `path`: each action needs its own row.
    paths: list[str] = field(default_factory=list)
    # A body per path (same order) where each needs its own (an item id); else `body`.
    bodies: list[str] = field(default_factory=list)
    expect: int = 200
    target: float = 0.30  # share of the ceiling's requests/s the issue asks for
    explain: bool = False
    # Each path can be acted on once (an action that moves the request on): the warm-up, the
    # measured run and the query count each get paths of their own (`split_once`).
    consumes: bool = False


def split_once(scenario: Scenario) -> tuple[Scenario, Scenario, Scenario]:
    """The warm-up, measured and query-count scenarios: the same one unless it consumes its
    paths, when a quarter of them go to the warm-up, the last to the query count."""
    if not scenario.consumes:
        return scenario, scenario, scenario
    quarter = len(scenario.paths) // 4
    parts = (slice(None, quarter), slice(quarter, -2), slice(-2, None))
    return tuple(  # type: ignore[return-value]
        replace(scenario, paths=scenario.paths[part], bodies=scenario.bodies[part])
        for part in parts
    )


def lua_script(scenario: Scenario, directory: str) -> str:
    """A wrk script sending the scenario's method, body and headers (and cycling its paths)."""
    lines = [f"wrk.method = {json.dumps(scenario.method)}"]
    if scenario.body:
        lines.append(f"wrk.body = {json.dumps(scenario.body)}")
    for name, value in scenario.headers.items():
        lines.append(f"wrk.headers[{json.dumps(name)}] = {json.dumps(value)}")
    if scenario.paths:
        listed = ",\n".join(json.dumps(path) for path in scenario.paths)
        lines += [
            f"local paths = {{\n{listed}\n}}",
            "local counter = 0",
            "local threads = 0",
            "function setup(thread) thread:set('offset', threads); threads = threads + 1 end",
            "function init(args) counter = offset * 1000003 end",
            "function request()",
            "  counter = counter + 1",
            "  local i = (counter % #paths) + 1",
            "  return wrk.format(nil, paths[i], nil, bodies and bodies[i] or wrk.body)",
            "end",
        ]
        if scenario.bodies:
            listed = ",\n".join(json.dumps(body) for body in scenario.bodies)
            lines.insert(len(lines) - 6, f"local bodies = {{\n{listed}\n}}")
        else:
            lines.insert(len(lines) - 6, "local bodies = nil")
    handle, path = tempfile.mkstemp(suffix=".lua", dir=directory)
    with os.fdopen(handle, "w") as script:
        script.write("\n".join(lines) + "\n")
    return path


def wrk(base: str, scenario: Scenario, *, seconds: int, connections: int, directory: str) -> dict:
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-s",
        lua_script(scenario, directory),
        base + scenario.path,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
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


def probe(base: str, scenario: Scenario) -> None:
    """One request by hand: wrk counts a redirect to the sign-in page as a success."""
    path = scenario.paths[0] if scenario.paths else scenario.path
    body = scenario.bodies[0] if scenario.bodies else scenario.body
    request = urllib.request.Request(
        base + path,
        data=body.encode() if body else None,
        headers=scenario.headers,
        method=scenario.method,
    )

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        status = urllib.request.build_opener(NoRedirect).open(request, timeout=30).status
        body = b""
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()[:300]
    if status != scenario.expect:
        raise SystemExit(
            f"{scenario.label}: {path} answered {status}, not {scenario.expect} {body}"
        )


def queries_for(scenario: Scenario, *, path: str | None = None) -> tuple[int, list[str]]:
    """SQL statements of one request made as a fresh client would make it (token or cookie)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    extra = {}
    for name, value in scenario.headers.items():
        if name.lower() == "cookie":
            continue
        extra["HTTP_" + name.upper().replace("-", "_")] = value
    client = Client(**extra)
    cookie = scenario.headers.get("Cookie")
    if cookie:
        name, _, value = cookie.partition("=")
        client.cookies[name] = value
    target = path or (scenario.paths[-1] if scenario.paths else scenario.path)
    # The second of two requests: the steady state (a first call may record a token's use or
    # renew a session, once a minute); on another path when the action consumes its path.
    first = scenario.paths[0] if scenario.consumes and not path else target

    def body_for(where: str) -> str:
        if scenario.bodies and where in scenario.paths:
            return scenario.bodies[scenario.paths.index(where)]
        return scenario.body

    client.generic(scenario.method, first, body_for(first), content_type="application/json")
    with CaptureQueriesContext(connection) as captured:
        response = client.generic(
            scenario.method, target, body_for(target), content_type="application/json"
        )
    if response.status_code != scenario.expect:
        raise SystemExit(f"{scenario.label}: in-process {target} answered {response.status_code}")
    return len(captured.captured_queries), [query["sql"] for query in captured.captured_queries]


def page_query(statements: list[str]) -> str | None:
    """Of a request's SQL, the statement that reads the page from the requests table (the same
    rule as the query-plan test, `sosa_portal.lib.sql.main_read`)."""
    return main_read(statements, "requests_app_priorityrequest")


def explain_requests_query(statements: list[str]) -> dict:
    """EXPLAIN ANALYZE of the statement reading the requests table for the page."""
    from django.db import connection

    sql = page_query(statements)
    if sql is None:
        return {}
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    scans = re.findall(
        r"((?:Parallel )?(?:Seq Scan|Index Scan|Index Only Scan|Bitmap Heap Scan)"
        r"(?: Backward)?(?: using \w+)? on requests_app_priorityrequest)",
        plan,
    )
    execution = re.search(r"Execution Time: ([\d.]+) ms", plan)
    planning = re.search(r"Planning Time: ([\d.]+) ms", plan)
    return {
        "sql": sql,
        "plan": plan,
        "scan": scans[0] if scans else "(no scan of the requests table)",
        "seq_scan": any("Seq Scan" in scan for scan in scans),
        "execution_ms": float(execution.group(1)) if execution else None,
        "planning_ms": float(planning.group(1)) if planning else None,
    }


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
