default_app_config = "marketplace.dashboard_catalogue.apps.CatalogueDashboardConfig"
