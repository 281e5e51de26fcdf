"""The tier-category rule on the dashboard's product form: a product in a category its storefront's tier sells in is
offered, one outside it is refused with the rule's message at the top of the page."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from catalog.models import Category, Product
from tests import factories
from tests.reliability.hostile.html import form_data

pytestmark = pytest.mark.django_db

CREATE_URL = reverse("dashboard:catalogue-product-create", kwargs={"product_class_slug": "level-1-physical"})


@pytest.fixture
def apartment():
    return factories.storefront("Apartment Fab", tier="microfactory-1", city="Kansas City")


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _product_form(client, *, title, design, category, partner, price="9.50", stock="10") -> dict:
    data = form_data(client.get(CREATE_URL).content.decode(), form_id="create_update_product_form")
    data.update({
        "title": title, "design": str(design.pk), "productcategory_set-0-category": str(category.pk),
        "stockrecords-0-partner": str(partner.pk), "stockrecords-0-partner_sku": f"{partner.pk}-{title[:20]}",
        "stockrecords-0-price": price, "stockrecords-0-num_in_stock": stock,
    })  # fmt: skip
    return data


def _messages(page) -> list[str]:
    return [str(message) for message in page.context["messages"]] if page.context else []


def test_an_apartment_operator_offers_a_product_in_a_category_of_its_tier(apartment):
    # given the finding's case: PEX fittings in "Plumbing fittings", which the apartment tier sells in
    design = factories.design(name="Printed PEX plumbing fittings", category_name="Plumbing fittings")
    operator = _as(apartment.operator)
    # when
    data = _product_form(operator, title="Printed PEX plumbing fittings", design=design, category=design.category,
                         partner=apartment.partner)  # fmt: skip
    response = operator.post(CREATE_URL, data)
    # then
    assert response.status_code == 302, _messages(response) or response.context["form"].errors
    product = Product.objects.get(title="Printed PEX plumbing fittings")
    assert list(product.categories.all()) == [design.category]
    offer = product.stockrecords.get()
    assert (offer.partner, offer.price, offer.num_in_stock) == (apartment.partner, Decimal("9.50"), 10)


def test_staff_offer_a_product_for_an_apartment_storefront_in_a_category_of_its_tier(apartment):
    design = factories.design(name="Printed PEX plumbing fittings", category_name="Plumbing fittings")
    staff = _as(factories.UserFactory(is_staff=True, is_superuser=True, email="staff@example.com"))
    data = _product_form(staff, title="Printed PEX plumbing fittings", design=design, category=design.category,
                         partner=apartment.partner)  # fmt: skip
    response = staff.post(CREATE_URL, data)
    assert response.status_code == 302, _messages(response) or response.context["form"].errors
    assert Product.objects.get(title="Printed PEX plumbing fittings").stockrecords.get().partner == apartment.partner


def test_an_existing_products_category_is_changed_into_one_of_the_tier(apartment):
    # the rule reads the categories being saved, not those the product had before
    design = factories.design(name="Printed PEX plumbing fittings", category_name="Plumbing fittings")
    operator = _as(apartment.operator)
    operator.post(CREATE_URL, _product_form(operator, title="PEX elbow", design=design, category=design.category,
                                            partner=apartment.partner))  # fmt: skip
    product = Product.objects.get(title="PEX elbow")
    url = reverse("dashboard:catalogue-product", kwargs={"pk": product.pk})
    data = form_data(operator.get(url).content.decode(), form_id="create_update_product_form")
    data["productcategory_set-0-category"] = str(Category.objects.get(name="Cars", depth=1).pk)
    page = operator.post(url, data)
    assert page.status_code == 200
    assert list(product.categories.all()) == [design.category]
    data["productcategory_set-0-category"] = str(Category.objects.get(name="Tablets", depth=1).pk)
    assert operator.post(url, data).status_code == 302
    assert [category.name for category in product.categories.all()] == ["Tablets"]


def test_a_category_outside_the_tier_is_refused_at_the_top_of_the_page_naming_the_rule(apartment):
    design = factories.design(name="Open tractor", category_name="Cars")
    operator = _as(apartment.operator)
    data = _product_form(operator, title="Open tractor kit", design=design, category=design.category,
                         partner=apartment.partner)  # fmt: skip
    page = operator.post(CREATE_URL, data)
    assert page.status_code == 200
    assert not Product.objects.filter(title="Open tractor kit").exists()
    rule = (
        "The Microfactory Level 1 (apartment) tier may not offer “Open tractor kit” in its category; it sells in: "
    )
    assert [message for message in _messages(page) if rule in message] == [
        f"Not saved — the tier rule on categories refuses this offer: {rule}"
        "3D printers, Plumbing fittings, Tablets, CNC circuit mills, Trainable robots, Information goods."
    ]
    html = page.content.decode()
    # the message is shown above the form's tabs, not only in the collapsed "Stock and pricing" tab
    assert html.index("tier rule on categories") < html.index('id="create_update_product_form"')


def test_a_level_the_tier_does_not_sell_is_refused_at_the_top_of_the_page_naming_the_rule():
    passive = factories.storefront("Curriculum Commons", tier="passive", city="Portland")
    design = factories.design(name="Microfactory handbook", category_name="Information goods > Books")
    operator = _as(passive.operator)
    data = _product_form(operator, title="Paperback handbook", design=design, category=design.category,
                         partner=passive.partner)  # fmt: skip
    page = operator.post(CREATE_URL, data)
    assert page.status_code == 200
    assert not Product.objects.filter(title="Paperback handbook").exists()
    assert (
        "Not saved — the tier rule on physical goods refuses this offer: The Passive tier offers digital goods only; "
        "“Paperback handbook” is a physical product."
    ) in _messages(page)
