# Every command the README gives. `make run` and `make test` do all set-up on a fresh machine.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PORT ?= 8000
export PORT

.PHONY: run test lint format install install-dev assets migrate seed worker beat web compose-check clean test-browser test-reliability bench-email bench-rhythm bench-dashboard bench-national bench-api bench-pairing bench-passwords load-test load-capacity

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(PY)
	$(PIP) install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.runtime

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

install: $(VENV)/.runtime node_modules/.installed
install-dev: $(VENV)/.dev node_modules/.installed
assets: node_modules/.installed

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

## Start web, Celery worker and beat on the embedded default (SQLite, file broker, file mail).
run: seed
	@echo
	@echo "  The application is starting on http://127.0.0.1:$(PORT)/"
	@echo "  Sign in as coordinator@example.com / demo-password-123 (see README for other logins)."
	@echo "  Emails are written to var/mail/. Stop with Ctrl+C."
	@echo
	$(VENV)/bin/honcho start -f Procfile

## Lint, then the whole test suite (SQLite by default, PostgreSQL when DATABASE_URL is set).
test: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

compose-check:
	docker-compose config -q

## The browser journeys alone (Playwright + Debian's Chromium at /usr/bin/chromium, axe-core).
test-browser: install-dev
	$(PY) -m pytest browser_tests -p no:cacheprovider

## The outbox against a real SMTP server, a private Redis and real Celery workers, then the same
## faults on the GOV.UK Notify path against the local Notify stand-in (docs/email.md).
## Benchmarks and rigs live in bench/ (outside the product packages) and run as `python -m bench.<name>`.
test-reliability: install-dev
	$(PY) -m bench.reliability
	$(PY) -m bench.notify_reliability

## Enqueue 10,000 emails and deliver them through a worker to a local SMTP server.
bench-email: install-dev
	$(PY) -m bench.email

## The pairing engine on synthetic cohorts up to 10,000 x 5,000, with the dense
## linear_sum_assignment measured beside it (docs/pairing-engine.md, docs/performance.md).
## PAIRING_ARGS=--national adds 50,000 x 25,000 (a few minutes).
bench-pairing: install-dev
	$(PY) -m bench.pairing $(PAIRING_ARGS)

## CPU and wall milliseconds per password check: the project's Argon2id against Django's
## Argon2 defaults and PBKDF2, in the same run (docs/performance.md, "Password hashing").
bench-passwords: install-dev
	$(PY) -m bench.password_hashing

## One run of every rhythm rule over 1,000, 5,000 and 20,000 active pairs (docs/rhythm.md) on
## PostgreSQL (DATABASE_URL's server, else 127.0.0.1:5432), in a throwaway database
## (test_<name>_rhythm) created and dropped by the bench. RHYTHM_BENCH_ARGS="--pairs 1000 5000".
bench-rhythm: install-dev
	export VAR_DIR="$$(mktemp -d)" DATABASE_URL="$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/rhythm_bench}"; \
	$(PY) -m bench.rhythm $(RHYTHM_BENCH_ARGS)

## Time the insights dashboards on 5 cohorts, 2,000 pairs and 20,000 check-ins, in a throwaway
## database (a temporary SQLite file, or test_<name> next to DATABASE_URL's PostgreSQL database).
bench-dashboard: install-dev
	VAR_DIR="$$(mktemp -d)" DJANGO_DEBUG=false $(PY) -m bench.dashboard

## Issue 19, target 4: a national programme (50,000 people, 20,000 active pairs, 300,000
## check-ins, 100,000 survey answers) bulk-loaded into a throwaway PostgreSQL database
## (test_mentorship_national unless DATABASE_URL names another), beside bench-dashboard's small
## programme; times the dashboards, cohort page, pairs list, one rhythm run and the CSV exports
## (docs/performance.md, "Big data"). NATIONAL_ARGS="--no-rhythm" skips the rhythm run.
bench-national: install-dev
	VAR_DIR="$$(mktemp -d)" DJANGO_DEBUG=false \
	DATABASE_URL="$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/mentorship_national}" \
	$(PY) -m bench.national $(NATIONAL_ARGS)

## p50/p95 of the API's list endpoints (JSON and CSV) over the bench-dashboard data, in a
## throwaway database (docs/api.md).
bench-api: install-dev
	VAR_DIR="$$(mktemp -d)" DJANGO_DEBUG=false $(PY) -m bench.api

## Locust (50 users, 60 s) against gunicorn + PostgreSQL + Redis in a throwaway database
## (mentorship_load); see docs/security.md, "7. Load test". Extra options: LOAD_TEST_ARGS="--duration 120".
$(VENV)/.load: requirements.txt requirements-load.txt | $(PY)
	$(PIP) install --quiet -r requirements-load.txt
	@touch $@

load-test: install $(VENV)/.load
	$(PY) -m bench.load.run $(LOAD_TEST_ARGS)

## How many people at once: the same stack, the mix ramped up 25 users at a time until
## participant p95 reaches 300 ms or a request fails (about 10 minutes); docs/security.md, 7.
load-capacity: install $(VENV)/.load
	$(PY) -m bench.load.run --find-capacity $(LOAD_TEST_ARGS)

clean:
	rm -rf var staticfiles .pytest_cache
