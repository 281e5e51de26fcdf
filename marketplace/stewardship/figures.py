"""Stewardship figures per design: units in service, repairs per unit-year, mean age of units in service, take-back
rate, kilograms recovered per material stream, and units in service by year of age. Pure reads: one query per kind of
row for any number of designs; the arithmetic is in plain functions over those rows."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from marketplace.lifecycle.models import Unit
from marketplace.stewardship.models import RecoveredMaterial, ServiceRequest

DAYS_A_YEAR = Decimal("365.25")
# A rate over less than one unit-year of service says nothing yet (one repair in a week would read as 52 a year).
MIN_UNIT_YEARS = Decimal("1")
IN_SERVICE = (Unit.IN_SERVICE, Unit.UNDER_REPAIR)  # still in its owner's life, if in a workshop for a while
RETIRED = (Unit.TAKEN_BACK, Unit.RECYCLED)


@dataclass
class Figures:
    shipped: int = 0
    in_service: int = 0
    repairs: int = 0
    unit_years: Decimal = Decimal("0")
    repairs_per_unit_year: Decimal | None = None
    mean_age_years: Decimal | None = None
    taken_back: int = 0
    take_back_rate: Decimal | None = None  # a share, 0 to 1
    recovered_kg: dict = field(default_factory=dict)  # stream -> kg
    ages: list = field(default_factory=list)  # units in service by whole years of age: [count at 0, at 1, ...]

    @property
    def age_chart(self) -> list[dict]:
        largest = max(self.ages, default=0)
        return [{"years": years, "count": count, "width": f"{(count * 100 / largest) if largest else 0:.1f}%",
                 "y": years * 26} for years, count in enumerate(self.ages)]  # fmt: skip

    @property
    def chart_height(self) -> int:
        return len(self.ages) * 26


def years_between(start: datetime, end: datetime) -> Decimal:
    return max(Decimal((end - start).total_seconds()) / Decimal(86400) / DAYS_A_YEAR, Decimal("0"))


def compute(units: list[tuple], repairs: int, recovered: dict, *, now: datetime) -> Figures:
    """``units``: (state, shipped_at, retired_at) of each shipped unit. A unit's years in service run from shipping to
    its take-back (or now); repairs per unit-year is repairs done over the sum of those years."""
    figures = Figures(shipped=len(units), repairs=repairs, recovered_kg=recovered)
    ages = []
    for state, shipped_at, retired_at in units:
        figures.unit_years += years_between(shipped_at, retired_at or now)
        if state in IN_SERVICE:
            ages.append(years_between(shipped_at, now))
        elif state in RETIRED:
            figures.taken_back += 1
    figures.in_service = len(ages)
    if figures.unit_years >= MIN_UNIT_YEARS:
        figures.repairs_per_unit_year = (Decimal(repairs) / figures.unit_years).quantize(Decimal("0.01"))
    if ages:
        figures.mean_age_years = (sum(ages) / len(ages)).quantize(Decimal("0.1"))
        counts = [0] * (int(max(ages)) + 1)
        for age in ages:
            counts[int(age)] += 1
        figures.ages = counts
    if figures.shipped:
        figures.take_back_rate = (Decimal(figures.taken_back) / figures.shipped).quantize(Decimal("0.001"))
    return figures


def by_design(design_ids=None, *, now: datetime | None = None) -> dict[int, Figures]:
    """Each design's figures (every design with a shipped unit, or those of ``design_ids``)."""
    now = now or timezone.now()
    units = Unit.objects.filter(shipped_at__isnull=False, design__isnull=False)
    requests = ServiceRequest.objects.filter(status=ServiceRequest.CLOSED, unit__design__isnull=False)
    materials = RecoveredMaterial.objects.filter(request__status=ServiceRequest.CLOSED)
    if design_ids is not None:
        units = units.filter(design_id__in=list(design_ids))
        requests = requests.filter(unit__design_id__in=list(design_ids))
        materials = materials.filter(request__unit__design_id__in=list(design_ids))
    rows = defaultdict(list)
    for design_id, state, shipped_at, retired_at in units.values_list("design_id", "state", "shipped_at", "retired_at"):
        rows[design_id].append((state, shipped_at, retired_at))
    repairs = defaultdict(int)
    for design_id in requests.filter(kind=ServiceRequest.REPAIR).values_list("unit__design_id", flat=True):
        repairs[design_id] += 1
    recovered = defaultdict(dict)
    totals = materials.values("request__unit__design_id", "stream").annotate(kg=Sum("kg"))
    for row in totals.order_by("request__unit__design_id", "stream"):
        recovered[row["request__unit__design_id"]][row["stream"]] = row["kg"]
    return {
        design_id: compute(rows[design_id], repairs[design_id], recovered[design_id], now=now) for design_id in rows
    }


def for_design(design, *, now: datetime | None = None) -> Figures | None:
    """The design's figures, or None before its first unit shipped."""
    return by_design([design.pk], now=now).get(design.pk)


def stream_labels() -> dict:
    return dict(RecoveredMaterial.STREAM_CHOICES)
