"""Oscar's "Notify me" stock alerts are sent: a shopper asks on a sold-out product's page, the operator restocks,
and the beat task sends the alert once (Oscar's alerts dispatcher, which closes the alerts it sends)."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from oscar.core.loading import get_model

from marketplace.ops.tasks import send_product_alerts_task
from marketplace.storefronts import services as storefront_services
from tests import factories

ProductAlert = get_model("customer", "ProductAlert")
pytestmark = pytest.mark.django_db
NOTIFY_ME = "Notify me"


@pytest.fixture
def sold_out():
    """Apartment Fab's last CEB press kit is sold: its one offer has no stock left."""
    design = factories.design(name="CEB press", category_name="Houses")
    product = factories.level_product(design, 1, title="CEB press kit")
    product.stockrecords.all().delete()
    store = factories.storefront("Apartment Fab")
    factories.offer(store, product, price="1500.00", stock=0)
    return {"product": product, "store": store}


def _ask_to_be_told(client, product, **data):
    """Press "Notify me" on the product page, as the page's own form posts it."""
    page = client.get(product.get_absolute_url()).content.decode()
    assert NOTIFY_ME in page
    action = re.search(r'<form id="alert_form" method="post" action="([^"]+)"', page).group(1)
    return client.post(action, data, follow=True)


def _restock(sold_out, units=4):
    storefront_services.save_offer(storefront=sold_out["store"], product=sold_out["product"], price="1500.00",
                                   num_in_stock=units)  # fmt: skip


def test_a_signed_in_shopper_is_told_once_when_the_product_is_back(sold_out):
    # given a shopper who pressed "Notify me" on the sold-out product's page
    product = sold_out["product"]
    shopper = Client()
    shopper.force_login(factories.UserFactory(email="ada@example.com"))
    answer = _ask_to_be_told(shopper, product)
    assert "An alert has been created" in answer.content.decode()
    page = shopper.get(product.get_absolute_url()).content.decode()
    assert "You have an active stock alert for this product." in page
    send_product_alerts_task.delay()
    assert not mail.outbox  # still sold out: nothing to tell

    # when the operator restocks and the task runs
    _restock(sold_out)
    assert not mail.outbox  # a stock write sends nothing itself (OSCAR_EAGER_ALERTS is off)
    send_product_alerts_task.delay()

    # then one e-mail tells the shopper, naming the product
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ada@example.com"]
    assert "CEB press kit" in message.subject + message.body
    assert "You have an active stock alert" not in shopper.get(product.get_absolute_url()).content.decode()

    # and running it again sends nothing more
    send_product_alerts_task.delay()
    assert len(mail.outbox) == 1


def test_a_guest_confirms_by_email_and_is_told_once(sold_out):
    # given a guest who gave an e-mail address under "Notify me" and followed the confirmation link
    product = sold_out["product"]
    guest = Client()
    answer = _ask_to_be_told(guest, product, email="guest@example.com")
    assert "A confirmation email has been sent to guest@example.com" in answer.content.decode()
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/\S*alerts/confirm/\S+?/)", mail.outbox[0].body).group(1)
    assert "Your stock alert is now active" in guest.get(link, follow=True).content.decode()

    # when the operator restocks and the task runs, twice
    _restock(sold_out)
    send_product_alerts_task.delay()
    send_product_alerts_task.delay()

    # then the guest got one alert, naming the product
    assert len(mail.outbox) == 2
    assert mail.outbox[1].to == ["guest@example.com"]
    assert "CEB press kit" in mail.outbox[1].subject + mail.outbox[1].body
    assert ProductAlert.objects.get().status == ProductAlert.CLOSED


def test_an_alert_on_a_product_still_sold_out_waits(sold_out):
    shopper = Client()
    shopper.force_login(factories.UserFactory(email="ada@example.com"))
    _ask_to_be_told(shopper, sold_out["product"])

    send_product_alerts_task.delay()

    assert not mail.outbox and ProductAlert.objects.get().status == ProductAlert.ACTIVE


def test_beat_sends_the_alerts_every_five_minutes():
    from marketplace.celery import app as celery_app

    entry = settings.CELERY_BEAT_SCHEDULE["send-product-alerts"]
    assert entry["task"] == send_product_alerts_task.name and entry["task"] in celery_app.tasks
    assert entry["schedule"] <= 300
