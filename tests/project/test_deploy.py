"""Production settings: `check --deploy` is clean under the committed example environment; HTTPS-only cookies,
HSTS and the proxy header work; every page carries a Content Security Policy; logins are rate limited; the admin
and the dashboard need a staff login."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory

from marketplace.accounts.security import client_ip
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "deploy" / "production.env.example"
PASSWORD = "skelebrain"  # what Oscar's UserFactory sets


def production_env() -> dict:
    """The example environment as a process would get it, with a freshly generated SECRET_KEY."""
    env = {}
    for line in EXAMPLE.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            env[key.strip()] = value.strip()
    env["SECRET_KEY"] = secrets.token_urlsafe(64)
    return env


def production_process(**overrides) -> dict:
    """A process environment of the example's, not the test run's: nothing of ours leaks in (the browser tests set
    DJANGO_ALLOW_ASYNC_UNSAFE, which `check --deploy` rightly refuses)."""
    example = production_env()
    ours = ("DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "LOG_FORMAT", "DJANGO_ALLOW_ASYNC_UNSAFE")
    inherited = {k: v for k, v in os.environ.items() if k not in example and k not in ours and "CELERY" not in k}
    return {**inherited, **example, **overrides}


def test_check_deploy_passes_with_no_warnings_under_the_production_example():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=production_process(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.fixture
def production_security(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = settings.SECURE_HSTS_PRELOAD = True
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    return settings


@pytest.mark.django_db
def test_plain_http_is_redirected_and_https_behind_the_proxy_gets_hsts_and_secure_cookies(production_security):
    plain = Client().get("/accounts/login/")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")

    # TLS ends at the proxy, which says so in X-Forwarded-Proto
    page = Client(headers={"X-Forwarded-Proto": "https"}).get("/accounts/login/")
    assert page.status_code == 200
    assert page["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert page.cookies["csrftoken"]["secure"] is True
    assert page["X-Frame-Options"] == "DENY" and page["X-Content-Type-Options"] == "nosniff"


def _policy(response) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_that_runs_only_the_shops_own_scripts(client, two_operators):
    for url in ("/catalogue/", two_operators["printer"].product.get_absolute_url(), "/accounts/login/", "/stores/"):
        response = client.get(url)
        assert response.status_code == 200
        directives = _policy(response)
        assert directives["default-src"] == "'self'"
        assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
        assert directives["base-uri"] == "'self'" and directives["form-action"] == "'self'"
        # no inline script runs but the page's own, which carries this response's nonce; no other host
        self_, nonce = directives["script-src"].split()
        assert self_ == "'self'" and nonce.startswith("'nonce-")
        assert f'<script nonce="{nonce[7:-1]}">' in response.content.decode()
        assert "unsafe-inline" not in directives["script-src"] and "http" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_a_cached_page_runs_its_script_with_the_nonce_of_each_response(client, two_operators):
    url = two_operators["printer"].product.get_absolute_url()
    first, second = client.get(url), client.get(url)  # the second is served from the page cache
    nonces = [_policy(response)["script-src"].split()[1][7:-1] for response in (first, second)]
    assert nonces[0] != nonces[1]
    for response, nonce in zip((first, second), nonces, strict=True):
        assert response.content.decode().count(f'nonce="{nonce}"') == 1


def _shop_login(client, email, password):
    return client.post("/accounts/login/", {"login-username": email, "login-password": password,
                                            "login_submit": "1"})  # fmt: skip


@pytest.mark.django_db
def test_shop_login_is_locked_after_five_wrong_passwords_for_that_login_from_that_address(settings):
    user = UserFactory(email="shopper@example.com")
    guesser = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _shop_login(guesser, user.email, "wrong").status_code == 200  # the form again, with its error
    assert _shop_login(guesser, user.email, "wrong").status_code == 429

    # locked: even the right password is refused from there, and nobody is signed in
    locked = _shop_login(guesser, user.email, PASSWORD)
    assert locked.status_code == 429 and "_auth_user_id" not in guesser.session
    # the owner, elsewhere, still gets in
    owner = Client(REMOTE_ADDR="198.51.100.4")
    assert _shop_login(owner, user.email, PASSWORD).status_code == 302
    assert owner.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_admin_login_is_rate_limited_too(settings):
    staff = UserFactory(email="staff@example.com", is_staff=True)
    guesser = Client(REMOTE_ADDR="203.0.113.10")
    answers = [guesser.post("/admin/login/", {"username": staff.email, "password": "wrong"}).status_code
               for _ in range(settings.AXES_FAILURE_LIMIT + 1)]  # fmt: skip
    assert answers[-1] == 429
    assert guesser.post("/admin/login/", {"username": staff.email, "password": PASSWORD}).status_code == 429


@pytest.mark.django_db
def test_registration_still_signs_the_new_customer_in():
    """Oscar authenticates a new customer without a request; the lockout backend must let that through."""
    client = Client()
    answer = client.post("/accounts/login/", {
        "registration-email": "new@example.com", "registration-password1": "a long Passphrase 42",
        "registration-password2": "a long Passphrase 42", "registration_submit": "1",
    })  # fmt: skip
    assert answer.status_code == 302
    assert "_auth_user_id" in client.session


def test_the_client_address_comes_from_the_trusted_proxys_x_forwarded_for_entry(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7")
    request.user = AnonymousUser()
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1  # the left entry could be forged by the client; the proxy's own is the last
    assert client_ip(request) == "10.0.0.2"  # read only from a trusted proxy (tests/project/test_login_security.py)
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert client_ip(request) == "203.0.113.7"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/admin/", "/dashboard/", "/dashboard/revenue/accounts/"])
def test_admin_and_dashboard_need_a_staff_login(path):
    anonymous = Client().get(path)
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]

    shopper = Client()
    shopper.force_login(UserFactory())
    refused = shopper.get(path)
    assert refused.status_code in (302, 403) and (refused.status_code == 403 or "login" in refused["Location"])

    staff = Client()
    staff.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert staff.get(path).status_code == 200
