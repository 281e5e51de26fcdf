"""The demo shop's data: idempotent (run it again and nothing is duplicated) and reported step by step.

`load_demo` loads each part after the parts it needs: the site's name (`pages.py`) and the demo's users
(`users.py`); the campus storefront; the catalogue of designs at three levels with their bills of materials
(`designs.py`); OSE certification (`certification.py`); the other storefronts and their offers (`storefronts.py`);
half a year of orders, refunds and payouts (`orders.py`); the footer's pages and the shopper's saved address; then
the community economy: the Social Contract (`contract.py`), the Specifications Metric (`specs.py`), True Fans
(`supporters.py`), the pooled marketing fund's campaign (`campaigns.py`) and the campus fund's disbursements
(`campus_fund.py`).
Pictures are drawn, not downloaded (`pictures.py`). The `load_demo` command calls it, and so do tests and the bench.
"""

from collections.abc import Callable

from django.db import transaction

from marketplace.demo import (
    campaigns,
    campus_fund,
    certification,
    contract,
    designs,
    orders,
    pages,
    specs,
    stewardship,
    storefronts,
    supporters,
    units,
    users,
    webhooks,
)
from marketplace.demo.users import DEMO_PASSWORD, DEMO_USERS

__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "load_demo"]


def _step(report: Callable[[str], None], done: int, total: int, text: str) -> None:
    report(f"[{done}/{total}] {text}")


@transaction.atomic
def load_demo(report: Callable[[str], None] = print) -> dict:
    """Load (or complete) the demo shop, reporting each step to ``report``; returns the printed logins by role."""
    steps = 15
    _step(report, 1, steps, "site and demo users")
    pages.name_site()
    logins = users.load_users()

    _step(report, 2, steps, "the campus storefront (Factor e Farm)")
    campus = storefronts.load_campus()

    classes = designs.level_classes()
    for done, row in enumerate(designs.DESIGNS, start=1):
        _step(report, 3, steps, f"designs at three levels: {done}/{len(designs.DESIGNS)} {row[1]}")
        designs.load_design(row, classes=classes, partner=campus, reviewer=logins["staff"])

    _step(report, 4, steps, f"bills of materials: {len(designs.BOM)} lines")
    designs.load_bills_of_materials()

    _step(report, 5, steps, "OSE Certified: contributions, performance results, certificates, a pending application")
    certification.load_certification()

    _step(report, 6, steps, f"{len(storefronts.STOREFRONTS)} more storefronts, one per tier, with overlapping offers")
    storefronts.load_storefronts()

    _step(
        report, 7, steps, "half a year of orders: paid, delivered, shipped, one refunded, one awaiting payment; payouts"
    )
    orders.place_demo_orders(shopper=logins["shopper"], staff=logins["staff"])
    pages.load_flat_pages()
    users.load_address_book(logins["shopper"])

    _step(report, 8, steps, "the OSE Social Contract: v1 accepted by every operator, v2 published and pending for one")
    contract.load_contract(staff=logins["staff"])

    _step(report, 9, steps, "the Specifications Metric: its questions, and answers for three designs")
    specs.load_specs()

    _step(report, 10, steps, "True Fans: supporters on two storefronts, an update sent")
    supporters.load_supporters(logins)

    _step(report, 11, steps, "the pooled marketing fund: one campaign with attributed orders")
    campaigns.load_campaigns(logins)

    _step(report, 12, steps, "where the campus fund goes: projects and their disbursements")
    campus_fund.load_disbursements(staff=logins["staff"])

    _step(report, 13, steps, "units and QC: checklists, a serial for each good bought, QC records (one corrected)")
    units.load_units(shopper=logins["shopper"])

    _step(report, 14, steps, "webhooks: Apartment Fab's endpoint (the demo's own receiver) and its delivery log")
    webhooks.load_webhooks()

    _step(report, 15, steps, "stewardship: a unit of the shopper's repaired (quote paid), one taken back and recycled")
    stewardship.load_stewardship(shopper=logins["shopper"], staff=logins["staff"])
    return logins
