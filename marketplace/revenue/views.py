"""Revenue pages: the public campus fund (with its CSV), an operator's own ledger, a contributor's royalties, and
the staff's overview (accounts, manual payouts, the allocation policy)."""

import csv
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from marketplace.accounts.access import staff_may, staff_permission_required
from marketplace.accounts.security import allow_stripe
from marketplace.revenue import charts, connect, disbursements, receipts, selectors, services
from marketplace.revenue import payouts as paying
from marketplace.revenue.forms import DisbursementForm, PayoutDetailsForm, PolicyForm, SettlePayoutForm
from marketplace.revenue.models import Account, Disbursement, FundProject, JournalEntry, Payout, Posting

FUND_NAMES = dict(Account.KIND_CHOICES)
logger = logging.getLogger(__name__)
POSTINGS_PER_PAGE = 50


# --- public --------------------------------------------------------------------------------------------------------


FLOW_SERIES = (_("In, after refunds"), _("Out"), _("Balance"))


def _flows(kind: str, today) -> dict:
    """A fund's money in and out, month by month (newest first for the table), its chart and its totals."""
    months = selectors.fund_flows(kind, until=today)
    return {
        "months": list(reversed(months)),
        "chart": charts.flow_chart(months, series=tuple(str(name) for name in FLOW_SERIES)),
        "money_in": sum((month.money_in for month in months), selectors.ZERO),
        "money_out": sum((month.money_out for month in months), selectors.ZERO),
        "balance": months[-1].balance if months else selectors.ZERO,
    }


def campus_fund(request):
    """Not kept by the page cache (``ops.pagecache``): the ledger writes to the funds with every payment, and the
    page reads them in a few aggregate queries."""
    report = selectors.fund_report()
    today = timezone.localdate()
    months = charts.monthly([report["by_month"][kind] for kind in selectors.FUNDS], until=today)
    chart = charts.bar_chart(months, series=tuple(str(FUND_NAMES[kind]) for kind in selectors.FUNDS))
    context = {
        **report,
        "months": list(reversed(months)),
        "chart": chart,
        "policy": selectors.current_policy(),
        "campus": _flows(Account.CAMPUS_FUND, today),
        "pool": _flows(Account.MARKETING_POOL, today),
        "projects": selectors.fund_projects(),
        "pool_spending": selectors.fund_spending(Account.MARKETING_POOL, limit=50),
    }
    return render(request, "revenue/campus_fund.html", context)


def campus_project(request, slug):
    """A project the campus fund pays: its story, every disbursement with its receipt (where public), its total."""
    project = get_object_or_404(FundProject, slug=slug)
    disbursements = selectors.project_disbursements(project)
    months = charts.monthly([selectors.project_by_month(project)], until=timezone.localdate())
    context = {
        "project": project,
        "disbursements": disbursements,
        "total": sum((row.amount for row in disbursements), selectors.ZERO),
        "chart": charts.bar_chart(months, series=(str(_("Paid out")),)),
        "staff": staff_may(request.user, "view_ledgers"),
    }
    return render(request, "revenue/campus_project.html", context)


def campus_receipt(request, slug, pk):
    """A disbursement's receipt. Public funds are spent in public, so staff tick a receipt public once they have
    checked it (a receipt may carry a private person's name, address or account, which a tick cannot remove);
    until then only staff who read the ledgers see it. Served only for a booked disbursement of that project: a
    guessed path, a project's other receipts or an unticked one are the same 404. The file is served from private
    storage, never from the media folder, in a sandbox (no script a PDF or image might carry runs on our site); a PDF
    as a download."""
    disbursement = selectors.public_receipt(slug=slug, pk=pk, staff=staff_may(request.user, "view_ledgers"))
    if disbursement is None:
        raise Http404("No such receipt.")
    content_type = Disbursement.RECEIPT_TYPES[disbursement.receipt_type]
    name = f"receipt-{disbursement.project.slug}-{disbursement.pk}{receipts.EXTENSIONS[disbursement.receipt_type]}"
    pdf = disbursement.receipt_type == Disbursement.PDF  # downloaded: browsers will not show a PDF in a sandbox
    response = FileResponse(disbursement.receipt.open("rb"), content_type=content_type, filename=name,
                            as_attachment=pdf)  # fmt: skip
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; object-src 'self'"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class _Echo:
    def write(self, value):
        return value


