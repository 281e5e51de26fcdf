from django.apps import AppConfig


class FulfilmentConfig(AppConfig):
    name = "marketplace.fulfilment"
    label = "fulfilment"
    verbose_name = "Fulfilment"
