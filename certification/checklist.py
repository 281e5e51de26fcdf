"""The certification checklist: computed from the data, never ticked by hand."""

from dataclasses import dataclass

from catalog import standards


@dataclass(frozen=True)
class Item:
    code: str
    label: str
    passed: bool
    detail: str = ""


@dataclass(frozen=True)
class Facts:
    licence_errors: list[str]
    documents: list  # DesignDocument rows of the design
    is_production_machine: bool
    criteria: list  # (criterion label, met by an accepted result)
    accepted_contributions: int


def checklist(facts: Facts) -> list[Item]:
    areas = standards.area_states(facts.documents)
    undone = [area.label for area in areas if area.status != standards.COMPLETE or not area.reviewed]
    quality = next(area for area in areas if area.code == standards.QUALITY_CONTROL)
    unmet = [label for label, met in facts.criteria if not met]
    items = [
        Item("licences", "Licences are admissible (OSHWA / OSI)", not facts.licence_errors,
             "; ".join(facts.licence_errors)),
        Item("documentation", "All six documentation areas complete and reviewed", not undone,
             ("Missing or unreviewed: " + ", ".join(undone)) if undone else ""),
        Item("quality-control", "Distributed quality-control procedure present",
             quality.status == standards.COMPLETE and bool(quality.url),
             "" if quality.status == standards.COMPLETE and quality.url else "No complete quality-control procedure"),
    ]  # fmt: skip
    if facts.is_production_machine:
        items.append(
            Item(
                "performance",
                "Every performance criterion met by an accepted result",
                bool(facts.criteria) and not unmet,
                "No criteria defined" if not facts.criteria else ("Not met: " + ", ".join(unmet) if unmet else ""),
            )
        )
    items.append(
        Item("contribution", "At least one accepted contribution to this version", facts.accepted_contributions > 0,
             "" if facts.accepted_contributions else "No accepted contribution yet")
    )  # fmt: skip
    return items


def passes(items: list[Item]) -> bool:
    return all(item.passed for item in items)
