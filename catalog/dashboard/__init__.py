default_app_config = "catalog.dashboard.apps.CatalogueDashboardConfig"
