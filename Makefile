# The two commands: `make run` (the whole system with demo data) and `make test` (the suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
# axe-core (package.json) for the accessibility sweep; the stamp lives inside its folder, so a
# changed lock or a missing node_modules/axe-core both mean `npm ci` again.
NODE_STAMP := node_modules/axe-core/.installed-$(shell cat package-lock.json | cksum | cut -d' ' -f1)
PORT ?= 8000
# Where the demo keeps its database, broker folders, mail and secret (settings read VAR_DIR).
VAR_DIR ?= var
export VAR_DIR
# `make run` is the demo with DEBUG off, so that a wrong address or a crash shows the portal's
# own 404/403/500 pages: plain http on this machine (no HTTPS redirect, no secure-only cookies),
# a secret key made once in SECRET_KEY_FILE (mode 600) and reused, and SOSA_DEMO, which keeps
# the demo's optional second factor (SOSA_DEMO_SKIP_2FA). Never use it in production.
SECRET_KEY_FILE ?= $(VAR_DIR)/secret_key
DEMO_ENV = DEBUG=0 SOSA_DEMO=1 SECRET_KEY="$$(cat $(SECRET_KEY_FILE))" LOG_FORMAT=console \
	ALLOWED_HOSTS=127.0.0.1,localhost SECURE_SSL_REDIRECT=0 SESSION_COOKIE_SECURE=0 \
	CSRF_COOKIE_SECURE=0

.PHONY: run test install node-install dirs messages migrate demo lint format check-migrations clean-var bench-sweep bench screenshots backup restore

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	rm -f node_modules/axe-core/.installed-*
	touch $(NODE_STAMP)

node-install: $(NODE_STAMP)

dirs:
	mkdir -p $(addprefix $(VAR_DIR)/,broker/queue broker/processed broker/control media mail)

# The Hindi catalogue: each locale/*/LC_MESSAGES/*.po compiled into its .mo (built, never
# committed) whenever the .po is newer. Update a catalogue: see README, "Languages".
CATALOGUES := $(wildcard locale/*/LC_MESSAGES/*.po)
locale/%.mo: locale/%.po $(STAMP)
	$(BIN)/python manage.py compile_catalogue

messages: $(CATALOGUES:.po=.mo)

migrate: install dirs messages
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo

$(SECRET_KEY_FILE):
	mkdir -p $(dir $@)
	umask 077 && $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@.new
	mv $@.new $@

# With DEBUG off the pages link collectstatic's hashed names (the warning is for not having run it).
run: demo $(SECRET_KEY_FILE)
	$(DEMO_ENV) $(BIN)/python -W "ignore:No static manifest:RuntimeWarning" \
		manage.py collectstatic --noinput --verbosity 0
	@echo ""
	@echo "  SOSA Portal: http://127.0.0.1:$(PORT)/   (health: /healthz, admin: /admin/)"
	@echo "  Demo logins (password: $${DEMO_PASSWORD:-sosa-demo-pass}):"
	@echo "    admin, requester.in, liaison.in, reviewer.in, supplier.in, observer.in,"
	@echo "    requester.us, liaison.us, reviewer.us, supplier.us, requester.gb"
	@echo "  Web, two Celery workers (notices; webhooks) and beat run together; Ctrl-C stops all."
	@echo "  Demo mode: DEBUG off (the portal's own error pages), plain http, key in $(SECRET_KEY_FILE)."
	@echo ""
	$(DEMO_ENV) SOSA_PORT=$(PORT) SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)} \
		$(BIN)/honcho start -f Procfile.dev

# Refresh docs/screenshots/ from the browser story test.
screenshots: install dirs
	SOSA_SCREENSHOTS=1 $(BIN)/pytest tests/browser/test_story.py

check-migrations: install
	$(BIN)/python manage.py makemigrations --check --dry-run

# ruff (rules and format), the layers of DESIGN §6 (import-linter, .importlinter) and mypy with
# django-stubs and djangorestframework-stubs (mypy.ini).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: install node-install dirs messages check-migrations lint
	$(BIN)/pytest

# The database and MEDIA_ROOT to var/backups/ (pg_dump, or SQLite's backup API); restore one:
# make restore FILE=var/backups/sosa-<time>.dump (or .sqlite3). See bin/sosa_backup.py.
backup: install
	bin/backup

restore: install
	@test -n "$(FILE)" || { echo "usage: make restore FILE=var/backups/sosa-<time>.dump"; exit 2; }
	bin/restore "$(FILE)"

clean-var:
	rm -rf var

# Sweep cost: 10,000 due clocks among 10k, 100k and 1M open requests, each sweep in a fresh
# process. Its own database (BENCH_SWEEP_DATABASE_URL, default a local sosa_bench_sweep).
bench-sweep: install
	$(BIN)/python benchmarks/sweep.py --sizes 10000 100000 1000000 --due 10000
	$(BIN)/python benchmarks/sweep.py --sizes 10000 100000 1000000 --due 10000 --stage delivery

# Load at SIZE requests (default 100,000; PostgreSQL and wrk): API reads, create, an action,
# the liaison queue page and a sweep of SIZE/100 due clocks, against a ceiling endpoint.
# Its own database (BENCH_DATABASE_URL, default a local sosa_bench): never DATABASE_URL's.
# BENCH_ARGS: e.g. "--reuse --only queue" (keep the seeded rows; that row and the ceiling only).
SIZE ?= 100000
BENCH_ARGS ?=
bench: install dirs
	$(BIN)/python benchmarks/load.py --size $(SIZE) $(BENCH_ARGS)
