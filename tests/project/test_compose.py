"""No Docker engine runs here, so the compose file is checked by reading it (and by `docker-compose config`, where
Compose is installed); nginx's configuration is read with nginx's own parser (crossplane). tests/project/
test_nginx.py runs that configuration in a real nginx."""

import configparser
import ipaddress
import os
import re
import shutil
import subprocess
from pathlib import Path

import crossplane
import pytest
import yaml
from django.conf import settings

from catalog.images import MAX_BYTES

ROOT = Path(__file__).resolve().parents[2]
NGINX_CONF = ROOT / "deploy" / "nginx.conf"


def _compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def nginx_server() -> list[dict]:
    """The directives of deploy/nginx.conf's server block (the file is included in the http block, hence no
    context check)."""
    parsed = crossplane.parse(str(NGINX_CONF), single=True, comments=False, check_ctx=False)
    assert parsed["status"] == "ok", parsed["errors"]
    [server] = [d for d in parsed["config"][0]["parsed"] if d["directive"] == "server"]
    return server["block"]


def _directives(block: list[dict], name: str) -> list[list[str]]:
    return [d["args"] for d in block if d["directive"] == name]


def _location(block: list[dict], *args: str) -> list[dict]:
    [location] = [d["block"] for d in block if d["directive"] == "location" and d["args"] == list(args)]
    return location


def _headers(block: list[dict]) -> dict:
    return {args[0]: args[1] for args in _directives(block, "add_header")}


def _mounts(service: dict) -> dict:
    """Where each volume (or file) of a service is mounted: {source: (target, read-only)}."""
    mounts = {}
    for volume in service.get("volumes", []):
        source, target, *mode = volume.split(":")
        mounts[source] = (target, mode == ["ro"])
    return mounts


APP_SERVICES = ("migrate", "web", "worker-money", "worker-fulfilment", "worker-mail", "beat")
WORKERS = {"worker-money": "money", "worker-fulfilment": "fulfilment", "worker-mail": "mail"}


def test_compose_names_every_service_the_settings_expect():
    services = _compose()["services"]
    assert set(services) == {*APP_SERVICES, "nginx", "postgres", "postgres-replica", "pgbouncer", "redis"}
    for name in APP_SERVICES:
        env = services[name]["environment"]
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        assert env["DEBUG"] == "false"
        assert "SECRET_KEY" in env and "ALLOWED_HOSTS" in env
    # migrations straight on the primary, once; everything else through pgbouncer, public reads from the replica
    migrate = services["migrate"]
    assert "@postgres:5432/oss" in migrate["environment"]["DATABASE_URL"]
    assert not migrate["environment"]["DATABASE_POOLER"] and not migrate["environment"]["DATABASE_REPLICA_URLS"]
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in APP_SERVICES[1:]:
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://") and "@pgbouncer:6432/oss" in env["DATABASE_URL"], name
        assert env["DATABASE_POOLER"] == "pgbouncer", name
        assert env["DATABASE_REPLICA_URLS"].split("@")[1] == "postgres-replica:5432/oss", name
        assert services[name]["depends_on"]["pgbouncer"]["condition"] == "service_healthy", name
        # the schema is migrated before any of them starts
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully", name


def test_the_digital_goods_and_backups_outlive_the_containers():
    services, volumes = _compose()["services"], _compose()["volumes"]
    assert {"media", "private", "backups"} <= set(volumes)
    for name in APP_SERVICES:
        env, mounts = services[name]["environment"], set(services[name]["volumes"])
        assert env["PRIVATE_MEDIA_ROOT"] == "/data/private" and "private:/data/private" in mounts, name
        assert env["BACKUP_DIR"] == "/data/backups" and "backups:/data/backups" in mounts, name
        assert "media:/data/media" in mounts, name
    nginx = set(services["nginx"]["volumes"])
    assert not any(mount.startswith(("private:", "backups:")) for mount in nginx)  # never served as files


