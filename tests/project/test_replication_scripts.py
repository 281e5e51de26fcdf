"""The compose stack's replication scripts, run for real against a PostgreSQL of the test's own: the primary's init
script (deploy/postgres/primary-init.sh) lets a replica in, and the replica's entrypoint
(deploy/postgres/replica-entrypoint.sh) clones the primary and starts a hot standby that follows it.

No Docker engine runs here: the official image's two commands the entrypoint calls are stood in for by shims
(`gosu` becomes runuser; `docker-entrypoint.sh` starts postgres on the test's port). Needs root (PostgreSQL runs as
the postgres user) and Debian's PostgreSQL server; skipped without them, except in CI (CI=true), where it fails."""

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parents[2]
SERVER_BIN = next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)), None)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_postgres(*command: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(["runuser", "-u", "postgres", "--", *command], check=True, capture_output=True, text=True,
                          timeout=60, **kwargs)  # fmt: skip


@pytest.fixture
def workdir():
    missing = []
    if os.geteuid() != 0:
        missing.append("root")
    if SERVER_BIN is None or not Path(SERVER_BIN, "initdb").exists():
        missing.append("Debian's PostgreSQL server (initdb)")
    if missing:
        message = "needs " + " and ".join(missing)
        if IN_CI:
            pytest.fail(f"CI=true but this test {message}")
        pytest.skip(message)
    path = Path(tempfile.mkdtemp(prefix="replication-"))  # not pytest's tmp_path: the postgres user must enter it
    shutil.chown(path, "postgres", "postgres")
    clusters, processes = [], []
    yield path, clusters, processes
    for process in processes:  # the replica's entrypoint (still cloning, or the standby it became)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
    for data in clusters:
        if (data / "postmaster.pid").exists():
            subprocess.run(["runuser", "-u", "postgres", "--", f"{SERVER_BIN}/pg_ctl", "-D", str(data), "-m",
                            "immediate", "-w", "stop"], capture_output=True, timeout=60)  # fmt: skip
    shutil.rmtree(path, ignore_errors=True)


def _query(sockets: Path, port: int, sql: str) -> str:
    """One statement as `oss`, over the cluster's local socket (trusted, as in the image)."""
    result = _as_postgres("psql", "-h", str(sockets), "-p", str(port), "-U", "oss", "-d", "oss", "-tAc", sql)
    return result.stdout.strip()


def _wait_for(condition, *, seconds: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if condition():
                return
        except subprocess.CalledProcessError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen in {seconds} s:\n{log.read_text()[-3000:]}")
        time.sleep(0.3)


def test_the_replica_clones_the_primary_then_follows_it(workdir):
    path, clusters, processes = workdir
    primary_port, replica_port = _free_port(), _free_port()
    env = {**os.environ, "POSTGRES_REPLICATION_PASSWORD": "a secret with spaces"}

    # given a primary as the official image makes it: the app's owner `oss`, local trust, passwords from the network
    primary = path / "primary"
    (path / "pw").write_text("oss-password\n")
    shutil.chown(path / "pw", "postgres")
    _as_postgres(f"{SERVER_BIN}/initdb", "-D", str(primary), "-U", "oss", f"--pwfile={path / 'pw'}", "-A", "trust")
    with (primary / "pg_hba.conf").open("w") as hba:  # no trust over the network: the replica must use its password
        hba.write("local all all trust\nhost all all all scram-sha-256\n")
    clusters.append(primary)
    _as_postgres(f"{SERVER_BIN}/pg_ctl", "-D", str(primary), "-l", str(path / "primary.log"), "-w", "start", "-o",
                 f"-p {primary_port} -k {path} -c listen_addresses=127.0.0.1")  # fmt: skip
    _as_postgres("psql", "-h", str(path), "-p", str(primary_port), "-U", "oss", "-d", "postgres", "-qc",
                 "CREATE DATABASE oss")  # fmt: skip

    # when its init script runs (twice: on an existing primary it adds only what is missing)
    init_env = {**env, "PGDATA": str(primary), "PGHOST": str(path), "PGPORT": str(primary_port),
                "POSTGRES_USER": "oss", "POSTGRES_DB": "oss"}  # fmt: skip
    for _ in range(2):
        _as_postgres("bash", str(ROOT / "deploy/postgres/primary-init.sh"), env=init_env)
    assert (primary / "pg_hba.conf").read_text().count("host replication replicator all scram-sha-256") == 1

    # and the replica's entrypoint starts on an empty volume, as the compose service does
    shims = path / "bin"
    shims.mkdir()
    (shims / "gosu").write_text('#!/bin/sh\nuser="$1"; shift; exec runuser -u "$user" -- "$@"\n')
    (shims / "docker-entrypoint.sh").write_text(
        f'#!/bin/sh\nexec runuser -u postgres -- {SERVER_BIN}/postgres -D "$PGDATA" -c port={replica_port} '
        f"-c unix_socket_directories={path} -c listen_addresses=127.0.0.1\n"
    )
    for shim in shims.iterdir():
        shim.chmod(0o755)
    volume = path / "replica-volume"
    volume.mkdir()
    shutil.chown(volume, "postgres", "postgres")
    replica_env = {**env, "PATH": f"{shims}:{SERVER_BIN}:{os.environ['PATH']}", "PGDATA": str(volume / "pgdata"),
                   "PRIMARY_HOST": "127.0.0.1", "PRIMARY_PORT": str(primary_port)}  # fmt: skip
    clusters.append(volume / "pgdata")
    log = path / "replica.log"
    processes.append(subprocess.Popen(
        ["bash", str(ROOT / "deploy/postgres/replica-entrypoint.sh"), "postgres"], env=replica_env,
        stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
    ))  # fmt: skip

    # then it is a hot standby streaming from the primary, through the slot, and answering read-only queries
    _wait_for(lambda: _query(path, replica_port, "SELECT status FROM pg_stat_wal_receiver") == "streaming",
              seconds=60, what="the replica streaming", log=log)  # fmt: skip
    assert _query(path, replica_port, "SELECT pg_is_in_recovery()") == "t"
    assert _query(path, primary_port, "SELECT active FROM pg_replication_slots WHERE slot_name = 'replica'") == "t"
    assert not (volume / "pgdata.partial").exists()

    # and a write on the primary is soon read on the replica, which refuses writes of its own
    _query(path, primary_port, "CREATE TABLE shop_order (number text); INSERT INTO shop_order VALUES ('100042')")
    _wait_for(lambda: _query(path, replica_port, "SELECT number FROM shop_order") == "100042", seconds=30,
              what="the write replayed on the replica", log=log)  # fmt: skip
    with pytest.raises(subprocess.CalledProcessError) as refused:
        _query(path, replica_port, "INSERT INTO shop_order VALUES ('1')")
    assert "read-only transaction" in refused.value.stderr
