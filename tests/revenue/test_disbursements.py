"""Where the campus fund goes: staff record a payment out of it to a project, with its receipt, booked in the ledger
once and never more than the fund holds; the public campus-fund page shows money in and out and the balance, month
by month, as the ledger has them, the marketing pool's spending too, and each project's page its payments."""

import csv
import io
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from fpdf import FPDF
from PIL import Image

from marketplace.revenue import funds
from marketplace.revenue.models import Account, Disbursement, FundProject, JournalEntry, Posting
from marketplace.revenue.selectors import balance
from marketplace.revenue.services import shared_account
from marketplace.revenue.verification import verify
from tests import factories

pytestmark = pytest.mark.django_db

STAFF_URL = reverse("revenue:disbursements")
CAMPUS_FUND_URL = reverse("revenue:campus-fund")
RECEIPTS = Path(settings.PRIVATE_MEDIA_ROOT) / "receipts"


def _pdf(text="Invoice 2026-114: 40 m of steel tube") -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text=text)
    return bytes(pdf.output())


def _png(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def _receipt(content=None, name="receipt.pdf", content_type="application/pdf"):
    return SimpleUploadedFile(name, _pdf() if content is None else content, content_type=content_type)


def _fund(amount="1000.00", *, when=None):
    """Money into the campus fund: a supporter's month at a storefront giving 10% to it (and 5% to the pool)."""
    store = factories.storefront(f"Fab {JournalEntry.objects.count()}")
    store.campus_fund_percent = Decimal("10.00")
    store.save(update_fields=["campus_fund_percent"])
    entry = funds.allocate_support_payment(
        reference=f"support:{store.pk}", partner_id=store.partner_id, amount=Decimal(amount) * 10, currency="USD",
        card=False, value_date=when or timezone.now(), memo="True Fans",
    )  # fmt: skip
    return entry


def _campus() -> Decimal:
    return balance(shared_account(Account.CAMPUS_FUND))


def _receipt_files() -> set[str]:
    return {path.name for path in RECEIPTS.glob("*")} if RECEIPTS.is_dir() else set()


@pytest.fixture
def treasurer_client(staff):
    """The treasurer (``staff``: a superuser) signed in."""
    client = Client()
    client.force_login(staff)
    return client


@pytest.fixture
def project():
    return FundProject.objects.create(
        kind=FundProject.RND, name="Brick press R&D", slug="brick-press-rnd", place="Factor e Farm, Missouri",
        description="Faster **cycle time** for the CEB press.",
    )  # fmt: skip


def _post(client, project, **fields):
    data = {"project": project.pk, "amount": "250.00", "value_date": timezone.localdate().isoformat(),
            "description": "Steel tube for the frame", "receipt": _receipt(), **fields}  # fmt: skip
    return client.post(STAFF_URL, data)


# --- recording -------------------------------------------------------------------------------------------------


def test_a_disbursement_is_booked_once_out_of_the_campus_fund(treasurer_client, staff, project):
    # given 100.00 in the campus fund
    _fund("100.00")
    assert _campus() == Decimal("100.00")

    # when staff record 40.00 paid to the project
    response = _post(treasurer_client, project, amount="40.00", receipt_public="on")

    # then it is one spending entry out of the fund, with its receipt kept
    assert response.status_code == 302, response.context["form"].errors
    disbursement = Disbursement.objects.get()
    assert disbursement.entry.reference == f"disbursement:{disbursement.pk}"
    assert disbursement.entry.kind == JournalEntry.SPENDING and disbursement.entry.amount == Decimal("40.00")
    assert disbursement.recorded_by == staff and disbursement.receipt_type == Disbursement.PDF
    assert disbursement.receipt.name.startswith("receipts/") and disbursement.receipt.storage.exists(
        disbursement.receipt.name
    )
    assert _campus() == Decimal("60.00")
    assert balance(shared_account(Account.CLEARING)) == -sum(
        p.amount for p in Posting.objects.exclude(account__kind=Account.CLEARING)
    )
    page = treasurer_client.get(STAFF_URL).content.decode()
    assert 'id="campus-fund-balance">$60.00<' in page and "Steel tube for the frame" in page
    # booking its reference again books nothing more
    again = funds.spend_from_fund(fund=Account.CAMPUS_FUND, amount=Decimal("40.00"),
                                  reference=disbursement.reference, memo="again")  # fmt: skip
    assert again == disbursement.entry and _campus() == Decimal("60.00")
    assert JournalEntry.objects.filter(kind=JournalEntry.SPENDING).count() == 1
    assert not verify().problems
    # and it is never edited: a correction is a new entry
    disbursement.amount = Decimal("1.00")
    with pytest.raises(ValidationError):
        disbursement.save()


def test_more_than_the_fund_holds_is_refused_with_nothing_saved(treasurer_client, project):
    _fund("100.00")
    files = _receipt_files()

    response = _post(treasurer_client, project, amount="100.01")

    html = response.content.decode()
    assert response.status_code == 200
    assert "The Campus fund holds 100.00; it cannot spend 100.01." in html
    assert "Record at most what the fund holds" in html
    assert "Nothing was recorded" in html
    assert not Disbursement.objects.exists()
    assert not JournalEntry.objects.filter(kind=JournalEntry.SPENDING).exists()
    assert _campus() == Decimal("100.00")
    assert _receipt_files() == files  # the receipt was not stored either


@pytest.mark.parametrize(
    "amount, error",
    [
        ("-1", "greater than or equal to 0.01"),
        ("0", "greater than or equal to 0.01"),
        ("1000000000", "less than or equal to 1000000.00"),
        ("1.555", "in cents at most"),
        ("ten dollars", "Give the amount as a number"),
        ("", "This field is required"),
    ],
)
def test_amounts_that_are_not_money_are_refused(treasurer_client, project, amount, error):
    _fund("100.00")
    response = _post(treasurer_client, project, amount=amount)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Disbursement.objects.exists() and _campus() == Decimal("100.00")


def test_an_amount_with_one_decimal_is_booked_in_cents(treasurer_client, project):
    _fund("100.00")
    assert _post(treasurer_client, project, amount="1.5").status_code == 302
    assert Disbursement.objects.get().amount == Decimal("1.50") and _campus() == Decimal("98.50")


def test_a_future_date_is_refused(treasurer_client, project):
    _fund("100.00")
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = _post(treasurer_client, project, value_date=tomorrow)
    assert "the date cannot be in the future" in response.content.decode()
    assert not Disbursement.objects.exists()


@pytest.mark.parametrize(
    "upload, error",
    [
        (lambda: _receipt(b"just text, not a receipt", name="receipt.pdf"), "this file is none of them"),
        (lambda: _receipt(b"%PDF-1.4\n1 0 obj\n", name="cut.pdf"), "This PDF is cut short"),
        (lambda: _receipt(_pdf().replace(b"%%EOF", b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>\n%%EOF")),
         "carries a script"),
        (lambda: _receipt(b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024) + b"\n%%EOF"), "the limit is 5 MB"),
        (lambda: _receipt(b"GIF89a" + _png()[8:], name="receipt.gif", content_type="image/gif"),
         "this file is none of them"),
        (lambda: _receipt(b"", name="empty.pdf"), "The submitted file is empty"),
    ],
)  # fmt: skip
def test_a_receipt_must_be_a_pdf_jpeg_or_png_of_at_most_5_mb(treasurer_client, project, upload, error):
    _fund("100.00")
    files = _receipt_files()
    response = _post(treasurer_client, project, receipt=upload())
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Disbursement.objects.exists() and _receipt_files() == files


def test_a_gif_renamed_png_is_refused_and_a_png_is_stored_afresh(treasurer_client, project):
    _fund("100.00")
    out = io.BytesIO()
    Image.new("RGB", (20, 20)).save(out, format="GIF")
    response = _post(
        treasurer_client, project, receipt=_receipt(out.getvalue(), name="r.png", content_type="image/png")
    )
    assert "this file is none of them" in response.content.decode()

    png = _receipt(_png(), name="r.png", content_type="image/png")
    response = _post(treasurer_client, project, amount="40.00", receipt=png)
    assert response.status_code == 302, response.context["form"].errors
    disbursement = Disbursement.objects.get()
    assert disbursement.receipt_type == Disbursement.PNG and disbursement.receipt.name.endswith(".png")


# --- who may record --------------------------------------------------------------------------------------------


def test_only_staff_with_the_permission_record_disbursements(client, project):
    _fund("100.00")
    operator = factories.storefront("Berlin Fab").operator
    plain_staff = factories.UserFactory(email="plain@example.com", is_staff=True)
    # anonymous visitors are sent to sign in
    assert "login" in client.get(STAFF_URL)["Location"]
    for user in (operator, plain_staff):
        client.force_login(user)
        for response in (client.get(STAFF_URL), _post(client, project)):
            # the shop's refusal page, saying which permission it needs
            assert response.status_code == 403
            assert "Recording a campus fund disbursement needs a staff account" in response.content.decode()
    assert not Disbursement.objects.exists() and _campus() == Decimal("100.00")


# --- the public page: in, out and balance, month by month ----------------------------------------------------


def _month_start(months_ago: int):
    today = timezone.localdate().replace(day=1)
    for _ in range(months_ago):
        today = (today - timedelta(days=1)).replace(day=1)
    return today


def test_the_campus_fund_page_reconciles_month_by_month_with_the_ledger(
    client, treasurer_client, shop, place_order, pay, refund, project
):
    # given supporters' money two months ago and last month, an order this month (partly refunded), and
    # disbursements last month and this month (the ledger is append-only: entries are booked on their value dates)
    two_ago, last_month, this_month = _month_start(2), _month_start(1), _month_start(0)
    _fund("500.00", when=timezone.make_aware(timezone.datetime(two_ago.year, two_ago.month, 10, 12)))
    _fund("100.00", when=timezone.make_aware(timezone.datetime(last_month.year, last_month.month, 3, 12)))
    order = place_order({shop["offers"]["berlin-printer"]: 1, shop["offers"]["lyon-mill"]: 1})
    pay(order)
    line = order.lines.get(partner=shop["stores"]["berlin"].partner)
    refund(order, shop["stores"]["berlin"].partner, {line.pk: Decimal("300.00")})
    assert JournalEntry.objects.filter(kind=JournalEntry.REFUND).exists()
    facility = FundProject.objects.create(kind=FundProject.FACILITY, name="Solar kiln install", slug="solar-kiln")
    assert _post(treasurer_client, project, amount="120.00", value_date=last_month.isoformat()).status_code == 302
    assert _post(treasurer_client, facility, amount="80.00", receipt_public="on").status_code == 302
    assert _post(treasurer_client, project, amount="30.00", description="Hydraulic hose").status_code == 302

    # when anyone reads the page
    response = client.get(CAMPUS_FUND_URL)
    html = response.content.decode()
    months = {month.month: month for month in response.context["campus"]["months"]}

    # then each month's in and out are the ledger's: allocations less refunds in, disbursements out
    campus = Posting.objects.filter(account__kind=Account.CAMPUS_FUND)
    for first, month in months.items():
        moved = campus.filter(entry__value_date__year=first.year, entry__value_date__month=first.month)
        into = moved.filter(entry__kind__in=[JournalEntry.ALLOCATION, JournalEntry.REFUND])
        out = moved.filter(entry__kind=JournalEntry.SPENDING)
        assert month.money_in == (into.aggregate(total=Sum("amount"))["total"] or 0), first
        assert month.money_out == -(out.aggregate(total=Sum("amount"))["total"] or 0), first
    assert sorted(months) == [two_ago, last_month, this_month]
    assert months[two_ago].money_in == Decimal("500.00") and months[two_ago].balance == Decimal("500.00")
    assert months[last_month].money_in == Decimal("100.00") and months[last_month].money_out == Decimal("120.00")
    assert months[last_month].spent_on == (("Brick press R&D", "brick-press-rnd", Decimal("120.00")),)
    assert months[last_month].balance == Decimal("480.00")
    # 10% of Lyon's 1400.00 mill and 5% of Berlin's 900.00 printer, less 5% of the 300.00 refunded
    assert months[this_month].money_in == Decimal("140.00") + Decimal("45.00") - Decimal("15.00")
    assert months[this_month].money_out == Decimal("110.00")
    assert months[this_month].spent_on == (("Solar kiln install", "solar-kiln", Decimal("80.00")),
                                           ("Brick press R&D", "brick-press-rnd", Decimal("30.00")))  # fmt: skip
    # the closing balance is the campus fund account's, and the page says so
    closing = _campus()
    assert closing == Decimal("600.00") + Decimal("170.00") - Decimal("230.00")
    assert months[this_month].balance == closing
    assert f'id="campus-closing-balance">${closing:,.2f}<' in html
    assert f'id="campus-fund-total">${closing:,.2f}<' in html
    assert 'id="campus-flow-chart"' in html and "flow-series-1" in html  # the chart shows money out
    # each project's total out, with a link to its page
    projects = html.split('id="fund-projects-table"')[1].split("</table>")[0]
    assert f'href="{reverse("revenue:campus-project", kwargs={"slug": "brick-press-rnd"})}"' in projects
    assert "$150.00" in projects and "$80.00" in projects
    # the storefront table is money in only
    by_storefront = html.split('id="fund-by-storefront"')[1].split("</table>")[0]
    assert "−" not in by_storefront and "-$" not in by_storefront
    assert not verify().problems
    call_command("verify_ledger", stdout=io.StringIO())  # exits 0: raises CommandError on drift


def test_the_csv_lists_the_money_out_as_negative_amounts_with_its_project(client, treasurer_client, project):
    _fund("100.00")
    _post(treasurer_client, project, amount="40.00")
    funds.spend_from_fund(fund=Account.MARKETING_POOL, amount=Decimal("20.00"), reference="campaign-spend:1",
                          memo="Campaign: Spring fair: flyers")  # fmt: skip
    response = client.get(reverse("revenue:campus-fund-csv"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["date", "fund", "amount", "storefront", "design", "order", "spent on"]
    out = [row for row in rows[1:] if row[2].startswith("-")]
    today = timezone.localdate().isoformat()
    assert sorted(out) == sorted([
        [today, "Campus fund", "-40.00", "", "", "", "Brick press R&D"],
        [today, "Marketing pool", "-20.00", "", "", "", "Campaign: Spring fair: flyers"],
    ])  # fmt: skip


def test_the_pools_spending_shows_on_the_campus_fund_page(client):
    _fund("100.00")  # 50.00 to the marketing pool
    funds.spend_from_fund(fund=Account.MARKETING_POOL, amount=Decimal("12.50"), reference="campaign-spend:7",
                          memo="Campaign: Build days <b>2027</b>: posters")  # fmt: skip

    html = client.get(CAMPUS_FUND_URL).content.decode()

    spending = html.split('id="pool-spending"')[1].split("</table>")[0]
    assert "Campaign: Build days &lt;b&gt;2027&lt;/b&gt;: posters" in spending and "−$12.50" in spending
    assert 'id="pool-closing-balance">$37.50<' in html and 'id="marketing-pool-total">$37.50<' in html
    months = html.split('id="pool-months"')[1].split("</table>")[0]
    assert "$50.00" in months and "−$12.50" in months
    assert "Nothing has been paid out of the campus fund yet" in html


# --- a project's page and its receipts -----------------------------------------------------------------------


def test_a_project_page_shows_its_story_payments_total_and_chart(client, treasurer_client, project):
    _fund("100.00")
    _post(treasurer_client, project, amount="40.00", receipt_public="on")
    _post(treasurer_client, project, amount="25.50", description="Pressure gauge")

    html = client.get(project.get_absolute_url()).content.decode()

    assert "Brick press R&amp;D" in html and "Factor e Farm, Missouri" in html and "R&amp;D project" in html
    assert "Faster <strong>cycle time</strong>" in html
    assert 'id="project-total">$65.50<' in html
    table = html.split('id="project-disbursements"')[1].split("</table>")[0]
    assert "Steel tube for the frame" in table and "Pressure gauge" in table
    public, private = Disbursement.objects.order_by("pk")
    assert reverse("revenue:campus-receipt", kwargs={"slug": project.slug, "pk": public.pk}) in table
    assert reverse("revenue:campus-receipt", kwargs={"slug": project.slug, "pk": private.pk}) not in table
    assert "Kept by staff" in table
    assert 'id="project-chart"' in html


def test_a_projects_markdown_is_sanitised(client):
    project = FundProject.objects.create(
        kind=FundProject.FACILITY, name="Kiln", slug="kiln",
        description='<script>alert(1)</script>\n\n[site](javascript:alert(2)) <img src=x onerror="alert(3)"> **ok**',
    )  # fmt: skip
    story = client.get(project.get_absolute_url()).content.decode().split('id="project-story">')[1].split("</div>")[0]
    assert "<script" not in story and "javascript:" not in story and "onerror" not in story
    assert "<strong>ok</strong>" in story


def test_receipts_are_served_only_for_disbursements_that_exist_and_are_public(client, treasurer_client, project):
    _fund("100.00")
    _post(treasurer_client, project, amount="10.00", receipt_public="on")
    _post(treasurer_client, project, amount="10.00")
    public, private = Disbursement.objects.order_by("pk")
    other = FundProject.objects.create(kind=FundProject.FACILITY, name="Kiln", slug="kiln")

    def url(slug, pk):
        return reverse("revenue:campus-receipt", kwargs={"slug": slug, "pk": pk})

    response = client.get(url(project.slug, public.pk))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert "sandbox" in response["Content-Security-Policy"] and response["Content-Disposition"].startswith("attachment")
    # not public, another project's path, a guessed id: the same 404
    for path in (url(project.slug, private.pk), url(other.slug, public.pk), url(project.slug, private.pk + 1)):
        assert client.get(path).status_code == 404
    # staff who read the ledgers see every receipt
    assert treasurer_client.get(url(project.slug, private.pk)).status_code == 200
    assert client.get(reverse("revenue:campus-project", kwargs={"slug": "no-such-project"})).status_code == 404


def test_the_demo_pays_projects_and_leaves_the_fund_positive():
    from django.contrib.auth import get_user_model

    from marketplace.demo import campus_fund, load_demo

    load_demo(report=lambda line: None)
    paid = Disbursement.objects.count()
    assert FundProject.objects.count() >= 2 and paid >= 3
    assert {project.kind for project in FundProject.objects.all()} == {FundProject.RND, FundProject.FACILITY}
    assert _campus() > 0
    assert len({d.value_date.replace(day=1) for d in Disbursement.objects.all()}) >= 2  # over the last months

    campus_fund.load_disbursements(staff=get_user_model().objects.get(email="staff@demo.opensource.store"))
    assert Disbursement.objects.count() == paid  # again: nothing added
    assert not verify().problems
