import oscar.apps.dashboard.orders.apps as apps


class OrdersDashboardConfig(apps.OrdersDashboardConfig):
    """Oscar's order dashboard, where an operator sees and acts on only the lines its storefront sold."""

    name = "marketplace.dashboard_orders"

    def configure_permissions(self):
        super().configure_permissions()
        # Whole-order statistics, notes and addresses span every operator's lines: staff only.
        for name in ("order-stats", "order-detail-note", "order-shipping-address"):
            self.permissions_map[name] = (["is_staff"],)

    def ready(self):
        super().ready()
        from marketplace.dashboard_orders import views

        self.order_list_view = views.OrderListView
        self.order_detail_view = views.OrderDetailView
        self.line_detail_view = views.LineDetailView
