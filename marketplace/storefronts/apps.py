from django.apps import AppConfig


class StorefrontsConfig(AppConfig):
    name = "marketplace.storefronts"
    label = "storefronts"
    verbose_name = "Storefronts"
