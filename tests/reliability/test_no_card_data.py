"""No card number, CVC or expiry is ever stored or logged: a whole card checkout against localstripe, logged at DEBUG
(as with LOG_LEVEL=DEBUG), then every log record, every row of every table, every session and every mail searched."""

import json
import logging
import re
import warnings

import pytest
import requests
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from marketplace.revenue.models import JournalEntry
from tests import factories

pytestmark = pytest.mark.django_db

PAN = "4242424242424242"
NEEDLES = [
    re.compile(pattern)
    for pattern in (
        r"4242[\s-]?4242[\s-]?4242[\s-]?4242",  # the number, plain, spaced or dashed
        r"424242[\s-]?424242",  # the number without its last four (anything but last4 is card data)
        r"(?i)\bcvc\b",
        r"(?i)\bcvv\b",
        r"(?i)exp_month|exp_year|card_exp|\bexpiry\b",
        r"\b12\s?/\s?(20)?30\b",  # 12/30, 12/2030
        r"\b2030-12\b",
    )
]


def _browser_confirms_card(intent_id: str):
    """What Stripe.js does in the shopper's browser: the card goes to Stripe, never through our server (so not
    through our process's Stripe library or its logs)."""
    api, auth = settings.STRIPE_API_BASE, (settings.STRIPE_SECRET_KEY, "")
    card = requests.post(f"{api}/v1/payment_methods", auth=auth, timeout=10, data={
        "type": "card", "card[number]": PAN, "card[exp_month]": "12", "card[exp_year]": "2030", "card[cvc]": "123",
    }).json()  # fmt: skip
    requests.post(f"{api}/v1/payment_intents/{intent_id}", auth=auth, timeout=10,
                  data={"payment_method": card["id"]}).raise_for_status()  # fmt: skip
    requests.post(f"{api}/v1/payment_intents/{intent_id}/confirm", auth=auth, timeout=10).raise_for_status()


def _everything_stored() -> str:
    """Every row of every table, every session decoded, every mail."""
    dump = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - our own table names
            dump += [f"{table}: {row!r}" for row in cursor.fetchall()]
    dump += [repr(session.get_decoded()) for session in Session.objects.all()]
    dump += [f"{message.subject}\n{message.body}" for message in mail.outbox]
    return "\n".join(dump)


def _found(text: str) -> list[str]:
    return [f"{needle.pattern}: …{text[max(0, m.start() - 80):m.end() + 80]}…"
            for needle in NEEDLES for m in [needle.search(text)] if m]  # fmt: skip


def test_a_card_checkout_stores_and_logs_no_card_number_cvc_or_expiry(
    stripe_settings, two_operators, caplog, django_capture_on_commit_callbacks
):
    # given: logging at DEBUG from the root down (loggers the settings quiet keep their level), SQL included
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django.db.backends")  # every query with its parameters
    caplog.set_level(logging.DEBUG, logger="stripe")  # whole responses (settings keep it at INFO in production)
    connection.force_debug_cursor = True
    capture = django_capture_on_commit_callbacks
    try:
        # when: a shopper checks out by card, confirms it in the browser and comes back to the shop
        client = Client()
        order = factories.checkout([two_operators["printer"], two_operators["mill"]], capture=capture,
                                   method="card")  # fmt: skip
        intent_id = order.sources.get().reference
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _browser_confirms_card(intent_id)
        with capture(execute=True):
            page = client.get(reverse("payments:stripe-return", args=[order.number, order.verification_hash()]),
                              follow=True)  # fmt: skip
    finally:
        connection.force_debug_cursor = False
    order.refresh_from_db()
    assert order.status == "Paid" and page.status_code == 200
    assert JournalEntry.objects.filter(order=order, kind=JournalEntry.ALLOCATION).count() == 1

    # then: the search finds a card where there is one ...
    logged = caplog.text + "\n".join(repr(record.__dict__) for record in caplog.records)
    stored = _everything_stored()
    assert "INSERT" in logged and "API response body" in logged  # SQL with its parameters, Stripe's answers
    assert intent_id in logged and intent_id in stored
    assert len(_found(f"{PAN} 4242 4242 4242 4242 cvc exp_month 12/2030")) == 5
    # ... but no trace of the card number, its CVC or its expiry anywhere
    assert _found(logged) == []
    assert _found(stored) == []


def test_a_stripe_event_carrying_the_cards_expiry_is_stored_without_it(settings, django_capture_on_commit_callbacks):
    """Stripe's charge objects (in charge.* events) carry the card's expiry; the stored event keeps last4 only."""
    from marketplace.payments.models import WebhookEvent
    from tests.reliability.test_webhook_storm import URL, sign

    settings.STRIPE_WEBHOOK_SECRET = "whsec_test_secret"
    card = {"brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2030, "country": "US",
            "checks": {"cvc_check": "pass"}}  # fmt: skip
    event = {"id": "evt_card_details", "object": "event", "type": "charge.refunded", "created": 1_764_000_000,
             "data": {"object": {"id": "ch_1", "object": "charge", "payment_method_details": {"card": card,
                                 "type": "card"}, "refunds": {"data": []}}}}  # fmt: skip
    body = json.dumps(event)
    assert _found(body)  # the needles see what Stripe sends
    with django_capture_on_commit_callbacks(execute=True):
        answer = Client().post(URL, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=sign(body))
    assert answer.status_code == 200
    stored = WebhookEvent.objects.get(event_id="evt_card_details")
    assert stored.payload["data"]["object"]["payment_method_details"]["card"]["last4"] == "4242"
    assert _found(_everything_stored()) == []
