"""Card checkout against localstripe: the shopper chooses card, the order is placed with its PaymentIntent, and it
becomes paid only when the server, asking Stripe, finds the intent succeeded."""

import warnings
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model

from marketplace.payments import stripe_gateway
from tests.checkout.test_checkout import ADDRESS
from tests.factories import product_in_stock

Order = get_model("order", "Order")
pytestmark = pytest.mark.django_db


def _checkout(client, product, method):
    client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1})
    client.post(reverse("checkout:index"), {"username": "card@example.com", "options": "anonymous"})
    client.post(reverse("checkout:shipping-address"), ADDRESS)
    page = client.get(reverse("checkout:shipping-method"), follow=True).content.decode()
    preview = client.post(reverse("checkout:preview"), {"payment_method": method})
    return page, preview


def test_a_shopper_pays_by_card(stripe_settings, django_capture_on_commit_callbacks):
    product = product_in_stock(title="D3D printer, assembled", price="985.00", stock=3)
    client = Client()
    page, preview = _checkout(client, product, "card")
    assert "Card (Stripe)" in page and "Pay by bank transfer" in page
    assert preview.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        placed = client.post(reverse("checkout:preview"), {"action": "place_order"})
    assert placed.status_code == 302

    order = Order.objects.get()
    source = order.sources.get()
    assert order.status == "Pending" and source.source_type.code == "stripe"
    intent = stripe_gateway.retrieve_intent(source.reference)
    assert (intent["amount"], intent["currency"]) == (98500, "usd")
    response = client.get(placed["Location"])
    thank_you = response.content.decode()
    assert "https://js.stripe.com/v3/" in thank_you and intent["client_secret"] in thank_you
    # the one page whose policy lets Stripe.js load from Stripe (and from the local Stripe the tests use)
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    script_src = policy["script-src"]
    assert "https://js.stripe.com" in script_src and stripe_settings.STRIPE_API_BASE.rstrip("/") in script_src
    assert "stripe" not in client.get("/")["Content-Security-Policy"]

    return_url = reverse("payments:stripe-return", args=[order.number, order.verification_hash()])
    not_yet = client.get(return_url, follow=True).content.decode()
    assert "not confirmed yet" in not_yet  # the browser's word alone changes nothing

    with warnings.catch_warnings():  # what Stripe.js does in the browser
        warnings.simplefilter("ignore")
        stripe_client = stripe_gateway._client()
        card = stripe_client.v1.payment_methods.create(
            params={"type": "card", "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030,
                                             "cvc": "123"}})  # fmt: skip
        stripe_client.v1.payment_intents.update(source.reference, params={"payment_method": card.id})
        stripe_client.v1.payment_intents.confirm(source.reference)

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.get(return_url, follow=True).content.decode()
    assert "your card payment for order" in confirmed
    order.refresh_from_db()
    assert order.status == "Paid"
    # The paid order started its tasks: the line is being fulfilled and the payment is split, card fee included.
    from marketplace.fulfilment.models import LineFulfilment
    from marketplace.revenue.models import Account, JournalEntry

    assert LineFulfilment.objects.get(line__order=order).state == LineFulfilment.AWAITING_SHIPMENT
    entry = JournalEntry.objects.get(order=order, kind=JournalEntry.ALLOCATION)
    fee = sum(p.amount for p in entry.postings.filter(account__kind=Account.PAYMENT_FEES))
    assert fee == Decimal("28.87")  # 2.9 % of 985.00 rounded, plus 0.30
    assert sum(p.amount for p in entry.postings.all()) == 0
    assert client.get(reverse("payments:stripe-return", args=[order.number, "forged"])).status_code == 404


def test_card_is_not_offered_without_stripe_keys(settings):
    settings.STRIPE_SECRET_KEY = ""
    product = product_in_stock(title="Seed potatoes", price="18.50", stock=3)
    client = Client()
    page, refused = _checkout(client, product, "card")
    assert "Card (Stripe)" not in page
    assert refused.status_code == 200
    assert "Choose one of the payment methods offered." in refused.content.decode()
    assert not Order.objects.exists()
