"""Open Source Distributive Enterprise Product Standards: the six documentation areas a design must cover.

From the seed: open source product design, production engineering, supply chain, distributed quality control,
production training for collaborators, and enterprise website templates.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

PRODUCT_DESIGN = "product-design"
PRODUCTION_ENGINEERING = "production-engineering"
SUPPLY_CHAIN = "supply-chain"
QUALITY_CONTROL = "quality-control"
PRODUCTION_TRAINING = "production-training"
ENTERPRISE_WEBSITE = "enterprise-website"

AREAS = [
    (PRODUCT_DESIGN, "Product design"),
    (PRODUCTION_ENGINEERING, "Production engineering"),
    (SUPPLY_CHAIN, "Supply chain"),
    (QUALITY_CONTROL, "Distributed quality control"),
    (PRODUCTION_TRAINING, "Production training"),
    (ENTERPRISE_WEBSITE, "Enterprise website template"),
]

MISSING, DRAFT, COMPLETE = "missing", "draft", "complete"
STATUSES = [(MISSING, "Missing"), (DRAFT, "Draft"), (COMPLETE, "Complete")]


@dataclass(frozen=True)
class AreaState:
    code: str
    label: str
    status: str
    url: str
    reviewed: bool


def area_states(documents: Iterable) -> list[AreaState]:
    """One state per area, in the standard's order; an area with no document is missing."""
    by_area = {doc.area: doc for doc in documents}
    states = []
    for code, label in AREAS:
        doc = by_area.get(code)
        states.append(
            AreaState(
                code=code,
                label=label,
                status=doc.status if doc else MISSING,
                url=doc.url if doc else "",
                reviewed=bool(doc and doc.reviewer_id),
            )
        )
    return states


def completeness(documents: Iterable) -> int:
    """Percentage (0-100) of the six areas whose documentation is complete."""
    complete = sum(1 for state in area_states(documents) if state.status == COMPLETE)
    return int((Decimal(100 * complete) / len(AREAS)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
