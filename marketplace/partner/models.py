"""Oscar's partner app, forked: an offer (stock record) obeys its storefront's tier rules wherever it is saved,
and stock is never allocated beyond what exists."""

from django.db import connections, models, router
from django.db.models import signals
from oscar.apps.order.exceptions import UnableToPlaceOrder
from oscar.apps.partner.abstract_models import AbstractStockRecord


class InsufficientStock(UnableToPlaceOrder):
    """Raised inside the order's transaction; Oscar's checkout rolls the order back, keeps the basket and shows
    this message."""


# Pages say how many are left only when few are, so a sale that leaves plenty changes nothing a shopper sees.
LOW_STOCK_SHOWN = 5
# What changes when stock moves; every other field of an offer shows on pages (price, partner, product, SKU).
STOCK_FIELDS = {"num_in_stock", "num_allocated", "date_updated"}


def shown_stock(num_in_stock, num_allocated):
    """What a page shows of an offer's stock: untracked, how many are left when few are, or plenty."""
    if num_in_stock is None:
        return None
    left = num_in_stock - (num_allocated or 0)
    return left if left <= LOW_STOCK_SHOWN else "plenty"


def stock_label(left: int) -> str | None:
    """How pages word an offer's stock that is tracked: none when nothing is left (each page says it its own way)."""
    from django.utils.translation import gettext as _

    if left > LOW_STOCK_SHOWN:
        return _("In stock")
    if left > 0:
        return _("Only %d left") % left
    return None


class StockRecord(AbstractStockRecord):
    # An operator withdraws an offer from sale and relists it later; a withdrawn offer is kept (orders, history).
    withdrawn_at = models.DateTimeField("withdrawn", null=True, blank=True)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_values = dict(zip(field_names, values, strict=True))  # Django's documented recipe
        return instance

    def shows_as_loaded(self) -> bool:
        """Whether pages show this offer as they did when it was read from the database: only its stock moved, and
        not so that the number left (when few are) or whether it can be bought changed. A sale that leaves plenty
        need not retire the cached pages."""
        loaded = getattr(self, "_loaded_values", None)
        if loaded is None:
            return False
        for field in self._meta.concrete_fields:
            name = field.attname
            if name in loaded and name not in STOCK_FIELDS and getattr(self, name) != loaded[name]:
                return False
        before = shown_stock(loaded.get("num_in_stock"), loaded.get("num_allocated"))
        return before == shown_stock(self.num_in_stock, self.num_allocated)

    def allocate(self, quantity):
        """Allocate only what is in stock, in one conditional UPDATE: the database row lock it takes makes
        concurrent checkouts queue, so the last units can never be sold twice (Oscar's own allocate does not
        check). The row's stock comes back with the same statement (``RETURNING``, which SQLite and PostgreSQL both
        have and Django's ``update()`` does not offer): what is left decides the stock alert and the cached pages."""
        if not self.can_track_allocations:
            return
        self.pre_save_signal()
        using = router.db_for_write(self.__class__, instance=self)
        name = connections[using].ops.quote_name
        table, allocated, in_stock = name(self._meta.db_table), name("num_allocated"), name("num_in_stock")
        with connections[using].cursor() as cursor:
            # names quoted by the database's own quoting, values passed as parameters
            cursor.execute(
                f"UPDATE {table} SET {allocated} = COALESCE({allocated}, 0) + %s "  # noqa: S608
                f"WHERE {name(self._meta.pk.column)} = %s AND {in_stock} >= COALESCE({allocated}, 0) + %s "
                f"RETURNING {in_stock}, {allocated}",
                [quantity, self.pk, quantity],
            )  # fmt: skip
            row = cursor.fetchone()
        if row is None:
            self.refresh_from_db(fields=["num_in_stock", "num_allocated"])
            left = max(self.net_stock_level, 0)
            title = self.product.get_title()
            if left:
                raise InsufficientStock(f"Sorry, only {left} of “{title}” left: lower the quantity in your basket.")
            raise InsufficientStock(f"Sorry, “{title}” has just sold out. Your basket is kept.")
        self.num_in_stock, self.num_allocated = row
        # as Oscar's post_save_signal, saying what changed: an allocation only lowers the stock (stock_alerts)
        signals.post_save.send(sender=self.__class__, instance=self, created=False, raw=False, using=using,
                               update_fields=frozenset({"num_allocated"}))  # fmt: skip

    # The dashboard's product form saves a product's categories with its offers: it checks the tier rules itself
    # once both are saved (see marketplace.dashboard_catalogue.views), not here against the categories stored before.
    tier_rules_checked_after_save = False

    def clean(self):
        super().clean()
        if self.partner_id and self.product_id and not self.tier_rules_checked_after_save:
            from tiers import services as tier_services

            tier_services.validate_offer(partner=self.partner, product=self.product)


from oscar.apps.partner.models import *  # noqa: E402
