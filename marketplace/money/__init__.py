"""Money as every layer counts it: exact cents, and the shop's one currency.

The shop runs in one currency, ``SHOP_CURRENCY`` (Oscar's ``OSCAR_DEFAULT_CURRENCY``). The ledger's entries and
postings carry no currency of their own: they are all in this one, so a second currency would add euros to dollars.
So the shop refuses to run over a database that holds offers, orders, payments, refunds or payouts in another one:
the system check below fails ``migrate`` (which every start of the demo, the containers and CI runs first) and
``manage.py check --database default``; and the ledger refuses to split a payment in another currency."""

from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.db import connection

CENT = Decimal("0.01")

# (model, its currency field): everything that holds an amount of money
PRICED = (
    ("partner.StockRecord", "price_currency"), ("order.Order", "currency"), ("payment.Source", "currency"),
    ("marketplace_payments.Refund", "currency"), ("revenue.Payout", "currency"),
)  # fmt: skip


class OtherCurrency(ValueError):
    """An amount in a currency other than the shop's."""


def shop_currency() -> str:
    return settings.OSCAR_DEFAULT_CURRENCY


def cents(value) -> Decimal:
    """An amount (or an aggregate, which SQLite sums in floating point) as exact cents."""
    return Decimal(str(value or 0)).quantize(CENT)


def require_shop_currency(currency: str, *, what: str) -> None:
    if currency != shop_currency():
        raise OtherCurrency(f"{what} is in {currency}; this shop's ledger keeps {shop_currency()} only.")


def other_currencies() -> dict[str, list[str]]:
    """Which records hold money in a currency other than the shop's, by model: empty when the shop has one (and
    for a database not migrated yet, whose tables do not exist)."""
    found = {}
    tables = set(connection.introspection.table_names())
    for label, field in PRICED:
        model = apps.get_model(label)
        if model._meta.db_table not in tables:
            continue
        others = model._default_manager.exclude(**{field: shop_currency()}).values_list(field, flat=True).distinct()
        if others := sorted(set(others)):
            found[label] = others
    return found


@checks.register(checks.Tags.database)
def one_currency(app_configs=None, databases=None, **kwargs):
    if not databases or "default" not in databases:
        return []
    return [
        checks.Error(
            f"{label} holds amounts in {', '.join(others)}, but the shop's currency is {shop_currency()}.",
            hint="The ledger keeps one currency: set SHOP_CURRENCY to the currency of the shop's records.",
            id="marketplace.E001",
        )
        for label, others in other_currencies().items()
    ]
