#!/bin/bash
# The streaming replica's entrypoint (docker-compose.yml's postgres-replica, on the official postgres image).
# On its first start (no data directory yet) it clones the primary with pg_basebackup, streaming the WAL written
# meanwhile (-X stream), through the slot the primary's init script made (deploy/postgres/primary-init.sh); -R writes
# standby.signal and primary_conninfo, so PostgreSQL starts as a hot standby that follows the primary and answers
# read-only queries. The clone is made beside the data directory and moved in place only when complete, so a start
# interrupted half way clones again instead of starting from half a copy. Then the image's own entrypoint takes
# over (it finds a data directory and starts PostgreSQL as the postgres user).
set -Eeo pipefail
: "${PGDATA:?}" "${PRIMARY_HOST:?}" "${POSTGRES_REPLICATION_PASSWORD:?set POSTGRES_REPLICATION_PASSWORD}"
port="${PRIMARY_PORT:-5432}"
slot="${POSTGRES_REPLICATION_SLOT:-replica}"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    partial="$PGDATA.partial"
    until pg_isready -q -h "$PRIMARY_HOST" -p "$port"; do
        echo "replica: waiting for the primary at $PRIMARY_HOST:$port" >&2
        sleep 2
    done
    # The primary may answer before its init script has created the role and slot: try until the clone is made.
    until rm -rf "$partial" && install -d -o postgres -g postgres -m 700 "$partial" \
        && PGPASSWORD="$POSTGRES_REPLICATION_PASSWORD" gosu postgres pg_basebackup -h "$PRIMARY_HOST" -p "$port" \
            -U replicator -D "$partial" -R -X stream -S "$slot" --checkpoint=fast; do
        echo "replica: pg_basebackup from $PRIMARY_HOST:$port failed; trying again in 5 s" >&2
        sleep 5
    done
    rm -rf "$PGDATA"
    mv "$partial" "$PGDATA"
    echo "replica: cloned the primary into $PGDATA" >&2
fi

exec docker-entrypoint.sh "$@"
