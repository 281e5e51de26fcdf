from django.apps import AppConfig


class StewardshipConfig(AppConfig):
    name = "marketplace.stewardship"
    label = "stewardship"
    verbose_name = "Repair, upgrade and take-back"
