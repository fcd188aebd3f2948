# Production image: the same code runs as web (gunicorn), worker and beat (celery).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    VAR_DIR=/srv/var \
    DEBUG=0

WORKDIR /srv/app
# The processes run as user sosa, uid and gid 10001, never root. A numeric USER (below) lets
# Kubernetes' runAsNonRoot verify it (docs/ops/deploy.md); the code stays owned by root, read-only
# to sosa, which writes only under /srv/var (media) and /tmp.
RUN groupadd --system --gid 10001 sosa \
    && useradd --system --uid 10001 --gid 10001 --home /srv --shell /usr/sbin/nologin sosa \
    && mkdir -p /srv/var/media && chown -R 10001:10001 /srv/var

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
# collectstatic needs a key at build time only; the real one comes from the environment. The
# translation catalogue (.po → .mo) is compiled here too: the .mo is never committed.
RUN SECRET_KEY=build-only-collectstatic python manage.py compile_catalogue \
    && SECRET_KEY=build-only-collectstatic python manage.py collectstatic --noinput

USER 10001:10001
EXPOSE 8000
ENV PROMETHEUS_MULTIPROC_DIR=/tmp/sosa-metrics
# No gunicorn control socket: it would go to $HOME (/srv), which is not writable.
CMD ["gunicorn", "sosa_portal.wsgi:application", "--config", "python:sosa_portal.gunicorn", "--bind", "0.0.0.0:8000", "--workers", "3", "--no-control-socket"]
