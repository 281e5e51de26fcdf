"""An order waiting for its bank transfer: the shopper is reminded once after BANK_TRANSFER_REMIND_AFTER_DAYS, and
the order is cancelled after BANK_TRANSFER_CANCEL_AFTER_DAYS, its stock back on sale; staff cancel the same way."""

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from marketplace.fulfilment import unpaid
from marketplace.fulfilment.models import OperatorOrder
from marketplace.notifications.services import order_path
from tests import factories

Order = get_model("order", "Order")
pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(django_capture_on_commit_callbacks, settings):
    settings.SITE_URL = "http://shop.example.org:8022"
    store = factories.storefront("Berlin Fab", city="Berlin")
    offer = factories.offer(store, factories.level_product(factories.design(), 1), price="40.00", stock=3)
    order = factories.checkout([offer], capture=django_capture_on_commit_callbacks, quantities={offer.pk: 2})
    offer.refresh_from_db()
    assert offer.net_stock_level == 1
    mail.outbox.clear()
    return order, offer


def _age(order, days: float) -> None:
    Order.objects.filter(pk=order.pk).update(date_placed=timezone.now() - datetime.timedelta(days=days))


def _sweep(capture) -> dict:
    with capture(execute=True):
        return unpaid.remind_and_cancel()


def test_nothing_happens_before_the_reminder_is_due(waiting, django_capture_on_commit_callbacks):
    order, _ = waiting
    _age(order, 6.9)
    assert _sweep(django_capture_on_commit_callbacks) == {"cancelled": [], "reminded": []}
    assert mail.outbox == []


def test_the_shopper_is_reminded_once_with_the_bank_details_and_the_deadline(
    waiting, django_capture_on_commit_callbacks
):
    order, _ = waiting
    _age(order, 7.5)
    assert _sweep(django_capture_on_commit_callbacks)["reminded"] == [order.pk]
    assert _sweep(django_capture_on_commit_callbacks)["reminded"] == []  # once

    [reminder] = mail.outbox
    assert reminder.to == [order.email] and "has not arrived yet" in reminder.subject
    order.refresh_from_db()
    deadline = (order.date_placed + datetime.timedelta(days=14)).strftime("%-d %B %Y")
    assert order.number in reminder.body and "DE89 3704 0044 0532 0130 00" in reminder.body
    assert f"If the money has not arrived by {deadline}" in reminder.body
    assert f"http://shop.example.org:8022{order_path(order)}" in reminder.body  # the order itself, on this shop


def test_after_the_deadline_the_order_is_cancelled_and_its_stock_released(waiting, django_capture_on_commit_callbacks):
    order, offer = waiting
    _age(order, 14.1)
    assert _sweep(django_capture_on_commit_callbacks)["cancelled"] == [order.pk]
    assert _sweep(django_capture_on_commit_callbacks) == {"cancelled": [], "reminded": []}  # once

    order.refresh_from_db()
    offer.refresh_from_db()
    assert order.status == "Cancelled" and offer.net_stock_level == 3
    assert set(OperatorOrder.objects.filter(order=order).values_list("status", flat=True)) == {"cancelled"}
    [cancelled] = mail.outbox
    assert "cancelled" in cancelled.subject and "nothing was charged" in cancelled.body
    assert "No bank transfer arrived within 14 days" in order.notes.get().message


def test_a_paid_order_is_never_reminded_or_cancelled(waiting, django_capture_on_commit_callbacks):
    order, offer = waiting
    factories.pay_offline(order, capture=django_capture_on_commit_callbacks)
    mail.outbox.clear()
    _age(order, 30)
    assert _sweep(django_capture_on_commit_callbacks) == {"cancelled": [], "reminded": []}
    order.refresh_from_db()
    assert order.status == "Paid" and mail.outbox == []


def test_staff_cancelling_a_pending_order_release_its_stock_and_tell_the_shopper(
    waiting, django_capture_on_commit_callbacks
):
    order, offer = waiting
    staff = factories.UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(reverse("dashboard:order-detail", kwargs={"number": order.number}),
                           {"order_action": "change_order_status", "new_status": "Cancelled"}, follow=True)  # fmt: skip
    assert f"Order {order.number} cancelled: its items are back on sale" in page.content.decode()
    order.refresh_from_db()
    offer.refresh_from_db()
    assert order.status == "Cancelled" and offer.net_stock_level == 3
    assert [message.to for message in mail.outbox] == [[order.email]]

    confirm = client.post(reverse("payments:confirm-offline", kwargs={"number": order.number}),
                          {"reference": "late transfer"}, follow=True)  # fmt: skip
    assert "only a pending order can be paid" in confirm.content.decode()


def test_the_order_page_says_where_to_pay_and_by_when_until_the_money_arrives(
    waiting, django_capture_on_commit_callbacks
):
    order, _ = waiting
    guest = Client()
    form = reverse("customer:anon-order-form", kwargs={"order_number": order.number, "hash": order.verification_hash()})
    page = guest.post(form, {"email": order.email}, follow=True).content.decode()  # Oscar asks a guest's e-mail
    deadline = (order.date_placed + datetime.timedelta(days=14)).strftime("%-d %B %Y")
    assert 'id="bank-transfer"' in page and "DE89 3704 0044 0532 0130 00" in page and order.number in page
    assert f'id="pay-by">{deadline}<' in page and "we remind you by e-mail" in page

    factories.pay_offline(order, capture=django_capture_on_commit_callbacks)
    assert 'id="bank-transfer"' not in guest.get(order_path(order)).content.decode()
