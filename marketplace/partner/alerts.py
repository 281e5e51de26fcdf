"""Oscar's stock alerts ("Notify me" on a sold-out product), sent by a beat task instead of inside every stock
write (``OSCAR_EAGER_ALERTS`` is off). Oscar's alerts dispatcher sends them and closes each alert it sends, so a
second run sends nothing; a product's alerts are locked while they are sent, so two runs at once send each alert
once."""

import logging

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from oscar.core.loading import get_class, get_model

AlertsDispatcher = get_class("customer.alerts.utils", "AlertsDispatcher")
ProductAlert = get_model("customer", "ProductAlert")
StockRecord = get_model("partner", "StockRecord")

logger = logging.getLogger("oscar.alerts")


class BackInStockDispatcher(AlertsDispatcher):
    """Oscar's dispatcher, looking only at products with an offer that has stock again (Oscar then asks, for each
    alert, whether the shopper can buy the product) and sending each product's alerts under a lock."""

    def get_queryset(self):
        in_stock = StockRecord.objects.filter(
            Q(num_in_stock__isnull=True) | Q(num_in_stock__gt=Coalesce("num_allocated", 0)), product_id=OuterRef("pk")
        )
        return super().get_queryset().filter(Exists(in_stock)).order_by("pk")

    def send_alerts(self) -> int:
        sent = 0
        for product in self.get_queryset():
            with transaction.atomic():
                # a run at the same time waits here for these alerts, then finds them closed
                ids = list(ProductAlert.objects.select_for_update().filter(
                    product_id__in=(product.pk, product.parent_id), status=ProductAlert.ACTIVE
                ).values_list("pk", flat=True))  # fmt: skip
                if ids:
                    self.send_product_alert_email_for_user(product)
                    sent += ProductAlert.objects.filter(pk__in=ids, status=ProductAlert.CLOSED).count()
        return sent


def send_product_alerts() -> int:
    """Tell every shopper whose alerted product can be bought again, once; returns how many alerts were sent."""
    sent = BackInStockDispatcher(logger=logger).send_alerts()
    logger.info("Sent %d stock alerts", sent)
    return sent
