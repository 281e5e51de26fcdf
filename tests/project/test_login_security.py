"""Logins, registration, password resets and guest checkouts under attack (issue 20): an e-mail is one login in any
letter case, the client address comes from X-Forwarded-For only when a trusted proxy sent it, a login takes as long
for an unknown account as for a known one, and password resets are rate limited without saying who has an account.
Everything goes through the real forms, the real django-axes and the test client."""

import re
import subprocess
import sys
from pathlib import Path
from statistics import median
from time import perf_counter

import pytest
from django.conf import global_settings
from django.contrib.auth import authenticate, get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model

from tests import factories
from tests.checkout.test_checkout import ADDRESS
from tests.project.test_deploy import production_process

User = get_user_model()
Order = get_model("order", "Order")

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "skelebrain"  # what Oscar's UserFactory sets
CASES = ["someone@example.org", "SOMEONE@EXAMPLE.ORG", "Someone@Example.org", "  someone@EXAMPLE.org "]


def _shop_login(client, email, password):
    return client.post("/accounts/login/", {"login-username": email, "login-password": password,
                                            "login_submit": "1"})  # fmt: skip


def _dashboard_login(client, email, password):
    return client.post("/dashboard/login/", {"username": email, "password": password})


def _admin_login(client, email, password):
    return client.post("/admin/login/", {"username": email, "password": password})


LOGIN_FORMS = {"shop": _shop_login, "dashboard": _dashboard_login, "admin": _admin_login}


# --- lockout: one login in any letter case --------------------------------------------------------------------


@pytest.mark.parametrize("form", LOGIN_FORMS)
def test_wrong_passwords_in_any_letter_case_count_against_one_login(settings, form):
    login = LOGIN_FORMS[form]
    factories.UserFactory(email="someone@example.org", is_staff=True)
    guesser = Client(REMOTE_ADDR="203.0.113.20")

    # five wrong guesses, each in another case: the fifth locks the login
    answers = [login(guesser, CASES[n % len(CASES)], "wrong").status_code for n in range(settings.AXES_FAILURE_LIMIT)]
    assert answers[:-1] == [200] * (settings.AXES_FAILURE_LIMIT - 1) and answers[-1] == 429

    # locked in every case, even with the right password, and nobody is signed in
    for email in CASES:
        assert login(guesser, email, PASSWORD).status_code == 429
    assert "_auth_user_id" not in guesser.session


def test_five_lower_case_misses_lock_the_upper_case_login_too(settings):
    factories.UserFactory(email="someone@example.org")
    guesser = Client(REMOTE_ADDR="203.0.113.21")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _shop_login(guesser, "someone@example.org", "wrong")

    assert _shop_login(guesser, "SOMEONE@EXAMPLE.ORG", "wrong").status_code == 429
    assert _shop_login(guesser, "SOMEONE@EXAMPLE.ORG", PASSWORD).status_code == 429
    assert "_auth_user_id" not in guesser.session


def test_signing_in_clears_the_misses_typed_before_in_any_case(settings):
    user = factories.UserFactory(email="someone@example.org")
    shopper = Client(REMOTE_ADDR="203.0.113.22")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _shop_login(shopper, "someone@example.org", "wrong").status_code == 200
    assert _shop_login(shopper, "Someone@Example.org", PASSWORD).status_code == 302
    assert shopper.session["_auth_user_id"] == str(user.pk)

    # signed out, a typo later is the first miss of a fresh count, not the fifth
    shopper.post("/accounts/logout/")
    assert _shop_login(shopper, "someone@example.org", "wrong").status_code == 200
    assert _shop_login(shopper, "someone@example.org", PASSWORD).status_code == 302


@pytest.mark.parametrize("form", LOGIN_FORMS)
def test_an_account_stored_with_a_mixed_case_email_signs_in_with_any_case(form):
    user = factories.UserFactory(email="Ada.Maker@Example.org", is_staff=True)
    for typed in ("Ada.Maker@Example.org", "ada.maker@example.org", "ADA.MAKER@EXAMPLE.ORG "):
        client = Client()
        assert LOGIN_FORMS[form](client, typed, PASSWORD).status_code == 302, typed
        assert client.session["_auth_user_id"] == str(user.pk)


# --- client addresses: X-Forwarded-For only from a trusted proxy ----------------------------------------------


@pytest.fixture
def behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "192.0.2.1"]
    return settings


