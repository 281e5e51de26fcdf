"""Half a year of the demo shop's life: seven orders placed the way checkout places them (Oscar's OrderCreator, each
operator's part and shipping, the bank-transfer method), dated from five months ago to today; six paid and
allocated to the ledger, one still awaiting its bank transfer. Then what operators and staff did next: three parts
shipped (the oldest confirmed delivered by the shopper), one line partly refunded and reversed in the ledger, and
the payout run, one payout settled. So every order, fulfilment, refund and revenue page has something true to show,
and the ledger balances.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from oscar.core.loading import get_model

from marketplace.checkout.services import place_offline_order
from marketplace.demo.users import DEMO_ADDRESS
from marketplace.fulfilment import delivery, refunds
from marketplace.fulfilment import services as fulfilment
from marketplace.fulfilment.models import OperatorOrder
from marketplace.payments.services import confirm_offline_payment
from marketplace.revenue import payouts as paying
from marketplace.revenue import reversals
from marketplace.revenue import services as revenue
from marketplace.storefronts.models import Storefront

Country = get_model("address", "Country")
Order = get_model("order", "Order")
PaymentEvent = get_model("order", "PaymentEvent")

DEMO_ORDERS = [
    # (months ago, offers as (storefront slug, product upc, quantity), paid?) — half a year of the shop's life
    (5, [("curriculum-commons", "microfactory-handbook-L1", 1), ("homestead-hub", "seed-potatoes-L1", 2)], True),
    (4, [("apartment-fab", "pex-fittings-L1", 3), ("apartment-fab", "pex-fittings-L2", 1)], True),
    (3, [("garage-works", "cnc-circuit-mill-L1", 1), ("factor-e-farm", "d3d-printer-L2", 1)], True),
    (2, [("factor-e-farm", "trainable-robot-L1", 1), ("maker-mail", "microfactory-handbook-L2", 2)], True),
    (1, [("homestead-hub", "seed-potatoes-L1", 5), ("apartment-fab", "d3d-printer-L1", 1)], True),
    (0, [("apartment-fab", "d3d-printer-L1", 1), ("homestead-hub", "ceb-press-L3", 1),
         ("garage-works", "power-cube-L1", 1)], True),
    (0, [("maker-mail", "microfactory-handbook-L2", 1)], False),
]  # fmt: skip
# What operators did next: (order index, storefront slug, carrier, tracking number); and one partial refund.
DEMO_SHIPMENTS = [(1, "apartment-fab", "USPS", "9400 1000 0000 0000 0001"), (2, "garage-works", "DHL", "JD014600"),
                  (4, "homestead-hub", "La Poste", "6A12345678901")]  # fmt: skip
DEMO_REFUND = (3, "factor-e-farm", "150.00", "Arrived with a cracked gripper; the shopper kept the arm.")


def place_demo_orders(*, shopper, staff) -> None:
    """Orders placed the way checkout places them (Oscar's OrderCreator, each operator's shipping, the offline
    method), paid, delivered, shipped, one partly refunded, dated over half a year; then payouts. Once."""
    if shopper.orders.exists():
        return
    country = Country.objects.get(iso_3166_1_a2="US")
    orders = []
    for months_ago, offers, paid in DEMO_ORDERS:
        offers = [
            (Storefront.objects.get(slug=slug).partner.stockrecords.get(product__upc=upc), quantity)
            for slug, upc, quantity in offers
        ]
        order = place_offline_order(offers=offers, shopper=shopper, address=DEMO_ADDRESS | {"country": country})
        placed = timezone.now() - timedelta(days=30 * months_ago + 2)
        Order.objects.filter(pk=order.pk).update(date_placed=placed)
        if paid:
            confirm_offline_payment(order_id=order.pk, actor=staff, reference=f"DEMO-SEPA-{len(orders) + 1:04d}")
            PaymentEvent.objects.filter(order=order).update(date_created=placed + timedelta(days=1))
            revenue.allocate_order(order=order)  # now, so its date is the payment's; the task then finds it done
            for line in order.lines.all():
                delivery.fulfil_line(line_id=line.pk)
        orders.append(order)
    for index, slug, carrier, tracking in DEMO_SHIPMENTS:
        part = OperatorOrder.objects.get(order=orders[index], partner__storefront__slug=slug)
        operator = Storefront.objects.get(slug=slug).operator
        fulfilment.change_status(part_id=part.pk, actor=operator, status=OperatorOrder.SHIPPED, carrier=carrier,
                                 tracking_number=tracking)  # fmt: skip
        if index == DEMO_SHIPMENTS[0][0]:  # the oldest parcel arrived, and the shopper said so; the others travel
            fulfilment.confirm_delivery(part_id=part.pk, shopper=shopper)
    index, slug, amount, reason = DEMO_REFUND
    part = OperatorOrder.objects.get(order=orders[index], partner__storefront__slug=slug)
    line = part.lines.first()
    refund = refunds.request_refund(part_id=part.pk, actor=staff, amounts={line.pk: Decimal(amount)}, reason=reason)
    reversals.reverse_refund(refund_id=refund.pk)
    # the campus gave its bank details for payouts by hand; the other operators are asked to on their revenue page
    paying.set_payout_details(partner_id=Storefront.objects.get(slug="factor-e-farm").partner_id,
                               holder="Factor e Farm Campus", details="DE89 3704 0044 0532 0130 00")  # fmt: skip
    payouts = paying.run_payouts()  # operators above the threshold get a payout for staff to settle by hand
    for payout in payouts[:1]:  # one already settled, the rest waiting for staff
        paying.settle_manual_payout(payout_id=payout.pk, actor=staff, reference="DEMO-WIRE-0001")
