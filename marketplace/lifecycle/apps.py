from django.apps import AppConfig


class LifecycleConfig(AppConfig):
    name = "marketplace.lifecycle"
    label = "lifecycle"
    verbose_name = "Units and quality control"