def test_x_forwarded_for_from_a_client_that_is_no_proxy_is_ignored(behind_one_proxy):
    factories.UserFactory(email="someone@example.org")
    guesser = Client(REMOTE_ADDR="203.0.113.23")  # reaches gunicorn directly

    answers = []
    for n in range(behind_one_proxy.AXES_FAILURE_LIMIT + 1):
        guesser.defaults["HTTP_X_FORWARDED_FOR"] = f"198.51.100.{n}"
        answers.append(_shop_login(guesser, "someone@example.org", "wrong").status_code)

    assert answers[-2:] == [429, 429]  # a new forged address each time gets no new guesses


def test_x_forwarded_for_from_a_trusted_proxy_names_the_client(behind_one_proxy):
    user = factories.UserFactory(email="someone@example.org")

    def through_proxy(forwarded_for, password, proxy="10.0.0.2"):
        client = Client(REMOTE_ADDR=proxy, headers={"X-Forwarded-For": forwarded_for})
        return _shop_login(client, "someone@example.org", password), client

    for _ in range(behind_one_proxy.AXES_FAILURE_LIMIT):
        through_proxy("198.51.100.7", "wrong")
    # the guesser is locked, also when it forges an address left of the one the proxy appended
    assert through_proxy("198.51.100.7", PASSWORD)[0].status_code == 429
    assert through_proxy("1.2.3.4, 198.51.100.7", PASSWORD)[0].status_code == 429
    assert through_proxy("198.51.100.7", PASSWORD, proxy="192.0.2.1")[0].status_code == 429  # the other proxy

    # while the owner, through the same proxy from elsewhere, signs in
    answer, owner = through_proxy("198.51.100.8", PASSWORD)
    assert answer.status_code == 302 and owner.session["_auth_user_id"] == str(user.pk)


def test_a_proxys_malformed_x_forwarded_for_is_no_error(behind_one_proxy):
    factories.UserFactory(email="someone@example.org")
    client = Client(REMOTE_ADDR="10.0.0.2", headers={"X-Forwarded-For": "not-an-address"})
    assert _shop_login(client, "someone@example.org", "wrong").status_code == 200
    assert _shop_login(client, "someone@example.org", PASSWORD).status_code == 302


def test_a_proxy_count_without_trusted_proxies_is_a_deploy_warning():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=production_process(TRUSTED_PROXIES=""), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode != 0 and "marketplace.W001" in result.stderr + result.stdout


def test_a_trusted_proxy_that_is_no_address_fails_at_start_with_a_clear_message():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env=production_process(TRUSTED_PROXIES="172.20.0.0/16,nginx"),
    )  # fmt: skip
    assert result.returncode != 0 and "TRUSTED_PROXIES: 'nginx' is no IP address or network" in result.stderr


# --- timing: an unknown account costs the same password hashing as a known one --------------------------------


def test_a_wrong_login_takes_as_long_for_an_unknown_account_as_for_a_known_one(settings):
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS  # the production hasher (PBKDF2), not the tests' MD5
    factories.UserFactory(email="known@example.org")  # its password hashed with PBKDF2

    def seconds(email, n):
        client = Client(REMOTE_ADDR=f"198.18.0.{n}")  # a fresh address each time: no lockout on the way
        start = perf_counter()
        assert _shop_login(client, email, "a wrong guess").status_code == 200
        return perf_counter() - start

    known, unknown = [], []
    for n in range(5):  # interleaved, so a busy machine slows both alike
        known.append(seconds("known@example.org", 2 * n + 1))
        unknown.append(seconds("nobody@example.org", 2 * n + 2))

    known_median, unknown_median = median(known), median(unknown)
    assert abs(known_median - unknown_median) <= 0.2 * max(known_median, unknown_median), (known, unknown)


# --- password reset: rate limited per address and per e-mail, the same answer for everyone ---------------------


@pytest.fixture
def reset_limit(settings):
    """The shipped limit, set here too so that these tests say the same on code that has none."""
    settings.PASSWORD_RESET_LIMIT, settings.PASSWORD_RESET_LIMIT_MINUTES = 5, 60
    return settings


def _reset(client, email):
    return client.post(reverse("password-reset"), {"email": email})


def _refusal_text(answer) -> str:
    """A refusal's text without what differs between any two pages: the numbers it names, the CSRF token and the
    script nonce."""
    assert answer.status_code == 429
    return re.sub(r"\d+", "N", re.sub(r'(value|nonce)="[^"]*"', "", answer.content.decode()))


