"""Oscar's basket, forked: the shopper chooses whose offer (stock record) a line comes from."""

from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, prefetch_related_objects
from oscar.apps.basket.abstract_models import AbstractBasket, AbstractLine
from oscar.apps.basket.managers import OpenBasketManager

from marketplace import internals


def _with_vouchers_known(baskets):
    held = Basket.vouchers.through.objects.filter(basket_id=OuterRef("pk"))
    return baskets.annotate(holds_vouchers=Exists(held))


class Baskets(models.Manager):
    """Baskets, each read with whether it holds a voucher (Oscar's basket middleware reads the shopper's basket on
    every request, a guest's through ``objects``, a signed-in shopper's through ``open``): one that holds none
    needn't ask for them (``Basket.know_vouchers``)."""

    def get_queryset(self):
        return _with_vouchers_known(super().get_queryset())


class OpenBaskets(OpenBasketManager):
    """Oscar's open baskets, read as ``Baskets`` are."""

    def get_queryset(self):
        return _with_vouchers_known(super().get_queryset())


class Basket(AbstractBasket):
    objects = Baskets()
    open = OpenBaskets()

    def know_vouchers(self) -> None:
        """A basket read holding no voucher (``OpenBaskets``) reads its vouchers as none without asking: pricing it
        and placing its order read them (Django forgets this when a voucher is added through the basket)."""
        if getattr(self, "holds_vouchers", None) is False and not internals.is_prefetched(self, "vouchers"):
            internals.keep_prefetched(self, "vouchers", internals.prefilled(self.vouchers.all(), []))

    def choose_offer(self, stockrecord) -> None:
        """The next ``add_product`` of this offer's product takes this offer instead of the strategy's choice."""
        self._chosen_offer = stockrecord

    def get_stock_info(self, product, options):
        chosen = getattr(self, "_chosen_offer", None)
        if chosen is not None and chosen.product_id == product.pk:
            return self.strategy.fetch_for_product(product, stockrecord=chosen)
        return super().get_stock_info(product, options)

    def save(self, *args, **kwargs):
        created = self._state.adding
        super().save(*args, **kwargs)
        if created:
            # a basket created just now holds no lines and no vouchers: its first add-to-basket needn't ask (Oscar
            # forgets the lines when lines are added or merged in; Django the vouchers when one is added)
            self._lines_when_created = internals.prefilled(self.lines.all(), [])
            internals.keep_basket_lines(self, self._lines_when_created)
            internals.keep_prefetched(self, "vouchers", internals.prefilled(self.vouchers.all(), []))

    def holds_no_lines_yet(self) -> bool:
        """Created by this request and nothing put in it since (Oscar forgets the lines it keeps when lines are added
        or merged in): a signed-in shopper's first add to basket creates the basket before adding to it."""
        created = getattr(self, "_lines_when_created", None)
        return created is not None and internals.basket_lines_cache(self) is created

    def line_quantity(self, product, stockrecord, options=None):
        return 0 if self.holds_no_lines_yet() else super().line_quantity(product, stockrecord, options)

    def all_lines(self):
        """Oscar's, with what pricing each line reads (its product's class, its offer's operator and storefront)
        joined in, and the lines' options and product images read only where some line has them: one query for a
        basket of plain lines, the same queries for many lines as for one."""
        if self.id is not None and internals.basket_lines_cache(self) is None:
            from oscar.core.loading import get_model

            LineAttribute, ProductImage = get_model("basket", "LineAttribute"), get_model("catalogue", "ProductImage")

            queryset = (
                self.lines.select_related("product__product_class", "stockrecord__partner__storefront")
                .annotate(has_options=Exists(LineAttribute.objects.filter(line=OuterRef("pk"))),
                          has_images=Exists(ProductImage.objects.filter(product=OuterRef("product_id"))))
                .order_by(self._meta.pk.name)
            )  # fmt: skip
            lines = list(queryset)  # evaluates the queryset: Oscar's callers keep a queryset, read once
            # An empty id list asks nothing of the database and leaves every line's cache empty, as a prefetch would.
            with_options = [line.pk for line in lines if line.has_options]
            with_images = [line.product_id for line in lines if line.has_images]
            prefetch_related_objects(
                lines,
                Prefetch("attributes", queryset=LineAttribute.objects.filter(line_id__in=with_options)),
                Prefetch("product__images", queryset=ProductImage.objects.filter(product_id__in=with_images)),
            )
            internals.keep_basket_lines(self, queryset)
        return super().all_lines()

    @property
    def num_lines(self):
        # counted from the lines, read once per request (the header shows the basket's total anyway), instead of a
        # COUNT query at each of Oscar's several questions "is the basket empty?"
        return len(self.all_lines())

    def add_product(self, product, quantity=1, options=None):
        created_now, self._exact_lines = self.id is None or self.holds_no_lines_yet(), None
        # Oscar's add_product creates the basket (a guest's first add), then its line (LineManager); a signed-in
        # shopper's basket was created moments before, by the basket middleware, and is as empty
        self._holds_no_lines = created_now
        try:
            line, created = super().add_product(product, quantity, options)
        finally:
            self._chosen_offer, self._holds_no_lines = None, False
        if created_now:
            # The basket held nothing, so its one line is the line just written, with the product and offer it was
            # priced from: pricing the basket again (offers, the new total) needn't read it back.
            self._exact_lines = internals.prefilled(self.lines.all(), [line])
            internals.keep_basket_lines(self, self._exact_lines)
        return line, created

    def reset_offer_applications(self):
        """Oscar's: discounts are worked out again. Lines known exactly (see ``add_product``) are kept with their
        discounts cleared instead of being read back."""
        exact = getattr(self, "_exact_lines", None)
        keep = exact is not None and internals.basket_lines_cache(self) is exact
        super().reset_offer_applications()
        if keep:
            for line in exact:
                line.clear_discount()
            internals.keep_basket_lines(self, exact)


class LineManager(models.Manager):
    def get_or_create(self, defaults=None, **kwargs):
        """Django's, except in a basket the same ``add_product`` call created: no line can be there to get, so
        the line is written without looking (and without the savepoint ``get_or_create`` wraps around its insert)."""
        basket = kwargs.get("basket")
        if basket is not None and getattr(basket, "_holds_no_lines", False):
            return self.create(**kwargs, **(defaults or {})), True
        return super().get_or_create(defaults=defaults, **kwargs)


class Line(AbstractLine):
    objects = LineManager()


from oscar.apps.basket.models import *  # noqa: E402
