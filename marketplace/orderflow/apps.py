from django.apps import AppConfig


class OrderflowConfig(AppConfig):
    name = "marketplace.orderflow"
    label = "orderflow"
    verbose_name = "The order's path"

    def ready(self):
        from marketplace.orderflow import receivers

        receivers.listen()
