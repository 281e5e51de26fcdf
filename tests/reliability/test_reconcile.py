"""`manage.py reconcile_payments` against localstripe: what Stripe settled but whose webhook never arrived (a confirmed
PaymentIntent, a refund Stripe made) is completed once, through the same services; a second run finds nothing."""

import warnings
from decimal import Decimal
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from marketplace.celery import app as celery_app
from marketplace.fulfilment import refunds as part_refunds
from marketplace.fulfilment.models import OperatorOrder
from marketplace.payments import stripe_gateway
from marketplace.payments.models import Refund, WebhookEvent
from marketplace.revenue.models import JournalEntry
from marketplace.revenue.selectors import ledger_total
from tests import factories

pytestmark = pytest.mark.django_db


def _confirm_at_stripe(order):
    """What Stripe.js does in the shopper's browser; no webhook is registered, so none will come."""
    intent_id = order.sources.get().reference
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        stripe = stripe_gateway._client()
        card = stripe.v1.payment_methods.create(params={"type": "card", "card": {
            "number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}})  # fmt: skip
        stripe.v1.payment_intents.update(intent_id, params={"payment_method": card.id})
        stripe.v1.payment_intents.confirm(intent_id)


def _reconcile(capture) -> str:
    out = StringIO()
    with capture(execute=True):
        call_command("reconcile_payments", stdout=out)
    return out.getvalue()


def test_an_order_confirmed_at_stripe_without_a_webhook_is_paid_by_one_run(
    stripe_settings, two_operators, django_capture_on_commit_callbacks
):
    # given: two card orders; the shopper confirmed the first at Stripe, the second never came back
    capture = django_capture_on_commit_callbacks
    confirmed = factories.checkout([two_operators["printer"], two_operators["mill"]], capture=capture, method="card")
    abandoned = factories.checkout([two_operators["printer"]], capture=capture, method="card",
                                   email="gone@example.com")  # fmt: skip
    _confirm_at_stripe(confirmed)
    assert not WebhookEvent.objects.exists()

    # when
    first = _reconcile(capture)
    second = _reconcile(capture)

    # then
    assert first.splitlines() == [f"order {confirmed.number} paid"]
    assert "Nothing to reconcile" in second and confirmed.number not in second
    confirmed.refresh_from_db()
    abandoned.refresh_from_db()
    assert (confirmed.status, abandoned.status) == ("Paid", "Pending")
    source = confirmed.sources.get()
    assert source.amount_debited == source.amount_allocated == Decimal("2311.50")  # shipping 7.50 + 4.00 included
    assert source.transactions.count() == 1
    assert confirmed.payment_events.filter(event_type__code="paid").count() == 1
    assert JournalEntry.objects.filter(order=confirmed, kind=JournalEntry.ALLOCATION).count() == 1
    assert not JournalEntry.objects.filter(order=abandoned).exists()
    assert ledger_total() == 0


def test_refunds_stripe_made_but_never_told_us_about_are_settled_once(
    stripe_settings, two_operators, django_capture_on_commit_callbacks
):
    # given: a paid card order and two card refunds Stripe made whose news never reached us: for the first the
    # answer to our call was lost (we do not even know Stripe's id), for the second Stripe answered "pending"
    capture = django_capture_on_commit_callbacks
    order = factories.checkout([two_operators["printer"], two_operators["mill"]], capture=capture, method="card")
    _confirm_at_stripe(order)
    assert _reconcile(capture).splitlines() == [f"order {order.number} paid"]
    staff = factories.UserFactory(is_staff=True, is_superuser=True)
    intent_id = order.sources.get().reference
    made = []
    for store, amount in ((two_operators["berlin"], Decimal("100.00")), (two_operators["lyon"], Decimal("250.00"))):
        part = OperatorOrder.objects.get(order=order, partner=store.partner)
        line = order.lines.get(partner=store.partner)
        refund = part_refunds.request_refund(part_id=part.pk, actor=staff, amounts={line.pk: amount}, reason="Late")
        made.append(stripe_gateway.create_refund(intent_id=intent_id, amount=amount, refund_id=refund.pk,
                                                 idempotency_key=refund.idempotency_key))  # fmt: skip
    lost, told_pending = Refund.objects.order_by("pk")
    Refund.objects.filter(pk=told_pending.pk).update(stripe_refund_id=made[1]["id"])

    # when
    first = _reconcile(capture)
    second = _reconcile(capture)

    # then
    assert first.splitlines() == [
        f"refund {lost.pk} of order {order.number}: refunded",
        f"refund {told_pending.pk} of order {order.number}: refunded",
    ]
    assert "Nothing to reconcile" in second
    assert {r.status for r in Refund.objects.all()} == {Refund.SUCCEEDED}
    assert Refund.objects.get(pk=lost.pk).stripe_refund_id == made[0]["id"]
    assert order.sources.get().amount_refunded == Decimal("350.00")
    assert order.payment_events.filter(event_type__code="refunded").count() == 2
    assert JournalEntry.objects.filter(order=order, kind=JournalEntry.REFUND).count() == 2
    assert JournalEntry.objects.filter(order=order, kind=JournalEntry.ALLOCATION).count() == 1
    assert ledger_total() == 0


def test_without_stripe_there_is_nothing_to_reconcile(settings, django_capture_on_commit_callbacks):
    settings.STRIPE_SECRET_KEY = ""
    assert "Nothing to reconcile" in _reconcile(django_capture_on_commit_callbacks)


def test_beat_runs_the_reconciler_every_quarter_hour():
    celery_app.loader.import_default_modules()  # the apps' tasks modules, as a worker imports them at start
    entry = settings.CELERY_BEAT_SCHEDULE["reconcile-payments"]
    assert entry["task"] in celery_app.tasks and entry["schedule"] == 900
