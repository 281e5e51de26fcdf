"""The campus fund's charts, drawn on the server: pure functions from monthly totals to the shapes a template draws
as SVG. No JavaScript and nothing from a CDN.

The chart is a horizontal bar chart, one group of bars per month, the month's label and amounts on a line above
its bars. Bar widths are percentages of the chart's width and text keeps its size, so the chart reads the same on a
phone as on a desktop.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

ZERO = Decimal("0.00")
LABEL_HEIGHT = 18  # px: the line with the month and its amounts
BAR_HEIGHT = 12
BAR_GAP = 3
ROW_GAP = 14
MIN_SHARE = Decimal("0.5")  # %


@dataclass(frozen=True)
class Bar:
    series: int  # which series, for its colour
    name: str
    value: Decimal
    y: int
    width: str  # a percentage of the chart's width, e.g. "37.50%"


@dataclass(frozen=True)
class Row:
    label: date
    y: int  # the baseline of the row's text
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class BarChart:
    series: tuple[str, ...]
    rows: tuple[Row, ...]
    height: int
    bar_height: int = BAR_HEIGHT


@dataclass(frozen=True)
class Month:
    month: date
    values: tuple[Decimal, ...]  # one per series, in the series' order
    totals: tuple[Decimal, ...]


def _first_of_month(value: date | datetime) -> date:
    if isinstance(value, datetime):
        value = value.date()
    return value.replace(day=1)


def months_between(first: date, last: date) -> list[date]:
    """Every month from ``first``'s to ``last``'s, both included."""
    months, month, last = [], _first_of_month(first), _first_of_month(last)
    while month <= last:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def monthly(series: list[list[dict]], *, until: date | None = None) -> list[Month]:
    """Merge monthly rows (``month``, ``money_in``, ``total``, as ``selectors.fund_by_month`` gives them) of several
    series into one row per month, oldest first, with months without money as zeros up to ``until``."""
    found: dict[date, list[tuple[Decimal, Decimal]]] = {}
    for index, rows in enumerate(series):
        for row in rows:
            values = found.setdefault(_first_of_month(row["month"]), [(ZERO, ZERO)] * len(series))
            values[index] = (row["money_in"] or ZERO, row["total"] or ZERO)
    if not found:
        return []
    last = max([*found, _first_of_month(until)] if until else found)
    empty = [(ZERO, ZERO)] * len(series)
    merged = []
    for month in months_between(min(found), last):
        values = found.get(month, empty)
        merged.append(Month(month, tuple(value for value, _ in values), tuple(total for _, total in values)))
    return merged


def bar_chart(months: list[Month], *, series: tuple[str, ...], last: int = 12) -> BarChart:
    """Lay out the last ``last`` months: each bar's width is its value's share of the largest value shown."""
    months = months[-last:] if last else months
    largest = max((value for month in months for value in month.values), default=ZERO)
    rows, y = [], 0
    for month in months:
        baseline = y + LABEL_HEIGHT - 5
        bar_y = y + LABEL_HEIGHT
        bars = []
        for index, value in enumerate(month.values):
            share = max(value, ZERO) / largest * 100 if largest > 0 else ZERO
            if value > 0:
                share = max(share, MIN_SHARE)  # a cent still shows
            bars.append(Bar(series=index, name=series[index], value=value, y=bar_y, width=f"{share:.2f}%"))
            bar_y += BAR_HEIGHT + BAR_GAP
        rows.append(Row(label=month.month, y=baseline, bars=tuple(bars)))
        y = bar_y - BAR_GAP + ROW_GAP
    return BarChart(series=series, rows=tuple(rows), height=max(y - ROW_GAP, 0))


def flow_chart(flows, *, series: tuple[str, str, str], last: int = 12) -> BarChart:
    """A fund's months (``selectors.fund_flows``: ``month``, ``money_in``, ``money_out``, ``balance``) as three bars
    each, in, out and the balance at the month's end, scaled together: the last ``last`` months."""
    values = [(row.money_in, row.money_out, row.balance) for row in flows]
    months = [Month(row.month, shown, shown) for row, shown in zip(flows, values, strict=True)]
    return bar_chart(months, series=series, last=last)
