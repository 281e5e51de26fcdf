import oscar.apps.dashboard.apps as apps


class DashboardConfig(apps.DashboardConfig):
    """Oscar's dashboard, forked for the table every dashboard list is built on (``dashboard.tables``).

    Oscar resolves ``dashboard.<sub-app>.*`` classes through this app, so a forked sub-app (the catalogue and order
    dashboards) still wires its own classes in its ``ready()``.
    """

    name = "marketplace.dashboard"
