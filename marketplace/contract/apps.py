from django.apps import AppConfig


class ContractConfig(AppConfig):
    name = "marketplace.contract"
    label = "contract"
    verbose_name = "Social Contract"
