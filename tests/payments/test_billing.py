"""Stripe Billing for True Fans: prices created once, subscriptions started and cancelled as Stripe's library sends
them (against recorded Stripe responses: localstripe serves no Billing), and subscription events signed the way Stripe
signs them: stored once, applied once by the worker's code path, each sent on once to the layers above."""

import datetime
import hashlib
import hmac
import json
import time
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from marketplace.payments import billing, services
from marketplace.payments.models import BillingPrice, WebhookEvent
from marketplace.payments.signals import subscription_changed, subscription_invoice_paid
from tests.payments.recorded_billing import event, paid_invoice, subscription_object

pytestmark = pytest.mark.django_db
SECRET = "whsec_recorded"  # the recorded_stripe fixture's webhook secret
SUB = "sub_1SqRc0TrueFansSub1"


def _start(amount="10.00", months=24, email="fan@example.com", **metadata):
    return billing.start_subscription(email=email, name="Fan", amount=Decimal(amount), currency="usd", months=months,
                                      metadata=metadata or {"support_id": 41})  # fmt: skip


def _sent(recorded_stripe, method, path):
    return [request for request in recorded_stripe.requests if (request["method"], request["path"]) == (method, path)]


def test_a_24_month_subscription_is_sent_in_cents_with_its_end_metadata_and_idempotency_keys(recorded_stripe):
    before = timezone.now()
    subscription = _start(support_id=41, storefront="berlin-fab")

    assert [f"{r['method']} {r['path']}" for r in recorded_stripe.requests] == [
        "POST /v1/products", "POST /v1/prices", "POST /v1/customers", "POST /v1/subscriptions"]  # fmt: skip
    price = _sent(recorded_stripe, "POST", "/v1/prices")[0]
    assert price["form"]["unit_amount"] == "1000" and price["form"]["currency"] == "usd"
    assert price["form"]["recurring[interval]"] == "month"
    assert price["idempotency_key"] == "oss-billing-price-true-fans-1000-usd"
    created = _sent(recorded_stripe, "POST", "/v1/subscriptions")[0]
    form = created["form"]
    assert form["items[0][price]"] == "price_Recorded1000usd"
    assert form["payment_behavior"] == "default_incomplete"
    assert form["expand[0]"] == "latest_invoice.confirmation_secret"
    assert form["metadata[support_id]"] == "41" and form["metadata[storefront]"] == "berlin-fab"
    assert form["proration_behavior"] == "none"
    cancel_at = datetime.datetime.fromtimestamp(int(form["cancel_at"]), tz=datetime.UTC)
    assert (cancel_at.year - before.year) * 12 + cancel_at.month - before.month == 24
    assert abs(cancel_at.day - before.day) <= 3  # the same day of the month (or the month's last day)
    assert created["idempotency_key"].startswith("oss-billing-subscription-")
    assert _sent(recorded_stripe, "POST", "/v1/customers")[0]["idempotency_key"].startswith("oss-billing-customer-")

    assert subscription == billing.Subscription(
        id=subscription.id, customer_id="cus_Recorded" + subscription.customer_id[12:], status="incomplete",
        client_secret=subscription.client_secret, current_period_end=subscription.current_period_end,
    )  # fmt: skip
    assert subscription.id.startswith("sub_") and subscription.customer_id.startswith("cus_")
    assert subscription.client_secret.startswith("pi_") and "_secret_" in subscription.client_secret
    assert subscription.current_period_end == datetime.datetime.fromtimestamp(1798735203, tz=datetime.UTC)


def test_without_a_term_no_end_is_sent(recorded_stripe):
    _start(months=None)
    form = _sent(recorded_stripe, "POST", "/v1/subscriptions")[0]["form"]
    assert "cancel_at" not in form and "proration_behavior" not in form


def test_the_product_and_each_price_are_created_once(recorded_stripe):
    _start("10.00", email="one@example.com")
    _start("10.00", email="two@example.com")
    _start("30.00", email="three@example.com")

    assert len(_sent(recorded_stripe, "POST", "/v1/products")) == 1
    assert [r["form"]["unit_amount"] for r in _sent(recorded_stripe, "POST", "/v1/prices")] == ["1000", "3000"]
    assert len(_sent(recorded_stripe, "POST", "/v1/subscriptions")) == 3
    assert set(BillingPrice.objects.values_list("amount", "price_id")) == {
        (Decimal("10.00"), "price_Recorded1000usd"), (Decimal("30.00"), "price_Recorded3000usd")}  # fmt: skip
    assert set(BillingPrice.objects.values_list("product_id", flat=True)) == {"prod_TnRc0TrueFans1"}


