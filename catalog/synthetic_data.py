"""The benchmark's dataset, as plain rows: designs at three levels, 50 categories and 50 storefronts.

Pure Python, no Django models: our shop (marketplace.synthetic) and the stock Oscar peer (bench.stock) insert the same
rows, so both shops are measured on the same catalogue. Design number N is the same for a given seed whatever the
batch size or the number of designs made before it.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from catalog import licences, standards

PREFIX = "synthetic"
WORDS = (
    "solar", "kiln", "press", "mill", "lathe", "loom", "pump", "turbine", "oven", "dryer", "digester", "tractor",
    "seeder", "planer", "router", "furnace", "extruder", "shredder", "sawmill", "baler", "brick", "panel", "frame",
    "cart", "bike", "boat", "drone", "robot", "printer", "scanner", "reactor",
)  # fmt: skip
FIELDS = ("Energy", "Housing", "Agriculture", "Fabrication", "Transport", "Electronics", "Water", "Food", "Materials",
          "Robotics")  # fmt: skip
KINDS = ("machines", "kits", "parts", "systems", "instruments")
# Our product classes (catalog migration 0034) for the three levels: slug, name, requires shipping, tracks stock.
PRODUCT_CLASSES = {
    1: ("level-1-physical", "Level 1 · Physical product", True, True),
    2: ("level-2-training", "Level 2 · Production training", False, True),
    3: ("level-3-licence", "Level 3 · Distribution licence", False, False),
}
CITIES = [
    # city, ISO 3166 country, latitude, longitude
    ("Nairobi", "KE", "-1.286400", "36.817200"), ("Lagos", "NG", "6.524400", "3.379200"),
    ("Accra", "GH", "5.603700", "-0.187000"), ("Addis Ababa", "ET", "9.030000", "38.740000"),
    ("Kampala", "UG", "0.347600", "32.582500"), ("Dakar", "SN", "14.716700", "-17.467700"),
    ("Cairo", "EG", "30.044400", "31.235700"), ("Casablanca", "MA", "33.573100", "-7.589800"),
    ("Johannesburg", "ZA", "-26.204100", "28.047300"), ("Kigali", "RW", "-1.944100", "30.061900"),
    ("Lyon", "FR", "45.764000", "4.835700"), ("Berlin", "DE", "52.520000", "13.405000"),
    ("Madrid", "ES", "40.416800", "-3.703800"), ("Lisbon", "PT", "38.722300", "-9.139300"),
    ("Milan", "IT", "45.464200", "9.190000"), ("Warsaw", "PL", "52.229700", "21.012200"),
    ("Oslo", "NO", "59.913900", "10.752200"), ("Helsinki", "FI", "60.169900", "24.938400"),
    ("Vienna", "AT", "48.208200", "16.373800"), ("Dublin", "IE", "53.349800", "-6.260300"),
    ("Glasgow", "GB", "55.864200", "-4.251800"), ("Athens", "GR", "37.983800", "23.727500"),
    ("Istanbul", "TR", "41.008200", "28.978400"), ("Mumbai", "IN", "19.076000", "72.877700"),
    ("Bangalore", "IN", "12.971600", "77.594600"), ("Dhaka", "BD", "23.810300", "90.412500"),
    ("Jakarta", "ID", "-6.208800", "106.845600"), ("Manila", "PH", "14.599500", "120.984200"),
    ("Hanoi", "VN", "21.027800", "105.834200"), ("Bangkok", "TH", "13.756300", "100.501800"),
    ("Shenzhen", "CN", "22.543100", "114.057900"), ("Seoul", "KR", "37.566500", "126.978000"),
    ("Osaka", "JP", "34.693700", "135.502300"), ("Taipei", "TW", "25.033000", "121.565400"),
    ("Melbourne", "AU", "-37.813600", "144.963100"), ("Auckland", "NZ", "-36.848500", "174.763300"),
    ("Kansas City", "US", "39.099700", "-94.578600"), ("Portland", "US", "45.515200", "-122.678400"),
    ("Detroit", "US", "42.331400", "-83.045800"), ("Austin", "US", "30.267200", "-97.743100"),
    ("Pittsburgh", "US", "40.440600", "-79.995900"), ("Toronto", "CA", "43.653200", "-79.383200"),
    ("Vancouver", "CA", "49.282700", "-123.120700"), ("Mexico City", "MX", "19.432600", "-99.133200"),
    ("Bogota", "CO", "4.711000", "-74.072100"), ("Lima", "PE", "-12.046400", "-77.042800"),
    ("Santiago", "CL", "-33.448900", "-70.669300"), ("Buenos Aires", "AR", "-34.603700", "-58.381600"),
    ("Sao Paulo", "BR", "-23.550500", "-46.633300"), ("Havana", "CU", "23.113600", "-82.366600"),
]  # fmt: skip
CENTS = Decimal("0.01")


@dataclass(frozen=True)
class StorefrontRow:
    name: str
    slug: str
    email: str
    city: str
    country: str
    latitude: Decimal
    longitude: Decimal


@dataclass(frozen=True)
class ProductRow:
    level: int
    title: str
    slug: str
    upc: str
    price: Decimal
    num_in_stock: int | None  # None: not stock-tracked (licences)
    storefront: int  # index into storefronts()


@dataclass(frozen=True)
class DesignRow:
    number: int
    name: str
    slug: str
    summary: str
    description: str
    category: int  # index into category_names()
    hardware_licence: str
    software_licence: str
    documentation_licence: str
    is_production_machine: bool
    cost_materials: Decimal
    cost_labour: Decimal
    co2e_kg: Decimal
    documents: tuple[tuple[str, str], ...]  # (documentation area, status)
    licence_unit_cap: int
    products: tuple[ProductRow, ...]  # levels 1, 2 and 3


def category_names() -> list[str]:
    """50 top-level categories: "Energy machines", "Energy kits", ..."""
    return [f"{field} {kind}" for field in FIELDS for kind in KINDS]


def storefronts() -> list[StorefrontRow]:
    """50 storefronts, one microfactory in each city."""
    rows = []
    for city, country, latitude, longitude in CITIES:
        slug = f"{PREFIX}-{city.lower().replace(' ', '-')}"
        rows.append(
            StorefrontRow(
                name=f"{city} Microfactory", slug=slug, email=f"{slug}@synthetic.opensource.store", city=city,
                country=country, latitude=Decimal(latitude), longitude=Decimal(longitude),
            )
        )  # fmt: skip
    return rows


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return (Decimal(rng.randint(low * 100, high * 100)) / 100).quantize(CENTS)


def design(*, number: int, seed: int = 1) -> DesignRow:
    """Design ``number`` for ``seed``: always the same row."""
    rng = random.Random(f"{seed}:{number}")
    words = rng.sample(WORDS, 3)
    name = f"{' '.join(words).title()} {number}"
    slug = f"{PREFIX}-{number}"
    summary = f"An open source {words[0]} {words[1]} for local {words[2]} production."
    shop_count = len(CITIES)
    stock = {1: rng.randint(1, 50), 2: rng.randint(1, 30), 3: None}
    products = tuple(
        ProductRow(
            level=level, title=f"{name} (level {level})", slug=f"{slug}-l{level}", upc=f"{slug}-L{level}",
            price=_money(rng, 10, 20000), num_in_stock=stock[level], storefront=rng.randrange(shop_count),
        )
        for level in (1, 2, 3)
    )  # fmt: skip
    return DesignRow(
        number=number,
        name=name,
        slug=slug,
        summary=summary,
        description=f"Synthetic design {number}: a {words[0]} {words[1]} {words[2]}.",
        category=rng.randrange(len(FIELDS) * len(KINDS)),
        hardware_licence=rng.choice(list(licences.HARDWARE)),
        software_licence=rng.choice(list(licences.SOFTWARE)),
        documentation_licence=rng.choice(list(licences.DOCUMENTATION)),
        is_production_machine=rng.random() < 0.3,
        cost_materials=_money(rng, 5, 5000),
        cost_labour=_money(rng, 5, 2000),
        co2e_kg=Decimal(rng.randint(1, 900)),
        documents=tuple(
            (area, rng.choice([standards.COMPLETE, standards.DRAFT, standards.MISSING])) for area, _ in standards.AREAS
        ),
        licence_unit_cap=rng.randint(100, 10000),
        products=products,
    )


def design_batches(*, count: int, batch_size: int = 1000, seed: int = 1, start: int = 0) -> Iterator[list[DesignRow]]:
    """Designs ``start`` .. ``start + count - 1``, in lists of at most ``batch_size``."""
    for first in range(start, start + count, batch_size):
        yield [design(number=number, seed=seed) for number in range(first, min(first + batch_size, start + count))]
