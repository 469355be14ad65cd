# Otklik: the only commands anyone needs.
#   make demo  — set up and run the whole system with demo data (SQLite in var/)
#   make test  — the whole test suite (DATABASE_URL selects PostgreSQL)
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
OTKLIK := $(VENV)/bin/otklik
STAMP := $(VENV)/.installed

.PHONY: demo test lint fmt check venv migrate clean-db system-deps

venv: $(STAMP)

$(STAMP): pyproject.toml setup.py otklik/nlp/e5fast/e5fast.c
	@if [ ! -x $(PY) ]; then \
	  PY312=$$(scripts/find-python) || exit 1; \
	  echo "Создаю $(VENV) на $$PY312"; \
	  $$PY312 -m venv $(VENV); \
	fi
	$(PY) -m pip install --quiet --upgrade pip 2>&1 | grep -v "pypi-more" || true
	$(PY) -m pip install --quiet -e '.[dev]' 2>&1 | grep -v -e "pypi-more" -e "^$$" || true
	@$(PY) -c "import django, otklik" || { echo "Установка зависимостей не удалась" >&2; exit 1; }
	@$(PY) -c "from otklik.nlp import vectors; vectors.available(); \
	  print('Векторы предложений: движок', vectors.engine() or 'недоступен (только лексика)')"
	@touch $(STAMP)

migrate: venv
	$(OTKLIK) migrate --noinput

demo: migrate
	$(OTKLIK) seed_demo --if-empty
	$(OTKLIK) kb_index
	$(OTKLIK) run

test: venv system-deps
	$(PY) -m pytest $(PYTEST_ARGS)

# Debian packages the tests use: Chromium for the browser test, a Cyrillic font for PDF reports.
system-deps:
	@missing=""; command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing="$$missing fonts-dejavu-core"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then echo "Устанавливаю:$$missing"; apt-get update -qq >/dev/null && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "Для тестов нужны пакеты Debian:$$missing (sudo apt-get install$$missing)" >&2; exit 1; fi; fi

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
