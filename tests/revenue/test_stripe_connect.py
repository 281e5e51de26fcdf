"""An operator connects its own Stripe account (Connect Express) from its revenue page: the shop creates the account
once, sends the operator to Stripe's onboarding, learns from ``account.updated`` (stored once, applied by a worker,
never undone by an older event) whether the account can receive transfers, and pays out by Stripe only then.
localstripe has no Connect: Stripe answers from recorded responses (tests/recorded_stripe.py)."""

import datetime
import hashlib
import hmac
import json
import time

import pytest
from django.test import Client
from django.urls import reverse

from marketplace.payments.models import WebhookEvent
from marketplace.revenue import payouts as paying
from marketplace.revenue.models import Account, Payout
from tests import factories
from tests.recorded_stripe import recorded

pytestmark = pytest.mark.django_db
CONNECT_SECRET = "whsec_connect_recorded"


@pytest.fixture
def operator(recorded_stripe, settings):
    settings.STRIPE_CONNECT_WEBHOOK_SECRET = CONNECT_SECRET
    store = factories.storefront("Recorded Fab", city="Berlin")
    client = Client()
    client.force_login(store.operator)
    return store, client


def _connect(client):
    return client.post(reverse("revenue:stripe-connect"))


def _account(store) -> Account:
    return Account.objects.get(partner_id=store.partner_id)


def _signed(payload: dict, secret=CONNECT_SECRET) -> tuple[str, str]:
    body = json.dumps(payload)
    timestamp = int(time.time())
    signature = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return body, f"t={timestamp},v1={signature}"


def _account_updated(event_id: str, state: str, *, created: int, account_id="acct_1QRecordedExpress") -> dict:
    return {"id": event_id, "object": "event", "type": "account.updated", "created": created,
            "account": account_id, "data": {"object": dict(recorded(state), id=account_id)}}  # fmt: skip


def _deliver(payload, capture, secret=CONNECT_SECRET):
    body, signature = _signed(payload, secret)
    with capture(execute=True):
        return Client().post(reverse("payments:stripe-webhook"), body, content_type="application/json",
                             HTTP_STRIPE_SIGNATURE=signature)  # fmt: skip


def test_connecting_creates_one_express_account_and_sends_the_operator_to_stripe(operator, recorded_stripe):
    store, client = operator
    response = _connect(client)

    assert response.status_code == 302
    assert response["Location"] == f"{recorded_stripe.base}/setup/e/acct_1QRecordedExpress/RecordedLink01"
    account = _account(store)
    assert account.stripe_account_id == "acct_1QRecordedExpress" and not account.paid_by_stripe
    created, link = recorded_stripe.requests
    assert created["path"] == "/v1/accounts" and created["idempotency_key"] == f"oss-account-{account.pk}-connect"
    assert created["form"]["type"] == "express" and created["form"]["capabilities[transfers][requested]"] == "true"
    assert (created["form"]["email"], created["form"]["country"]) == (store.contact_email, "DE")
    assert link["path"] == "/v1/account_links" and link["form"]["account"] == "acct_1QRecordedExpress"
    assert link["form"]["type"] == "account_onboarding"
    assert link["form"]["return_url"] == "http://testserver/dashboard/revenue/stripe/return/"
    assert link["form"]["refresh_url"] == "http://testserver/dashboard/revenue/stripe/refresh/"

    _connect(client)  # "Continue on Stripe", or a second click: a new link to the same account
    assert recorded_stripe.paths()[2:] == ["POST /v1/account_links"]


