"""Full-cost accounting: what one unit of a design really costs, environmental cost included."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from marketplace.money import CENT


@dataclass(frozen=True)
class FullCost:
    materials: Decimal
    labour: Decimal
    energy: Decimal
    shipping: Decimal
    co2e_kg: Decimal
    environmental: Decimal  # co2e_kg priced at settings.CARBON_PRICE_PER_KG_CO2E

    @property
    def total(self) -> Decimal:
        return self.materials + self.labour + self.energy + self.shipping + self.environmental

    def rows(self) -> list[tuple[str, Decimal]]:
        return [
            ("Materials", self.materials),
            ("Labour", self.labour),
            ("Energy", self.energy),
            ("Shipping", self.shipping),
            (f"Environmental ({self.co2e_kg.normalize():f} kg CO2e)", self.environmental),
        ]


def full_cost(design) -> FullCost:
    carbon_price = Decimal(str(settings.CARBON_PRICE_PER_KG_CO2E))
    return FullCost(
        materials=design.cost_materials,
        labour=design.cost_labour,
        energy=design.cost_energy,
        shipping=design.cost_shipping,
        co2e_kg=design.co2e_kg,
        environmental=(design.co2e_kg * carbon_price).quantize(CENT, rounding=ROUND_HALF_UP),
    )
