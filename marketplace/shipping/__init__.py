default_app_config = "marketplace.shipping.apps.ShippingConfig"