def test_password_resets_from_one_address_are_limited_and_say_when_to_try_again(reset_limit):
    factories.UserFactory(email="someone@example.org")
    client = Client(REMOTE_ADDR="203.0.113.30")

    answers = [_reset(client, f"person{n}@example.org" if n % 2 else "someone@example.org")
               for n in range(reset_limit.PASSWORD_RESET_LIMIT)]  # fmt: skip
    assert [answer.status_code for answer in answers] == [302] * reset_limit.PASSWORD_RESET_LIMIT

    refused = _reset(client, "another@example.org")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60 * 60
    page = refused.content.decode()
    assert "Too many password reset requests" in page and "try again in 60 minutes" in page
    assert reset_limit.OSCAR_SHOP_NAME in page and 'class="breadcrumb"' in page  # the shop's own layout
    assert len(mail.outbox) == 3  # the three requests for the account that were let through were sent

    # from another address the shop still answers
    assert _reset(Client(REMOTE_ADDR="203.0.113.31"), "another@example.org").status_code == 302


def test_password_resets_for_one_email_are_limited_from_any_address_and_in_any_case(reset_limit):
    factories.UserFactory(email="reset.me@example.org")
    cases = ["reset.me@example.org", "RESET.ME@EXAMPLE.ORG", "Reset.Me@Example.org", " reset.me@EXAMPLE.org "]
    for n in range(reset_limit.PASSWORD_RESET_LIMIT):
        assert _reset(Client(REMOTE_ADDR=f"198.51.100.{n + 40}"), cases[n % len(cases)]).status_code == 302
    # an upper-case request reaches the account too
    assert [message.to for message in mail.outbox] == [["reset.me@example.org"]] * reset_limit.PASSWORD_RESET_LIMIT

    assert _reset(Client(REMOTE_ADDR="198.51.100.60"), "RESET.me@example.org").status_code == 429
    assert len(mail.outbox) == reset_limit.PASSWORD_RESET_LIMIT


def test_the_password_reset_limit_answers_alike_for_an_account_and_for_nobody(reset_limit):
    factories.UserFactory(email="alike@example.org")
    refusals = []
    for n, email in enumerate(("alike@example.org", "nobody.alike@example.org")):
        for m in range(reset_limit.PASSWORD_RESET_LIMIT):
            assert _reset(Client(REMOTE_ADDR=f"198.51.101.{10 * n + m}"), email).status_code == 302
        refusals.append(_reset(Client(REMOTE_ADDR=f"198.51.102.{n}"), email))
    assert _refusal_text(refusals[0]) == _refusal_text(refusals[1])


# --- registration and guest checkout: an e-mail in another case is the same e-mail ----------------------------


def test_registering_an_existing_email_in_another_case_is_refused_with_a_clear_error():
    factories.UserFactory(email="a@x.org")
    client = Client()
    answer = client.post("/accounts/login/", {
        "registration-email": "A@X.org", "registration-password1": "a long Passphrase 42",
        "registration-password2": "a long Passphrase 42", "registration_submit": "1",
    })  # fmt: skip

    assert answer.status_code == 200
    assert "A user with that email address already exists" in answer.content.decode()
    assert User.objects.filter(email__iexact="a@x.org").count() == 1 and "_auth_user_id" not in client.session


def _basket(client):
    product = factories.product_in_stock(title="Seed potatoes, 10 kg", price="18.50", stock=5)
    assert client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1}).status_code == 302


@pytest.mark.parametrize("email", ["someone@example.org", "SOMEONE@EXAMPLE.ORG"])
def test_oscars_checkout_gateway_asks_an_existing_account_to_sign_in_in_any_case(email):
    factories.UserFactory(email="someone@example.org")
    client = Client()
    _basket(client)

    answer = client.post(reverse("checkout:index"), {"username": email, "options": "anonymous"})

    assert answer.status_code == 200
    assert "A user with that email address already exists" in answer.content.decode()


@pytest.mark.parametrize("email", ["someone@example.org", "SOMEONE@EXAMPLE.ORG", " Someone@Example.ORG"])
def test_the_one_page_guest_checkout_asks_an_existing_account_to_sign_in_in_any_case(email):
    factories.UserFactory(email="someone@example.org")
    client = Client()
    _basket(client)

    answer = client.post(reverse("checkout:guest"), {**ADDRESS, "email": email, "payment_method": "bank-transfer"})

    assert answer.status_code == 200
    assert "email" in answer.context["form"].errors
    assert "An account uses this email address" in answer.content.decode()
    assert not Order.objects.exists()


