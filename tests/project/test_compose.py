"""No Docker engine runs here, so the compose file is checked by reading it (and by `docker-compose config`, where
Compose is installed); nginx's configuration is read with nginx's own parser (crossplane). tests/project/
test_nginx.py runs that configuration in a real nginx."""

import ipaddress
import os
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


def test_compose_names_every_service_the_settings_expect():
    services = _compose()["services"]
    assert set(services) == {"web", "worker", "beat", "postgres", "redis", "nginx"}
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://") and "@postgres:5432/" in env["DATABASE_URL"]
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        assert env["DEBUG"] == "false"
        assert "SECRET_KEY" in env and "ALLOWED_HOSTS" in env
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_every_compose_service_has_a_health_check():
    for name, service in _compose()["services"].items():
        assert "healthcheck" in service, name


def test_web_runs_gunicorn_and_worker_runs_celery_for_this_project():
    services = _compose()["services"]
    assert "gunicorn marketplace.wsgi:application" in services["web"]["command"]
    assert services["worker"]["command"].startswith("celery -A marketplace worker")
    assert services["beat"]["command"].startswith("celery -A marketplace beat")


def test_only_nginx_is_published_and_gunicorn_listens_on_the_compose_network():
    services = _compose()["services"]
    published = {name: service["ports"] for name, service in services.items() if service.get("ports")}
    assert list(published) == ["nginx"] and len(published["nginx"]) == 1
    assert published["nginx"][0].rsplit(":", 1)[1] == "80" == _directives(nginx_server(), "listen")[0][0]
    assert services["web"]["expose"] == ["8000"]
    assert "--bind 0.0.0.0:8000" in services["web"]["command"]  # inside its container, on the compose network
    [upstream] = [d for d in crossplane.parse(str(NGINX_CONF), single=True, check_ctx=False)["config"][0]["parsed"]
                  if d["directive"] == "upstream"]  # fmt: skip
    assert upstream["args"] == ["web"] and _directives(upstream["block"], "server")[0] == ["web:8000"]


def test_nginx_runs_the_official_image_with_this_configuration_and_the_apps_volumes_read_only():
    services = _compose()["services"]
    nginx, web = services["nginx"], services["web"]
    assert nginx["image"].split(":")[0] == "nginx"
    mounts = _mounts(nginx)
    assert mounts["./deploy/nginx.conf"] == ("/etc/nginx/conf.d/default.conf", True)
    env = web["environment"]
    # the same named volumes web writes: uploads at MEDIA_ROOT, collectstatic's output at STATIC_ROOT
    assert _mounts(web)["media"][0] == env["MEDIA_ROOT"] and _mounts(web)["static"][0] == env["STATIC_ROOT"]
    assert _mounts(services["worker"])["media"][0] == env["MEDIA_ROOT"]
    assert mounts["media"][1] and mounts["static"][1]  # read-only
    assert {"media", "static"} <= set(_compose()["volumes"])
    assert nginx["depends_on"]["web"]["condition"] == "service_started"
    command = web["command"]
    assert command.index("collectstatic") < command.index("prepare_media") < command.index("gunicorn")


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
    for name in ("web", "worker", "beat"):
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
