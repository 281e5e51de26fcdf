from django.apps import AppConfig


def _retire_pages(sender, **kwargs):
    from marketplace.ops import pagecache

    pagecache.invalidate()


class LifecycleConfig(AppConfig):
    name = "marketplace.lifecycle"
    label = "lifecycle"
    verbose_name = "Units and quality control"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from marketplace.lifecycle.models import QCRecord

        # The storefront and design pages show QC pass rates: a new (or deleted) record retires the stored pages.
        # Only records: a unit prepared or shipped changes no rate, and a payment must not empty the page cache.
        for signal in (post_save, post_delete):
            signal.connect(_retire_pages, sender=QCRecord, dispatch_uid=f"lifecycle-pages-{signal is post_save}")
