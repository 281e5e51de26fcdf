from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "marketplace.campaigns"
    label = "campaigns"
    verbose_name = "Marketing campaigns"
