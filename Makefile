# The two commands a newcomer needs: `make run` (the demo shop) and `make test` (the whole suite).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export DEBUG ?= true

.PHONY: run test install install-test lint demo bench clean

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

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache
