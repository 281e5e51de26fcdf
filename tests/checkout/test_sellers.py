"""A shopper buying from two operators sees who sells each line, and what each charges for shipping, on the basket,
every checkout page and the thank-you page."""

import pytest
from django.urls import reverse

from tests import factories
from tests.checkout.test_checkout import ADDRESS

pytestmark = pytest.mark.django_db
GUEST = {**ADDRESS, "email": "guest@example.com", "payment_method": "bank-transfer"}


def _fill(client):
    berlin = factories.storefront("Berlin Fab", city="Berlin")
    lyon = factories.storefront("Lyon Fab", city="Lyon")
    berlin.shipping_charge, lyon.shipping_charge = "12.50", "7.00"
    berlin.save(update_fields=["shipping_charge"])
    lyon.save(update_fields=["shipping_charge"])
    design = factories.design()
    printer = factories.level_product(design, 1, title="D3D printer kit")
    press = factories.level_product(factories.design(name="CEB press", category_name="Presses"), 1, title="CEB press")
    for store, product in ((berlin, printer), (lyon, press)):
        offer = factories.offer(store, product, price="100.00")
        client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1, "offer": offer.pk})
    return client


@pytest.fixture
def two_sellers(client):
    return _fill(client)


def _sellers(html: str) -> dict[str, str]:
    """Each seller group's name and its text."""
    groups = {}
    for chunk in html.split('class="card mb-3 seller"')[1:]:
        name = chunk.split('class="seller-name">', 1)[1].split("</strong>", 1)[0]
        groups["Berlin Fab" if "Berlin Fab" in name else "Lyon Fab"] = chunk.split("</section>", 1)[0]
    return groups


def _check(html: str) -> None:
    sellers = _sellers(html)
    assert set(sellers) == {"Berlin Fab", "Lyon Fab"}
    assert "D3D printer kit" in sellers["Berlin Fab"] and "$12.50" in sellers["Berlin Fab"]
    assert "CEB press" in sellers["Lyon Fab"] and "$7.00" in sellers["Lyon Fab"]
    assert "CEB press" not in sellers["Berlin Fab"]


def test_the_basket_and_the_guest_checkout_say_who_sells_what(two_sellers):
    _check(two_sellers.get(reverse("basket:summary")).content.decode())
    _check(two_sellers.get(reverse("checkout:guest")).content.decode())


def test_the_signed_in_steps_and_the_preview_say_who_sells_what(client):
    client.force_login(factories.UserFactory(email="shopper@example.com"))
    _fill(client)
    client.post(reverse("checkout:shipping-address"), ADDRESS)
    client.get(reverse("checkout:shipping-method"), follow=True)
    client.post(reverse("checkout:preview"), {"payment_method": "bank-transfer"})
    _check(client.get(reverse("checkout:preview")).content.decode())


def test_the_thank_you_page_shows_each_operators_part_with_its_shipping(
    two_sellers, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        two_sellers.post(reverse("checkout:guest"), GUEST)
    html = two_sellers.get(reverse("checkout:thank-you")).content.decode()
    parts = html.split('id="order-parts"', 1)[1]
    berlin = parts.split("Berlin Fab", 1)[1].split("</section>", 1)[0]
    lyon = parts.split("Lyon Fab", 1)[1].split("</section>", 1)[0]
    assert "D3D printer kit" in berlin and "$12.50" in berlin
    assert "CEB press" in lyon and "$7.00" in lyon
