import oscar.apps.partner.apps as apps


class PartnerConfig(apps.PartnerConfig):
    name = "marketplace.partner"

    def ready(self):
        super().ready()
        from django.db.models.signals import post_save
        from oscar.apps.partner import receivers

        from marketplace.partner import stock_alerts
        from marketplace.partner.models import StockRecord

        post_save.disconnect(receivers.update_stock_alerts, sender=StockRecord)
        post_save.connect(stock_alerts.update_stock_alerts, sender=StockRecord, dispatch_uid="stock-alerts")
