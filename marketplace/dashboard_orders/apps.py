import oscar.apps.dashboard.orders.apps as apps
from oscar.core.loading import get_class


class OrdersDashboardConfig(apps.OrdersDashboardConfig):
    """Oscar's order dashboard, where an operator sees and acts on only the lines its storefront sold."""

    name = "marketplace.dashboard_orders"

    def configure_permissions(self):
        super().configure_permissions()
        DashboardPermission = get_class("dashboard.permissions", "DashboardPermission")
        # Whole-order statistics, notes and addresses span every operator's lines: Oscar's staff permissions only,
        # without Oscar's alternative for partners.
        for name in ("order-stats", "order-detail-note", "order-shipping-address"):
            self.permissions_map[name] = tuple(
                alternative for alternative in self.permissions_map[name]
                if alternative != DashboardPermission.partner_dashboard_access
            )  # fmt: skip

    def ready(self):
        super().ready()
        from marketplace.dashboard_orders import views

        self.order_list_view = views.OrderListView
        self.order_detail_view = views.OrderDetailView
        self.line_detail_view = views.LineDetailView
