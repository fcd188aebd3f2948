# Production image: the same code runs as web (gunicorn), worker and beat (celery).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    VAR_DIR=/srv/var \
    DEBUG=0

WORKDIR /srv/app
RUN useradd --system --home /srv --shell /usr/sbin/nologin sosa \
    && mkdir -p /srv/var/media && chown -R sosa /srv/var

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
# collectstatic needs a key at build time only; the real one comes from the environment. The
# translation catalogue (.po → .mo) is compiled here too: the .mo is never committed.
RUN SECRET_KEY=build-only-collectstatic python manage.py compile_catalogue \
    && SECRET_KEY=build-only-collectstatic python manage.py collectstatic --noinput

USER sosa
EXPOSE 8000
ENV PROMETHEUS_MULTIPROC_DIR=/tmp/sosa-metrics
CMD ["gunicorn", "sosa_portal.wsgi:application", "--config", "python:sosa_portal.gunicorn", "--bind", "0.0.0.0:8000", "--workers", "3"]
