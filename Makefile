# Otklik: the only commands anyone needs.
#   make demo  — set up and run the whole system with demo data (SQLite in var/)
#   make test  — the whole test suite (DATABASE_URL selects PostgreSQL)
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
OTKLIK := $(VENV)/bin/otklik
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast lint fmt check venv migrate clean-db

venv: $(STAMP)

$(STAMP): pyproject.toml
	@if [ ! -x $(PY) ]; then \
	  PY312=$$(scripts/find-python) || exit 1; \
	  echo "Создаю $(VENV) на $$PY312"; \
	  $$PY312 -m venv $(VENV); \
	fi
	$(PY) -m pip install --quiet --upgrade pip 2>&1 | grep -v "pypi-more" || true
	$(PY) -m pip install --quiet -e '.[dev]' 2>&1 | grep -v -e "pypi-more" -e "^$$" || true
	@$(PY) -c "import django, otklik" || { echo "Установка зависимостей не удалась" >&2; exit 1; }
	@touch $(STAMP)

migrate: venv
	$(OTKLIK) migrate --noinput
	$(OTKLIK) createcachetable

demo: migrate
	$(OTKLIK) seed_demo --if-empty
	$(OTKLIK) run

test: venv
	$(PY) -m pytest $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: venv
	$(OTKLIK) makemigrations --check --dry-run
	OTKLIK_SECRET_KEY=ci-$$RANDOM-$$RANDOM-$$RANDOM-$$RANDOM-$$RANDOM-$$RANDOM-$$RANDOM-$$RANDOM-long-enough-key \
	  OTKLIK_HTTPS=1 OTKLIK_ALLOWED_HOSTS=otklik.example OTKLIK_EMAIL_HOST=smtp.otklik.example $(OTKLIK) check --deploy --fail-level WARNING

clean-db:
	rm -f var/otklik.sqlite3 var/otklik.sqlite3-wal var/otklik.sqlite3-shm
