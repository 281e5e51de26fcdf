"""Every call that moves money at Stripe carries a deterministic idempotency key derived from our own record, and
that record is stored before the call (so a retry, even after a crash, sends the same key). Checked on the wire
against localstripe for PaymentIntents and refunds; transfers are checked in tests/revenue/test_transfers.py."""

import warnings
from decimal import Decimal

import pytest
import stripe
from django.test import Client
from django.urls import reverse

from marketplace.fulfilment.models import OperatorOrder
from marketplace.payments import refunds, services, stripe_gateway
from marketplace.payments.models import Refund, StripeIntent
from tests import factories

pytestmark = pytest.mark.django_db
MONEY_MOVING = ("/v1/payment_intents", "/v1/refunds", "/v1/transfers")


@pytest.fixture
def sent(monkeypatch):
    """Each POST that creates money movement at Stripe, with its key and whether our record existed at that moment."""
    calls = []
    send = stripe.RequestsClient.request

    def recording(self, method, url, headers, post_data=None):
        path = "/" + url.split("/", 3)[3].split("?")[0]
        if method == "post" and path in MONEY_MOVING:
            key = (headers or {}).get("Idempotency-Key", "")
            stored = (StripeIntent.objects.filter(order_number=key.removeprefix("oss-order-").removesuffix(
                "-payment-intent"), intent_id="").exists() if path == "/v1/payment_intents"
                else Refund.objects.filter(pk=key.removeprefix("oss-refund-") or 0, stripe_refund_id="").exists()
            )  # fmt: skip
            calls.append({"path": path, "key": key, "stored_before": stored})
        return send(self, method, url, headers, post_data)

    monkeypatch.setattr(stripe.RequestsClient, "request", recording)
    return calls


def test_payment_intents_and_refunds_carry_the_key_of_a_record_stored_before_the_call(
    stripe_settings, two_operators, sent, django_capture_on_commit_callbacks
):
    # given: a card checkout (one PaymentIntent), paid, then a card refund of part of a line
    capture = django_capture_on_commit_callbacks
    order = factories.checkout([two_operators["printer"]], capture=capture, method="card")
    intent_id = order.sources.get().reference
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        client = stripe_gateway._client()
        card = client.v1.payment_methods.create(params={"type": "card", "card": {
            "number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}})  # fmt: skip
        client.v1.payment_intents.update(intent_id, params={"payment_method": card.id})
        client.v1.payment_intents.confirm(intent_id)
    with capture(execute=True):
        assert services.settle_from_stripe(order=order) == "order paid"
    part = OperatorOrder.objects.get(order=order)
    staff = Client()
    staff.force_login(factories.UserFactory(is_staff=True, is_superuser=True))
    with capture(execute=True):
        staff.post(reverse("fulfilment:refund-part", kwargs={"pk": part.pk}),
                   {f"amount_{order.lines.get().pk}": "10.00", "reason": "Scratch"})  # fmt: skip
    refund = Refund.objects.get()

    # when: the same calls are retried (a retried checkout, a retried refund task)
    again = stripe_gateway.intent_for_order(order_number=order.number, amount=order.total_incl_tax, currency="USD")
    assert refunds.submit_stripe_refund(refund_id=refund.pk) == "already submitted"

    # then: one call each, keyed by our stored record, which existed (without Stripe's id yet) before the call
    intent = StripeIntent.objects.get(order_number=order.number)
    assert again.intent_id == intent.intent_id == intent_id
    assert sent == [
        {"path": "/v1/payment_intents", "key": f"oss-order-{order.number}-payment-intent", "stored_before": True},
        {"path": "/v1/refunds", "key": f"oss-refund-{refund.pk}", "stored_before": True},
    ]
    assert (intent.idempotency_key, refund.idempotency_key) == (sent[0]["key"], sent[1]["key"])
    assert refund.status == Refund.SUCCEEDED and refund.amount == Decimal("10.00")
