import oscar.apps.dashboard.catalogue.apps as apps
from django.urls import path


class CatalogueDashboardConfig(apps.CatalogueDashboardConfig):
    """Oscar's catalogue dashboard plus design pages; the product page gains the design and licence terms.

    Oscar resolves ``dashboard.catalogue.*`` classes through the (unforked) dashboard app, so our classes are
    wired here explicitly instead of through ``get_class``.
    """

    name = "catalog.dashboard"

    def configure_permissions(self):
        super().configure_permissions()
        # Deleting or hiding a product affects every operator that offers it: staff only.
        names = ("catalogue-design-list", "catalogue-design-create", "catalogue-design-update",
                 "catalogue-product-delete", "catalogue-product-bulk-action")  # fmt: skip
        for name in names:
            self.permissions_map[name] = (["is_staff"],)

    def ready(self):
        super().ready()
        from catalog.dashboard import views

        self.product_createupdate_view = views.ProductCreateUpdateView
        self.design_list_view = views.DesignListView
        self.design_create_view = views.DesignCreateView
        self.design_update_view = views.design_update

    def get_urls(self):
        urls = [
            path("designs/", self.design_list_view.as_view(), name="catalogue-design-list"),
            path("designs/create/", self.design_create_view.as_view(), name="catalogue-design-create"),
            path("designs/<int:pk>/", self.design_update_view, name="catalogue-design-update"),
        ]
        return super().get_urls() + self.post_process_urls(urls)