def test_every_compose_service_has_a_health_check_but_the_one_shot_migration():
    for name, service in _compose()["services"].items():
        if name == "migrate":
            assert service["restart"] == "no" and "healthcheck" not in service  # it runs, then exits 0
        else:
            assert "healthcheck" in service, name
            assert service["restart"] == "unless-stopped", name


def test_web_runs_gunicorn_and_the_migration_runs_once_before_it():
    services = _compose()["services"]
    assert services["web"]["command"].startswith("gunicorn marketplace.wsgi:application")
    assert "migrate" not in services["web"]["command"]  # N web replicas would migrate N times at once
    command = services["migrate"]["command"]
    assert command.index("migrate --no-input") < command.index("collectstatic") < command.index("prepare_media")
    assert services["beat"]["command"].startswith("celery -A marketplace beat")


def _option(command: str, name: str) -> str:
    words = command.split()
    return words[words.index(name) + 1]


def test_each_queue_has_a_worker_service_of_its_own_with_its_own_pool_size():
    services = _compose()["services"]
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()} | {settings.CELERY_TASK_DEFAULT_QUEUE}
    assert set(WORKERS.values()) == {queue.name for queue in settings.CELERY_TASK_QUEUES} == routed
    assert [name for name in services if name.startswith("worker")] == list(WORKERS)  # none for every queue at once
    for name, queue in WORKERS.items():
        command = services[name]["command"]
        assert command.startswith("celery -A marketplace worker"), name
        assert _option(command, "-Q") == queue, name  # this queue alone
        assert _option(command, "-n") == f"{queue}@%h", name
        # its own pool size, from the environment, with a default
        assert re.search(rf"--concurrency=\$\{{WORKER_{queue.upper()}_CONCURRENCY:-\d+\}}", command), name
        # its health check asks that very node
        assert f"-d {queue}@$$HOSTNAME" in " ".join(services[name]["healthcheck"]["test"]), name
        assert _mounts(services[name])["media"][0] == services["web"]["environment"]["MEDIA_ROOT"], name


def _pgbouncer_ini() -> configparser.ConfigParser:
    ini = configparser.ConfigParser(interpolation=None)
    ini.read_string((ROOT / "deploy" / "pgbouncer" / "pgbouncer.ini").read_text())
    return ini


