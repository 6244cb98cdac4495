# The two commands a newcomer needs (see README.md):
#
#   make run    create .venv if needed, install, migrate, start the web server and a Celery
#               worker together (embedded SQLite/file broker unless DATABASE_URL/REDIS_URL
#               are set), print the URL; Ctrl-C stops both.
#   make test   create/update .venv with the test tools, lint with ruff, check the import
#               contracts (lint-imports, pyproject.toml), install Chromium for the browser
#               journeys if missing (scripts/browser_deps.sh) and run the whole test suite
#               against PostgreSQL and Redis on 127.0.0.1 (it stops with instructions if
#               they are down, or if selected tests need ../shared/data and it is missing).
#
# Variables: HOST, PORT (make run), PYTEST_ARGS (make test), PYTHON (interpreter for .venv).

SHELL := /bin/bash
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

# Test isolation: several people share one PostgreSQL and one Redis (see DEVELOPERS.md).
export TEST_DATABASE_NAME ?= test_ecgsite
export TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.DEFAULT_GOAL := help
.PHONY: help run test lint

help:
	@echo "make run   - start the site (web server + Celery worker) on http://$(HOST):$(PORT)/"
	@echo "make test  - run the tests against PostgreSQL and Redis on 127.0.0.1"
	@echo "make lint  - ruff, the import contracts and the migrations check"

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { \
		echo "$(PYTHON) was not found. Install Python 3.11 (see DEVELOPERS.md) or run" \
		     "'make PYTHON=/path/to/python3.11 ...'." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Stamp files: reinstall only when a requirements file changed.
$(VENV)/.installed-runtime: requirements.txt | $(PY)
	$(PY) -m pip install -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install -r requirements-dev.txt
	@touch $@ $(VENV)/.installed-runtime

run: $(VENV)/.installed-runtime
	@HOST=$(HOST) PORT=$(PORT) PYTHON=$(PY) scripts/run.sh

# scripts/browser_deps.sh installs what the browser journeys (marker `browser`) need from
# Debian (chromium, poppler-utils, fonts) when missing, or stops saying how.
test: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-logo
	scripts/browser_deps.sh
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-logo
	DJANGO_SETTINGS_MODULE=ecgsite.settings.test $(PY) manage.py makemigrations --check --dry-run
