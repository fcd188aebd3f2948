"""Issue 15: schemathesis as an integrator runs it — its command line against a live server
(gunicorn on the demo's embedded SQLite, seeded with the demo data), with `--checks all` and
every phase including the stateful one, which chains operations through the `Location` headers
and the links it infers. Zero failures.

Where a check's default meets a documented rule of this API it is configured, not switched
off (tests/api/schemathesis.toml says which and why)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.processes import demo_database, web_server

CONFIG = Path(__file__).with_name("schemathesis.toml")


def test_schemathesis_finds_nothing_with_every_check_and_the_stateful_phase(tmp_path):
    database_url, key = demo_database(tmp_path, "requester.in")
    env = {**os.environ, "DATABASE_URL": database_url}
    env.pop("REDIS_URL", None)

    with web_server(database_url, tmp_path / "web.log") as base:
        run = subprocess.run(
            [
                str(Path(sys.executable).with_name("schemathesis")),
                "--config-file",
                str(CONFIG),
                "run",
                f"{base}/api/schema/?format=json",
                "--checks",
                "all",
                "--phases",
                "examples,coverage,fuzzing,stateful",
                "--max-examples",
                "5",
                "--seed",
                "20261205",
                "--generation-deterministic",
                "--header",
                f"Authorization: Token {key}",
                "--workers",
                "1",
            ],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )

    report = run.stdout[-30000:] + run.stderr[-2000:]
    assert run.returncode == 0, report
    assert "Stateful" in run.stdout or "stateful" in run.stdout, report