def test_pgbouncer_pools_transactions_in_front_of_the_primary():
    services, ini = _compose()["services"], _pgbouncer_ini()
    assert ini["pgbouncer"]["pool_mode"] == "transaction"
    # the database the app names, on the primary service
    target = dict(pair.split("=") for pair in ini["databases"]["oss"].split())
    assert target == {"host": "postgres", "port": "5432", "dbname": "oss"}
    # inside its container, on the compose network, at the port the app's DATABASE_URL names
    assert ini["pgbouncer"]["listen_addr"] == "0.0.0.0"  # noqa: S104
    assert f"@pgbouncer:{ini['pgbouncer']['listen_port']}/oss" in services["web"]["environment"]["DATABASE_URL"]
    assert ini["pgbouncer"]["auth_type"] == "scram-sha-256"
    # the server connections it opens fit in the primary's default max_connections (100), with room to spare
    assert int(ini["pgbouncer"]["default_pool_size"]) + int(ini["pgbouncer"]["reserve_pool_size"]) <= 50
    pgbouncer = services["pgbouncer"]
    assert pgbouncer["build"] == "./deploy/pgbouncer"
    dockerfile = (ROOT / "deploy" / "pgbouncer" / "Dockerfile").read_text()
    assert "FROM debian:bookworm" in dockerfile and "pgbouncer" in dockerfile.split("apt-get install", 1)[1]
    # its one login is the primary's owner, with the same password
    assert pgbouncer["environment"]["DB_USER"] == services["postgres"]["environment"]["POSTGRES_USER"]
    assert pgbouncer["environment"]["DB_PASSWORD"] == services["postgres"]["environment"]["POSTGRES_PASSWORD"]
    assert pgbouncer["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "ports" not in pgbouncer


def test_the_replica_clones_and_follows_the_primary():
    services = _compose()["services"]
    primary, replica = services["postgres"], services["postgres-replica"]
    assert primary["image"] == replica["image"]  # a physical replica needs the same major version
    # the primary's init script: a replication role, a slot, a pg_hba line for it
    assert _mounts(primary)["./deploy/postgres/primary-init.sh"][0].startswith("/docker-entrypoint-initdb.d/")
    init = (ROOT / "deploy" / "postgres" / "primary-init.sh").read_text()
    assert "WITH REPLICATION LOGIN" in init and "pg_create_physical_replication_slot" in init
    assert "host replication replicator all scram-sha-256" in init
    assert "max_slot_wal_keep_size=" in primary["command"]  # a replica gone for good cannot fill the primary's disk
    # the replica: cloned from the primary service on its first start, then a streaming standby
    env = replica["environment"]
    assert (env["PRIMARY_HOST"], env["PRIMARY_PORT"]) == ("postgres", "5432")
    assert env["POSTGRES_REPLICATION_PASSWORD"] == primary["environment"]["POSTGRES_REPLICATION_PASSWORD"]
    [entrypoint] = replica["entrypoint"]
    assert _mounts(replica)["./deploy/postgres/replica-entrypoint.sh"] == (entrypoint, True)
    clone = (ROOT / "deploy" / "postgres" / "replica-entrypoint.sh").read_text()
    assert re.search(r'pg_basebackup -h "\$PRIMARY_HOST" .*\n.* -R -X stream -S "\$slot"', clone)
    assert clone.rstrip().endswith('exec docker-entrypoint.sh "$@"')  # then the image's own start
    assert env["PGDATA"].startswith(_mounts(replica)["pgreplica"][0] + "/")  # a folder in the volume, moved in whole
    assert "pg_stat_wal_receiver" in " ".join(replica["healthcheck"]["test"])  # healthy = streaming
    assert replica["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert {"pgdata", "pgreplica"} <= set(_compose()["volumes"])


def test_only_nginx_is_published_and_gunicorn_listens_on_the_compose_network():
    services = _compose()["services"]
    published = {name: service["ports"] for name, service in services.items() if service.get("ports")}
    assert list(published) == ["nginx"] and len(published["nginx"]) == 1
    assert published["nginx"][0].rsplit(":", 1)[1] == "80" == _directives(nginx_server(), "listen")[0][0]
    assert services["web"]["expose"] == ["8000"]
    assert "--bind 0.0.0.0:8000" in services["web"]["command"]  # inside its container, on the compose network


def test_nginx_balances_over_every_web_container_docker_s_dns_names():
    """`--scale web=3`: the name `web` resolves to every replica, and nginx keeps asking Docker's DNS for it."""
    http = crossplane.parse(str(NGINX_CONF), single=True, check_ctx=False)["config"][0]["parsed"]
    [upstream] = [d for d in http if d["directive"] == "upstream"]
    assert upstream["args"] == ["web"]
    assert _directives(upstream["block"], "server") == [["web:8000", "resolve"]]  # the compose service, re-resolved
    assert _directives(upstream["block"], "zone")  # resolve needs the shared zone
    [resolver] = [d["args"] for d in http if d["directive"] == "resolver"]
    assert resolver[0] == "127.0.0.11"  # Docker's embedded DNS on a user-defined network
    assert any(arg.startswith("valid=") for arg in resolver)
    assert _directives(_location(nginx_server(), "/"), "proxy_pass") == [["http://web"]]
    web = _compose()["services"]["web"]
    assert "container_name" not in web and "ports" not in web  # either would stop a second replica starting
    version = _compose()["services"]["nginx"]["image"].split(":")[1]
    assert tuple(map(int, version.split("."))) >= (1, 27)  # `resolve` in an upstream is open source since 1.27.3


def test_nginx_runs_the_official_image_with_this_configuration_and_the_apps_volumes_read_only():
    services = _compose()["services"]
    nginx, web = services["nginx"], services["web"]
    assert nginx["image"].split(":")[0] == "nginx"
    mounts = _mounts(nginx)
    assert mounts["./deploy/nginx.conf"] == ("/etc/nginx/conf.d/default.conf", True)
    env = web["environment"]
    # the same named volumes web writes: uploads at MEDIA_ROOT, collectstatic's output at STATIC_ROOT
    assert _mounts(web)["media"][0] == env["MEDIA_ROOT"] and _mounts(web)["static"][0] == env["STATIC_ROOT"]
    assert mounts["media"][1] and mounts["static"][1]  # read-only
    assert {"media", "static"} <= set(_compose()["volumes"])
    assert nginx["depends_on"]["web"]["condition"] == "service_started"
    # the migration service fills the same volumes before web starts
    migrate = services["migrate"]
    assert _mounts(migrate)["media"][0] == env["MEDIA_ROOT"] and _mounts(migrate)["static"][0] == env["STATIC_ROOT"]


def test_nginx_serves_media_and_static_from_those_volumes_with_cache_headers():
    server, mounts = nginx_server(), _mounts(_compose()["services"]["nginx"])
    for prefix, volume in (("/media/", "media"), ("/static/", "static")):
        location = _location(server, prefix)
        [[root]] = _directives(location, "root")
        assert f"{root}{prefix}".rstrip("/") == mounts[volume][0], prefix  # the URL maps onto the volume
        assert _directives(location, "proxy_pass") == []
    media = _headers(_location(server, "/media/"))
    assert media["Cache-Control"] == "public, max-age=3600"
    assert "sandbox" in media["Content-Security-Policy"] and media["X-Content-Type-Options"] == "nosniff"

    static = _location(server, "/static/")
    [hashed] = [d for d in static if d["directive"] == "location" and d["args"][0] == "~"]
    assert _headers(hashed["block"])["Cache-Control"] == "public, max-age=31536000, immutable"
    assert _headers(static)["Cache-Control"] == "public, max-age=3600"  # a name without a hash may change
    assert ["on"] in _directives(static, "gzip_static")


def test_nginx_passes_the_rest_to_gunicorn_with_the_forwarded_headers_and_django_s_upload_limits():
    server = nginx_server()
    root = _location(server, "/")
    assert _directives(root, "proxy_pass") == [["http://web"]]
    headers = {args[0]: args[1] for args in _directives(root, "proxy_set_header")}
    assert headers["Host"] == "$http_host"
    assert headers["X-Forwarded-For"] == "$proxy_add_x_forwarded_for"
    assert headers["X-Forwarded-Proto"] == "$scheme"  # not what the client claimed
    [[size]] = _directives(server, "client_max_body_size")
    assert size.endswith("m") and int(size[:-1]) * 1024 * 1024 == settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 2 * MAX_BYTES
    assert _directives(_location(server, "=", "/nginx-health"), "return")[0][0] == "200"
    assert "/nginx-health" in " ".join(_compose()["services"]["nginx"]["healthcheck"]["test"])


def test_the_app_believes_forwarded_addresses_only_from_the_compose_network():
    compose = _compose()
    [subnet] = [entry["subnet"] for entry in compose["networks"]["default"]["ipam"]["config"]]
    network = ipaddress.ip_network(subnet)
    assert network.is_private
    for name in APP_SERVICES:
        env = compose["services"][name]["environment"]
        assert env["TRUSTED_PROXIES"] == subnet, name
        assert env["TRUSTED_PROXY_COUNT"] == "1", name
    for name, service in compose["services"].items():
        assert "networks" not in service, name  # every service on the default network, nginx and web included


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="Compose v1 is not installed")
def test_docker_compose_accepts_the_file():
    env = {**os.environ, "SECRET_KEY": "x" * 50}
    result = subprocess.run(["docker-compose", "config", "-q"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
