"""`make run PORT=…` works (issue 16 point 12), as a person trying the demo finds it: the banner
names the port, the portal answers there with its own pages (DEBUG off), a signed-out visitor
asks for a password reset, and the e-mail the worker writes to `var/mail/` links to that port.

The whole system starts as `make run` starts it (web, both Celery workers, beat), on the
embedded default (SQLite and the filesystem broker) in a folder of its own (VAR_DIR)."""

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.processes import ROOT, free_port, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=2)
        return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


@pytest.fixture
def demo(tmp_path):
    port = free_port()
    env = {**os.environ, "VAR_DIR": str(tmp_path / "var"), "SOSA_QUIET_SEED": "1"}
    for name in ("DATABASE_URL", "REDIS_URL", "SITE_URL", "PORT"):
        env.pop(name, None)  # the embedded default, as on a fresh machine
    log = tmp_path / "make-run.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            ["make", "run", f"PORT={port}"], cwd=ROOT, env=env, stdout=out,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        started = wait_for(lambda: answers(base + "/healthz") or process.poll() is not None, 180)
        assert started and process.poll() is None, log.read_text()[-4000:]
        yield base, tmp_path / "var", log
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_make_run_on_another_port_serves_there_and_its_mail_links_there(demo, page):
    base, var, log = demo
    banner = log.read_text()
    assert f"SOSA Portal: {base}/" in banner

    page.goto(f"{base}/no-such-page/")
    expect(page.locator("main")).to_contain_text("There is nothing here.")  # the portal's 404
    assert page.title().startswith("Not found")
    assert "URLconf" not in page.content()  # not Django's debug page

    page.goto(f"{base}/accounts/password_reset/")
    page.fill("#id_email", "requester.in@demo.example.org")
    page.get_by_role("button", name="Send the link").click()
    expect(page.locator("main")).to_contain_text("e-mail")

    mails: list[Path] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not mails:
        mails = sorted((var / "mail").glob("*.eml"))
        time.sleep(0.5)
    assert mails, log.read_text()[-4000:]
    body = mails[-1].read_text(errors="replace")
    assert f"{base}/" in body, body[:2000]
    assert "http://127.0.0.1:8000/" not in body
