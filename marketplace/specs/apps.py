from django.apps import AppConfig


class SpecsConfig(AppConfig):
    name = "marketplace.specs"
    label = "specs"
    verbose_name = "Specifications Metric"
