from django.apps import AppConfig


class RevenueConfig(AppConfig):
    name = "marketplace.revenue"
    label = "revenue"
    verbose_name = "Revenue"
