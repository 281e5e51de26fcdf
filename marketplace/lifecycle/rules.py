"""Quality control arithmetic: whether a measured value is within a step's limits, and whether a record passes.
Pure functions over values (Decimal, never float)."""

from decimal import Decimal


def within_limits(value: Decimal | None, *, min_value: Decimal | None, max_value: Decimal | None) -> bool:
    """A measured value passes when it is at least ``min_value`` and at most ``max_value`` (either may be absent;
    both limits are inclusive). No value never passes."""
    if value is None:
        return False
    if min_value is not None and value < min_value:
        return False
    return max_value is None or value <= max_value


def step_passes(*, kind: str, value: Decimal | None = None, ok: bool | None = None, min_value=None, max_value=None):
    """A pass/fail check passes when the producer says so; a measured value when it is within the limits."""
    if kind == "check":
        return ok is True
    return within_limits(value, min_value=min_value, max_value=max_value)


def record_passes(step_results) -> bool:
    """A record passes only if it has results and every one of them passed."""
    results = list(step_results)
    return bool(results) and all(results)


def limits_text(*, min_value: Decimal | None, max_value: Decimal | None, unit: str = "") -> str:
    """The limits as a person reads them: "≥ 40 bricks/min", "≤ 0.1 mm", "0.95 – 1.05 kg", "" for a check."""

    def number(value):
        return f"{value.normalize():f}"

    unit = f" {unit}" if unit else ""
    if min_value is not None and max_value is not None:
        return f"{number(min_value)} – {number(max_value)}{unit}"
    if min_value is not None:
        return f"≥ {number(min_value)}{unit}"
    if max_value is not None:
        return f"≤ {number(max_value)}{unit}"
    return ""


def limits_from_criterion(*, comparison: str, threshold: Decimal) -> dict:
    """A performance criterion's threshold as a QC step's limit: "at least" is a minimum, "at most" a maximum."""
    if comparison == ">=":
        return {"min_value": threshold, "max_value": None}
    return {"min_value": None, "max_value": threshold}


def first_pass_yield(*, first_passed: int, checked: int) -> Decimal | None:
    """The share of QC'd units whose first record passed, as a percentage to one decimal; None when none was QC'd."""
    if not checked:
        return None
    return (Decimal(first_passed) * 100 / Decimal(checked)).quantize(Decimal("0.1"))
