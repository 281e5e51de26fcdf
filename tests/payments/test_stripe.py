"""Card payments through Stripe's own library, against localstripe: one PaymentIntent per order whatever the
retries, and the order paid only when Stripe, asked server side, says the intent succeeded."""

import warnings
from decimal import Decimal

import pytest
import stripe
from oscar.core.loading import get_model
from oscar.test.factories import create_order

from marketplace.payments import services, stripe_gateway
from marketplace.payments.models import StripeIntent

Source = get_model("payment", "Source")
SourceType = get_model("payment", "SourceType")
pytestmark = pytest.mark.django_db


def _card(number: str) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        method = stripe_gateway._client().v1.payment_methods.create(
            params={"type": "card", "card": {"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123"}}
        )
    return method.id


def _order_paying_by_card(record):
    order = create_order(number=record.order_number)
    card, _ = SourceType.objects.get_or_create(code="stripe", defaults={"name": "Card (Stripe)"})
    Source.objects.create(order=order, source_type=card, currency=record.currency, reference=record.intent_id,
                          amount_allocated=record.amount)  # fmt: skip
    order.status = "Pending"
    order.total_incl_tax = record.amount
    order.save()
    return order


def test_a_retried_checkout_reuses_the_orders_payment_intent(stripe_settings):
    first = stripe_gateway.intent_for_order(order_number="100042", amount=Decimal("985.00"), currency="USD")
    again = stripe_gateway.intent_for_order(order_number="100042", amount=Decimal("985.00"), currency="USD")
    assert first.intent_id.startswith("pi_") and again.intent_id == first.intent_id
    assert StripeIntent.objects.count() == 1
    intent = stripe_gateway.retrieve_intent(first.intent_id)
    assert (intent["amount"], intent["currency"]) == (98500, "usd")
    with pytest.raises(ValueError, match="another amount"):
        stripe_gateway.intent_for_order(order_number="100042", amount=Decimal("1.00"), currency="USD")


def test_the_order_is_paid_only_once_stripe_says_the_intent_succeeded(stripe_settings):
    record = stripe_gateway.intent_for_order(order_number="100043", amount=Decimal("24.00"), currency="USD")
    order = _order_paying_by_card(record)

    assert services.settle_from_stripe(order=order).startswith("not paid yet")  # the browser has not confirmed
    order.refresh_from_db()
    assert order.status == "Pending"

    # the shopper's card is confirmed (in production by Stripe.js in the browser)
    client = stripe_gateway._client()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        client.v1.payment_intents.update(record.intent_id, params={"payment_method": _card("4242424242424242")})
        client.v1.payment_intents.confirm(record.intent_id)

    assert services.settle_from_stripe(order=order) == "order paid"
    assert services.settle_from_stripe(order=order) == "already paid"
    order.refresh_from_db()
    assert order.status == "Paid"
    assert order.sources.get().amount_debited == Decimal("24.00")


def test_stripe_errors_reach_the_caller_as_stripe_errors(stripe_settings):
    with pytest.raises(stripe.InvalidRequestError):
        stripe_gateway.retrieve_intent("pi_does_not_exist")
