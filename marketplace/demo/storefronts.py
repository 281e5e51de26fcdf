"""The demo's storefronts: the campus (Factor e Farm), which sells every design, and five independent operators, one
per tier from a passive bookseller to a third-tier microfactory, in five cities on three continents, with offers
that overlap so a product page shows several operators and a cheapest one. Each operator ships at its own flat rate
and gives its own share to the campus fund, so the order split and the ledger have something to show.
"""

from decimal import Decimal

from oscar.core.loading import get_model

from catalog.models import Product
from marketplace.demo.users import demo_user
from marketplace.storefronts.models import Storefront
from marketplace.storefronts.services import approve_storefront, save_offer
from tiers.models import Tier

Partner = get_model("partner", "Partner")

# slug, name, tier, operator email, city, country, latitude, longitude, colour, tagline
CAMPUS = ("factor-e-farm", "Factor e Farm", "campus", "campus@demo.opensource.store", "Maysville", "US",
          "39.889200", "-94.362200", "#2e7d32",
          "The Campus Enterprise where the Global Village Construction Set began.")  # fmt: skip

# One storefront per tier, in different cities, with overlapping offers:
# slug, name, tier, operator email, city, country, latitude, longitude, colour, tagline, [(upc, price, stock)]
STOREFRONTS = [
    ("curriculum-commons", "Curriculum Commons", "passive", "passive@demo.opensource.store", "Portland", "US",
     "45.523100", "-122.676500", "#6a1b9a", "Books and curricula for open source makers.",
     [("microfactory-handbook-L1", "14.00", None)]),
    ("maker-mail", "Maker Mail", "background-2", "mail@demo.opensource.store", "Berlin", "DE",
     "52.524370", "13.410530", "#00695c", "Printed handbooks by post, webinars from Berlin.",
     [("microfactory-handbook-L1", "15.50", None), ("microfactory-handbook-L2", "85.00", 60)]),
    ("apartment-fab", "Apartment Fab", "microfactory-1", "apartment@demo.opensource.store", "Kansas City", "US",
     "39.099730", "-94.578570", "#1565c0", "3D printers and printed fittings from a two-room flat.",
     [("d3d-printer-L1", "960.00", 4), ("pex-fittings-L1", "22.00", 120), ("pex-fittings-L2", "110.00", 10)]),
    ("garage-works", "Garage Works", "microfactory-2", "garage@demo.opensource.store", "Nairobi", "KE",
     "-1.283330", "36.816670", "#ef6c00", "CNC mills, robot arms and Power Cubes from a Nairobi garage.",
     [("d3d-printer-L1", "940.00", 3), ("cnc-circuit-mill-L1", "1390.00", 2), ("trainable-robot-L1", "1850.00", 2),
      ("power-cube-L1", "4900.00", 1)]),
    ("homestead-hub", "Homestead Hub", "microfactory-3", "homestead@demo.opensource.store", "Lyon", "FR",
     "45.748460", "4.846710", "#558b2f", "Earth brick presses, seed potatoes and licences, from the land.",
     [("ceb-press-L1", "12900.00", 1), ("seed-potatoes-L1", "17.00", 80), ("pex-fittings-L1", "25.00", 50),
      ("ceb-press-L3", "24000.00", None)]),
]  # fmt: skip
# Each operator ships its own goods at its own flat rate, and gives its own share to the campus fund.
SHIPPING = {
    "factor-e-farm": Decimal("45.00"), "curriculum-commons": Decimal("0.00"), "maker-mail": Decimal("4.50"),
    "apartment-fab": Decimal("15.00"), "garage-works": Decimal("35.00"), "homestead-hub": Decimal("60.00"),
}  # fmt: skip
CAMPUS_FUND = {"factor-e-farm": Decimal("20.00"), "apartment-fab": Decimal("10.00"), "garage-works": Decimal("5.00")}


def load_campus():
    """The campus storefront and its partner (who holds the campus's stock: levels 1 and 2 of every design)."""
    partner, _ = Partner.objects.get_or_create(code="factor-e-farm", defaults={"name": "Factor e Farm"})
    _storefront(CAMPUS, partner=partner)
    return partner


def load_storefronts() -> None:
    """STOREFRONTS: each approved, with its own offers (price and stock)."""
    for row in STOREFRONTS:
        storefront = _storefront(row[:10], partner=None)
        for upc, price, stock in row[10]:
            save_offer(storefront=storefront, product=Product.objects.get(upc=upc), price=Decimal(price),
                       num_in_stock=stock)  # fmt: skip


def _storefront(row, *, partner) -> Storefront:
    slug, name, tier_code, email, city, country, latitude, longitude, colour, tagline = row
    operator = demo_user(email)
    storefront, _ = Storefront.objects.update_or_create(
        slug=slug,
        defaults={
            "operator": operator, "name": name, "tagline": tagline, "tier": Tier.objects.get(code=tier_code),
            "about": f"{name} is an independent operator in the Open Source Store network, in {city}.",
            "contact_email": email, "city": city, "country": country, "latitude": Decimal(latitude),
            "longitude": Decimal(longitude), "primary_colour": colour,
            "campus_fund_percent": CAMPUS_FUND.get(slug, Decimal("7.50")),
            "shipping_charge": SHIPPING.get(slug, Decimal("12.00")),
        },
    )  # fmt: skip
    if partner is not None and storefront.partner_id is None:
        storefront.partner = partner
        storefront.save(update_fields=["partner"])
    if storefront.status == Storefront.PENDING:
        storefront = approve_storefront(storefront=storefront, staff=None, notify=False)
    return storefront
