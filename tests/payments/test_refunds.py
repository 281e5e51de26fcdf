"""Refunds: staff, or the operator for its own lines, give back whole lines or part of an amount. Bank-transfer
refunds settle at once; card refunds go through Stripe (localstripe here) and settle by what Stripe says. Each is
recorded against its lines and reverses its share of the ledger; the other operators' lines are untouched."""

import hashlib
import hmac
import json
import time
import warnings
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from marketplace.fulfilment import refunds as part_refunds
from marketplace.fulfilment.models import OperatorOrder
from marketplace.payments import refunds, stripe_gateway
from marketplace.payments.models import Refund
from marketplace.revenue.models import Account, JournalEntry, Posting
from marketplace.revenue.selectors import ledger_total
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_order(two_operators, django_capture_on_commit_callbacks):
    order = factories.checkout([two_operators["printer"], two_operators["mill"]],
                               capture=django_capture_on_commit_callbacks)  # fmt: skip
    return factories.pay_offline(order, capture=django_capture_on_commit_callbacks)


def _part(order, store):
    return OperatorOrder.objects.get(order=order, partner=store.partner)


def _refund_url(part):
    return reverse("fulfilment:refund-part", kwargs={"pk": part.pk})


def test_an_operator_refunds_part_of_its_own_line_and_the_other_operator_is_untouched(
    paid_order, two_operators, django_capture_on_commit_callbacks
):
    berlin, lyon = _part(paid_order, two_operators["berlin"]), _part(paid_order, two_operators["lyon"])
    printer_line = paid_order.lines.get(partner=two_operators["berlin"].partner)
    lyon_before = Posting.objects.filter(partner=two_operators["lyon"].partner).count()
    client = Client()
    client.force_login(two_operators["berlin"].operator)

    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(_refund_url(berlin), {f"amount_{printer_line.pk}": "100.00", "reason": "Scratched frame"},
                           follow=True).content.decode()  # fmt: skip
    assert "Refunded $100.00" in page

    refund = Refund.objects.get()
    assert (refund.status, refund.method, refund.amount) == (Refund.SUCCEEDED, Refund.OFFLINE, Decimal("100.00"))
    assert [(rl.line_id, rl.amount, rl.quantity) for rl in refund.lines.all()] == [
        (printer_line.pk, Decimal("100.00"), 0)  # part of the amount, not the whole line
    ]
    source = paid_order.sources.get()
    assert source.amount_refunded == Decimal("100.00")
    assert paid_order.payment_events.filter(event_type__code="refunded", amount=Decimal("100.00")).exists()
    # The ledger reverses exactly 100.00, on the printer line only.
    entry = JournalEntry.objects.get(kind=JournalEntry.REFUND)
    reversed_ = entry.postings.exclude(account__kind=Account.CLEARING)
    assert sum(p.amount for p in reversed_) == Decimal("-100.00")
    assert {p.line_id for p in reversed_} == {printer_line.pk}
    assert Posting.objects.filter(partner=two_operators["lyon"].partner).count() == lyon_before
    assert ledger_total() == 0
    assert part_refunds.refundable_by_line(berlin) == {printer_line.pk: Decimal("800.00")}
    assert set(part_refunds.refundable_by_line(lyon).values()) == {Decimal("1400.00")}

    other = client.post(_refund_url(lyon), {"reason": "not mine"})
    assert other.status_code == 404  # another operator's part does not exist for Berlin


