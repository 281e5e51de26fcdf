"""The revenue pages: the public campus fund (and its CSV), an operator's own ledger, a contributor's royalties, and
the staff's payouts and allocation policy. Orders are placed through checkout and paid by staff confirming the bank
transfer; the allocation runs as the Celery task the payment enqueues (in-process in tests)."""

import csv
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from marketplace.revenue import charts, selectors
from marketplace.revenue import payouts as paying
from marketplace.revenue.models import Account, AllocationPolicy, Payout
from tests import factories
from tests.checkout.test_checkout import ADDRESS

Order = get_model("order", "Order")
pytestmark = pytest.mark.django_db

CAMPUS_FUND_URL = reverse("revenue:campus-fund")
CSV_URL = reverse("revenue:campus-fund-csv")
OPERATOR_URL = reverse("revenue:operator")
STAFF_URL = reverse("revenue:staff")
POLICY_URL = reverse("revenue:policy")
ROYALTIES_URL = reverse("revenue:royalties")
GOOD_POLICY = {
    "campus_fund_minimum_percent": "6.00", "marketing_percent": "4.00", "royalty_percent": "2.50",
    "card_fee_percent": "2.90", "card_fee_fixed": "0.30", "payout_threshold": "50.00",
}  # fmt: skip


@pytest.fixture
def staff_member():
    return factories.UserFactory(email="treasurer@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def contributor():
    return factories.UserFactory(email="alice@example.com")


@pytest.fixture
def shop(contributor):
    """Berlin sells a certified printer (Alice holds its mark) and gives 10% to the campus fund; Lyon sells an
    uncertified mill and gives the default 5%."""
    printer_design = factories.design(name="D3D printer")
    factories.certify(printer_design, holders=[contributor])
    printer = factories.level_product(printer_design, 1, title="D3D printer, assembled")
    mill = factories.level_product(factories.design(name="CNC mill", category_name="CNC circuit mills"), 1,
                                   title="CNC mill, assembled")  # fmt: skip
    for product in (printer, mill):
        product.stockrecords.all().delete()
    berlin = factories.storefront("Berlin Fab", city="Berlin")
    lyon = factories.storefront("Lyon Fab", city="Lyon")
    berlin.campus_fund_percent = Decimal("10.00")
    berlin.save(update_fields=["campus_fund_percent"])
    return {
        "berlin": berlin, "lyon": lyon,
        "berlin-printer": factories.offer(berlin, printer, price="900.00"),
        "lyon-mill": factories.offer(lyon, mill, price="1400.00"),
    }  # fmt: skip


@pytest.fixture
def paid_order(shop, staff_member, django_capture_on_commit_callbacks):
    """A guest's order from both operators, placed through checkout, paid when staff confirm the bank transfer."""
    shopper = Client()
    for key in ("berlin-printer", "lyon-mill"):
        offer = shop[key]
        shopper.post(reverse("basket:add", kwargs={"pk": offer.product_id}), {"quantity": 1, "offer": offer.pk})
    shopper.post(reverse("checkout:index"), {"username": "buyer@example.com", "options": "anonymous"})
    shopper.post(reverse("checkout:shipping-address"), ADDRESS)
    shopper.get(reverse("checkout:shipping-method"), follow=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert shopper.post(reverse("checkout:preview"), {"action": "place_order"}).status_code == 302
    order = Order.objects.latest("pk")
    staff = Client()
    staff.force_login(staff_member)
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(reverse("payments:confirm-offline", kwargs={"number": order.number}), {"reference": "SEPA 4711"})
    order.refresh_from_db()
    assert order.status == "Paid"
    return order


def _account(store) -> Account:
    return Account.objects.get(partner=store.partner)


def _money(amount) -> str:
    return f"${Decimal(amount):,.2f}" if Decimal(amount) >= 0 else f"-${-Decimal(amount):,.2f}"


def _csv(client) -> tuple[str, list[list[str]]]:
    response = client.get(CSV_URL)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    return body, list(csv.reader(io.StringIO(body)))


# --- the public campus fund -----------------------------------------------------------------------------------


def test_an_empty_ledger_still_shows_the_page_and_says_there_is_nothing_yet(client):
    page = client.get(CAMPUS_FUND_URL)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Nothing in the funds yet" in html
    assert 'id="campus-fund-total">$0.00<' in html and 'id="marketing-pool-total">$0.00<' in html
    assert "<svg" not in html
    _, rows = _csv(client)
    assert rows == [["date", "fund", "amount", "storefront", "design", "order", "spent on"]]


def test_the_public_page_shows_the_funds_of_a_paid_order_with_a_chart(client, paid_order):
    # given Berlin's 900.00 printer (10% campus fund) and Lyon's 1400.00 mill (5%), 5% to the marketing pool
    page = client.get(CAMPUS_FUND_URL)
    html = page.content.decode()

    assert page.status_code == 200
    assert "Nothing in the funds yet" not in html
    assert 'id="campus-fund-total">$160.00<' in html  # 90.00 + 70.00
    assert 'id="marketing-pool-total">$115.00<' in html  # 45.00 + 70.00
    # the chart: an inline SVG, one row for this month, one bar per fund, widths relative to the largest
    chart = html[html.index('<svg class="fund-chart"') : html.index("</svg>")]
    assert 'width="100%"' in chart and "<script" not in html.split('id="fund-by-month"')[1].split("</section>")[0]
    assert timezone.localdate().strftime("%b %Y") in chart
    assert 'width="100.00%" height="12" rx="2" class="fund-bar fund-series-0"' in chart
    assert 'width="71.88%" height="12" rx="2" class="fund-bar fund-series-1"' in chart  # 115 / 160
    # where the money came from
    by_storefront = html.split('id="fund-by-storefront"')[1].split("</table>")[0]
    assert "Berlin Fab" in by_storefront and "$90.00" in by_storefront and "$45.00" in by_storefront
    assert "Lyon Fab" in by_storefront and "$70.00" in by_storefront
    by_design = html.split('id="fund-by-design"')[1].split("</table>")[0]
    assert "D3D printer" in by_design and "CNC mill" in by_design
    assert "buyer@example.com" not in html


def test_the_csv_has_one_row_per_fund_posting_and_nothing_about_the_shopper(client, paid_order):
    body, rows = _csv(client)

    assert rows[0] == ["date", "fund", "amount", "storefront", "design", "order", "spent on"]
    today, number = timezone.localdate().isoformat(), paid_order.number
    assert sorted(rows[1:]) == sorted([
        [today, "Campus fund", "90.00", "Berlin Fab", "D3D printer", number, ""],
        [today, "Campus fund", "70.00", "Lyon Fab", "CNC mill", number, ""],
        [today, "Marketing pool", "45.00", "Berlin Fab", "D3D printer", number, ""],
        [today, "Marketing pool", "70.00", "Lyon Fab", "CNC mill", number, ""],
    ])  # fmt: skip
    assert "@" not in body and "Ada" not in body and "Workshop" not in body


def test_a_storefront_name_cannot_become_a_spreadsheet_formula(client, shop, paid_order):
    type(shop["berlin"]).objects.filter(pk=shop["berlin"].pk).update(name='=HYPERLINK("http://evil.example")')
    _, rows = _csv(client)
    assert {row[3] for row in rows[1:]} == {'\'=HYPERLINK("http://evil.example")', "Lyon Fab"}


def test_the_chart_fills_months_without_money_and_scales_to_the_largest_month():
    from datetime import UTC, date, datetime

    campus = [
        {"month": datetime(2026, 1, 1, tzinfo=UTC), "money_in": Decimal("80.00"), "total": Decimal("80.00")},
        {"month": datetime(2026, 3, 1, tzinfo=UTC), "money_in": Decimal("20.00"), "total": Decimal("15.00")},
    ]
    marketing = [{"month": datetime(2026, 3, 1, tzinfo=UTC), "money_in": Decimal("10.00"), "total": Decimal("10.00")}]

    months = charts.monthly([campus, marketing], until=date(2026, 4, 17))
    chart = charts.bar_chart(months, series=("Campus fund", "Marketing pool"), last=3)

    assert [month.month for month in months] == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)]
    assert months[1].values == (Decimal("0.00"), Decimal("0.00")) and months[2].totals == (
        Decimal("15.00"),
        Decimal("10.00"),
    )
    assert [row.label for row in chart.rows] == [date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)]  # the last 3
    assert [bar.width for bar in chart.rows[1].bars] == ["100.00%", "50.00%"]  # the largest shown month is 20.00
    assert chart.height > 0 and charts.bar_chart([], series=("Campus fund",)).rows == ()


