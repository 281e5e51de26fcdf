"""Oscar's analytics counters (purchases and basket additions per product; orders, spending and basket additions
per customer), recomputed from the orders and baskets themselves instead of incremented on every request.

Oscar increments a counter row inside the shopper's request on each add to basket and each order: a write on a
path that should only read the shop, and one row every buyer of a popular product waits to lock. Here the shop's
own records are the truth and a beat task rebuilds the counters from them: running it twice gives the same counts.
A basket addition counts the product's lines in baskets (a line later removed from its basket no longer counts);
product views are not recorded (marketplace.browse.views).
"""

from django.db import transaction
from django.db.models import Count, IntegerField, Max, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from oscar.core.loading import get_model

ProductRecord = get_model("analytics", "ProductRecord")
UserRecord = get_model("analytics", "UserRecord")
BasketLine = get_model("basket", "Line")
OrderLine = get_model("order", "Line")
Order = get_model("order", "Order")


def disconnect_request_counters() -> None:
    """Take Oscar's per-request counter receivers off its basket and order signals."""
    from oscar.apps.analytics import receivers
    from oscar.apps.basket.signals import basket_addition
    from oscar.apps.order.signals import order_placed

    basket_addition.disconnect(receivers.receive_basket_addition)
    order_placed.disconnect(receivers.receive_order_placed)


def _count(queryset, field: str, aggregate):
    return Coalesce(Subquery(queryset.values(field).annotate(total=aggregate).values("total")[:1]),
                    Value(0), output_field=IntegerField())  # fmt: skip


@transaction.atomic
def refresh_records() -> dict[str, int]:
    """Every product's and every customer's counters, from the orders and basket lines: returns how many rows were
    written of each."""
    from catalog.models import Product

    purchases = OrderLine.objects.filter(product_id=OuterRef("product_id")).order_by()
    additions = BasketLine.objects.filter(product_id=OuterRef("product_id")).order_by()
    products = Product.objects.filter(pk__in=OrderLine.objects.values("product_id")) | Product.objects.filter(
        pk__in=BasketLine.objects.values("product_id")
    )
    existing = set(ProductRecord.objects.values_list("product_id", flat=True))
    ProductRecord.objects.bulk_create(
        [ProductRecord(product_id=pk) for pk in products.values_list("pk", flat=True) if pk not in existing]
    )
    written = ProductRecord.objects.update(
        num_purchases=_count(purchases, "product_id", Sum("quantity")),
        num_basket_additions=_count(additions, "product_id", Count("pk")),
    )
    customers = Order.objects.filter(user__isnull=False).values_list("user_id", flat=True).distinct()
    existing = set(UserRecord.objects.values_list("user_id", flat=True))
    UserRecord.objects.bulk_create([UserRecord(user_id=pk) for pk in customers if pk not in existing])
    orders = Order.objects.filter(user_id=OuterRef("user_id")).order_by()
    lines = OrderLine.objects.filter(order__user_id=OuterRef("user_id")).order_by()
    baskets = BasketLine.objects.filter(basket__owner_id=OuterRef("user_id")).order_by()
    users = UserRecord.objects.update(
        num_orders=_count(orders, "user_id", Count("pk")),
        num_order_lines=_count(lines, "order__user_id", Count("pk")),
        num_order_items=_count(lines, "order__user_id", Sum("quantity")),
        num_basket_additions=_count(baskets, "basket__owner_id", Count("pk")),
        total_spent=Coalesce(
            Subquery(orders.values("user_id").annotate(total=Sum("total_incl_tax")).values("total")[:1]),
            Value(0),
            output_field=UserRecord._meta.get_field("total_spent"),
        ),
        date_last_order=Subquery(orders.values("user_id").annotate(last=Max("date_placed")).values("last")[:1]),
    )
    return {"products": written, "customers": users}