def _cell(value) -> str:
    """Text as a spreadsheet shows it, never as a formula (a storefront may call itself "=HYPERLINK(...)")."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _fund_rows():
    yield ["date", "fund", "amount", "storefront", "design", "order", "spent on"]
    for row in selectors.fund_postings().iterator(2000):
        created, kind, amount, storefront, partner, design, order, entry_kind, project, memo = row
        spent_on = (project or memo) if entry_kind == JournalEntry.SPENDING else ""
        yield [
            timezone.localtime(created).date().isoformat(), FUND_NAMES[kind], f"{amount:.2f}",
            _cell(storefront or partner), _cell(design), order or "", _cell(spent_on),
        ]  # fmt: skip


def campus_fund_csv(request):
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse((writer.writerow(row) for row in _fund_rows()), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="campus-fund-{timezone.localdate():%Y-%m-%d}.csv"'
    return response


# --- an operator's or contributor's own ledger ------------------------------------------------------------------


def _ledger(request, account: Account | None) -> dict:
    postings = selectors.ledger_postings(account) if account else Posting.objects.none()
    return {
        "account": account,
        "summary": selectors.ledger_summary(account),
        "postings": Paginator(postings, POSTINGS_PER_PAGE).get_page(request.GET.get("page")),
        "payouts": selectors.payouts_for(account) if account else Payout.objects.none(),
    }


@login_required
def operator_ledger(request):
    """The signed-in operator's ledger, reached only through their own storefront."""
    storefront, account = selectors.storefront_account(request.user)
    if storefront is None:
        if request.user.is_staff:
            return redirect("revenue:staff")
        return render(request, "revenue/dashboard/no_storefront.html", status=404)
    return _operator_page(request, storefront, account)


def _operator_page(request, storefront, account, payout_form: PayoutDetailsForm | None = None, status: int = 200):
    from marketplace.payments import stripe_gateway

    ledger = _ledger(request, account)
    if payout_form is None:
        payout_form = PayoutDetailsForm(initial={"holder": getattr(account, "payout_holder", ""),
                                                 "details": getattr(account, "payout_details", "")})  # fmt: skip
    context = {**ledger, "storefront": storefront, "royalties": selectors.royalty_account_for(request.user),
               "next_payout": selectors.next_payout(account, balance=ledger["summary"]["balance"]),
               "payout_form": payout_form, "stripe": connect.state(account),
               "stripe_offered": stripe_gateway.is_configured()}  # fmt: skip
    response = render(request, "revenue/dashboard/ledger.html", context, status=status)
    return allow_stripe(response, ("form-action",)) if context["stripe_offered"] else response


@login_required
@require_POST
def payout_details(request):
    """The operator gives (or changes) the bank details its payouts by hand go to."""
    storefront, account = selectors.storefront_account(request.user)
    if storefront is None or storefront.partner_id is None:
        return render(request, "revenue/dashboard/no_storefront.html", status=404)
    form = PayoutDetailsForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Your bank details were not saved: see the form below."))
        return _operator_page(request, storefront, account, payout_form=form)
    paying.set_payout_details(partner_id=storefront.partner_id, holder=form.cleaned_data["holder"],
                                details=form.cleaned_data["details"])  # fmt: skip
    messages.success(request, _("Bank details saved: payouts by hand go there from now on."))
    return redirect("revenue:operator")


def _stripe_urls(request) -> dict:
    return {"return_url": request.build_absolute_uri(reverse("revenue:stripe-return")),
            "refresh_url": request.build_absolute_uri(reverse("revenue:stripe-refresh"))}  # fmt: skip


def _to_stripe_onboarding(request, storefront):
    """Send the operator to Stripe's hosted onboarding, or back to its revenue page saying why not."""
    import stripe

    from marketplace.payments import stripe_gateway

    if not stripe_gateway.is_configured():
        messages.error(request, _("This shop does not pay out by Stripe: give your bank details instead."))
        return redirect("revenue:operator")
    try:
        url = connect.onboarding_link(storefront=storefront, **_stripe_urls(request))
    except stripe.StripeError as error:
        logger.warning("Stripe onboarding for storefront %s failed: %s", storefront.pk, error)
        messages.error(request, _("Stripe could not be reached, so nothing changed: try again in a few minutes."))
        return redirect("revenue:operator")
    return redirect(url)


@login_required
@require_POST
def stripe_connect(request):
    """Connect (or finish connecting) the operator's own Stripe account: Stripe's onboarding, on Stripe's site."""
    storefront, _account = selectors.storefront_account(request.user)
    if storefront is None or storefront.partner_id is None:
        return render(request, "revenue/dashboard/no_storefront.html", status=404)
    return _to_stripe_onboarding(request, storefront)


@login_required
def stripe_refresh(request):
    """Stripe sends the operator here when its onboarding link expired or was used: a fresh link, for an account
    that already exists (creating one takes the button's POST)."""
    storefront, account = selectors.storefront_account(request.user)
    if storefront is None or storefront.partner_id is None:
        return render(request, "revenue/dashboard/no_storefront.html", status=404)
    if account is None or not account.stripe_account_id:
        return redirect("revenue:operator")
    return _to_stripe_onboarding(request, storefront)


