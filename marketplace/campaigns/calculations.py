"""The small chart beside a campaign's figures: pure arithmetic from amounts to bar widths, drawn as SVG by the
template (no JavaScript). Each bar's width is its share of the largest amount shown, so the spend and what it
brought read at a glance on a phone as on a desktop."""

from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal("0.00")
MIN_SHARE = Decimal("0.5")  # % : a cent still shows
ROW = 34  # px per bar: its label line and the bar


@dataclass(frozen=True)
class ReturnBar:
    name: str
    value: Decimal
    width: str  # a percentage of the chart's width, e.g. "37.50%"
    kind: str  # spend | pool | own, for its colour
    y: int  # the top of the row (its label's line; the bar sits below)


def return_bars(*, spent: Decimal, revenue: Decimal, own_revenue: Decimal | None = None) -> tuple[ReturnBar, ...]:
    """Bars for what the campaign spent, the revenue it brought the pool and, when given, the storefront's own."""
    rows = [("Spent from the pool", spent, "spend"), ("Revenue across the pool", revenue, "pool")]
    if own_revenue is not None:
        rows.append(("Your revenue", own_revenue, "own"))
    largest = max((value for _, value, _ in rows), default=ZERO)
    bars = []
    for index, (name, value, kind) in enumerate(rows):
        share = max(value, ZERO) / largest * 100 if largest > 0 else ZERO
        if value > 0:
            share = max(share, MIN_SHARE)
        bars.append(ReturnBar(name=name, value=value, width=f"{share:.2f}%", kind=kind, y=index * ROW))
    return tuple(bars)


def chart_height(bars) -> int:
    return len(bars) * ROW
