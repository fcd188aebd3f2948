import pytest

from sosa_portal import health


@pytest.mark.django_db
def test_healthz_reports_database_and_broker_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is True


@pytest.mark.django_db
def test_healthz_is_503_and_names_the_broker_when_it_is_down(client, monkeypatch):
    monkeypatch.setattr(health, "check_broker", lambda: (False, "ConnectionError: refused"))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == {"ok": False, "detail": "ConnectionError: refused"}


@pytest.mark.django_db
def test_healthz_is_503_when_redis_does_not_answer(client, settings):
    from sosa_portal.celery import app

    old = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = old
    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False


@pytest.mark.django_db
def test_healthz_uses_redis_when_redis_url_is_set(client, redis_url):
    from sosa_portal.celery import app

    assert app.conf.broker_url.startswith("redis://")
    assert client.get("/healthz").status_code == 200
