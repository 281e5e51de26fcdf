"""An operator's offers, written: each is the storefront's own stock record on a product that may be shared.

The operator changes only its own stock records (price, stock, SKU, withdrawn or not); a shared product's title,
description and images stay with whoever owns the product. Every write that puts an offer on sale goes through the
stock record's own validation, so the storefront's tier rules (``tiers.rules.check_offer``) apply."""

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone
from oscar.core.loading import get_model

from marketplace.storefronts.models import Storefront
from marketplace.storefronts.selectors import operator_offers

StockRecord = get_model("partner", "StockRecord")
Product = get_model("catalogue", "Product")

# The bounds every form and upload holds prices and stock to (a price has 12 digits, two after the point).
MIN_PRICE, MAX_PRICE = Decimal("0.01"), Decimal("9999999.99")
MAX_STOCK = 1_000_000
MAX_RESTOCK = 100_000
CSV_MAX_ROWS = 2000
CSV_COLUMNS = ("sku", "price", "num_in_stock")


def _sku(*, storefront: Storefront, product, sku: str) -> str:
    return sku.strip() or f"{storefront.slug}-{product.pk}"


def _require_stock(*, product, num_in_stock) -> None:
    if product.get_product_class().track_stock and num_in_stock is None:
        raise ValidationError("Say how many units (or seats) you have in stock: 0 if none yet.", code="stock")


def _save(offer) -> StockRecord:
    offer.full_clean()  # Oscar's fields, the SKU unique per partner, and the tier rules
    offer.save()
    return offer


@transaction.atomic
def create_offer(*, storefront: Storefront, product, price: Decimal, num_in_stock: int | None, sku: str = ""):
    """The storefront offers ``product`` (of any design its tier may sell) at its own price and stock."""
    if StockRecord.objects.filter(partner_id=storefront.partner_id, product=product).exists():
        raise ValidationError(
            "You already offer “%(title)s”: change its price or stock on your offers page.",
            params={"title": product.get_title()},
            code="duplicate",
        )
    if not product.is_public or product.structure == Product.PARENT:
        raise ValidationError("“%(title)s” cannot be offered.", params={"title": product.get_title()})
    _require_stock(product=product, num_in_stock=num_in_stock)
    offer = StockRecord(
        partner=storefront.partner,
        product=product,
        partner_sku=_sku(storefront=storefront, product=product, sku=sku),
        price=price,
        price_currency=settings.OSCAR_DEFAULT_CURRENCY,
        num_in_stock=num_in_stock if product.get_product_class().track_stock else None,
    )
    return _save(offer)


@transaction.atomic
def create_product_offer(
    *, storefront: Storefront, design, product_class, title: str, description: str, price: Decimal,
    num_in_stock: int | None, sku: str = "",
):  # fmt: skip
    """A new product of an existing design, at the level of ``product_class``, offered by the storefront alone (so
    its operator owns its title, description and images). A refusal by the tier rules saves nothing."""
    product = Product(
        title=title, description=description, product_class=product_class, design=design, is_public=True
    )
    product.full_clean(exclude=["slug"])
    product.save()
    if design.category_id:
        product.categories.add(design.category)
    return create_offer(storefront=storefront, product=product, price=price, num_in_stock=num_in_stock, sku=sku)


def _locked(offer) -> StockRecord:
    # of=("self",): the storefront is joined from the nullable side, which PostgreSQL cannot lock
    locked = StockRecord.objects.select_for_update(of=("self",))
    return locked.select_related("partner__storefront", "product").get(pk=offer.pk)


@transaction.atomic
def update_offer(*, offer, price: Decimal, num_in_stock: int | None, sku: str):
    offer = _locked(offer)
    if num_in_stock is not None and offer.num_allocated and num_in_stock < offer.num_allocated:
        raise ValidationError(
            "%(allocated)d units are allocated to orders not yet shipped: stock cannot go below that.",
            params={"allocated": offer.num_allocated},
            code="allocated",
        )
    _require_stock(product=offer.product, num_in_stock=num_in_stock)
    offer.price = price
    offer.partner_sku = _sku(storefront=offer.partner.storefront, product=offer.product, sku=sku)
    if offer.product.get_product_class().track_stock:
        offer.num_in_stock = num_in_stock
    return _save(offer)


@transaction.atomic
def restock(*, offer, quantity: int):
    """Add ``quantity`` units to the offer's stock, in one UPDATE (a sale at the same moment is not lost)."""
    if not 1 <= quantity <= MAX_RESTOCK:
        raise ValidationError("Add between 1 and %(most)d units.", params={"most": MAX_RESTOCK})
    offer = _locked(offer)
    if not offer.product.get_product_class().track_stock:
        raise ValidationError("“%(title)s” has no stock to add to.", params={"title": offer.product.get_title()})
    StockRecord.objects.filter(pk=offer.pk).update(num_in_stock=Coalesce(F("num_in_stock"), 0) + quantity)
    offer.refresh_from_db()
    offer.save()  # the shop's pages see the change (the page cache retires on a saved offer)
    return offer


