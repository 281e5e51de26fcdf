import oscar.apps.checkout.apps as apps
from django.urls import path
from oscar.core.loading import get_class


class CheckoutConfig(apps.CheckoutConfig):
    name = "marketplace.checkout"

    def ready(self):
        super().ready()
        self.guest_view = get_class("checkout.views", "GuestCheckoutView")
        from django.db.models.signals import post_delete, post_save

        from marketplace.checkout.forms import Country, forget_shipping_countries
        from marketplace.checkout.services import SourceType, forget_payment_source_types

        for signal in (post_save, post_delete):
            signal.connect(forget_shipping_countries, sender=Country, dispatch_uid=f"shipping-countries-{signal}")
            signal.connect(forget_payment_source_types, sender=SourceType, dispatch_uid=f"source-types-{signal}")

    def get_urls(self):
        guest = self.post_process_urls([path("guest/", self.guest_view.as_view(), name="guest")])
        return guest + super().get_urls()