def test_a_retried_signup_sends_the_same_idempotency_keys_and_another_signup_others(recorded_stripe):
    _start(support_id=41)
    _start(support_id=41)
    _start(support_id=42)
    keys = [r["idempotency_key"] for r in _sent(recorded_stripe, "POST", "/v1/subscriptions")]
    assert keys[0] == keys[1] != keys[2]


@pytest.mark.parametrize("months", [0, -1, 1000])
def test_a_term_must_be_a_sane_number_of_months(recorded_stripe, months):
    with pytest.raises(ValueError):
        _start(months=months)
    assert not _sent(recorded_stripe, "POST", "/v1/subscriptions")


def test_cancel_at_the_end_of_the_month_paid_or_now(recorded_stripe):
    assert billing.cancel_subscription(subscription_id=SUB) == "active"
    assert billing.cancel_subscription(subscription_id=SUB, at_period_end=False) == "canceled"
    update, delete = recorded_stripe.requests
    assert (update["method"], update["path"], update["form"]) == (
        "POST", f"/v1/subscriptions/{SUB}", {"cancel_at_period_end": "true"})  # fmt: skip
    assert update["idempotency_key"] == f"oss-billing-cancel-{SUB}-at-period-end"
    assert (delete["method"], delete["path"]) == ("DELETE", f"/v1/subscriptions/{SUB}")


def test_is_configured_follows_stripe_s_keys(settings):
    settings.STRIPE_SECRET_KEY = ""
    assert billing.is_configured() is False
    settings.STRIPE_SECRET_KEY, settings.STRIPE_PUBLISHABLE_KEY, settings.STRIPE_WEBHOOK_SECRET = "sk_x", "pk_x", "wh"
    assert billing.is_configured() is True


# --- Subscription events -----------------------------------------------------------------------------------------


@pytest.fixture
def heard(settings):
    """A test receiver on each signal, alone (the layers above' receivers are theirs to test): every call kept."""
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    calls = {"paid": [], "changed": []}
    saved = [(signal, signal.receivers) for signal in (subscription_invoice_paid, subscription_changed)]
    for signal, _ in saved:
        signal.receivers = []
        signal.sender_receivers_cache.clear()

    def on_paid(sender, **kwargs):
        calls["paid"].append(kwargs)
        return f"month {kwargs['invoice_id']} booked"

    def on_changed(sender, **kwargs):
        calls["changed"].append(kwargs)
        return f"support {kwargs['status']}"

    subscription_invoice_paid.connect(on_paid, weak=False)
    subscription_changed.connect(on_changed, weak=False)
    yield calls
    for signal, receivers in saved:
        signal.receivers = receivers
        signal.sender_receivers_cache.clear()


def _sign(body: str) -> str:
    timestamp = int(time.time())
    return f"t={timestamp},v1={hmac.new(SECRET.encode(), f'{timestamp}.{body}'.encode(), hashlib.sha256).hexdigest()}"


def _post(payload: dict, capture):
    body = json.dumps(payload)
    with capture(execute=True):  # the commit's callbacks run: the worker's task (eager in tests) applies the event
        return Client(enforce_csrf_checks=True).post(
            reverse("payments:stripe-webhook"), body, content_type="application/json", HTTP_STRIPE_SIGNATURE=_sign(body)
        )


