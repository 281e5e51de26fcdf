"""Stripe webhooks, signed the way Stripe signs them: verified, stored once, applied once, from the event only."""

import hashlib
import hmac
import json
import time

import pytest
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import create_order

from marketplace.payments.models import WebhookEvent

Source = get_model("payment", "Source")
SourceType = get_model("payment", "SourceType")
SECRET = "whsec_test_secret"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def stripe_configured(settings):
    settings.STRIPE_WEBHOOK_SECRET = SECRET


def _sign(body: str, *, secret=SECRET, timestamp=None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={signature}"


def _event(event_id="evt_1", intent="pi_123", amount=1000, currency="usd", kind="payment_intent.succeeded"):
    return json.dumps({"id": event_id, "object": "event", "type": kind, "created": int(time.time()),
                       "data": {"object": {"id": intent, "object": "payment_intent", "amount_received": amount,
                                           "currency": currency}}})  # fmt: skip


def _post(body, signature, capture):
    client = Client(enforce_csrf_checks=True)  # the webhook must work without a CSRF token
    with capture(execute=True):
        return client.post(reverse("payments:stripe-webhook"), body, content_type="application/json",
                           HTTP_STRIPE_SIGNATURE=signature)  # fmt: skip


@pytest.fixture
def order_paid_by_card():
    order = create_order(total=None)
    stripe_type, _ = SourceType.objects.get_or_create(code="stripe", defaults={"name": "Card (Stripe)"})
    Source.objects.create(order=order, source_type=stripe_type, currency="USD", reference="pi_123",
                          amount_allocated=order.total_incl_tax)  # fmt: skip
    order.status = "Pending"
    order.save()
    return order


def test_a_signed_event_is_stored_and_pays_the_order_once(order_paid_by_card, django_capture_on_commit_callbacks):
    cents = int(order_paid_by_card.total_incl_tax * 100)
    body = _event(amount=cents)
    first = _post(body, _sign(body), django_capture_on_commit_callbacks)
    duplicate = _post(body, _sign(body), django_capture_on_commit_callbacks)

    assert first.status_code == 200 and first.json() == {"received": True, "duplicate": False}
    assert duplicate.status_code == 200 and duplicate.json()["duplicate"] is True
    order_paid_by_card.refresh_from_db()
    assert order_paid_by_card.status == "Paid"
    source = order_paid_by_card.sources.get()
    assert source.amount_debited == order_paid_by_card.total_incl_tax and source.transactions.count() == 1
    assert WebhookEvent.objects.get().outcome == "order paid"


@pytest.mark.parametrize(
    "signature",
    [
        "t=1,v1=deadbeef",  # forged
        "",  # missing
        "replayed",  # a real signature, 10 minutes old
        "wrong-secret",
    ],
)
def test_bad_or_replayed_signatures_are_rejected_and_nothing_is_stored(
    order_paid_by_card, django_capture_on_commit_callbacks, signature
):
    body = _event()
    header = {
        "replayed": _sign(body, timestamp=int(time.time()) - 600),
        "wrong-secret": _sign(body, secret="whsec_other"),
    }.get(signature, signature)
    assert _post(body, header, django_capture_on_commit_callbacks).status_code == 400
    assert not WebhookEvent.objects.exists()
    order_paid_by_card.refresh_from_db()
    assert order_paid_by_card.status == "Pending"


def test_a_truncated_body_is_rejected(django_capture_on_commit_callbacks):
    body = _event()[:-10]
    assert _post(body, _sign(body), django_capture_on_commit_callbacks).status_code == 400


def test_the_amount_must_match_what_the_order_expects(order_paid_by_card, django_capture_on_commit_callbacks):
    body = _event(amount=1)
    assert _post(body, _sign(body), django_capture_on_commit_callbacks).status_code == 200
    order_paid_by_card.refresh_from_db()
    assert order_paid_by_card.status == "Pending"
    assert WebhookEvent.objects.get().outcome.startswith("amount mismatch")


def test_an_event_for_an_already_paid_order_changes_nothing(order_paid_by_card, django_capture_on_commit_callbacks):
    cents = int(order_paid_by_card.total_incl_tax * 100)
    for event_id in ("evt_1", "evt_2"):  # Stripe may send a second, different event for the same intent
        body = _event(event_id=event_id, amount=cents)
        _post(body, _sign(body), django_capture_on_commit_callbacks)
    assert order_paid_by_card.sources.get().transactions.count() == 1
    assert list(WebhookEvent.objects.order_by("pk").values_list("outcome", flat=True)) == ["order paid", "already paid"]


def test_without_a_configured_secret_the_webhook_does_not_exist(settings, django_capture_on_commit_callbacks):
    settings.STRIPE_WEBHOOK_SECRET = ""
    body = _event()
    assert _post(body, _sign(body), django_capture_on_commit_callbacks).status_code == 404
    assert not WebhookEvent.objects.exists()


def test_a_late_failure_event_does_not_undo_a_payment(order_paid_by_card, django_capture_on_commit_callbacks):
    """Stripe does not promise order: a payment_failed (an earlier attempt's) may arrive after succeeded."""
    cents = int(order_paid_by_card.total_incl_tax * 100)
    succeeded = _event(event_id="evt_ok", amount=cents)
    failed = _event(event_id="evt_failed_attempt", amount=cents, kind="payment_intent.payment_failed")
    _post(succeeded, _sign(succeeded), django_capture_on_commit_callbacks)
    assert _post(failed, _sign(failed), django_capture_on_commit_callbacks).status_code == 200

    order_paid_by_card.refresh_from_db()
    assert order_paid_by_card.status == "Paid"
    assert WebhookEvent.objects.get(event_id="evt_failed_attempt").outcome == "ignored"
    assert order_paid_by_card.payment_events.filter(event_type__code="paid").count() == 1
