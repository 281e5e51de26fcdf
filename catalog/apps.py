import oscar.apps.catalogue.apps as apps


class CatalogueConfig(apps.CatalogueConfig):
    name = "catalog"

    def ready(self):
        super().ready()
        from django.db.models.signals import post_delete, post_save

        from catalog.models import Category
        from catalog.templatetags.nav_tags import forget_menu_categories

        for name, signal in (("save", post_save), ("delete", post_delete)):
            signal.connect(forget_menu_categories, sender=Category, dispatch_uid=f"menu-categories-{name}")
