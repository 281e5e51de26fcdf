# The two commands a newcomer needs: `make run` (the demo shop) and `make test` (the whole suite).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export DEBUG ?= true

.PHONY: run test install install-test install-bench lint demo bench load clean backup restore

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
	SITE_URL=http://127.0.0.1:$(PORT) $(PY) manage.py load_demo
	SITE_URL=http://127.0.0.1:$(PORT) WEBHOOKS_ALLOW_HTTP=true WEBHOOKS_ALLOW_PRIVATE=true $(PY) manage.py runserver 127.0.0.1:$(PORT)

## test: install and run the whole suite (SQLite by default; DATABASE_URL/REDIS_URL switch to real services)
test: install-test
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -n $${PYTEST_WORKERS:-2} $(PYTEST_ARGS)

lint: install-test
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports

demo: install
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py load_demo

## backup: the database, the media and the digital goods' files into BACKUP_DIR (var/backups/) as one set named by
## its time (django-dbbackup); keeps the newest BACKUP_KEEP (14)
backup: install
	$(PY) manage.py backup_db

## restore: BACKUP=<time|file|latest> make restore - replaces the database's contents and writes the set's files back
## (stop web, worker and beat first); asks before it starts
restore: install
	@test -n "$(BACKUP)" || { echo "BACKUP=<time, file or latest> make restore"; exit 2; }
	$(PY) manage.py restore_db $(BACKUP)

install-bench: $(PY)
	$(PY) -m pip install --quiet -c constraints.txt -e ".[bench]"
	command -v wrk >/dev/null || (apt-get update && apt-get install -y wrk)

## bench: our shop vs stock Oscar vs a bare Django view, served alike on PostgreSQL (needs PostgreSQL at
## 127.0.0.1:5432 and Redis; tables in var/bench/, method and results in bench/README.md). BENCH_ARGS=--help
bench: install-bench
	$(PY) -m bench.run $(BENCH_ARGS)
	$(PY) -m bench.allocation --orders 10000
	$(PY) -m bench.capacity

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache

## load: the load run - 50 guest shoppers browse, fill baskets and check out for 10 minutes against gunicorn, a
## Celery worker, PostgreSQL (database load_run) and Redis (db 11) on loopback, then the stock, orders and ledger
## are checked; results in var/bench/load/, method in bench/README.md. LOAD_ARGS="--users 10 --minutes 1";
## LOAD_ARGS="--cluster": two web nodes behind nginx, a streaming replica, two workers, one node and one worker
## killed mid-run (database load_cluster, Redis db 12, ports 8211-8213; results in var/bench/load/cluster/)
load: install-bench
	$(PY) -m bench.load.run $(LOAD_ARGS)
