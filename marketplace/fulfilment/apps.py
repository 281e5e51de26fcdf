from django.apps import AppConfig


class FulfilmentConfig(AppConfig):
    name = "marketplace.fulfilment"
    label = "fulfilment"
    verbose_name = "Fulfilment"

    def ready(self):
        from oscar.apps.order.signals import order_placed

        from marketplace.fulfilment import receivers

        order_placed.connect(receivers.open_operator_orders, dispatch_uid="fulfilment-open-operator-orders")
