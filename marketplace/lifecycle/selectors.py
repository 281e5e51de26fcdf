"""Reads of units and their quality control: what a unit's page, the operator's shipping page, the storefront and
design pages and the certifier show. Nothing here names a person: QC is shown by unit, maker and step."""

from django.conf import settings
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from marketplace.lifecycle import rules
from marketplace.lifecycle.models import QCRecord, QCResult, QCStep, Unit

NOT_RECORDED, PASSED, FAILED, NO_CHECKLIST = "not recorded", "passed", "failed", "no checklist"


def unit_path(serial: str) -> str:
    """The unit's public page (slice "stewardship" serves it as ``stewardship:unit``): the one place its address is
    built, so the label's QR code and the page agree."""
    return f"/units/{serial}/"


def unit_url(serial: str) -> str:
    """The unit's public page as an absolute address, for a printed label."""
    return settings.SITE_URL.rstrip("/") + unit_path(serial)


def _result_row(result: QCResult) -> dict:
    return {
        "name": result.name, "kind": result.kind, "value": result.value, "unit": result.unit,
        "min_value": result.min_value, "max_value": result.max_value, "passed": result.passed,
        "limits": rules.limits_text(min_value=result.min_value, max_value=result.max_value, unit=result.unit),
    }  # fmt: skip


def unit_qc(unit: Unit) -> dict:
    """A unit's quality control as anyone may see it: the latest record (its date, whether it passed, and each step
    with its value, unit, limits and verdict) and how many records came before it. No person is named."""
    records = list(QCRecord.objects.filter(unit=unit).order_by("-date_created", "-pk").prefetch_related("results"))
    has_checklist = bool(unit.design_id) and QCStep.objects.filter(design_id=unit.design_id).exists()
    latest = records[0] if records else None
    state = (PASSED if latest.passed else FAILED) if latest else (NOT_RECORDED if has_checklist else NO_CHECKLIST)
    return {
        "serial": unit.serial,
        "state": state,
        "has_checklist": has_checklist,
        "latest": {
            "date": latest.date_created,
            "passed": latest.passed,
            "results": [_result_row(result) for result in latest.results.all()],
        } if latest else None,
        "earlier": max(len(records) - 1, 0),
    }  # fmt: skip


def unit_history(unit: Unit) -> list[dict]:
    """Every QC record of a unit, newest first, each with its results (the maker's own page)."""
    records = QCRecord.objects.filter(unit=unit).order_by("-date_created", "-pk").prefetch_related("results")
    return [{"date": r.date_created, "passed": r.passed, "results": [_result_row(x) for x in r.results.all()]}
            for r in records]  # fmt: skip


def units_for_owner(user) -> QuerySet:
    """The units a person owns (bought, or was given), newest first."""
    if not getattr(user, "is_authenticated", False):
        return Unit.objects.none()
    return (Unit.objects.filter(owner=user).select_related("design", "product", "maker")
            .order_by("-date_created", "-pk"))  # fmt: skip


def line_units(line) -> list[Unit]:
    """The units of an order line that have left their maker (a unit in production has no public page yet)."""
    return list(Unit.objects.filter(line=line).exclude(state=Unit.IN_PRODUCTION).order_by("index"))


def units_for_operator(user) -> QuerySet:
    """Units a dashboard user may see and QC: all for staff, else those its own storefront made."""
    units = Unit.objects.select_related("design", "product", "maker", "line__order")
    return units if user.is_staff else units.filter(maker__partner__users=user)


def _latest_record(field: str):
    return Subquery(QCRecord.objects.filter(unit=OuterRef("pk")).order_by("-date_created", "-pk").values(field)[:1])


def _first_passed():
    return Subquery(QCRecord.objects.filter(unit=OuterRef("pk")).order_by("date_created", "pk").values("passed")[:1])


def part_units(part) -> list[Unit]:
    """The units of an operator's part of an order, each with ``qc_state`` (not recorded, passed, failed, or no
    checklist for its design) and ``qc_date``: the shipping page, in two queries."""
    units = list(
        Unit.objects.filter(line__order_id=part.order_id, line__partner_id=part.partner_id)
        .select_related("design", "product").annotate(latest_passed=_latest_record("passed"),
                                                      latest_date=_latest_record("date_created"))
        .order_by("line_id", "index")
    )  # fmt: skip
    with_checklist = set(
        QCStep.objects.filter(design_id__in={u.design_id for u in units}).values_list("design_id", flat=True)
    ) if units else set()  # fmt: skip
    for unit in units:
        if unit.latest_passed is None:
            unit.qc_state = NOT_RECORDED if unit.design_id in with_checklist else NO_CHECKLIST
        else:
            unit.qc_state = PASSED if unit.latest_passed else FAILED
        unit.qc_date = unit.latest_date
    return units


def _rates(units: QuerySet, *group: str) -> list[dict]:
    """First-pass yield of ``units`` grouped by ``group`` fields: units with at least one QC record (``checked``),
    those whose first record passed, and the share."""
    rows = (
        units.annotate(first_passed=_first_passed()).filter(first_passed__isnull=False)
        .values(*group).annotate(checked=Count("pk"), first_passed_count=Count("pk", filter=Q(first_passed=True)))
        .order_by(*group)
    )  # fmt: skip
    return [
        {**row, "yield": rules.first_pass_yield(first_passed=row["first_passed_count"], checked=row["checked"])}
        for row in rows
    ]


def storefront_pass_rates(storefront) -> list[dict]:
    """A storefront's QC pass rate per design: the share of its QC'd units whose FIRST record passed (first-pass
    yield: corrections after a failure do not raise it)."""
    return _rates(Unit.objects.filter(maker=storefront, design__isnull=False), "design__name", "design__slug")


def network_pass_rates(design) -> dict:
    """The network's QC for one design, per producing storefront and overall: many producers, one standard."""
    units = Unit.objects.filter(design=design)
    rows = _rates(units, "maker__name", "maker__slug", "maker__status")
    overall = _rates(units, "design")
    bars = [{"label": row["maker__name"], "yield": row["yield"], "checked": row["checked"]} for row in rows]
    return {"rows": rows, "overall": overall[0] if overall else None, "bars": bars}


def failures_by_step(units: QuerySet) -> list[dict]:
    """How often each step failed across every record of ``units``, and on how many units."""
    return list(
        QCResult.objects.filter(record__unit__in=units, passed=False).values("name")
        .annotate(failures=Count("pk"), units=Count("record__unit", distinct=True)).order_by("-failures", "name")
    )  # fmt: skip


def holders_qc(design) -> dict:
    """For a certifier renewing a design's certification: the QC record of the units made by storefronts whose
    operators hold the design's mark now (how many made, how many QC'd, first-pass yield, failures by step)."""
    from certification import marks

    holders = marks.valid_holdings().filter(certificate__design=design).values("user_id")
    units = Unit.objects.filter(design=design, maker__operator_id__in=holders)
    overall = _rates(units, "design")
    return {
        "made": units.count(),
        "rows": _rates(units, "maker__name", "maker__slug", "maker__status"),
        "overall": overall[0] if overall else None,
        "failures": failures_by_step(units),
    }
