# The two commands a newcomer needs: `make run` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help
UV ?= uv
PORT ?= 8000
DEV := DJANGO_ENV=development
MANAGE := $(UV) run --frozen python manage.py
# The demo's console emails link to the port actually served (`make run PORT=8001`).
DEMO := $(DEV) SITE_URL=http://127.0.0.1:$(PORT)

.PHONY: help install uv run test test-browser lint format check-migrations demo collectstatic bench bench-letters bench-pages bench-sweep bench-load bench-stats

help:
	@echo "make run    - install everything, set up the embedded demo (SQLite) and serve http://127.0.0.1:$(PORT)"
	@echo "make test   - install everything and run the whole test suite"
	@echo "make lint   - ruff check and format check"

uv:
	@command -v $(UV) >/dev/null 2>&1 || python3 -m pip install --quiet uv

# Python packages from uv.lock, front-end packages from package-lock.json, then the stylesheet.
install: uv
	$(UV) sync --frozen
	npm ci --no-audit --no-fund --loglevel=error
	npm run --silent build

run: install
	$(DEV) $(MANAGE) migrate --no-input
	$(DEMO) $(MANAGE) demo_data
	@echo ""
	@echo "ubpanel is at http://127.0.0.1:$(PORT)/  (stop with Ctrl-C)"
	@echo ""
	$(DEMO) $(MANAGE) runserver 127.0.0.1:$(PORT)

test: install
	$(UV) run --frozen pytest $(PYTEST_ARGS)

test-browser: install
	$(UV) run --frozen pytest -m browser $(PYTEST_ARGS)

lint: uv
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .

format: uv
	$(UV) run --frozen ruff format .
	$(UV) run --frozen ruff check --fix .

check-migrations: uv
	DJANGO_ENV=test DATABASE_URL=sqlite://:memory: $(MANAGE) makemigrations --check --dry-run

# The search benchmark (bench/README.md): needs DATABASE_URL pointing at a PostgreSQL server.
bench: uv
	$(UV) run --frozen python -m bench.search.run $(BENCH_ARGS)

# The letters benchmark (bench/README.md): DATABASE_URL (PostgreSQL) and CELERY_BROKER_URL (Redis).
bench-letters: uv
	$(UV) run --frozen python -m bench.letters.run $(BENCH_ARGS)

# The load benchmark (bench/README.md): DATABASE_URL (PostgreSQL); gunicorn, 2 workers, loopback.
bench-load: uv
	$(UV) run --frozen python -m bench.load.run $(BENCH_ARGS)

# The list-pages benchmark (bench/README.md): DATABASE_URL pointing at a PostgreSQL server.
bench-pages: uv
	$(UV) run --frozen python -m bench.pages.run $(BENCH_ARGS)

# The statistics-page benchmark (bench/README.md): DATABASE_URL pointing at a PostgreSQL server.
bench-stats: uv
	$(UV) run --frozen python -m bench.stats.run $(BENCH_ARGS)

# The review-sweep benchmark (bench/README.md): DATABASE_URL pointing at a PostgreSQL server.
bench-sweep: uv
	$(UV) run --frozen python -m bench.sweep.run $(BENCH_ARGS)