# --- an operator's own ledger ---------------------------------------------------------------------------------


def test_an_operator_sees_only_its_own_ledger(client, shop, paid_order):
    berlin, lyon = _account(shop["berlin"]), _account(shop["lyon"])
    client.force_login(shop["berlin"].operator)

    html = client.get(OPERATOR_URL).content.decode()

    balance = sum(posting.amount for posting in berlin.postings.all())
    assert f'id="ledger-balance">{_money(balance)}<' in html
    assert "D3D printer, assembled" in html and paid_order.number in html
    # nothing of Lyon's: not its line, its name, its share, nor the order's whole payment
    lyon_balance = sum(posting.amount for posting in lyon.postings.all())
    assert "CNC mill" not in html and "Lyon Fab" not in html
    assert _money(lyon_balance) not in html and _money(paid_order.total_incl_tax) not in html
    # another operator's account cannot be asked for by id
    assert client.get(reverse("revenue:staff-account", kwargs={"pk": lyon.pk})).status_code == 403


def test_a_user_without_a_storefront_is_told_so(client):
    client.force_login(factories.UserFactory())
    page = client.get(OPERATOR_URL)
    assert page.status_code == 404
    assert "You do not run a storefront" in page.content.decode()


def test_a_negative_balance_is_shown_plainly(
    client, shop, paid_order, staff_member, django_capture_on_commit_callbacks
):
    # given Berlin's balance was paid out, then the printer is refunded in full
    from marketplace.fulfilment.models import OperatorOrder
    from marketplace.fulfilment.refunds import request_refund

    paying.run_payouts()
    part = OperatorOrder.objects.get(order=paid_order, partner=shop["berlin"].partner)
    line = paid_order.lines.get(partner=shop["berlin"].partner)
    with django_capture_on_commit_callbacks(execute=True):
        request_refund(part_id=part.pk, actor=staff_member, amounts={line.pk: line.line_price_incl_tax},
                       reason="Arrived damaged")  # fmt: skip
    balance = sum(posting.amount for posting in _account(shop["berlin"]).postings.all())
    assert balance < 0

    client.force_login(shop["berlin"].operator)
    html = client.get(OPERATOR_URL).content.decode()

    assert f'class="h3 mb-0 text-danger" id="ledger-balance">{_money(balance)}<' in html
    assert 'id="ledger-negative"' in html
    assert "Refund" in html and "Payout" in html


