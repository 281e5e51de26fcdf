import oscar.apps.dashboard.catalogue.apps as apps
from django.urls import path
from oscar.core.loading import get_class


class CatalogueDashboardConfig(apps.CatalogueDashboardConfig):
    """Oscar's catalogue dashboard plus design pages; the product page gains the design and licence terms.

    Oscar resolves ``dashboard.catalogue.*`` classes through the (unforked) dashboard app, so our classes are
    wired here explicitly instead of through ``get_class``.
    """

    name = "marketplace.dashboard_catalogue"

    def configure_permissions(self):
        super().configure_permissions()
        DashboardPermission = get_class("dashboard.permissions", "DashboardPermission")
        # Deleting or hiding a product affects every operator that offers it: Oscar's staff permissions only, without
        # Oscar's alternative for partners.
        for name in ("catalogue-product-delete", "catalogue-product-bulk-action"):
            self.permissions_map[name] = tuple(
                alternative for alternative in self.permissions_map[name]
                if alternative != DashboardPermission.partner_dashboard_access
            )  # fmt: skip
        # Designs are staff's, asked for the Design model's permissions as Oscar asks for its own models'.
        self.permissions_map.update({
            "catalogue-design-list": DashboardPermission.get("catalogue", "view_design"),
            "catalogue-design-create": DashboardPermission.get("catalogue", "view_design", "add_design"),
            "catalogue-design-update": DashboardPermission.get("catalogue", "view_design", "change_design"),
        })  # fmt: skip

    def ready(self):
        super().ready()
        from marketplace.dashboard_catalogue import views

        self.product_createupdate_view = views.ProductCreateUpdateView
        self.product_lookup_view = views.ProductLookupView
        self.product_list_view = views.ProductListView
        self.stock_alert_view = views.StockAlertListView
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
