"""Each tier rule, shown by the action it refuses and the message it gives."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from catalog.models import Product
from tests import factories
from tiers.models import Tier, TierApplication
from tiers.services import apply_for_tier, decide_tier_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def goods():
    book = factories.design(name="Microfactory handbook", category_name="Information goods > Books")
    printer = factories.design(name="D3D printer", category_name="3D printers")
    house = factories.design(name="Seed Eco-Home", category_name="Houses")
    ebook = Product.objects.create(title="Handbook ebook", design=book, is_public=True,
                                   product_class=factories.product_class("level-1-digital"))  # fmt: skip
    ebook.categories.add(book.category)
    return {
        "ebook": ebook,
        "printer": factories.level_product(printer, 1, title="D3D printer, assembled"),
        "printer_training": factories.level_product(printer, 2, title="D3D build course"),
        "printer_licence": factories.level_product(printer, 3, title="D3D licence"),
        "house_kit": factories.level_product(house, 1, title="Seed Eco-Home kit"),
    }


def _refused(store, product) -> str:
    with pytest.raises(ValidationError) as error:
        factories.offer(store, product)
    assert not store.partner.stockrecords.filter(product=product).exists()
    return " ".join(error.value.messages)


def test_passive_operators_sell_only_digital_information_goods(goods):
    store = factories.storefront("Curriculum Commons", tier="passive", city="Portland")
    factories.offer(store, goods["ebook"], stock=None)
    assert _refused(store, goods["printer"]) == (
        "The Passive tier offers digital goods only; “D3D printer, assembled” is a physical product."
    )


def test_a_tier_refuses_levels_it_does_not_sell(goods):
    store = factories.storefront("Curriculum Commons", tier="passive", city="Portland")
    message = _refused(store, goods["printer_training"])
    assert message == ("The Passive tier may not offer level 2 (production): it offers level 1 (product).")


def test_only_homestead_and_campus_tiers_offer_level_3_licences(goods):
    garage = factories.storefront("Garage Works", tier="microfactory-2", city="Nairobi")
    assert "The Microfactory Level 2 (garage) tier may not offer level 3 (distribution licence)" in _refused(
        garage, goods["printer_licence"]
    )
    campus = factories.storefront("Factor e Campus", tier="campus", city="Maysville")
    factories.certify(goods["printer_licence"].design, holders=[campus.operator])
    factories.offer(campus, goods["printer_licence"], stock=None)


def test_only_holders_of_the_designs_mark_offer_its_licence(goods):
    campus = factories.storefront("Factor e Campus", tier="campus", city="Maysville")
    assert _refused(campus, goods["printer_licence"]) == (
        "Only holders of the OSE Certified mark for D3D printer may offer its distribution licence: "
        "contribute to its certification first."
    )


def test_physical_goods_need_a_tier_that_makes_them():
    book = factories.design(name="Printed handbook", category_name="Information goods > Books")
    paperback = factories.level_product(book, 1, title="Paperback handbook")  # a physical level 1 product
    passive = factories.storefront("Curriculum Commons", tier="passive", city="Portland")
    assert _refused(passive, paperback) == (
        "The Passive tier offers digital goods only; “Paperback handbook” is a physical product."
    )
    mail = factories.storefront("Maker Mail", tier="background-2", city="Berlin")
    factories.offer(mail, paperback)  # Background 2 mails packages


def test_a_tier_refuses_categories_outside_its_trees(goods):
    apartment = factories.storefront("Apartment Fab", tier="microfactory-1", city="Kansas City")
    factories.offer(apartment, goods["printer"])
    message = _refused(apartment, goods["house_kit"])
    assert message.startswith("The Microfactory Level 1 (apartment) tier may not offer “Seed Eco-Home kit” in its")
    assert "3D printers" in message and "Houses" not in message


def test_a_storefront_that_is_not_active_cannot_make_offers(goods):
    pending = factories.storefront("Pending Fab", tier="campus", city="Lyon", active=False)
    from marketplace.storefronts.services import approve_storefront, suspend_storefront

    pending = approve_storefront(storefront=pending, staff=None, notify=False)
    suspend_storefront(storefront=pending, staff=None, reason="Unpaid fees")
    pending.refresh_from_db()
    assert _refused(pending, goods["printer"]) == "Pending Fab is not an active storefront, so it cannot make offers."


def test_the_admin_stock_record_form_applies_the_tier_rules(client, goods):
    # the same rule holds when the offer is made through a model form (admin, Oscar's dashboard stock record form)
    store = factories.storefront("Curriculum Commons", tier="passive", city="Portland")
    client.force_login(factories.UserFactory(is_staff=True, is_superuser=True))
    page = client.post(
        reverse("admin:partner_stockrecord_add"),
        {"product": goods["printer_training"].pk, "partner": store.partner.pk, "partner_sku": "x",
         "price_currency": "USD", "price": "10.00", "num_in_stock": "3"},
    )  # fmt: skip
    assert page.status_code == 200
    assert "The Passive tier may not offer level 2 (production)" in page.content.decode()
    assert not store.partner.stockrecords.exists()


def test_tier_application_refused_while_requirements_are_unmet(goods):
    store = factories.storefront("Maker Mail", tier="background-2", city="Berlin")
    target = Tier.objects.get(code="microfactory-1")
    # applying is refused too (tests/tiers/test_tier_applications.py): an application from before that rule
    application = TierApplication.objects.create(storefront=store, tier=target, motivation="We print fittings now.")
    staff = factories.UserFactory(is_staff=True)
    with pytest.raises(ValidationError) as error:
        decide_tier_application(application=application, staff=staff, approve=True)
    assert "Cannot approve: the operator has not completed a production training" in " ".join(error.value.messages)
    store.refresh_from_db()
    assert store.tier.code == "background-2"


def test_tier_application_approved_once_requirements_are_met(goods):
    from oscar.test.factories import create_order

    store = factories.storefront("Maker Mail", tier="background-2", city="Berlin")
    order = create_order(user=store.operator)
    order.lines.update(product=goods["printer_training"])
    order.set_status("Paid")
    application = apply_for_tier(storefront=store, tier=Tier.objects.get(code="microfactory-1"))
    decide_tier_application(application=application, staff=factories.UserFactory(is_staff=True), approve=True)
    store.refresh_from_db()
    assert store.tier.code == "microfactory-1"
    assert TierApplication.objects.get().status == "approved"


def test_only_one_pending_tier_application_and_rejections_need_a_reason(goods):
    store = factories.storefront("Maker Mail", tier="background-2", city="Berlin")
    application = apply_for_tier(storefront=store, tier=Tier.objects.get(code="passive"))
    with pytest.raises(ValidationError, match="already have a tier application waiting"):
        apply_for_tier(storefront=store, tier=Tier.objects.get(code="campus"))
    with pytest.raises(ValidationError, match="Say why"):
        decide_tier_application(application=application, staff=None, approve=False, reason=" ")
    decide_tier_application(application=application, staff=None, approve=False, reason="Keep mailing books.")
    assert TierApplication.objects.get().reason == "Keep mailing books."


def test_the_six_tiers_are_seeded_in_order():
    assert list(Tier.objects.values_list("name", flat=True)) == [
        "Passive", "Background 2", "Microfactory Level 1 (apartment)", "Microfactory Level 2 (garage)",
        "Microfactory Level 3 (homestead)", "Campus Enterprise",
    ]  # fmt: skip
