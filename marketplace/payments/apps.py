from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "marketplace.payments"
    label = "marketplace_payments"
    verbose_name = "Payments"
