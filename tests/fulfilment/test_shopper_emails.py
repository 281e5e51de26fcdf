"""The shopper hears about each step of an order by e-mail, once each, with links that work on this shop (SITE_URL)
and lead to the order itself: placed (with the bank details), payment received, shipped (with the carrier's
tracking link), delivered, refunded (amount and reason). Staff edit every one of them in the dashboard."""

from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from marketplace.fulfilment import refunds
from marketplace.fulfilment import services as fulfilment
from marketplace.fulfilment.models import OperatorOrder
from marketplace.notifications.models import OrderEmail
from marketplace.notifications.services import EVENTS, PEOPLE_EVENTS
from tests import factories

pytestmark = pytest.mark.django_db
SITE = "http://shop.example.org:8022"


def _only(subject_part: str):
    found = [message for message in mail.outbox if subject_part in message.subject]
    assert len(found) == 1, [message.subject for message in mail.outbox]
    return found[0]


def test_every_step_of_an_order_reaches_the_shopper_once_with_working_links(
    two_operators, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = SITE
    shopper = factories.UserFactory(email="ada@example.com")
    client = Client()
    client.force_login(shopper)
    order = factories.checkout([two_operators["printer"]], capture=django_capture_on_commit_callbacks, client=client)
    order_url = f"{SITE}/accounts/orders/{order.number}/"

    placed = _only("Confirmation of order")
    assert order_url in placed.body and "DE89 3704 0044 0532 0130 00" in placed.body
    assert "sold by Berlin Fab" in placed.body
    html = placed.alternatives[0][0]
    assert f'href="{order_url}"' in html and "127.0.0.1:8000" not in html

    factories.pay_offline(order, capture=django_capture_on_commit_callbacks)
    paid = _only("payment received")
    assert order_url in paid.body and "$907.50" in paid.body

    part = OperatorOrder.objects.get(order=order)
    with django_capture_on_commit_callbacks(execute=True):
        fulfilment.change_status(part_id=part.pk, actor=two_operators["berlin"].operator, status="shipped",
                                 carrier="UPS", tracking_number="1Z999AA10123456784")  # fmt: skip
    shipped = _only("shipped your goods")
    assert "https://www.ups.com/track?tracknum=1Z999AA10123456784" in shipped.body and order_url in shipped.body
    order_page = client.get(reverse("customer:order", kwargs={"order_number": order.number})).content.decode()
    assert 'href="https://www.ups.com/track?tracknum=1Z999AA10123456784"' in order_page  # followed from the page too

    with django_capture_on_commit_callbacks(execute=True):
        fulfilment.confirm_delivery(part_id=part.pk, shopper=shopper)
    assert order_url in _only("delivered by Berlin Fab").body

    with django_capture_on_commit_callbacks(execute=True):
        refunds.request_refund(part_id=part.pk, actor=two_operators["berlin"].operator,
                               amounts={order.lines.get().pk: Decimal("100.00")}, reason="Frame arrived scratched")
    refunded = _only("refunded")
    assert "$100.00" in refunded.subject and "Reason: Frame arrived scratched" in refunded.body

    # each once: the tasks run again send nothing
    from marketplace.notifications.tasks import send_order_email_task

    before = len(mail.outbox)
    for email in OrderEmail.objects.filter(order=order):
        send_order_email_task(order_id=order.pk, code=email.code, key=email.key)
    assert len(mail.outbox) == before
    # and the signed-in shopper finds them in the account's e-mail history
    history = client.get(reverse("customer:email-list")).content.decode()
    assert "payment received" in history and "shipped your goods" in history


def test_staff_can_edit_every_email_the_shop_sends_in_the_dashboard(client):
    client.force_login(factories.UserFactory(is_staff=True, is_superuser=True))
    page = client.get(reverse("dashboard:comms-list")).content.decode()
    for name in {**EVENTS, **PEOPLE_EVENTS}.values():
        assert name in page, name
