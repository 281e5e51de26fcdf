default_app_config = "marketplace.marketplace/checkout.apps.CheckoutConfig"