@transaction.atomic
def withdraw(*, offer):
    """The offer leaves sale at once (pages, baskets, checkout); orders already placed are kept and fulfilled."""
    offer = _locked(offer)
    if offer.withdrawn_at is None:
        offer.withdrawn_at = timezone.now()
        offer.save()
    return offer


@transaction.atomic
def relist(*, offer):
    """A withdrawn offer goes on sale again, if the tier rules allow it today."""
    offer = _locked(offer)
    if offer.withdrawn_at is not None:
        offer.withdrawn_at = None
        _save(offer)
    return offer


# --- bulk price and stock update by CSV ------------------------------------------------------------------------


@dataclass
class CsvRow:
    number: int  # the line in the file (the header is line 1)
    sku: str
    offer: StockRecord | None = None
    price: Decimal | None = None
    num_in_stock: int | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def changes(self) -> bool:
        return self.offer is not None and (
            self.price != self.offer.price
            or (self.num_in_stock is not None and self.num_in_stock != self.offer.num_in_stock)
        )


def _price(text: str, row: CsvRow) -> Decimal | None:
    try:
        price = Decimal(text)
    except InvalidOperation:
        row.errors.append(f"price “{text[:20]}” is not an amount (write it as 12.50)")
        return None
    if not price.is_finite() or not MIN_PRICE <= price <= MAX_PRICE or price != price.quantize(Decimal("0.01")):
        row.errors.append(f"price must be between {MIN_PRICE} and {MAX_PRICE}, with at most two decimals")
        return None
    return price


def _stock(text: str, row: CsvRow, offer) -> int | None:
    if text == "":
        return None  # unchanged
    if not text.isascii() or not text.isdigit() or int(text) > MAX_STOCK:
        row.errors.append(f"num_in_stock must be a whole number from 0 to {MAX_STOCK:,}, or empty to keep it")
        return None
    number = int(text)
    if offer is not None and offer.num_allocated and number < offer.num_allocated:
        row.errors.append(f"{offer.num_allocated} units are allocated to orders not yet shipped: stock cannot go below")
    return number


def parse_csv(*, storefront: Storefront, text: str) -> tuple[list[CsvRow], list[str]]:
    """Read a price and stock file (columns sku, price, num_in_stock) against the storefront's own offers: every
    row with what it would change or why it cannot, and the file's own problems. Writes nothing."""
    reader = csv.reader(io.StringIO(text))
    header = [name.strip().lower() for name in next(reader, [])]
    missing = [name for name in CSV_COLUMNS if name not in header]
    if missing:
        return [], [f"The first line must name the columns {', '.join(CSV_COLUMNS)} (missing: {', '.join(missing)})."]
    index = {name: header.index(name) for name in CSV_COLUMNS}
    offers = {offer.partner_sku: offer for offer in operator_offers(storefront)}
    rows, seen = [], set()
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) == CSV_MAX_ROWS:
            return rows, [f"At most {CSV_MAX_ROWS:,} rows a file: split it."]
        cells = [cell.strip() for cell in cells] + [""] * len(header)
        row = CsvRow(number=number, sku=cells[index["sku"]][:128])
        row.offer = offers.get(row.sku)
        if row.offer is None:
            row.errors.append("no offer of yours has this SKU")
        elif row.sku in seen:
            row.errors.append("this SKU is on an earlier line too")
        seen.add(row.sku)
        row.price = _price(cells[index["price"]], row)
        row.num_in_stock = _stock(cells[index["num_in_stock"]], row, row.offer)
        rows.append(row)
    if not rows:
        return [], ["The file has no rows under its header."]
    return rows, []


@transaction.atomic
def apply_csv(*, storefront: Storefront, text: str) -> int:
    """Write every row of the file, or none: a file with any bad row (read again here, not trusted from the
    preview) changes nothing. Returns how many offers changed."""
    rows, problems = parse_csv(storefront=storefront, text=text)
    bad = [row for row in rows if row.errors]
    if problems or bad:
        raise ValidationError(problems or [f"line {row.number}: {'; '.join(row.errors)}" for row in bad])
    changed = 0
    for row in rows:
        if row.changes:
            stock = row.num_in_stock if row.num_in_stock is not None else row.offer.num_in_stock
            update_offer(offer=row.offer, price=row.price, num_in_stock=stock, sku=row.sku)
            changed += 1
    return changed