# --- contributor royalties ------------------------------------------------------------------------------------


def test_a_contributor_sees_their_royalties(client, contributor, paid_order):
    client.force_login(contributor)
    html = client.get(ROYALTIES_URL).content.decode()
    # 3% (the default policy) of the certified printer's 900.00
    assert 'id="ledger-balance">$27.00<' in html
    assert "D3D printer, assembled" in html and "CNC mill" not in html


def test_royalties_page_without_royalties_says_so(client):
    client.force_login(factories.UserFactory())
    page = client.get(ROYALTIES_URL)
    assert page.status_code == 200
    assert 'id="royalties-empty"' in page.content.decode()


# --- staff: payouts and the allocation policy -----------------------------------------------------------------


def test_staff_settle_a_manual_payout(client, shop, paid_order, staff_member):
    payouts = paying.run_payouts()
    payout = next(payout for payout in payouts if payout.account.partner_id == shop["berlin"].partner_id)
    assert payout.method == Payout.MANUAL and payout.status == Payout.PENDING
    client.force_login(staff_member)
    assert "Mark as paid" in client.get(STAFF_URL).content.decode()

    settle = reverse("revenue:settle-payout", kwargs={"pk": payout.pk})
    missing_reference = client.post(settle, {"reference": ""}, follow=True).content.decode()
    payout.refresh_from_db()
    assert payout.status == Payout.PENDING and "Give the payment" in missing_reference

    page = client.post(settle, {"reference": "SEPA 0815"}, follow=True).content.decode()

    payout.refresh_from_db()
    assert payout.status == Payout.PAID and payout.settled_by == staff_member and payout.reference == "SEPA 0815"
    assert "marked as paid" in page
    pending = page.split('id="pending-payouts"')[1].split("</table>")[0]
    assert f'reference-{payout.pk}"' not in pending
    client.force_login(shop["berlin"].operator)
    payouts_table = client.get(OPERATOR_URL).content.decode().split('id="ledger-payouts"')[1]
    assert "Paid" in payouts_table and "SEPA 0815" in payouts_table


