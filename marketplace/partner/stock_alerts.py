"""Oscar's low-stock alerts, kept without a question at each sale: an allocation only lowers an offer's stock, so a
sale that leaves it at or above its threshold can open no alert, and closing one is for stock coming back (an
operator's or staff's save, which still goes through Oscar's receiver)."""

from oscar.apps.partner import receivers


def update_stock_alerts(sender, instance, created, **kwargs):
    allocation = kwargs.get("update_fields") == frozenset({"num_allocated"})  # as StockRecord.allocate sends it
    if allocation and not instance.is_below_threshold:
        return
    receivers.update_stock_alerts(sender, instance, created, **kwargs)
