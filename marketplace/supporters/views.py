"""True Fans pages: what it is and who offers it (public), choosing a plan and one's own plans (signed in), an
operator's own supporters (its dashboard) and the staff's totals and standing orders."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from marketplace.accounts.access import staff_permission_required
from marketplace.accounts.security import allow_stripe
from marketplace.ops.pagecache import anonymous_page
from marketplace.payments import billing
from marketplace.storefronts.models import Storefront
from marketplace.supporters import selectors, services
from marketplace.supporters.forms import OfferForm, PlanForm, ReceivedForm
from marketplace.supporters.models import PLAN_AMOUNTS, TERM_MONTHS, UNIT, Support

# --- public -------------------------------------------------------------------------------------------------------


@anonymous_page
def true_fans(request):
    plans = [{"amount": amount, "units": int(amount // UNIT)} for amount in PLAN_AMOUNTS]
    context = {"plans": plans, "storefronts": selectors.offering_storefronts(), "term": TERM_MONTHS}
    return render(request, "supporters/true_fans.html", context)


# --- a supporter's own plans --------------------------------------------------------------------------------------


@login_required
def support(request, slug):
    """Choose a plan for a storefront. A storefront that does not offer True Fans answers as a missing one."""
    storefront = selectors.offering_storefronts().filter(slug=slug).first()
    if storefront is None:
        other = get_object_or_404(Storefront.objects.filter(status=Storefront.ACTIVE), slug=slug)
        return render(request, "supporters/not_offered.html", {"storefront": other}, status=404)
    card = billing.is_configured()
    form = PlanForm(request.POST or None, card=card, initial={"amount": request.GET.get("amount", "20.00")})
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.start_support(
                user=request.user, storefront=storefront, amount=form.cleaned_data["amount"],
                term_months=form.cleaned_data["term"], method=form.cleaned_data["method"],
            )  # fmt: skip
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            if plan.method == Support.BANK:
                messages.success(request, _("Thank you! Set up the standing order below with your bank."))
                return redirect("supporters:support-detail", pk=plan.pk)
            return _card_page(request, plan)
    context = {"storefront": storefront, "offer": storefront.true_fans_offer, "form": form, "card": card}
    return render(request, "supporters/support.html", context, status=400 if form.errors else 200)


def _card_page(request, plan):
    """The first month's payment, confirmed with Stripe.js like the card checkout (Stripe's script from Stripe)."""
    context = {"plan": plan, "client_secret": plan.client_secret,
               "stripe_publishable_key": settings.STRIPE_PUBLISHABLE_KEY}  # fmt: skip
    return allow_stripe(render(request, "supporters/pay_by_card.html", context))


@login_required
def mine(request):
    context = {"supports": selectors.supports_of(request.user), "page_title": _("My support")}
    return render(request, "supporters/mine.html", context)


@login_required
def support_detail(request, pk):
    plan = get_object_or_404(selectors.supports_of(request.user), pk=pk)
    context = {"plan": plan, "bank": selectors.bank_details(), "months": plan.months.order_by("-period_start"),
               "page_title": plan.storefront.name,
               "remind_after_days": settings.SUPPORTER_REMIND_AFTER_DAYS}  # fmt: skip
    return render(request, "supporters/support_detail.html", context)


@login_required
@require_POST
def support_cancel(request, pk):
    plan = get_object_or_404(selectors.supports_of(request.user).select_related("storefront"), pk=pk)
    try:
        messages.success(request, services.cancel_support(support=plan))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("supporters:mine")


# --- the operator's own supporters --------------------------------------------------------------------------------


@login_required
def dashboard(request):
    storefront = Storefront.objects.select_related("tier").filter(operator=request.user).first()
    if storefront is None:
        return render(request, "supporters/dashboard/no_storefront.html", status=404)
    offer = selectors.offer_of(storefront)
    form = OfferForm(request.POST or None, initial={"enabled": offer.enabled, "pitch": offer.pitch})
    if request.method == "POST" and form.is_valid():
        try:
            services.set_offer(storefront=storefront, enabled=form.cleaned_data["enabled"],
                               pitch=form.cleaned_data["pitch"])  # fmt: skip
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            form.add_error("enabled", error.messages)
        else:
            messages.success(request, _("Saved: True Fans is on.") if form.cleaned_data["enabled"]
                             else _("Saved: True Fans is off."))  # fmt: skip
            return redirect("supporters:dashboard")
    context = {"storefront": storefront, "offer": offer, "form": form, "refusal": services.tier_refusal(storefront),
               **selectors.storefront_report(storefront)}  # fmt: skip
    return render(request, "supporters/dashboard/operator.html", context, status=400 if form.errors else 200)


# --- staff --------------------------------------------------------------------------------------------------------


@staff_permission_required("view_supporters")
def staff(request):
    rows, totals = selectors.staff_totals()
    return render(request, "supporters/dashboard/staff.html", {"rows": rows, "totals": totals})


@staff_permission_required("view_supporters", "record_support_month")
def standing_orders(request):
    return render(request, "supporters/dashboard/standing_orders.html", {"plans": selectors.standing_orders()})


@staff_permission_required("record_support_month")
@require_POST
def support_month_received(request, pk):
    plan = get_object_or_404(selectors.standing_orders(), pk=pk)
    form = ReceivedForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the amount received, e.g. %(amount)s.") % {"amount": plan.amount})
        return redirect("supporters:standing-orders")
    try:
        month = services.record_bank_month(support=plan, amount=form.cleaned_data["amount"], staff=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Recorded %(month)s for %(reference)s and booked it in the ledger.")
            % {"month": month.period_start.strftime("%B %Y"), "reference": plan.bank_reference},
        )
    return redirect("supporters:standing-orders")