def test_the_one_page_guest_checkout_still_takes_a_new_email():
    factories.UserFactory(email="someone@example.org")
    client = Client()
    _basket(client)

    answer = client.post(reverse("checkout:guest"), {**ADDRESS, "email": "Newcomer@EXAMPLE.org",
                                                     "payment_method": "bank-transfer"})  # fmt: skip

    assert answer.status_code == 302
    assert Order.objects.get().guest_email == "Newcomer@example.org"  # Oscar's normal form: the domain lower-cased


# --- the checkout gateway's sign-in is a login like any other -------------------------------------------------


def _gateway_login(client, email, password):
    return client.post(reverse("checkout:index"), {"username": email, "password": password, "options": "existing"})


def test_a_login_locked_on_the_login_page_is_locked_at_the_checkout_gateway_too(settings):
    factories.UserFactory(email="someone@example.org")
    guesser = Client(REMOTE_ADDR="203.0.113.40")
    _basket(guesser)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _shop_login(guesser, "someone@example.org", "wrong")

    answer = _gateway_login(guesser, "someone@example.org", PASSWORD)

    assert answer.status_code == 429 and "_auth_user_id" not in guesser.session
    assert _shop_login(guesser, "someone@example.org", PASSWORD).status_code == 429  # the count was not cleared


def test_wrong_passwords_at_the_checkout_gateway_count_toward_the_lockout(settings):
    factories.UserFactory(email="someone@example.org")
    guesser = Client(REMOTE_ADDR="203.0.113.41")
    _basket(guesser)

    answers = [_gateway_login(guesser, "someone@example.org", "wrong").status_code
               for _ in range(settings.AXES_FAILURE_LIMIT)]  # fmt: skip

    assert answers[:-1] == [200] * (settings.AXES_FAILURE_LIMIT - 1) and answers[-1] == 429
    assert _shop_login(guesser, "someone@example.org", PASSWORD).status_code == 429
    assert _gateway_login(guesser, "SOMEONE@example.org", PASSWORD).status_code == 429
    assert "_auth_user_id" not in guesser.session


def test_signing_in_at_the_checkout_gateway_goes_on_with_the_checkout():
    user = factories.UserFactory(email="someone@example.org")
    shopper = Client(REMOTE_ADDR="203.0.113.42")
    _basket(shopper)

    answer = _gateway_login(shopper, "Someone@Example.org", PASSWORD)

    assert answer.status_code == 302 and answer["Location"] == reverse("checkout:index")  # the one-page checkout
    assert shopper.session["_auth_user_id"] == str(user.pk)


def test_a_password_checked_without_a_request_signs_nobody_in():
    """Code that checks a password without the request (as Oscar's checkout gateway did) has no client address to
    count the guess against, so it cannot be a way around the lockout: it is refused."""
    factories.UserFactory(email="someone@example.org")
    assert authenticate(username="someone@example.org", password=PASSWORD) is None


def test_registering_signs_the_new_customer_in():
    client = Client(REMOTE_ADDR="203.0.113.43")
    answer = client.post("/accounts/register/", {"email": "newcomer@example.org", "password1": "a long Passphrase 42",
                                                 "password2": "a long Passphrase 42"})  # fmt: skip
    assert answer.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(email="newcomer@example.org").pk)


# --- one account, one count: look-alike letters and usernames -------------------------------------------------

# a dotless i (U+0131) for an i: PostgreSQL's UPPER() makes it I, so a case-insensitive match finds the account
LOOK_ALIKES = ["\u0131da.sm\u0131th@example.org", "Ida.Sm\u0131th@EXAMPLE.org"]


@pytest.mark.parametrize("look_alike", LOOK_ALIKES)
def test_a_look_alike_spelling_of_an_email_is_not_that_account(settings, look_alike):
    factories.UserFactory(email="ida.smith@example.org")
    guesser = Client(REMOTE_ADDR="203.0.113.44")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _shop_login(guesser, "ida.smith@example.org", "wrong")
    assert _shop_login(guesser, "ida.smith@example.org", PASSWORD).status_code == 429

    # the same letters to PostgreSQL's case-insensitive match, but not in any letter case: no sign-in, no fresh guesses
    answer = _shop_login(guesser, look_alike, PASSWORD)
    assert answer.status_code in (200, 429) and "_auth_user_id" not in guesser.session
    # and from an address with no misses, the look-alike is still no way into the account
    fresh = Client(REMOTE_ADDR="203.0.113.45")
    assert _shop_login(fresh, look_alike, PASSWORD).status_code == 200 and "_auth_user_id" not in fresh.session


