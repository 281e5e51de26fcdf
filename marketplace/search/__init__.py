default_app_config = "marketplace.marketplace/search.apps.SearchConfig"
