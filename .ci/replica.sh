#!/usr/bin/env bash
# A PostgreSQL streaming replica of this machine's cluster, on loopback: for the read-replica tests
# (tests/project/test_replicas.py, which read REPLICA_TEST_URL) and for trying DATABASE_REPLICA_URLS by hand.
#
#   bash .ci/replica.sh start   copy the cluster at 127.0.0.1:5432 with pg_basebackup into REPLICA_DIR and start it
#                               as a hot standby streaming from it on 127.0.0.1:5433; waits until it streams
#   bash .ci/replica.sh stop    stop it and delete REPLICA_DIR (what `start` left; nothing else)
#
# REPLICA_SLOT (none by default): a physical replication slot of that name on the primary keeps every WAL segment the
# replica has not received yet, from the copy's start: without one, a primary busy with other writes may recycle a
# segment between the copy and the replica's start, and the replica never streams ("requested WAL segment ... has
# already been removed"). `stop` drops the slot (a slot left behind would keep WAL on the primary for ever).
# REPLICA_PORT (5433), REPLICA_DIR (/tmp/oss-replica-$REPLICA_PORT) and PRIMARY_PORT (5432) change where. The
# replica replicates the whole cluster, so every database of the primary (the test databases too) is readable on it.
# Run as root (as CI does): the cluster's commands run as the postgres user. The primary must accept a replication
# connection from 127.0.0.1; if its pg_hba.conf has no line for that, `start` adds one (trust, loopback only, as the
# cluster's other lines) and reloads the primary's configuration, and says so.
set -euo pipefail

PRIMARY_HOST=127.0.0.1
PRIMARY_PORT=${PRIMARY_PORT:-5432}
REPLICA_PORT=${REPLICA_PORT:-5433}
REPLICA_DIR=${REPLICA_DIR:-/tmp/oss-replica-$REPLICA_PORT}
REPLICA_LOG="$REPLICA_DIR.log"
REPLICA_SLOT=${REPLICA_SLOT:-}
MARKER=oss-replica  # a file in REPLICA_DIR: `stop` deletes only a directory that `start` made

say() { echo "replica.sh: $*" >&2; }

# The cluster's files belong to postgres; root runs its commands as postgres, anyone else as themselves.
as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

primary_sql() {
    psql -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres -d postgres -XAtq -c "$1"
}

replica_sql() {
    psql -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -d postgres -XAtq -c "$1"
}

# The server programs of the primary's major version (pg_basebackup and the server must match it).
bin_dir() {
    local major
    major=$(primary_sql "SELECT current_setting('server_version_num')::int / 10000")
    if [ -x "/usr/lib/postgresql/$major/bin/pg_ctl" ]; then
        echo "/usr/lib/postgresql/$major/bin"
    else
        pg_config --bindir
    fi
}

replication_allowed() {
    psql "host=$PRIMARY_HOST port=$PRIMARY_PORT user=postgres replication=true" -XAtq -c "IDENTIFY_SYSTEM" \
        >/dev/null 2>&1
}

allow_replication() {
    replication_allowed && return
    local hba
    hba=$(primary_sql "SHOW hba_file")
    if [ ! -w "$hba" ]; then
        say "the primary refuses replication connections from $PRIMARY_HOST and $hba is not writable here:"
        say "add 'host replication all 127.0.0.1/32 trust' to it and reload PostgreSQL (or run this as root)"
        exit 1
    fi
    say "the primary refused replication connections from $PRIMARY_HOST: adding to $hba"
    say "    host replication all 127.0.0.1/32 trust"
    printf '\n# Streaming replicas on this machine (added by .ci/replica.sh)\nhost replication all 127.0.0.1/32 trust\n' \
        >>"$hba"
    primary_sql "SELECT pg_reload_conf()" >/dev/null
    for _ in $(seq 10); do replication_allowed && return; sleep 0.5; done
    say "the primary still refuses replication connections from $PRIMARY_HOST after the reload; see $hba"
    exit 1
}

