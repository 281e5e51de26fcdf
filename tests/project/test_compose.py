"""No Docker engine runs here, so the compose file is checked by reading it."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_names_every_service_the_settings_expect():
    services = _compose()["services"]
    assert set(services) == {"web", "worker", "beat", "postgres", "redis"}
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
