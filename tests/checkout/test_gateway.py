"""Oscar's checkout gateway (/checkout/) for a shopper who is not signed in: "checkout as a guest" goes on to the
shipping address, and signing in there leads to the one-page checkout."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory, product_in_stock

pytestmark = pytest.mark.django_db


@pytest.fixture
def basket(client):
    product = product_in_stock(title="Seed potatoes, 10 kg", price="18.50", stock=5)
    client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1})
    return client


def test_a_guest_who_gives_an_email_at_the_gateway_goes_on_to_the_shipping_address(basket):
    response = basket.post(reverse("checkout:index"), {"username": "ada@example.com", "options": "anonymous"})
    assert response.status_code == 302
    assert response["Location"] == reverse("checkout:shipping-address")  # not back to the gateway
    assert basket.get(reverse("checkout:shipping-address")).status_code == 200  # the e-mail is captured


def test_a_shopper_who_signs_in_at_the_gateway_gets_the_one_page_checkout(basket):
    UserFactory(email="bob@example.com")
    response = basket.post(reverse("checkout:index"), {"username": "bob@example.com", "options": "existing",
                                                       "password": "skelebrain"})  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == reverse("checkout:index")
    assert "Place order" in basket.get(reverse("checkout:index")).content.decode()


def test_a_wrong_password_at_the_gateway_is_told_in_the_shops_words(basket):
    UserFactory(email="bob@example.com")
    page = basket.post(reverse("checkout:index"), {"username": "bob@example.com", "options": "existing",
                                                   "password": "not-his"}).content.decode()  # fmt: skip
    assert "That e-mail address and password do not match an account" in page
    assert "correct username" not in page and "may be case-sensitive" not in page


def test_the_preview_offers_no_shipping_method_to_change(basket):
    """Each storefront ships its own goods: Oscar's "Change" beside the shipping method led to the payment page."""
    from tests.checkout.test_checkout import ADDRESS

    basket.post(reverse("checkout:index"), {"username": "ada@example.com", "options": "anonymous"})
    basket.post(reverse("checkout:shipping-address"), ADDRESS)
    basket.get(reverse("checkout:shipping-method"))  # one method: chosen for the shopper
    page = basket.post(reverse("checkout:preview"), {"payment_method": "bank-transfer"}).content.decode()
    assert "Shipping method" in page
    assert f'href="{reverse("checkout:shipping-method")}" class="float-right"' not in page  # Oscar's "Change"
