# salesdw: every target installs what it needs first; `make install` is a no-op when
# pyproject.toml has not changed since the last install. `make help` lists the targets.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install db migrate seed import refresh train dashboard psql test chromium lint format clean demo

SCALE ?= small
PORT ?= 8501

help: ## List the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'

install: $(INSTALLED) ## Create .venv and install salesdw with its dev tools

$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || \
		{ echo "salesdw needs Python 3.11 or newer; found '$(PYTHON)'. Run: make PYTHON=/path/to/python3.11 ..." >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

db: install ## Start the embedded PostgreSQL (or check DATABASE_URL's server)
	$(BIN)/salesdw db start

migrate: install ## Create or update the warehouse schema (alembic upgrade head)
	$(BIN)/salesdw migrate

seed: migrate ## Fill the warehouse with generated history (SCALE=tiny|small|medium|large)
	$(BIN)/salesdw seed --scale $(SCALE)

import: install ## Import your own order lines: make import FILE=orders.csv [MAPPING=mapping.yml]
	@test -n "$(FILE)" || { echo "make import needs FILE=path/to/orders.csv (CSV, .xlsx or Parquet)" >&2; exit 2; }
	$(BIN)/salesdw migrate
	$(BIN)/salesdw import "$(FILE)" $(if $(MAPPING),--mapping "$(MAPPING)")

refresh: migrate ## Refresh the analytics views (make seed does it too)
	$(BIN)/salesdw refresh

train: migrate ## Train every model and write its results to the ml schema (after make seed)
	$(BIN)/salesdw train

dashboard: migrate ## Serve the dashboard on the data already there (PORT=8501)
	$(BIN)/salesdw dashboard --headless --port $(PORT)

psql: install ## Open psql on the warehouse
	$(BIN)/salesdw db psql

# On every core (pytest-xdist; at most 4 workers, each with its own embedded server): the
# suite spends half its time waiting on PostgreSQL, so two workers on two cores take ~0.55x.
test: install chromium ## Run the tests on real PostgreSQL servers, on every core
	$(BIN)/pytest -n auto --maxprocesses=4

# The browser test drives Debian's Chromium (Playwright's own download is not used). Installed
# here when missing and we are root; otherwise, or if apt fails, the test skips and says why.
chromium: ## Install Chromium for the browser test when missing (root only; never fails)
	@test -x /usr/bin/chromium || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing Debian's chromium for tests/dashboard/test_browser.py (a minute)"; \
			export DEBIAN_FRONTEND=noninteractive; \
			apt-get install -y -qq chromium >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 \
				&& apt-get install -y -qq chromium >/dev/null 2>&1; } \
			|| echo "apt-get could not install chromium: the browser test will skip"; \
		else \
			echo "No /usr/bin/chromium (apt-get install chromium as root): the browser test will skip"; \
		fi; }

lint: install ## Check style with ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install ## Fix style with ruff
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean: ## Stop the embedded server (its data stays in .salesdw/) and remove caches
	@if [ -x $(BIN)/salesdw ]; then $(BIN)/salesdw db stop; fi
	rm -rf .pytest_cache .ruff_cache

demo: seed ## Everything: install, database, schema, seed, refresh, train, then the dashboard
	$(BIN)/salesdw train
	$(BIN)/salesdw dashboard --port $(PORT)