def test_a_storm_of_subscription_events_is_stored_once_each_and_each_sent_on_once(
    heard, django_capture_on_commit_callbacks
):
    now = int(time.time())
    metadata = {"support_id": "41", "storefront": "berlin-fab"}
    paid = event("evt_1SqInvoicePaid01", "invoice.paid", paid_invoice(sub_id=SUB, cents=2000, metadata=metadata))
    updates = [
        event(f"evt_1SqSubUpdated0{n}", "customer.subscription.updated",
              subscription_object(SUB, status=status, metadata=metadata, period_end=1798735203), created=now - 60 + n)
        for n, status in ((3, "canceled"), (1, "active"), (2, "past_due"))  # Stripe's order is not the order sent
    ]  # fmt: skip
    answers = [_post(paid, django_capture_on_commit_callbacks) for _ in range(20)]
    for update in updates + updates:
        answers.append(_post(update, django_capture_on_commit_callbacks))

    assert all(answer.status_code == 200 for answer in answers)
    assert sum(not answer.json()["duplicate"] for answer in answers) == 4
    assert WebhookEvent.objects.count() == 4
    assert len(heard["paid"]) == 1 and len(heard["changed"]) == 3
    month = heard["paid"][0]
    assert month == {
        "signal": subscription_invoice_paid, "subscription_id": SUB, "invoice_id": "in_1SqRc0TrueFansInv1",
        "amount": Decimal("20.00"), "currency": "USD",
        "paid_at": datetime.datetime.fromtimestamp(1796056860, tz=datetime.UTC),
        "period_start": datetime.datetime.fromtimestamp(1796056803, tz=datetime.UTC),
        "period_end": datetime.datetime.fromtimestamp(1798735203, tz=datetime.UTC), "metadata": metadata,
        "as_of": month["as_of"],
    }  # fmt: skip
    assert isinstance(month["amount"], Decimal) and month["paid_at"].tzinfo is not None
    # each change carries when Stripe made it, so the receiver keeps the newest word whatever order they came in
    changes = sorted(heard["changed"], key=lambda change: change["as_of"])
    assert [change["status"] for change in changes] == ["active", "past_due", "canceled"]
    assert all(change["metadata"] == metadata and change["subscription_id"] == SUB for change in changes)
    assert changes[0]["current_period_end"] == datetime.datetime.fromtimestamp(1798735203, tz=datetime.UTC)
    stored = WebhookEvent.objects.get(event_id="evt_1SqInvoicePaid01")
    assert stored.processed_at and stored.outcome == "month in_1SqRc0TrueFansInv1 booked"
    assert set(WebhookEvent.objects.exclude(pk=stored.pk).values_list("outcome", flat=True)) == {
        "support active", "support past_due", "support canceled"}  # fmt: skip


def test_a_failed_charge_makes_the_subscription_past_due(heard, django_capture_on_commit_callbacks):
    failed = dict(paid_invoice(sub_id=SUB, metadata={"support_id": "41"}), status="open", amount_paid=0)
    _post(event("evt_1SqInvoiceFailed1", "invoice.payment_failed", failed), django_capture_on_commit_callbacks)
    assert [(c["subscription_id"], c["status"], c["metadata"]) for c in heard["changed"]] == [
        (SUB, "past_due", {"support_id": "41"})]  # fmt: skip
    assert not heard["paid"]


def test_a_paid_invoice_that_is_no_subscription_s_is_not_sent_on(heard, django_capture_on_commit_callbacks):
    invoice = paid_invoice()
    invoice["parent"] = None
    _post(event("evt_1SqInvoiceOneOff1", "invoice.paid", invoice), django_capture_on_commit_callbacks)
    assert not heard["paid"]
    stored = WebhookEvent.objects.get()
    assert stored.processed_at and stored.outcome == "not a subscription's invoice"


def test_an_event_nobody_answers_waits_and_is_applied_later_once(heard, django_capture_on_commit_callbacks):
    subscription_invoice_paid.receivers, kept = [], subscription_invoice_paid.receivers  # nobody listens yet
    subscription_invoice_paid.sender_receivers_cache.clear()
    _post(event("evt_1SqInvoicePaid02", "invoice.paid", paid_invoice(sub_id=SUB)), django_capture_on_commit_callbacks)
    stored = WebhookEvent.objects.get()
    assert stored.processed_at is None and stored.outcome == services.WAITING

    subscription_invoice_paid.receivers = kept  # the receiver is back (a deploy, a fixed bug)
    subscription_invoice_paid.sender_receivers_cache.clear()
    assert services.apply_waiting_events() == []  # too young: its own task may still be at work
    WebhookEvent.objects.filter(pk=stored.pk).update(received_at=timezone.now() - datetime.timedelta(minutes=10))
    from marketplace.payments.tasks import reconcile_payments_task

    reconcile_payments_task.delay()  # beat's reconciliation applies what waits, every 15 minutes
    assert services.apply_waiting_events() == []
    stored.refresh_from_db()
    assert stored.processed_at and len(heard["paid"]) == 1


def test_the_older_event_shape_reads_the_same():
    """An endpoint on an older API version gets ``invoice.subscription`` and ``subscription.current_period_end``."""
    invoice = paid_invoice(sub_id=SUB, metadata={"support_id": "41"})
    details = invoice.pop("parent")["subscription_details"]
    invoice.update(subscription=SUB, subscription_details={"metadata": details["metadata"]})
    assert billing.invoice_paid(invoice)["subscription_id"] == SUB
    assert billing.invoice_paid(invoice)["metadata"] == {"support_id": "41"}
    old = subscription_object(SUB, status="active")
    old["items"]["data"][0].pop("current_period_end")
    old["current_period_end"] = 1798735203
    assert billing.subscription_changed(old)["current_period_end"].timestamp() == 1798735203
