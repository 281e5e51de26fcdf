import oscar.apps.catalogue.apps as apps
from django.utils.module_loading import import_string


class CatalogueConfig(apps.CatalogueConfig):
    name = "catalog"

    def ready(self):
        super().ready()
        # The product page composes the layers above the catalogue (live offers, marks): it lives in
        # marketplace.browse, and Oscar's catalogue URLs take it from there by name, as Oscar loads its classes.
        self.detail_view = import_string("marketplace.browse.views.ProductDetailView")
        from django.contrib.flatpages.models import FlatPage
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from catalog.models import Category
        from catalog.templatetags.nav_tags import forget_checkout_flatpages, forget_menu_categories

        for name, signal in (("save", post_save), ("delete", post_delete)):
            signal.connect(forget_menu_categories, sender=Category, dispatch_uid=f"menu-categories-{name}")
            signal.connect(forget_checkout_flatpages, sender=FlatPage, dispatch_uid=f"checkout-flatpages-{name}")
        m2m_changed.connect(
            forget_checkout_flatpages, sender=FlatPage.sites.through, dispatch_uid="checkout-flatpages-sites"
        )