def test_refunds_never_exceed_what_was_paid_and_bad_input_is_explained(paid_order, two_operators):
    berlin = _part(paid_order, two_operators["berlin"])
    line = paid_order.lines.get(partner=two_operators["berlin"].partner)
    client = Client()
    client.force_login(factories.UserFactory(is_staff=True, is_superuser=True))
    cases = [
        ({f"amount_{line.pk}": "900.01", "reason": "x"}, "At most $900.00 is left to refund on that line."),
        ({f"amount_{line.pk}": "ten", "reason": "x"}, "is not an amount"),
        ({f"amount_{line.pk}": "1.001", "reason": "x"}, "is not an amount in cents"),
        ({f"amount_{line.pk}": "-5", "reason": "x"}, "cannot be negative"),
        ({f"amount_{line.pk}": "10", "reason": " "}, "Say why you refund"),
        ({"shipping_amount": "7.51", "reason": "x"}, "of the shipping charge is left to refund"),
        ({"reason": "nothing chosen"}, "Choose what to refund"),
        ({f"amount_{line.pk}": "10", "reason": "x" * 5000}, "Keep the reason under 255 characters (it has 5000)"),
    ]
    for data, message in cases:
        page = client.post(_refund_url(berlin), data, follow=True).content.decode()
        assert message in page, message
    assert not Refund.objects.exists()

    client.post(_refund_url(berlin), {f"amount_{line.pk}": "900.00", "shipping_amount": "7.50", "reason": "Lost"})
    refund = Refund.objects.get()
    assert (refund.amount, refund.shipping_amount, refund.lines.get().quantity) == (
        Decimal("907.50"), Decimal("7.50"), 1,  # the whole line
    )  # fmt: skip
    again = client.post(_refund_url(berlin), {f"amount_{line.pk}": "0.01", "reason": "more"}, follow=True)
    assert "At most $0.00 is left" in again.content.decode()


def test_an_unpaid_order_cannot_be_refunded(two_operators, django_capture_on_commit_callbacks):
    order = factories.checkout([two_operators["printer"]], capture=django_capture_on_commit_callbacks)
    line = order.lines.get()
    client = Client()
    client.force_login(factories.UserFactory(is_staff=True, is_superuser=True))
    page = client.post(_refund_url(_part(order, two_operators["berlin"])),
                       {f"amount_{line.pk}": "1.00", "reason": "x"}, follow=True).content.decode()  # fmt: skip
    assert "Only a paid order can be refunded." in page


# --- card refunds through Stripe --------------------------------------------------------------------------------