stop() {
    if [ -e "$REPLICA_DIR" ] && [ ! -e "$REPLICA_DIR/$MARKER" ]; then
        say "$REPLICA_DIR was not made by this script: left as it is"
        exit 1
    fi
    if [ -f "$REPLICA_DIR/postmaster.pid" ]; then
        as_owner "$(bin_dir)/pg_ctl" -D "$REPLICA_DIR" -m fast -w stop >/dev/null || true
    fi
    rm -rf "$REPLICA_DIR" "$REPLICA_LOG"
    if [ -n "$REPLICA_SLOT" ]; then
        # the primary's walsender lets go of the slot a moment after the replica stops
        for _ in $(seq 20); do
            [ "$(primary_sql "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '$REPLICA_SLOT'")" = 0 ] && break
            primary_sql "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
                         WHERE slot_name = '$REPLICA_SLOT' AND NOT active" >/dev/null || true
            sleep 0.5
        done
    fi
}

start() {
    pg_isready -q -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" || { say "no PostgreSQL at $PRIMARY_HOST:$PRIMARY_PORT"; exit 1; }
    if pg_isready -q -h 127.0.0.1 -p "$REPLICA_PORT" && [ ! -e "$REPLICA_DIR/$MARKER" ]; then
        say "port $REPLICA_PORT is taken by a server this script did not start"
        exit 1
    fi
    stop  # a replica an earlier run left behind
    allow_replication
    local bin
    bin=$(bin_dir)

    # -R: standby.signal and primary_conninfo; -X stream: the WAL written while copying comes along.
    local slot=()
    if [ -n "$REPLICA_SLOT" ]; then slot=(-C -S "$REPLICA_SLOT"); fi  # -R then names it in primary_slot_name
    as_owner "$bin/pg_basebackup" -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres -D "$REPLICA_DIR" \
        -R -X stream --checkpoint=fast "${slot[@]}"
    as_owner touch "$REPLICA_DIR/$MARKER"

    # Debian keeps a cluster's configuration outside its data directory, so the copy has none: the replica gets its
    # own. A hot standby needs these limits at least as high as its primary's.
    local limits
    limits=$(primary_sql "SELECT string_agg(name || ' = ' || setting, E'\n') FROM pg_settings WHERE name IN
        ('max_connections', 'max_worker_processes', 'max_wal_senders', 'max_prepared_transactions',
         'max_locks_per_transaction')")
    as_owner tee "$REPLICA_DIR/postgresql.conf" >/dev/null <<EOF
port = $REPLICA_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$REPLICA_DIR'
hot_standby = on
hot_standby_feedback = on
$limits
EOF
    printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' | as_owner tee "$REPLICA_DIR/pg_hba.conf" >/dev/null
    as_owner touch "$REPLICA_DIR/pg_ident.conf"

    if ! as_owner "$bin/pg_ctl" -D "$REPLICA_DIR" -o "-p $REPLICA_PORT" -l "$REPLICA_LOG" -w -t 60 start >/dev/null; then
        say "the replica did not start:"
        cat "$REPLICA_LOG" >&2 || true
        exit 1
    fi
    for _ in $(seq 60); do
        if [ "$(replica_sql "SELECT count(*) FROM pg_stat_wal_receiver WHERE status = 'streaming'" 2>/dev/null)" = 1 ]
        then
            say "a hot standby of $PRIMARY_HOST:$PRIMARY_PORT streams on 127.0.0.1:$REPLICA_PORT ($REPLICA_DIR)"
            return
        fi
        sleep 1
    done
    say "the replica started but does not stream from the primary:"
    cat "$REPLICA_LOG" >&2 || true
    exit 1
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    *)
        echo "usage: bash .ci/replica.sh start|stop" >&2
        exit 2
        ;;
esac
