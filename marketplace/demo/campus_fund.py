"""R&D projects and facility installs, and disbursements out of the campus fund to them."""

from datetime import timedelta
from decimal import ROUND_DOWN, Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from fpdf import FPDF

from marketplace.revenue.disbursements import record_disbursement, value_moment
from marketplace.revenue.models import Account, FundProject, Posting

ZERO = Decimal("0.00")

PROJECTS = [
    # (slug, kind, name, place, story in Markdown)
    ("ceb-press-cycle-time", FundProject.RND, "CEB press: a faster cycle", "Factor e Farm, Missouri",
     "The Compressed Earth Brick press makes a brick every 8 seconds. This project tests a larger hydraulic "
     "cylinder and a new soil hopper to reach **5 seconds**, and documents every change on the design's page.\n\n"
     "- bench tests of three cylinder sizes\n- a hopper that does not bridge with wet clay\n- updated drawings"),
    ("seed-microfactory-install", FundProject.FACILITY, "Seed microfactory install", "Factor e Farm, Missouri",
     "A prototype microfactory where the network's campuses learn to build the Global Village Construction Set: "
     "a concrete floor, three-phase power and the first machine tools, installed by a week-long build."),
    ("open-tractor-hydraulics", FundProject.RND, "LifeTrac hydraulics", "Detroit, Michigan",
     "Quick-connect hydraulic couplers shared by the tractor's implements, tested on the open source tractor."),
]  # fmt: skip

DISBURSEMENTS = [
    # (project slug, months ago, share of the fund's balance that day, what it paid for, receipt public?)
    ("seed-microfactory-install", 3, Decimal("0.40"), "Concrete for the microfactory floor", True),
    ("ceb-press-cycle-time", 2, Decimal("0.30"), "Hydraulic cylinders for the bench tests", True),
    ("seed-microfactory-install", 1, Decimal("0.25"), "Electrician: three-phase power to the shop", False),
    ("open-tractor-hydraulics", 0, Decimal("0.15"), "Quick-connect couplers, two sets", True),
]


def _receipt(name: str, description: str, amount: Decimal, day) -> SimpleUploadedFile:
    pdf = FPDF(format="A5")
    pdf.add_page()
    pdf.set_font("helvetica", "B", 14)
    pdf.cell(text="Receipt (demo)", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", size=11)
    for line in (f"Date: {day.isoformat()}", f"For: {description}", f"Project: {name}", f"Amount: USD {amount}",
                 "Paid from the Open Source Store's campus fund."):  # fmt: skip
        pdf.cell(text=line, new_x="LMARGIN", new_y="NEXT")
    return SimpleUploadedFile("receipt.pdf", bytes(pdf.output()), content_type="application/pdf")


def _balance_on(day) -> Decimal:
    """The campus fund's balance at the end of ``day``, from its postings."""
    return Posting.objects.filter(
        account__kind=Account.CAMPUS_FUND, entry__value_date__lte=value_moment(day) + timedelta(hours=12)
    ).aggregate(total=Coalesce(Sum("amount"), ZERO))["total"]


def load_disbursements(*, staff) -> None:
    """Idempotent: loading the demo again adds nothing. Each payment is a share of what the fund held on its day, so
    the fund never runs dry in any month (about 3,000 USD in after the demo's orders)."""
    projects = {}
    for slug, kind, name, place, story in PROJECTS:
        projects[slug], _ = FundProject.objects.get_or_create(
            slug=slug, defaults={"kind": kind, "name": name, "place": place, "description": story}
        )
    today = timezone.localdate()
    for slug, months_ago, share, description, public in DISBURSEMENTS:
        project = projects[slug]
        if project.disbursements.filter(description=description).exists():
            continue
        day = min(today - timedelta(days=30 * months_ago - 5), today)
        amount = (_balance_on(day) * share / 10).quantize(Decimal("1"), rounding=ROUND_DOWN) * 10  # whole tens
        if amount <= 0:
            continue
        record_disbursement(project=project, amount=amount, description=description, value_date=day,
                            receipt=_receipt(project.name, description, amount, day), receipt_public=public,
                            recorded_by=staff)  # fmt: skip
