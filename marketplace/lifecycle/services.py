"""Units and their quality control: preparing one unit per physical unit of a paid line, recording the producer's
QC, and the shipping gate ("a failed unit cannot ship")."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from oscar.core.loading import get_model

from certification.models import PerformanceCriterion
from marketplace.lifecycle import rules, serials
from marketplace.lifecycle.models import QCRecord, QCResult, QCStep, Unit

Line = get_model("order", "Line")

SERIAL_ATTEMPTS = 8  # 40 random bits: a second collision in a row would take trillions of units


def needs_units(line) -> bool:
    """A line of physical goods a maker ships: level 1 goods, and level 2 kits (a level 2 line with shipping).
    Downloads, seats and licences have no units. Shipping is what the codebase asks everywhere:
    ``product.is_shipping_required`` (the product class's ``requires_shipping``)."""
    product = line.product
    return product is not None and product.level in (1, 2) and product.is_shipping_required


def _part_lines(part) -> list:
    """The part's lines that still ship: physical, and not refunded in full."""
    from marketplace.payments.refunds import refunded_per_line

    lines = [
        line for line in Line.objects.filter(order_id=part.order_id, partner_id=part.partner_id)
        .select_related("order", "partner__storefront", "product__product_class", "product__design").order_by("pk")
        if needs_units(line)
    ]  # fmt: skip
    given_back = refunded_per_line(line.pk for line in lines) if lines else {}
    return [line for line in lines if given_back.get(line.pk, Decimal("0")) < line.line_price_incl_tax]


def _maker(line):
    partner = line.partner
    return getattr(partner, "storefront", None) if partner is not None else None


@transaction.atomic
def prepare_units(*, part) -> list[Unit]:
    """One unit per physical unit of each line of an operator's part, in production, owned by the order's shopper
    (none for a guest), with its serial from the start: its QC is recorded against that serial before it ships.
    Run twice (or by two workers at once) it creates nothing twice: the lines are locked, and (line, index) is
    unique."""
    lines = _part_lines(part)
    line_ids = [line.pk for line in lines]
    if not line_ids:
        return []
    list(Line.objects.select_for_update().filter(pk__in=line_ids).order_by("pk").values_list("pk", flat=True))
    existing = set(Unit.objects.filter(line_id__in=line_ids).values_list("line_id", "index"))
    for line in lines:
        maker = _maker(line)
        if maker is None:
            continue  # a line sold by a partner with no storefront (the shop's own stock): no maker to name
        product, design = line.product, line.product.design
        for index in range(1, line.quantity + 1):
            if (line.pk, index) not in existing:
                _create_unit(line=line, index=index, product=product, design=design, maker=maker)
    return list(Unit.objects.filter(line_id__in=line_ids).select_related("design").order_by("line_id", "index"))


def _create_unit(*, line, index, product, design, maker) -> Unit:
    """A unit with a fresh serial; a serial already taken (the database's unique constraint says so) is drawn again."""
    for _attempt in range(SERIAL_ATTEMPTS):
        try:
            with transaction.atomic():
                return Unit.objects.create(
                    serial=serials.new_serial(), line=line, index=index, product=product, design=design,
                    design_version=design.version if design else "", maker=maker, owner_id=line.order.user_id,
                )  # fmt: skip
        except IntegrityError:
            found = Unit.objects.filter(line=line, index=index).first()
            if found is not None:
                return found  # prepared meanwhile by another worker
    raise IntegrityError(f"No free serial after {SERIAL_ATTEMPTS} draws.")


def _latest_passed(units) -> dict[int, bool]:
    latest = {}
    for unit_id, passed in (
        QCRecord.objects.filter(unit__in=units).order_by("date_created", "pk").values_list("unit_id", "passed")
    ):
        latest[unit_id] = passed
    return latest


def shipping_refusal(*, part) -> str:
    """Why the part's goods may not ship yet, or "": every unit of a design with a QC checklist needs a latest QC
    record that passed ("a failed unit cannot ship"). Designs without a checklist ship as before."""
    units = list(
        Unit.objects.filter(line__in=[line.pk for line in _part_lines(part)], state=Unit.IN_PRODUCTION,
                            design__qc_steps__isnull=False).distinct().order_by("line_id", "index")
    )  # fmt: skip
    if not units:
        return ""
    latest = _latest_passed(units)
    failed = [unit.serial for unit in units if latest.get(unit.pk) is False]
    missing = [unit.serial for unit in units if unit.pk not in latest]
    if not failed and not missing:
        return ""
    said = []
    if failed:
        said.append(f"the last QC of {', '.join(failed)} failed")
    if missing:
        said.append(f"{', '.join(missing)} {'has' if len(missing) == 1 else 'have'} no QC record yet")
    serials_named = ", ".join(failed + missing)
    return (f"Not shipped: {' and '.join(said)}. Record a passing QC for {serials_named} (“Record QC” by each serial "
            "on this page), then ship.")  # fmt: skip


def mark_shipped(*, part, at) -> int:
    """The part shipped: its units are in service from ``at``. In the caller's transaction."""
    return Unit.objects.filter(line__in=[line.pk for line in _part_lines(part)], state=Unit.IN_PRODUCTION).update(
        state=Unit.IN_SERVICE, shipped_at=at
    )


@transaction.atomic
def record_qc(*, unit_id: int, actor, answers: dict) -> QCRecord:
    """The producing operator records its design's QC checklist for one unit before it ships. ``answers`` maps each
    step's id to a Decimal (measured value) or a bool (check passed). Each step passes by its limits; the record
    passes only if every step does. A record is never changed: a correction is a new record (the latest counts),
    and once the unit has shipped its records are final."""
    unit = Unit.objects.select_for_update(of=("self",)).select_related("design").get(pk=unit_id)
    if unit.state != Unit.IN_PRODUCTION or unit.shipped_at:
        shipped = f" on {unit.shipped_at:%Y-%m-%d}" if unit.shipped_at else ""
        raise ValidationError(f"{unit.serial} has shipped{shipped}: its QC records are final and no new one is added.")
    steps = list(QCStep.objects.filter(design_id=unit.design_id)) if unit.design_id else []
    if not steps:
        raise ValidationError(f"{unit.design or 'This unit'} has no QC checklist: it ships without a QC record.")
    results = []
    for step in steps:
        answer = answers.get(step.pk)
        if answer is None:
            raise ValidationError(f"Give a result for “{step.name}”.")
        if step.kind == QCStep.MEASURE:
            value = Decimal(answer)
            passed = rules.step_passes(kind=step.kind, value=value, min_value=step.min_value, max_value=step.max_value)
        else:
            value, passed = None, rules.step_passes(kind=step.kind, ok=bool(answer))
        results.append(QCResult(
            step=step, position=step.position, name=step.name, kind=step.kind, unit=step.unit,
            min_value=step.min_value, max_value=step.max_value, value=value, passed=passed,
        ))  # fmt: skip
    record = QCRecord.objects.create(
        unit=unit, passed=rules.record_passes(result.passed for result in results),
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )  # fmt: skip
    for result in results:
        result.record = record
    QCResult.objects.bulk_create(results)
    return record


@transaction.atomic
def start_checklist_from_criteria(*, design) -> int:
    """Each admissible performance criterion of the design becomes a measured QC step (its threshold and comparison
    a limit), unless a step already started from it. Returns how many steps were added."""
    taken = set(QCStep.objects.filter(design=design, criterion__isnull=False).values_list("criterion_id", flat=True))
    position = max(QCStep.objects.filter(design=design).values_list("position", flat=True), default=0)
    added = 0
    for criterion in PerformanceCriterion.objects.filter(design=design).order_by("pk"):
        if criterion.pk in taken:
            continue
        position += 1
        QCStep.objects.create(
            design=design, position=position, name=criterion.metric[:120], kind=QCStep.MEASURE, unit=criterion.unit,
            criterion=criterion, **rules.limits_from_criterion(comparison=criterion.comparison,
                                                               threshold=criterion.threshold),
        )  # fmt: skip
        added += 1
    return added
