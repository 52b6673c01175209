# 业绩补录平台 — the two commands: `make run` and `make test`.
# Without DATABASE_URL / REDIS_URL the project starts its own embedded PostgreSQL and Redis under var/.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
ARGS ?=

.PHONY: run test install lint bench messages clean-var

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,local]'
	touch $@

install: $(VENV)/.installed

run: install
	PORT=$(PORT) $(PY) -m devtools.services exec -- $(PY) -m devtools.run

test: install
	$(PY) -m devtools.services exec -- $(PY) -m pytest $(ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run

bench: install
	$(PY) -m devtools.services exec -- $(PY) -m bench $(ARGS)

messages: install
	$(PY) tools/i18n.py update

clean-var:
	rm -rf var
