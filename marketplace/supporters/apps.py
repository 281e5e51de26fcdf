from django.apps import AppConfig


class SupportersConfig(AppConfig):
    name = "marketplace.supporters"
    label = "supporters"
    verbose_name = "True Fans"