def test_back_from_an_unfinished_onboarding_the_page_says_what_stripe_needs_and_payouts_stay_by_hand(
    operator, recorded_stripe, django_capture_on_commit_callbacks
):
    store, client = operator
    _connect(client)
    page = client.get(reverse("revenue:stripe-return"), follow=True)

    text = page.content.decode()
    assert "Stripe has not finished checking your account yet" in text
    assert "Stripe still needs:" in text and "a bank account for Stripe to pay you" in text
    assert "accepting Stripe&#x27;s terms" in text and 'id="stripe-continue"' in text
    assert recorded_stripe.paths()[-1] == "GET /v1/accounts/acct_1QRecordedExpress"
    assert page.context["next_payout"]["method"] == "manual"

    order = factories.checkout([factories.offer(store, factories.level_product(factories.design(), 1))],
                               capture=django_capture_on_commit_callbacks)  # fmt: skip
    factories.pay_offline(order, capture=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        [payout] = [p for p in paying.run_payouts() if p.account_id == _account(store).pk]
    assert payout.method == Payout.MANUAL and "POST /v1/transfers" not in recorded_stripe.paths()


def test_account_updated_is_stored_once_and_turns_payouts_to_stripe(
    operator, recorded_stripe, django_capture_on_commit_callbacks
):
    store, client = operator
    _connect(client)
    event = _account_updated("evt_1QConnectReady", "account_ready", created=int(time.time()))

    first = _deliver(event, django_capture_on_commit_callbacks)
    again = _deliver(event, django_capture_on_commit_callbacks)

    assert first.json() == {"received": True, "duplicate": False} and again.json()["duplicate"] is True
    stored = WebhookEvent.objects.get(event_id="evt_1QConnectReady")
    assert stored.outcome == "can receive transfers"
    assert _account(store).paid_by_stripe
    page = client.get(reverse("revenue:operator")).content.decode()
    assert 'id="stripe-ready"' in page and "Your payouts go to your Stripe account." in page

    order = factories.checkout([factories.offer(store, factories.level_product(factories.design(), 1))],
                               capture=django_capture_on_commit_callbacks)  # fmt: skip
    factories.pay_offline(order, capture=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        [payout] = [p for p in paying.run_payouts() if p.account_id == _account(store).pk]
    payout.refresh_from_db()
    assert (payout.method, payout.status) == (Payout.STRIPE, Payout.PAID)
    transfer = next(sent for sent in recorded_stripe.requests if sent["path"] == "/v1/transfers")
    assert transfer["form"]["destination"] == "acct_1QRecordedExpress"


def test_an_older_event_arriving_late_does_not_undo_a_newer_one(
    operator, recorded_stripe, django_capture_on_commit_callbacks
):
    store, client = operator
    _connect(client)
    now = int(time.time())
    _deliver(_account_updated("evt_1QConnectNew", "account_ready", created=now), django_capture_on_commit_callbacks)
    _deliver(_account_updated("evt_1QConnectOld", "account_created", created=now - 60),
             django_capture_on_commit_callbacks)  # fmt: skip

    assert _account(store).paid_by_stripe
    assert WebhookEvent.objects.get(event_id="evt_1QConnectOld").outcome == "older than what we know"


def test_a_payout_to_an_account_stripe_disabled_since_goes_to_staff_by_hand(
    operator, recorded_stripe, django_capture_on_commit_callbacks
):
    store, client = operator
    _connect(client)
    _deliver(_account_updated("evt_1QConnectReady", "account_ready", created=int(time.time())),
             django_capture_on_commit_callbacks)  # fmt: skip
    order = factories.checkout([factories.offer(store, factories.level_product(factories.design(), 1))],
                               capture=django_capture_on_commit_callbacks)  # fmt: skip
    factories.pay_offline(order, capture=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False):  # the payout is made; its transfer task not yet run
        [payout] = [p for p in paying.run_payouts() if p.account_id == _account(store).pk]
    assert payout.method == Payout.STRIPE
    _deliver(_account_updated("evt_1QConnectDisabled", "account_created", created=int(time.time()) + 1),
             django_capture_on_commit_callbacks)  # fmt: skip

    outcome = paying.transfer_payout(payout_id=payout.pk)
    assert outcome == "paid by hand: the connected account cannot receive transfers"
    payout.refresh_from_db()
    assert (payout.method, payout.status) == (Payout.MANUAL, Payout.PENDING)
    assert "POST /v1/transfers" not in recorded_stripe.paths()


def test_the_refresh_page_makes_a_new_link_only_for_an_account_that_exists(operator, recorded_stripe):
    store, client = operator
    assert client.get(reverse("revenue:stripe-refresh"))["Location"] == reverse("revenue:operator")
    assert recorded_stripe.requests == [] and not Account.objects.filter(partner_id=store.partner_id).exists()

    _connect(client)
    response = client.get(reverse("revenue:stripe-refresh"))
    assert response["Location"].startswith(f"{recorded_stripe.base}/setup/e/acct_1QRecordedExpress/")
    assert recorded_stripe.paths().count("POST /v1/accounts") == 1


def test_when_stripe_is_down_nothing_changes_and_the_operator_is_told(operator, recorded_stripe):
    store, client = operator
    recorded_stripe.refuse = True
    page = client.post(reverse("revenue:stripe-connect"), follow=True)

    assert "Stripe could not be reached, so nothing changed" in page.content.decode()
    assert not Account.objects.filter(partner_id=store.partner_id).exclude(stripe_account_id="").exists()


def test_a_shop_without_stripe_offers_no_button_and_says_why(operator, settings):
    store, client = operator
    settings.STRIPE_SECRET_KEY = ""
    page = client.get(reverse("revenue:operator")).content.decode()
    assert 'id="stripe-connect"' not in page and "This shop does not pay out by Stripe" in page

    refused = client.post(reverse("revenue:stripe-connect"), follow=True).content.decode()
    assert "This shop does not pay out by Stripe: give your bank details instead." in refused


def test_someone_without_a_storefront_connects_nothing(recorded_stripe):
    shopper = factories.UserFactory(email="shopper@example.com")
    client = Client()
    client.force_login(shopper)
    for response in (client.post(reverse("revenue:stripe-connect")), client.get(reverse("revenue:stripe-return")),
                     client.get(reverse("revenue:stripe-refresh"))):  # fmt: skip
        assert response.status_code == 404
    assert recorded_stripe.requests == []


def test_an_event_about_an_account_that_is_not_ours_changes_nothing(operator, django_capture_on_commit_callbacks):
    event = _account_updated("evt_1QConnectStranger", "account_ready", created=int(time.time()),
                             account_id="acct_1QSomeoneElse")  # fmt: skip
    _deliver(event, django_capture_on_commit_callbacks)
    stored = WebhookEvent.objects.get(event_id="evt_1QConnectStranger")
    assert stored.outcome == "no ledger account for this Stripe account"
    assert not Account.objects.filter(stripe_transfers_active=True).exists()


def test_a_connect_event_signed_with_neither_secret_is_refused(operator, django_capture_on_commit_callbacks):
    event = _account_updated("evt_1QConnectForged", "account_ready", created=int(time.time()))
    response = _deliver(event, django_capture_on_commit_callbacks, secret="whsec_someone_else")
    assert response.status_code == 400 and not WebhookEvent.objects.exists()


def test_an_event_with_a_nonsense_timestamp_is_applied_as_of_its_arrival(
    operator, django_capture_on_commit_callbacks
):
    store, client = operator
    _connect(client)
    _deliver(_account_updated("evt_1QConnectFar", "account_ready", created=10**20), django_capture_on_commit_callbacks)
    account = _account(store)
    assert account.paid_by_stripe
    assert abs(account.stripe_state_at - datetime.datetime.now(tz=datetime.UTC)) < datetime.timedelta(minutes=1)
