#!/bin/bash
# The primary's side of streaming replication. The official postgres image runs this once, when it creates the
# primary's data directory (docker-compose.yml mounts it in /docker-entrypoint-initdb.d); on a primary created before
# it, run it by hand (README, "Queues and scaling out"): it only adds what is missing.
#   - the role the replica streams as (REPLICATION, nothing else), with POSTGRES_REPLICATION_PASSWORD;
#   - a physical replication slot, so the primary keeps the WAL the replica has not received yet (bounded by
#     max_slot_wal_keep_size on the primary's command line);
#   - the pg_hba.conf line that lets that role in for replication, by password (SCRAM), from the compose network.
set -eo pipefail
: "${POSTGRES_REPLICATION_PASSWORD:?set POSTGRES_REPLICATION_PASSWORD}"
: "${PGDATA:?}"
slot="${POSTGRES_REPLICATION_SLOT:-replica}"

psql -v ON_ERROR_STOP=1 -qtA --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-postgres}" \
     -v password="$POSTGRES_REPLICATION_PASSWORD" -v slot="$slot" <<'SQL'
SELECT format('CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD %L', :'password')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'replicator') \gexec
SELECT pg_create_physical_replication_slot(:'slot')
 WHERE NOT EXISTS (SELECT FROM pg_replication_slots WHERE slot_name = :'slot');
SQL

line="host replication replicator all scram-sha-256"
grep -qxF "$line" "$PGDATA/pg_hba.conf" || echo "$line" >> "$PGDATA/pg_hba.conf"
psql -v ON_ERROR_STOP=1 -qtA --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-postgres}" \
     -qtAc "SELECT pg_reload_conf()" > /dev/null