@pytest.fixture
def card_order(stripe_settings, two_operators, django_capture_on_commit_callbacks):
    """A two-operator order paid by card against localstripe."""
    order = factories.checkout([two_operators["printer"], two_operators["mill"]],
                               capture=django_capture_on_commit_callbacks, method="card")  # fmt: skip
    intent_id = order.sources.get().reference
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        stripe = stripe_gateway._client()
        card = stripe.v1.payment_methods.create(params={"type": "card", "card": {
            "number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}})  # fmt: skip
        stripe.v1.payment_intents.update(intent_id, params={"payment_method": card.id})
        stripe.v1.payment_intents.confirm(intent_id)
    from marketplace.payments.services import settle_from_stripe

    with django_capture_on_commit_callbacks(execute=True):
        assert settle_from_stripe(order=order) == "order paid"
    order.refresh_from_db()
    return order


def test_a_card_refund_goes_through_stripe_once(card_order, two_operators, django_capture_on_commit_callbacks):
    lyon = _part(card_order, two_operators["lyon"])
    mill_line = card_order.lines.get(partner=two_operators["lyon"].partner)
    client = Client()
    client.force_login(two_operators["lyon"].operator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_refund_url(lyon), {f"amount_{mill_line.pk}": "250.00", "reason": "Late delivery"})

    refund = Refund.objects.get()
    assert refund.method == Refund.STRIPE and refund.stripe_refund_id.startswith("re_")
    stripe_refund = stripe_gateway.retrieve_refund(refund.stripe_refund_id)
    assert (stripe_refund["amount"], stripe_refund["status"]) == (25000, "succeeded")
    assert stripe_refund["payment_intent"] == card_order.sources.get().reference
    assert refund.status == Refund.SUCCEEDED  # Stripe's own answer settled it
    assert card_order.sources.get().amount_refunded == Decimal("250.00")
    assert JournalEntry.objects.filter(kind=JournalEntry.REFUND).count() == 1 and ledger_total() == 0

    # A retried task does not refund twice.
    assert refunds.submit_stripe_refund(refund_id=refund.pk) == "already submitted"
    intent = card_order.sources.get().reference
    listed = stripe_gateway._client().v1.refunds.list(params={"payment_intent": intent}).data
    assert len(listed) == 1


# --- refund webhooks (signed with the test secret, as Stripe signs them) -----------------------------------------

SECRET = "whsec_test_secret"


def _deliver(event_id, kind, refund_object, capture):
    body = json.dumps({"id": event_id, "object": "event", "type": kind, "created": int(time.time()),
                       "data": {"object": refund_object}})  # fmt: skip
    timestamp = int(time.time())
    signature = hmac.new(SECRET.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    with capture(execute=True):
        return Client(enforce_csrf_checks=True).post(
            reverse("payments:stripe-webhook"), body, content_type="application/json",
            HTTP_STRIPE_SIGNATURE=f"t={timestamp},v1={signature}",
        )  # fmt: skip


@pytest.fixture
def pending_card_refund(paid_order, two_operators, settings):
    """A card refund whose Stripe id we have not stored yet (the task has not answered): only its metadata names it."""
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    part = _part(paid_order, two_operators["berlin"])
    line = paid_order.lines.get(partner=two_operators["berlin"].partner)
    source = paid_order.sources.get()
    source.source_type.code = "stripe"  # the order was paid by card
    source.source_type.save()
    refund = Refund.objects.create(order=paid_order, operator_order=part, method=Refund.STRIPE,
                                   amount=Decimal("40.00"), currency="USD", reason="Dent")  # fmt: skip
    refund.lines.create(line=line, amount=Decimal("40.00"))
    return refund


def _stripe_refund(refund, status):
    return {"id": "re_test_1", "object": "refund", "amount": 4000, "currency": "usd", "status": status,
            "payment_intent": "pi_x", "metadata": {"refund_id": str(refund.pk)}}  # fmt: skip


def test_refund_webhooks_settle_once_in_any_order(pending_card_refund, django_capture_on_commit_callbacks):
    refund = pending_card_refund
    capture = django_capture_on_commit_callbacks
    # refund.updated (succeeded) arrives before refund.created (pending): the later, older news changes nothing.
    assert _deliver("evt_r2", "refund.updated", _stripe_refund(refund, "succeeded"), capture).status_code == 200
    assert _deliver("evt_r1", "refund.created", _stripe_refund(refund, "pending"), capture).status_code == 200
    duplicate = _deliver("evt_r2", "refund.updated", _stripe_refund(refund, "succeeded"), capture)
    assert duplicate.json() == {"received": True, "duplicate": True}

    refund.refresh_from_db()
    assert (refund.status, refund.stripe_refund_id) == (Refund.SUCCEEDED, "re_test_1")
    assert refund.order.sources.get().amount_refunded == Decimal("40.00")
    assert refund.order.payment_events.filter(event_type__code="refunded").count() == 1
    assert JournalEntry.objects.filter(kind=JournalEntry.REFUND).count() == 1


def test_a_failed_refund_gives_nothing_back(pending_card_refund, django_capture_on_commit_callbacks):
    refund = pending_card_refund
    failed = dict(_stripe_refund(refund, "failed"), failure_reason="expired_or_canceled_card")
    _deliver("evt_f1", "refund.failed", failed, django_capture_on_commit_callbacks)
    _deliver("evt_f2", "charge.refunded", {"object": "charge", "refunds": {"data": [
        _stripe_refund(refund, "succeeded")]}}, django_capture_on_commit_callbacks)  # fmt: skip
    refund.refresh_from_db()
    assert (refund.status, refund.failure) == (Refund.FAILED, "expired_or_canceled_card")
    assert refund.order.sources.get().amount_refunded == 0
    assert not JournalEntry.objects.filter(kind=JournalEntry.REFUND).exists()


def test_a_card_refund_waiting_for_stripe_holds_its_amount_back(paid_order, two_operators):
    """A refund sent to Stripe and not settled yet still counts: the same money cannot be refunded twice."""
    from marketplace.payments.models import RefundLine

    berlin = _part(paid_order, two_operators["berlin"])
    line = paid_order.lines.get(partner=two_operators["berlin"].partner)
    waiting = Refund.objects.create(order=paid_order, operator_order=berlin, method=Refund.STRIPE, currency="USD",
                                    amount=Decimal("600.00"), reason="Sent to Stripe", status=Refund.PENDING)
    RefundLine.objects.create(refund=waiting, line=line, amount=Decimal("600.00"))
    with pytest.raises(ValidationError, match=r"At most \$300.00 is left to refund on that line"):
        part_refunds.request_refund(part_id=berlin.pk, actor=two_operators["berlin"].operator,
                               amounts={line.pk: Decimal("400.00")}, reason="Again")  # fmt: skip
