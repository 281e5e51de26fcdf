"""A guest buys from two operators on one page and pays by bank transfer: the basket, the checkout and the
thank-you page say who sells each line and what each operator charges to ship; the thank-you page and the e-mail
say where to pay, how much, with which reference and by when. The guest opens the e-mail's link (it leads to this
shop and to the order), staff confirm the transfer, the e-mail says the payment arrived, the order page gives the
download; the operator refunds a line with a reason and the guest sees the reason and the closed download."""

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.utils import timezone
from oscar.core.loading import get_model
from playwright.sync_api import expect

from tests import factories
from tests.checkout.test_checkout import ADDRESS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
Order = get_model("order", "Order")


@pytest.fixture
def two_sellers(settings, tmp_path):
    """Berlin Fab ships a printer ($7.50 shipping); Lyon Fab sells a handbook as a download."""
    from catalog.models import Product, ProductClass

    settings.PRIVATE_MEDIA_ROOT = tmp_path
    berlin, lyon = factories.storefront("Berlin Fab", city="Berlin"), factories.storefront("Lyon Fab", city="Lyon")
    berlin.shipping_charge = Decimal("7.50")
    berlin.save(update_fields=["shipping_charge"])
    printer = factories.level_product(factories.design(name="D3D printer"), 1, title="D3D printer kit")
    printer.stockrecords.all().delete()
    handbook = Product.objects.create(
        title="Microfactory handbook (PDF)", design=factories.design(name="Microfactory handbook",
                                                                     category_name="Books"),
        is_public=True, product_class=ProductClass.objects.get(slug="level-1-digital"),
    )  # fmt: skip
    handbook.digital_file.save("handbook.pdf", ContentFile(b"%PDF-1.4 the handbook"))
    return {"berlin": berlin, "lyon": lyon, "printer": factories.offer(berlin, printer, price="900.00"),
            "handbook": factories.offer(lyon, handbook, price="12.00", stock=None)}  # fmt: skip


def _link(message, start: str) -> str:
    return next(word for word in message.body.split() if word.startswith(start))


def test_a_guest_buys_from_two_operators_pays_by_transfer_downloads_and_sees_a_refund(
    journey, two_sellers, live_server, settings
):
    settings.SITE_URL = live_server.url  # the e-mails' links lead to this shop
    journey = journey("guest-bank-transfer")
    guest = journey.person()

    # given a guest with two operators' goods in the basket
    for offer in (two_sellers["printer"], two_sellers["handbook"]):
        guest.goto(offer.product.get_absolute_url())
        guest.locator(f"form:has(input[name=offer][value='{offer.pk}']) button").first.click()
        expect(guest.locator(".alert-success").first).to_be_visible()
    guest.goto("/basket/")
    sellers = guest.locator("#sellers .seller")
    expect(sellers).to_have_count(2)
    expect(sellers.filter(has_text="Berlin Fab")).to_contain_text("D3D printer kit")
    expect(sellers.filter(has_text="Berlin Fab").locator(".seller-shipping")).to_contain_text("$7.50")
    expect(sellers.filter(has_text="Lyon Fab")).to_contain_text("Microfactory handbook (PDF)")
    journey.screenshot(guest, "01-basket-by-seller", phone=True)

    # when they check out on one page by bank transfer
    guest.get_by_role("link", name="Check out as a guest").click()
    expect(guest.locator("#sellers .seller")).to_have_count(2)
    expect(guest.locator("#payment-help")).not_to_contain_text("Stripe")  # only bank transfer is offered
    guest.fill("#id_email", "grace@example.com")
    for field in ("first_name", "last_name", "line1", "line4", "postcode"):
        guest.fill(f"#id_{field}", ADDRESS[field])
    guest.select_option("#id_country", ADDRESS["country"])
    journey.screenshot(guest, "02-one-page-checkout", phone=True)
    guest.locator("#place-order").click()
    guest.wait_for_url(re.compile(r"/checkout/thank-you/"))

    # then the thank-you page says where to pay, how much, with which reference and by when, and who sells what
    order = Order.objects.get(guest_email="grace@example.com")
    transfer = guest.locator("#bank-transfer")
    expect(transfer).to_contain_text("DE89 3704 0044 0532 0130 00")
    expect(transfer).to_contain_text("$919.50")
    expect(transfer).to_contain_text(order.number)
    deadline = timezone.localtime(order.date_placed + datetime.timedelta(days=14))
    expect(transfer.locator("#pay-by")).to_have_text(deadline.strftime("%-d %B %Y"))
    expect(guest.locator("#order-parts .order-part")).to_have_count(2)
    expect(guest.locator(".checkout-progress, .progress")).to_have_count(0)
    journey.screenshot(guest, "03-thank-you", phone=True)

    # and the e-mail says the same, with a link that opens the order on this shop
    [placed] = [m for m in mail.outbox if m.subject.startswith("Confirmation of order")]
    assert "DE89 3704 0044 0532 0130 00" in placed.body and order.number in placed.body
    order_link = _link(placed, live_server.url)
    guest.goto(order_link)
    guest.fill("input[name=email]", "grace@example.com")  # Oscar asks a guest for the order's e-mail
    guest.locator("form button[type=submit]").last.click()
    expect(guest.locator("#bank-transfer")).to_contain_text(order.number)

    # when staff confirm the transfer, the guest hears it and the order page gives the download
    staff = factories.UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)
    desk = journey.person(staff.email)
    desk.goto(f"/dashboard/orders/{order.number}/")
    desk.fill("#confirm-offline-payment input[name=reference]", "SEPA 2026-0099")
    desk.get_by_role("button", name="Confirm payment received").click()
    expect(desk.locator(".alert-success")).to_contain_text(f"Payment for order {order.number} confirmed")
    [paid] = [m for m in mail.outbox if "payment received" in m.subject]
    assert order_link in paid.body

    guest.goto(order_link)
    download = guest.locator("#order-parts .download")
    expect(download.get_by_role("link", name="Download")).to_be_visible()
    expect(guest.locator("#bank-transfer")).to_have_count(0)
    journey.screenshot(guest, "04-order-with-download", phone=True)
    with guest.expect_download() as got:
        download.get_by_role("link", name="Download").click()
    assert Path(got.value.path()).read_bytes() == b"%PDF-1.4 the handbook"

    # when Lyon refunds the handbook with a reason
    operator = journey.person(two_sellers["lyon"].operator.email)
    operator.goto(f"/dashboard/orders/{order.number}/")
    operator.locator("#dashboard-parts .dashboard-part summary", has_text="Refund").click()
    refund = operator.locator(".part-refund-form")
    line = order.lines.get(partner__name="Lyon Fab")
    refund.locator(f"#refund-{line.pk}").fill("12.00")
    refund.get_by_label("Reason (the shopper sees it)").fill("Wrong edition sent")
    refund.get_by_role("button", name="Refund").click()
    expect(operator.locator(".alert-success")).to_contain_text("Refunded $12.00")

    # then the guest's e-mail and order page give the reason, and the download is closed
    [refunded] = [m for m in mail.outbox if "refunded" in m.subject]
    assert "Reason: Wrong edition sent" in refunded.body and "$12.00" in refunded.subject
    guest.goto(order_link)
    lyon_part = guest.locator("#order-parts .order-part", has_text="Lyon Fab")
    expect(lyon_part.locator(".part-refunded")).to_contain_text("Wrong edition sent")
    expect(lyon_part.locator(".download-revoked")).to_be_visible()
    journey.screenshot(guest, "05-refund-and-closed-download", phone=True)
