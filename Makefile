# Kembar: `make run` serves a local instance, `make test` runs the whole gate.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
STAMP  := $(VENV)/.installed-$(shell sha256sum pyproject.toml | cut -c1-12)

.PHONY: run test lint typecheck migrations-check pytest bench install clean-db demo

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

## Serve on http://127.0.0.1:$(PORT) (DATABASE_URL honoured; SQLite under var/ by default).
run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_reference
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py runserver --noreload 127.0.0.1:$(PORT)

## The whole gate: lint, types, migrations, tests (browser tests when chromium is present).
test: lint typecheck migrations-check pytest

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

migrations-check: $(STAMP)
	$(BIN)/python manage.py makemigrations --check --dry-run

pytest: $(STAMP)
	$(BIN)/python -m pytest

## Fill labelled demonstration activities (remove with: manage.py generate_demo --remove).
demo: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_reference
	$(BIN)/python manage.py generate_demo --seed 1

bench: $(STAMP)
	$(BIN)/python -m bench

clean-db:
	rm -f var/kembar.sqlite3 var/kembar.sqlite3-wal var/kembar.sqlite3-shm