@login_required
def stripe_return(request):
    """Back from Stripe's onboarding: ask Stripe how the account stands (its webhook may not have come yet)."""
    import stripe

    storefront, account = selectors.storefront_account(request.user)
    if storefront is None or storefront.partner_id is None:
        return render(request, "revenue/dashboard/no_storefront.html", status=404)
    if account is None or not account.stripe_account_id:
        return redirect("revenue:operator")
    try:
        account = connect.check_with_stripe(account)
    except stripe.StripeError:
        messages.info(request, _("Stripe is still telling us about your account: this page shows it once it has."))
        return redirect("revenue:operator")
    if account.paid_by_stripe:
        messages.success(request, _("Your Stripe account is connected: your payouts go there from now on."))
    else:
        messages.info(request, _("Stripe has not finished checking your account yet: until it has, staff pay you by "
                                 "bank transfer. This page says what Stripe still needs."))  # fmt: skip
    return redirect("revenue:operator")


KIND_NAMES = dict(JournalEntry.KIND_CHOICES)


def _statement_rows(account):
    yield ["date", "what", "order", "item", "amount", "currency"]
    for value_date, kind, order, item, amount in selectors.statement_rows(account).iterator(2000):
        yield [value_date.isoformat(), KIND_NAMES.get(kind, kind), order or "", _cell(item), f"{amount:.2f}",
               settings.OSCAR_DEFAULT_CURRENCY]  # fmt: skip


@login_required
def operator_statement(request):
    """The operator's own statement: every posting of its ledger, as a CSV file (text never read as a formula)."""
    storefront, account = selectors.storefront_account(request.user)
    if storefront is None:
        return render(request, "revenue/dashboard/no_storefront.html", status=404)
    rows = _statement_rows(account) if account else iter([["date", "what", "order", "item", "amount", "currency"]])
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse((writer.writerow(row) for row in rows), content_type="text/csv")
    name = f"statement-{storefront.slug}-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def royalties(request):
    context = _ledger(request, selectors.royalty_account_for(request.user))
    return render(request, "revenue/royalties.html", {**context, "page_title": _("Royalties")})


# --- staff -----------------------------------------------------------------------------------------------------


def _staff_page(request, policy_form: PolicyForm | None = None):
    context = {
        "accounts": selectors.accounts_overview(),
        "pending": selectors.pending_manual_payouts(),
        "recent_payouts": selectors.recent_payouts(),
        "policy_form": policy_form or PolicyForm.from_policy(selectors.current_policy()),
        "policies": selectors.policy_history(),
        "ledger_total": selectors.ledger_total(),
    }
    return render(request, "revenue/dashboard/staff.html", context)


@staff_permission_required("view_ledgers")
def staff_overview(request):
    return _staff_page(request)


@staff_permission_required("view_ledgers")
def staff_account(request, pk):
    account = get_object_or_404(Account, pk=pk)
    return render(request, "revenue/dashboard/ledger.html", {**_ledger(request, account), "staff_view": True})


@staff_permission_required("settle_payout")
@require_POST
def settle_payout(request, pk):
    payout = get_object_or_404(Payout.objects.select_related("account"), pk=pk)
    form = SettlePayoutForm(request.POST)
    if payout.status != Payout.PENDING or payout.method != Payout.MANUAL:
        messages.info(request, _("Payout %(pk)s is not waiting to be paid by hand.") % {"pk": payout.pk})
    elif not form.is_valid():
        messages.error(request, _("Give the payment's reference to mark payout %(pk)s as paid.") % {"pk": payout.pk})
    else:
        try:
            paying.settle_manual_payout(payout_id=payout.pk, actor=request.user,
                                          reference=form.cleaned_data["reference"])  # fmt: skip
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Payout %(pk)s to %(name)s marked as paid.")
                             % {"pk": payout.pk, "name": payout.account.name})  # fmt: skip
    return redirect("revenue:staff")


@staff_permission_required("set_policy")
@require_POST
def change_policy(request):
    form = PolicyForm(request.POST)
    if form.is_valid():
        try:
            services.set_policy(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("New allocation policy saved; it applies to payments from now on."))
            return redirect("revenue:staff")
    return _staff_page(request, policy_form=form)


@staff_permission_required("record_disbursement")
def record_disbursement(request):
    """Staff record a payment out of the campus fund once it is paid: booked in the ledger with its receipt, or
    refused (more than the fund holds, a receipt that is not one) with nothing saved."""
    form = DisbursementForm(request.POST or None, request.FILES or None,
                            initial={"value_date": timezone.localdate()})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            disbursement = disbursements.record_disbursement(
                project=data["project"], amount=data["amount"], description=data["description"],
                receipt=data["receipt"], receipt_public=data["receipt_public"], value_date=data["value_date"],
                recorded_by=request.user,
            )  # fmt: skip
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(amount)s to %(project)s booked out of the campus fund.")
                             % {"amount": disbursement.amount, "project": disbursement.project.name})  # fmt: skip
            return redirect("revenue:disbursements")
    if request.method == "POST":
        messages.error(request, _("Nothing was recorded: see the form below."))
    context = {
        "form": form,
        "balance": selectors.fund_total(Account.CAMPUS_FUND),
        "projects": selectors.fund_projects(),
        "recent": Disbursement.objects.filter(entry__isnull=False).select_related("project", "recorded_by")[:30],
    }
    return render(request, "revenue/dashboard/disbursements.html", context)
