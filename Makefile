# The two commands a newcomer needs: `make run` (the demo shop) and `make test` (the whole suite).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export DEBUG ?= true

.PHONY: run test install install-test lint demo bench clean backup restore

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

install: $(PY)
	$(PY) -m pip install --quiet -c constraints.txt -e .

install-test: $(PY)
	$(PY) -m pip install --quiet -c constraints.txt -e ".[test]"

## run: install, migrate, load the demo shop and serve it at http://127.0.0.1:$(PORT)
run: install
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py load_demo
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

## test: install and run the whole suite (SQLite by default; DATABASE_URL/REDIS_URL switch to real services)
test: install-test
	$(PY) -m ruff check .
	$(PY) -m pytest -n $${PYTEST_WORKERS:-2} $(PYTEST_ARGS)

lint: install-test
	$(PY) -m ruff check .

demo: install
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py load_demo

## backup: dump the database to var/backups/ (pg_dump custom format; SQLite's backup API for the embedded default)
backup: install
	$(PY) manage.py backup_db $(BACKUP)

## restore: BACKUP=var/backups/<file> make restore - replaces the database's contents (stop web and workers first)
restore: install
	@test -n "$(BACKUP)" || { echo "BACKUP=<file> make restore"; exit 2; }
	$(PY) manage.py restore_db $(BACKUP)

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache
