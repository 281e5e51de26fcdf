import oscar.apps.basket.apps as apps


class BasketConfig(apps.BasketConfig):
    name = "marketplace.basket"

    def ready(self):
        super().ready()
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from marketplace.basket import versions

        Basket, Line = self.get_model("Basket"), self.get_model("Line")
        for signal in (post_save, post_delete):
            signal.connect(versions.on_basket, sender=Basket, dispatch_uid=f"basket-version-{signal}")
            signal.connect(versions.on_line, sender=Line, dispatch_uid=f"basket-line-version-{signal}")
        m2m_changed.connect(versions.on_basket, sender=Basket.vouchers.through, dispatch_uid="basket-voucher-version")