def test_an_accounts_email_with_a_non_ascii_letter_signs_in_as_typed():
    user = factories.UserFactory(email="\u0131da@example.org")
    client = Client(REMOTE_ADDR="203.0.113.46")
    assert _shop_login(client, "\u0131da@EXAMPLE.org", PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.parametrize("form", LOGIN_FORMS)
def test_an_accounts_username_is_no_login(form):
    """Oscar's shoppers sign in by e-mail; a username would be a second login to the account with a count of its
    own, so guesses at it would come on top of the ones at its e-mail."""
    factories.UserFactory(username="ida", email="ida.smith@example.org", is_staff=True)
    client = Client(REMOTE_ADDR="203.0.113.47")
    answer = LOGIN_FORMS[form](client, "ida", PASSWORD)
    assert answer.status_code == 200 and "_auth_user_id" not in client.session


@pytest.mark.parametrize("form", ["dashboard", "admin"])
def test_staff_sign_in_to_the_dashboard_and_admin_with_their_email(form):
    staff = factories.UserFactory(username="ida", email="ida.smith@example.org", is_staff=True, is_superuser=True)
    client = Client(REMOTE_ADDR="203.0.113.48")
    assert LOGIN_FORMS[form](client, "Ida.Smith@example.org", PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(staff.pk)
    assert client.get("/dashboard/" if form == "dashboard" else "/admin/").status_code == 200


# --- "an account has this e-mail" answers: limited per client address ----------------------------------------


@pytest.fixture
def email_check_limit(settings):
    """The shipped limit, set here too so that these tests say the same on code that has none."""
    settings.EMAIL_CHECK_LIMIT, settings.EMAIL_CHECK_LIMIT_MINUTES = 10, 60
    return settings


def _register(client, email, path="/accounts/register/"):
    if path == "/accounts/login/":
        return client.post(path, {"registration-email": email, "registration-password1": "a long Passphrase 42",
                                  "registration-password2": "a long Passphrase 42", "registration_submit": "1"})
    return client.post(path, {"email": email, "password1": "a long Passphrase 42",
                              "password2": "a long Passphrase 42"})  # fmt: skip


def _new_visit(client):
    """Signed out (a registration signs in) with a basket again (signing out forgets it)."""
    client.logout()
    _basket(client)


def _as_guest(client, email, option="anonymous"):
    return client.post(reverse("checkout:index"), {"username": email, "options": option})


def _one_page_guest(client, email):
    return client.post(reverse("checkout:guest"), {**ADDRESS, "email": email, "payment_method": "bank-transfer"})


EMAIL_CHECKS = {
    "registration page": _register,
    "login page's registration": lambda client, email: _register(client, email, "/accounts/login/"),
    "checkout gateway, as a guest": _as_guest,
    "checkout gateway, with a new account": lambda client, email: _as_guest(client, email, "new"),
    "one-page guest checkout": _one_page_guest,
}


def _assert_limited(answer, settings):
    assert answer.status_code == 429
    assert 0 < int(answer["Retry-After"]) <= settings.EMAIL_CHECK_LIMIT_MINUTES * 60
    page = answer.content.decode()
    assert "Too many e-mail addresses tried" in page and "try again in 60 minutes" in page
    assert settings.OSCAR_SHOP_NAME in page and 'class="breadcrumb"' in page  # the shop's own layout


@pytest.mark.parametrize("path", EMAIL_CHECKS)
def test_trying_many_emails_from_one_address_is_limited_and_says_when_to_try_again(email_check_limit, path):
    check, n_path = EMAIL_CHECKS[path], list(EMAIL_CHECKS).index(path)
    factories.UserFactory(email="someone@example.org")
    prober = Client(REMOTE_ADDR=f"198.51.104.{n_path}")  # an address of its own per form: counts stay in the cache
    _basket(prober)

    # the account's e-mail is answered as always (among others)
    first = check(prober, "someone@example.org")
    assert first.status_code == 200 and "already exists" in first.content.decode() or (
        "An account uses this email address" in first.content.decode())
    for n in range(email_check_limit.EMAIL_CHECK_LIMIT - 1):
        _new_visit(prober)
        assert check(prober, f"probe{n}@example.org").status_code in (200, 302)

    _new_visit(prober)
    _assert_limited(check(prober, "another@example.org"), email_check_limit)
    # an e-mail already asked about, in any case, is the same question: answered as before
    again = check(prober, " SOMEONE@example.org")
    assert again.status_code == 200 and "already exists" in again.content.decode() or (
        "An account uses this email address" in again.content.decode())
    # from another address the shop still answers
    other = Client(REMOTE_ADDR=f"198.51.103.{n_path}")
    _basket(other)
    assert check(other, "another@example.org").status_code in (200, 302)


def test_the_same_email_again_is_not_counted(email_check_limit):
    factories.UserFactory(email="someone@example.org")
    shopper = Client(REMOTE_ADDR="203.0.113.52")
    _basket(shopper)
    for _ in range(2 * email_check_limit.EMAIL_CHECK_LIMIT):  # a shopper correcting the rest of the form
        answer = _one_page_guest(shopper, "someone@example.org")
        assert answer.status_code == 200 and "An account uses this email address" in answer.content.decode()


def test_every_form_that_checks_an_email_counts_toward_one_limit(email_check_limit):
    prober = Client(REMOTE_ADDR="203.0.113.53")
    forms = list(EMAIL_CHECKS.values())
    for n in range(email_check_limit.EMAIL_CHECK_LIMIT):
        _new_visit(prober)
        assert forms[n % len(forms)](prober, f"probe{n}@example.org").status_code in (200, 302)
    _new_visit(prober)
    _assert_limited(_register(prober, "one.more@example.org"), email_check_limit)
    _assert_limited(_as_guest(prober, "one.more@example.org"), email_check_limit)


def test_the_email_check_limit_answers_alike_for_an_account_and_for_nobody(email_check_limit):
    factories.UserFactory(email="alike@example.org")
    refusals = []
    for n, email in enumerate(("alike@example.org", "nobody.alike@example.org")):
        prober = Client(REMOTE_ADDR=f"203.0.113.{60 + n}")
        for m in range(email_check_limit.EMAIL_CHECK_LIMIT):
            _register(prober, f"probe{m}@example.org")
            prober.logout()
        refusals.append(_register(prober, email))
    assert _refusal_text(refusals[0]) == _refusal_text(refusals[1])


# --- signing out: a button that posts, never a link -----------------------------------------------------------


def test_the_header_signs_out_with_a_button_that_posts():
    shopper = Client()
    shopper.force_login(factories.UserFactory(email="someone@example.org"))
    page = shopper.get("/catalogue/").content.decode()
    assert re.search(r'<form[^>]+id="logout_form"[^>]+method="post"[^>]+action="/accounts/logout/"', page), page
    assert 'href="/accounts/logout/"' not in page


@pytest.mark.parametrize("path", ["/accounts/logout/", "/dashboard/logout/"])
def test_opening_a_logout_address_signs_nobody_out(path):
    user = factories.UserFactory(email="someone@example.org", is_staff=True)
    shopper = Client()
    shopper.force_login(user)

    answer = shopper.get(path)  # a link, an image or a prefetch on another site

    assert answer.status_code == 200 and shopper.session["_auth_user_id"] == str(user.pk)
    page = answer.content.decode()
    assert "Sign out?" in page and 'class="breadcrumb"' in page  # the shop's page, asking
    assert re.search(r'<form[^>]+method="post"[^>]+action="/accounts/logout/"', page)


@pytest.mark.parametrize("path", ["/accounts/logout/", "/dashboard/logout/"])
def test_posting_to_a_logout_address_signs_out(path):
    shopper = Client()
    shopper.force_login(factories.UserFactory(email="someone@example.org", is_staff=True))
    answer = shopper.post(path)
    assert answer.status_code == 302 and "_auth_user_id" not in shopper.session


def test_the_logout_address_sends_a_signed_out_visitor_home():
    answer = Client().get("/accounts/logout/")
    assert answer.status_code == 302 and answer["Location"] == "/"


@pytest.mark.parametrize("path", EMAIL_CHECKS)
def test_what_is_not_an_email_address_is_not_counted_against_the_limit(email_check_limit, path):
    """A guest who leaves the e-mail empty or mistypes it is told so by the form, and keeps their ten tries."""
    check, n_path = EMAIL_CHECKS[path], list(EMAIL_CHECKS).index(path)
    shopper = Client(REMOTE_ADDR=f"198.51.105.{n_path}")
    _basket(shopper)
    for mistake in ["", "not-an-email", "ada@", "@example.org", "ada example.org"] * 3:
        _new_visit(shopper)
        assert check(shopper, mistake).status_code != 429
    for n in range(email_check_limit.EMAIL_CHECK_LIMIT):
        _new_visit(shopper)
        assert check(shopper, f"ada{n}@example.org").status_code in (200, 302)
