from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save

# What catalogue pages show: products, designs and categories, offers (price, stock), storefronts and their tiers,
# certificates and marks, Oscar's offers, product reviews and their votes, and the flat pages every footer links to;
# the Social Contract's versions and acceptances (which storefront pages wear the OSE brand); the Specifications
# Metric's answers and scores (the design page and the designs directory); True Fans offers (the storefront pages
# that link to their plans, /true-fans/); repairs, take-backs and recovered materials (the design page's stewardship
# figures). A unit's QC record retires the pages itself (`marketplace/lifecycle/apps.py`): every paid order of goods
# writes units, and the pages' count of units in service may wait for the cache's own expiry.
PAGE_SOURCES = {"catalogue", "partner", "storefronts", "tiers", "certification", "offer", "reviews", "flatpages",
                "contract", "specs", "supporters", "stewardship"}  # fmt: skip


def _retire_pages(sender, **kwargs):
    from marketplace.ops import pagecache

    instance = kwargs.get("instance")
    if kwargs.get("signal") is post_save and hasattr(instance, "shows_as_loaded"):
        unchanged = not kwargs.get("created") and instance.shows_as_loaded()
        instance._loaded_values = {field.attname: getattr(instance, field.attname)
                                   for field in instance._meta.concrete_fields}  # fmt: skip
        if unchanged:
            return  # stock moved, and every page still shows what it showed (see partner.models.shown_stock)
    pagecache.invalidate()


class MarketplaceConfig(AppConfig):
    name = "marketplace"

    def ready(self):
        from django.apps import apps

        from marketplace import money  # noqa: F401 - registers the one-currency check
        from marketplace.accounts import facts, security  # noqa: F401 - security registers its deploy check
        from marketplace.ops import analytics

        analytics.disconnect_request_counters()
        facts.connect()  # the account bar is kept in the cache until these facts change

        # connected to these apps' models only: a receiver for every model would cost every other delete in the
        # shop its fast path (Django reads rows before deleting them when someone listens)
        for model in apps.get_models(include_auto_created=True):
            if model._meta.app_label in PAGE_SOURCES:
                for name, signal in (("post_save", post_save), ("post_delete", post_delete), ("m2m", m2m_changed)):
                    signal.connect(_retire_pages, sender=model, dispatch_uid=f"pagecache-{name}-{model._meta.label}")
