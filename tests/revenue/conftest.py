"""A shop with three operators, placing and paying orders the way checkout and staff do: Oscar's OrderCreator with
each operator's shipping charge, the offline (bank transfer) method, and staff confirming the transfer."""

import itertools
from decimal import Decimal

import pytest
from oscar.core.loading import get_model

from tests import factories

Country = get_model("address", "Country")
ShippingAddress = get_model("order", "ShippingAddress")

POLICY = {
    "campus_fund_minimum_percent": Decimal("5.00"), "marketing_percent": Decimal("5.00"),
    "royalty_percent": Decimal("3.00"), "card_fee_percent": Decimal("2.90"), "card_fee_fixed": Decimal("0.30"),
    "payout_threshold": Decimal("25.00"),
}  # fmt: skip
_numbers = itertools.count(700001)


@pytest.fixture
def staff():
    return factories.UserFactory(email="treasurer@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def shop(staff):
    """Berlin sells a certified printer (two mark holders), Lyon an uncertified mill, Nairobi a press whose
    certificate expired; each storefront gives its own campus fund percentage."""
    from marketplace.revenue import services

    services.set_policy(actor=staff, **POLICY)
    printer = factories.design(name="D3D printer")
    mill = factories.design(name="CNC mill", category_name="CNC circuit mills")
    press = factories.design(name="Brick press", category_name="Brick presses")
    alice, bob = factories.UserFactory(email="alice@example.com"), factories.UserFactory(email="bob@example.com")
    factories.certify(printer, holders=[alice, bob])
    factories.certify(press, holders=[factories.UserFactory(email="carol@example.com")], days_valid=-1)
    stores = {}
    for key, name, city, campus, shipping in (
        ("berlin", "Berlin Fab", "Berlin", "5.00", "12.50"),
        ("lyon", "Lyon Fab", "Lyon", "10.00", "0.00"),
        ("nairobi", "Nairobi Fab", "Nairobi", "7.50", "8.00"),
    ):
        store = factories.storefront(name, city=city)
        store.campus_fund_percent, store.shipping_charge = Decimal(campus), Decimal(shipping)
        store.save(update_fields=["campus_fund_percent", "shipping_charge"])
        stores[key] = store
    products = {key: factories.level_product(design, 1) for key, design in
                (("printer", printer), ("mill", mill), ("press", press))}  # fmt: skip
    for product in products.values():
        product.stockrecords.all().delete()
    offers = {
        "berlin-printer": factories.offer(stores["berlin"], products["printer"], price="900.00", stock=10_000),
        "lyon-mill": factories.offer(stores["lyon"], products["mill"], price="1400.00", stock=10_000),
        "nairobi-press": factories.offer(stores["nairobi"], products["press"], price="400.00", stock=10_000),
    }
    return {"stores": stores, "offers": offers, "holders": (alice, bob), "designs": (printer, mill, press)}


@pytest.fixture
def place_order():
    return _place_order


@pytest.fixture
def pay(staff, django_capture_on_commit_callbacks):
    """Staff confirm the bank transfer; what the payment enqueues on commit (the allocation) runs."""
    from marketplace.payments.services import confirm_offline_payment

    def pay(order):
        with django_capture_on_commit_callbacks(execute=True):
            confirm_offline_payment(order_id=order.pk, actor=staff, reference=f"SEPA {order.number}")
        return order.payment_events.get(event_type__code="paid")

    return pay


@pytest.fixture
def refund(staff, django_capture_on_commit_callbacks):
    """Staff refund part of one operator's part of an order by bank transfer; the reversal runs on commit."""
    from marketplace.fulfilment.models import OperatorOrder
    from marketplace.payments.refunds import request_refund

    def refund(order, partner, amounts: dict, shipping_amount=Decimal("0.00")):
        part = OperatorOrder.objects.get(order=order, partner=partner)
        with django_capture_on_commit_callbacks(execute=True):
            return request_refund(part_id=part.pk, actor=staff, amounts=amounts, shipping_amount=shipping_amount,
                                  reason="Arrived damaged")  # fmt: skip

    return refund


def _place_order(offers: dict, *, shopper=None):
    """An order of ``offers`` (offer → quantity), placed as checkout places it, awaiting its bank transfer."""
    from oscar.apps.checkout.calculators import OrderTotalCalculator
    from oscar.apps.order.utils import OrderCreator

    from marketplace.basket.models import Basket
    from marketplace.checkout.services import offline_payment_source
    from marketplace.partner.strategy import Default
    from marketplace.shipping.methods import ByOperator

    basket = Basket.objects.create(owner=shopper)
    basket.strategy = Default()
    for offer, quantity in offers.items():
        basket.choose_offer(offer)
        basket.add_product(offer.product, quantity)
    method = ByOperator()
    charge = method.calculate(basket)
    total = OrderTotalCalculator().calculate(basket, charge)
    address = ShippingAddress.objects.create(
        first_name="Ada", last_name="Maker", line1="1 Workshop Lane", line4="Maysville", postcode="64469",
        country=Country.objects.get(iso_3166_1_a2="US"),
    )  # fmt: skip
    number = str(next(_numbers))
    order = OrderCreator().place_order(
        basket=basket, total=total, shipping_method=method, shipping_charge=charge, user=shopper,
        shipping_address=address, order_number=number, status="Pending", guest_email="buyer@example.com",
    )  # fmt: skip
    source = offline_payment_source(order_number=number, amount=total.incl_tax, currency=total.currency)
    source.order = order
    source.save()
    basket.submit()
    return order
