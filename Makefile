# Two commands: `make run` (demo portal on SQLite) and `make test` (the whole suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)
DEV_ENV := DEBUG=true
HOST ?= 127.0.0.1:8000
# pytest-xdist workers: one per core (each gets its own test database and live server).
PYTEST_WORKERS ?= auto

.PHONY: install run test lint format bench clean

# The stamp's name carries pyproject.toml's checksum, so a changed file reinstalls; no timestamp needed
# (a fresh clone's newer pyproject.toml must not reinstall into a shared virtualenv).
$(STAMP):
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

run: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py load_seed
	@echo "Demo logins (DEBUG only):"
	@$(DEV_ENV) $(BIN)/python manage.py create_demo_users
	@echo "Open http://$(HOST)/"
	@# The task worker (imports, large exports) runs beside the web server and stops with it.
	$(DEV_ENV) $(BIN)/python manage.py db_worker & WORKER=$$!; \
	trap 'kill $$WORKER 2>/dev/null' EXIT INT TERM; \
	$(DEV_ENV) $(BIN)/python manage.py runserver $(HOST)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: install lint
	$(BIN)/python scripts/check_standalone.py
	SECRET_KEY=check-only $(BIN)/python manage.py check --fail-level WARNING
	SECRET_KEY=check-only $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest -n $(PYTEST_WORKERS)

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/portal_bench} $(BIN)/python bench/bench.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache
