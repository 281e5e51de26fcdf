"""The ledger keeps one currency, the shop's: a database holding money in another stops the shop at start-up (the
system check `migrate` runs), and a payment in another currency is never split into the ledger."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from oscar.core.loading import get_model

from marketplace.money import OtherCurrency
from marketplace.revenue.models import JournalEntry
from marketplace.revenue.services import allocate_payment
from tests import factories

PaymentEvent = get_model("order", "PaymentEvent")
pytestmark = pytest.mark.django_db


def test_a_shop_in_one_currency_starts(shop):
    call_command("check", databases=["default"])  # raises SystemCheckError on any error


def test_an_offer_in_another_currency_stops_the_start_and_says_which(shop):
    offer = shop["offers"]["berlin-printer"]
    offer.price_currency = "EUR"
    offer.save()

    with pytest.raises(SystemCheckError) as refused:
        call_command("check", databases=["default"])

    assert "partner.StockRecord holds amounts in EUR, but the shop's currency is USD" in str(refused.value)
    assert "SHOP_CURRENCY" in str(refused.value)


def test_a_payment_in_another_currency_is_not_split(shop, django_capture_on_commit_callbacks):
    order = factories.checkout([shop["offers"]["berlin-printer"]], capture=django_capture_on_commit_callbacks)
    order.currency = "EUR"  # e.g. SHOP_CURRENCY changed under a shop that already took orders
    order.save()
    factories.pay_offline(order, capture=django_capture_on_commit_callbacks)  # its allocation task refuses
    event = PaymentEvent.objects.get(order=order, event_type__code="paid")

    with pytest.raises(OtherCurrency, match="in EUR; this shop's ledger keeps USD only"):
        allocate_payment(payment_event_id=event.pk)
    assert not JournalEntry.objects.filter(order=order).exists()
