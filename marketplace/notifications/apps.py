from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "marketplace.notifications"
    label = "notifications"
    verbose_name = "Shopper e-mails"
    default_auto_field = "django.db.models.BigAutoField"
