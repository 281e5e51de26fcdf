"""Pure money arithmetic for the ledger: how a payment is split, to the cent.

Rounding rule (largest remainder, also called Hamilton's method): every share is first rounded down to the cent;
the cents left over go, one each, to the shares with the largest remainders (ties go to the earlier share). So the
parts always add up exactly to the whole, and no share is ever more than a cent away from its exact value.

How a payment is split:
1. The payment is spread over what was bought (each line's price, and each operator's shipping charge) in
   proportion to their prices, so discounts and rounding land where the money was spent.
2. The payment fee (card payments: the policy's percentage plus its fixed part, never more than the payment) is
   spread the same way; each part is reduced by its share of the fee.
3. What is left of a line goes to the campus fund (the storefront's own percentage), the marketing pool (the
   policy's percentage), the contributors (the policy's royalty percentage, on designs with a valid OSE Certified
   certificate only) and the operator (the rest). A shipping charge goes to the operator whole.
   When a storefront's campus share, the marketing pool and the royalty add up to more than 100 %, the operator
   keeps nothing of that line and the three are scaled down together in their proportions.
4. Royalties are shared equally among the certificate's mark holders (people whose contribution was accepted),
   ordered by their user id for the leftover cents.
"""

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from marketplace.money import CENT

ZERO = Decimal("0.00")
HUNDRED = Decimal("100")

OPERATOR, CAMPUS_FUND, MARKETING_POOL, CONTRIBUTOR, PAYMENT_FEES = (
    "operator", "campus_fund", "marketing_pool", "contributor", "payment_fees",
)  # fmt: skip


def apportion(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split ``total`` (cents, not negative) in proportion to ``weights`` by the largest remainder; equal weights
    when they are all zero."""
    if not weights:
        return []
    if total < 0:
        raise ValueError("apportion splits a positive amount; negate the result for a reversal")
    weights = [Decimal(weight) for weight in weights]
    if any(weight < 0 for weight in weights):
        raise ValueError("weights cannot be negative")
    whole = sum(weights)
    if whole == 0:
        weights, whole = [Decimal(1)] * len(weights), Decimal(len(weights))
    cents = int((total / CENT).to_integral_value())
    exact = [Decimal(cents) * weight / whole for weight in weights]
    floors = [int(value.to_integral_value(rounding=ROUND_DOWN)) for value in exact]
    leftover = cents - sum(floors)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in by_remainder[:leftover]:
        floors[i] += 1
    return [Decimal(value) * CENT for value in floors]


def card_fee(*, payment: Decimal, percent: Decimal, fixed: Decimal) -> Decimal:
    fee = (payment * percent / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP) + fixed
    return min(max(fee, ZERO), payment)


@dataclass(frozen=True)
class Item:
    """Something paid for: a line (``line_id``), a supporter's month (neither; split like a line, with no royalty) or an
    operator's shipping charge (``shipping``: the operator's whole)."""

    partner_id: int
    gross: Decimal
    campus_percent: Decimal = ZERO
    line_id: int | None = None
    design_id: int | None = None
    mark_holders: tuple[int, ...] = ()  # user ids; empty when the design is not certified
    shipping: bool = False


@dataclass(frozen=True)
class Share:
    kind: str
    amount: Decimal
    item: Item
    owner_id: int | None = None  # the partner id for the operator, the user id for a contributor


def split_payment(
    *, payment: Decimal, items: list[Item], fee: Decimal, marketing_percent: Decimal, royalty_percent: Decimal
) -> list[Share]:
    """Every cent of ``payment`` in exactly one share (zero shares left out)."""
    if not items:
        raise ValueError("a payment needs something bought to allocate to")
    if fee > payment:
        raise ValueError("the fee cannot exceed the payment")
    spread = apportion(payment, [item.gross for item in items])
    fees = apportion(fee, spread)
    shares = []
    for item, part, item_fee in zip(items, spread, fees, strict=True):
        shares.append(Share(PAYMENT_FEES, item_fee, item))
        net = part - item_fee
        if item.shipping:
            shares.append(Share(OPERATOR, net, item, item.partner_id))
            continue
        royalty = royalty_percent if item.mark_holders else ZERO
        rest = max(HUNDRED - item.campus_percent - marketing_percent - royalty, ZERO)
        campus, marketing, royalties, operator = apportion(net, [item.campus_percent, marketing_percent, royalty, rest])
        shares += [
            Share(CAMPUS_FUND, campus, item),
            Share(MARKETING_POOL, marketing, item),
            Share(OPERATOR, operator, item, item.partner_id),
        ]
        holders = sorted(item.mark_holders)
        for holder, amount in zip(holders, apportion(royalties, [Decimal(1)] * len(holders)), strict=True):
            shares.append(Share(CONTRIBUTOR, amount, item, holder))
    return [share for share in shares if share.amount]
