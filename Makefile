# Kembar: `make run` serves a local instance, `make test` runs the whole gate.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
# Every install is the locked set of versions (with hashes); `make lock` renews the lock.
LOCK   := requirements.lock
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml $(LOCK) | sha256sum | cut -c1-12)
PIP    := $(BIN)/python -m pip --disable-pip-version-check
# This instance's secret key, made once; the settings read it unless DJANGO_SECRET_KEY is set.
SECRET := $(or $(KEMBAR_VAR_DIR),var)/secret_key

.PHONY: run dev test lint typecheck migrations-check pytest bench install clean-db demo lock

$(STAMP): pyproject.toml $(LOCK)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --require-hashes --no-deps -r $(LOCK)
	$(PIP) install --quiet --no-deps -e .
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

# The installed tools and this checkout's secret key, so that a bare `manage.py` command
# (makemigrations --check, shell) works after `make install` alone.
install: $(STAMP) | $(SECRET)

## Renew requirements.lock from pyproject.toml (newest versions its ranges allow).
lock:
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
	  --generate-hashes --quiet --output-file $(LOCK) --custom-compile-command "make lock"

$(SECRET):
	@mkdir -p $(dir $(SECRET))
	@umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $(SECRET).new
	@mv $(SECRET).new $(SECRET)

## Serve on http://127.0.0.1:$(PORT) with gunicorn and the task-queue worker
## (DATABASE_URL honoured; SQLite under var/ by default; Ctrl-C stops both).
run: $(STAMP) | $(SECRET)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_reference
	$(BIN)/python manage.py load_national_record
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	PORT=$(PORT) $(BIN)/python manage.py serve

## As `make run`, with Django's auto-reloading development server (DEBUG on).
dev: $(STAMP) | $(SECRET)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_reference
	$(BIN)/python manage.py load_national_record
	PORT=$(PORT) DJANGO_DEBUG=true $(BIN)/python manage.py serve --dev

## The whole gate: lint, types, migrations, tests (browser tests when chromium is present).
test: lint typecheck migrations-check pytest

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP) | $(SECRET)
	$(BIN)/mypy

migrations-check: $(STAMP) | $(SECRET)
	$(BIN)/python manage.py makemigrations --check --dry-run

pytest: $(STAMP)
	$(BIN)/python -m pytest

## Fill labelled demonstration activities (remove with: manage.py generate_demo --remove).
demo: $(STAMP) | $(SECRET)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_reference
	$(BIN)/python manage.py load_national_record
	$(BIN)/python manage.py generate_demo --seed 1

bench: $(STAMP) | $(SECRET)
	$(BIN)/python -m bench

clean-db:
	rm -f var/kembar.sqlite3 var/kembar.sqlite3-wal var/kembar.sqlite3-shm