def test_staff_change_the_policy_and_keep_its_history(client, staff_member):
    before = AllocationPolicy.objects.count()  # the shop's default policy, from a data migration
    client.force_login(staff_member)
    client.post(POLICY_URL, GOOD_POLICY)
    page = client.post(POLICY_URL, {**GOOD_POLICY, "marketing_percent": "4.50"}, follow=True).content.decode()

    assert AllocationPolicy.objects.count() == before + 2
    policy = AllocationPolicy.objects.first()  # the newest
    assert policy.marketing_percent == Decimal("4.50") and policy.created_by == staff_member
    assert selectors.current_policy() == policy
    assert "New allocation policy saved" in page
    history = page.split('id="policy-history"')[1].split("</table>")[0]
    assert history.count("<tr>") == 1 + before + 2  # the header, the default and both new policies
    assert "4.50%" in history and "4.00%" in history and "treasurer@example.com" in history


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"marketing_percent": "60.00", "royalty_percent": "50.00"}, "cannot exceed 100% together"),
        ({"royalty_percent": "-1"}, "greater than or equal to 0"),
        ({"card_fee_fixed": "lots"}, "Enter a number"),
        ({"payout_threshold": ""}, "This field is required"),
    ],
)
def test_bad_policy_input_shows_an_error_and_saves_nothing(client, staff_member, changes, error):
    before = list(AllocationPolicy.objects.values_list("pk", flat=True))
    client.force_login(staff_member)
    page = client.post(POLICY_URL, {**GOOD_POLICY, **changes})
    assert page.status_code == 200
    assert error in page.content.decode()
    assert list(AllocationPolicy.objects.values_list("pk", flat=True)) == before


def test_non_staff_cannot_settle_payouts_or_change_the_policy(client, shop, paid_order):
    payout, policies = paying.run_payouts()[0], AllocationPolicy.objects.count()
    settle = reverse("revenue:settle-payout", kwargs={"pk": payout.pk})
    assert client.post(settle, {"reference": "x"}).status_code == 302  # anonymous: to sign in
    assert client.post(POLICY_URL, GOOD_POLICY).status_code == 302
    client.force_login(shop["berlin"].operator)
    assert client.get(STAFF_URL).status_code == 403
    assert client.post(settle, {"reference": "x"}).status_code == 403
    assert client.post(POLICY_URL, GOOD_POLICY).status_code == 403
    payout.refresh_from_db()
    assert payout.status == Payout.PENDING
    assert AllocationPolicy.objects.count() == policies


# --- getting paid: bank details, the next payout, the statement ---------------------------------------------------


@pytest.mark.parametrize(
    "details, error",
    [
        ("DE89 3704 0044 0532 0130 01", "That IBAN is not valid"),  # one digit off: the checksum fails
        ("call me", "Give an IBAN, or the account number"),
        ("", "This field is required"),
        ("1" * 141, "at most 140 characters"),
        ("DE89\x003704", "Null characters are not allowed"),
    ],
)
def test_bad_bank_details_are_explained_and_nothing_is_saved(client, shop, details, error):
    client.force_login(shop["berlin"].operator)

    page = client.post(reverse("revenue:payout-details"), {"holder": "Berlin Fab GmbH", "details": details})

    assert page.status_code == 200
    assert error in page.content.decode() and "Your bank details were not saved" in page.content.decode()
    assert not Account.objects.filter(partner=shop["berlin"].partner).exclude(payout_details="").exists()


def test_an_operator_gives_its_bank_details_and_sees_its_next_payout(client, shop, paid_order):
    client.force_login(shop["berlin"].operator)
    page = client.get(OPERATOR_URL).content.decode()
    assert "Give your bank details so that staff can pay you." in page
    balance = sum(posting.amount for posting in _account(shop["berlin"]).postings.all())
    assert f"{_money(balance)}, your whole balance, in tonight" in page  # over the $25.00 threshold

    saved = client.post(reverse("revenue:payout-details"),
                        {"holder": "Berlin Fab GmbH", "details": "de89370400440532013000"}, follow=True)  # fmt: skip

    assert "Bank details saved" in saved.content.decode()
    account = _account(shop["berlin"])
    assert (account.payout_holder, account.payout_details) == ("Berlin Fab GmbH", "DE89 3704 0044 0532 0130 00")
    assert "Give your bank details" not in saved.content.decode()
    assert not _account(shop["lyon"]).payout_details  # only its own account
    # staff's page of the account shows where to pay it by hand
    staff = Client()
    staff.force_login(factories.UserFactory(is_staff=True, is_superuser=True, email="boss@example.com"))
    staff_page = staff.get(reverse("revenue:staff-account", kwargs={"pk": account.pk})).content.decode()
    assert "DE89 3704 0044 0532 0130 00" in staff_page and "Berlin Fab GmbH" in staff_page


def test_the_statement_lists_only_the_operators_own_postings(client, shop, paid_order):
    client.force_login(shop["berlin"].operator)

    response = client.get(reverse("revenue:statement"))

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "statement-berlin-fab-" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["date", "what", "order", "item", "amount", "currency"]
    berlin = _account(shop["berlin"])
    assert sorted(Decimal(row[4]) for row in rows[1:]) == sorted(p.amount for p in berlin.postings.all())
    assert {row[3] for row in rows[1:]} <= {"D3D printer, assembled", ""}  # never Lyon's mill
    assert all(row[2] == paid_order.number for row in rows[1:])
