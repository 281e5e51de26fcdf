"""Storefront pages: the public directory and pages, applying to open one, and the dashboard pages for operators
(their own storefront only) and staff."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from certification import marks
from marketplace.accounts.access import staff_permission_required
from marketplace.accounts.security import client_ip
from marketplace.contract import selectors as contract_selectors
from marketplace.contract.forms import AcceptanceForm
from marketplace.ops import pagecache
from marketplace.ops.pagecache import anonymous_page
from marketplace.storefronts import selectors, services
from marketplace.storefronts.forms import (
    DecisionForm,
    DirectoryForm,
    StorefrontApplicationForm,
    StorefrontSettingsForm,
    TierApplicationForm,
)
from marketplace.storefronts.models import Storefront
from tiers import selectors as tier_selectors
from tiers import services as tier_services
from tiers.models import TierApplication


@anonymous_page
def directory(request):
    form = DirectoryForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    origin = form.location()
    storefronts = selectors.storefront_directory(
        tier=filters.get("tier"), category=filters.get("category"), origin=origin
    )
    return render(
        request, "storefronts/directory.html", {"form": form, "storefronts": storefronts, "located": origin is not None}
    )


@anonymous_page
def detail(request, slug):
    storefront = selectors.storefront_page(slug=slug, viewer=request.user)
    page = Paginator(selectors.storefront_offers(storefront), 50).get_page(request.GET.get("page"))
    marked_ids = marks.marked_design_ids(storefront=storefront)
    standing = contract_selectors.standing(storefront.operator_id)
    context = {
        "storefront": storefront,
        "page_obj": page,
        "paginator": page.paginator,
        "offers": page.object_list,
        "marked_designs": selectors.marked_designs(storefront, marked_ids).order_by("name") if marked_ids else [],
        "standing": standing,
    }
    if not standing.holds_brand:
        return render(request, "storefronts/detail.html", context)
    pagecache.valid_until(request, standing.brand_ends_at)  # the grace period ends with no write to retire the page
    return render(request, "storefronts/detail_branded.html", context)


@login_required
def apply(request):
    if Storefront.objects.filter(operator=request.user).exists():
        messages.info(request, _("You already have a storefront."))
        return redirect("storefronts:dashboard")
    form = StorefrontApplicationForm(request.POST or None, request.FILES or None)
    standing = contract_selectors.standing(request.user)
    version, contract = standing.current, None
    if version is not None and standing.accepted is None:  # applying accepts the current Social Contract
        contract = AcceptanceForm(request.POST or None, version=version, user=request.user, prefix="contract")
    if request.method == "POST" and all([form.is_valid(), contract is None or contract.is_valid()]):
        accepted = None
        if contract is not None:
            accepted = {"version": version, "name": contract.cleaned_data["name"],
                        "email": contract.cleaned_data["email"], "ip_address": client_ip(request)}  # fmt: skip
        elif standing.accepted is not None:  # accepted already, on the contract's own page
            accepted = {"version": version, "name": standing.accepted.name, "email": standing.accepted.email}
        try:
            services.apply_for_storefront(operator=request.user, contract=accepted, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Thank you: staff will review your storefront and email you."))
            return redirect("storefronts:dashboard")
    context = {"form": form, "contract": contract, "version": version, "accepted": standing.accepted}
    return render(request, "storefronts/apply.html", context)


# --- the operator's own storefront, in the dashboard ------------------------------------------------------------


@login_required
def operator_dashboard(request):
    storefront = selectors.storefront_for_operator(request.user)
    form = StorefrontSettingsForm(request.POST or None, request.FILES or None, instance=storefront)
    if request.method == "POST" and form.is_valid():
        services.update_storefront(storefront=storefront, operator=request.user, form=form)
        messages.success(request, _("Storefront saved."))
        return redirect("storefronts:dashboard")
    context = {
        "storefront": storefront,
        "form": form,
        "tier_choices": tier_selectors.tiers_to_apply_for(storefront=storefront),
        "next_tier": tier_selectors.next_tier_up(storefront=storefront),
        "tier_applications": storefront.tier_applications.select_related("tier")[:10],
        "standing": contract_selectors.standing(request.user),
    }
    return render(request, "storefronts/dashboard/operator.html", context)


@login_required
@require_POST
def apply_for_tier(request):
    storefront = selectors.storefront_for_operator(request.user)
    form = TierApplicationForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a tier (and keep the motivation under 2,000 characters).")
        return redirect("storefronts:dashboard")
    tier = form.cleaned_data["tier"]
    try:
        tier_services.apply_for_tier(storefront=storefront, tier=tier, motivation=form.cleaned_data["motivation"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your application for the %(tier)s tier is with staff.") % {"tier": tier.name})
    return redirect("storefronts:dashboard")


# --- staff -----------------------------------------------------------------------------------------------------


@staff_permission_required("view_storefronts")
def staff_list(request):
    storefronts = Storefront.objects.select_related("tier", "operator").order_by("status", "name")
    applications = tier_selectors.pending_applications_with_checklists()
    return render(request, "storefronts/dashboard/staff_list.html", {"storefronts": storefronts,
                  "applications": applications, "decision_form": DecisionForm()})  # fmt: skip


STAFF_ACTIONS = {
    "approve": lambda storefront, staff, reason: services.approve_storefront(storefront=storefront, staff=staff),
    "reject": lambda storefront, staff, reason: services.reject_storefront(storefront=storefront, staff=staff,
                                                                          reason=reason),
    "suspend": lambda storefront, staff, reason: services.suspend_storefront(storefront=storefront, staff=staff,
                                                                            reason=reason),
    "reinstate": lambda storefront, staff, reason: services.reinstate_storefront(storefront=storefront, staff=staff),
}  # fmt: skip


@staff_permission_required("decide_storefront")
@require_POST
def staff_decide(request, pk, action):
    storefront = get_object_or_404(Storefront, pk=pk)
    if action not in STAFF_ACTIONS:
        return redirect("storefronts:staff-list")
    form = DecisionForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        STAFF_ACTIONS[action](storefront, request.user, reason)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        done = {"approve": _("approved"), "reject": _("rejected"), "suspend": _("suspended"),
                "reinstate": _("reinstated")}[action]  # fmt: skip
        messages.success(request, _("%(name)s is %(done)s; its operator is told by e-mail.")
                         % {"name": storefront.name, "done": done})  # fmt: skip
    return redirect("storefronts:staff-list")


@staff_permission_required("decide_tier")
@require_POST
def staff_decide_tier(request, pk, action):
    if action not in ("approve", "reject"):
        raise Http404
    application = get_object_or_404(TierApplication, pk=pk)
    form = DecisionForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        tier_services.decide_tier_application(
            application=application, staff=request.user, approve=action == "approve", reason=reason
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Tier application decided."))
    return redirect("storefronts:staff-list")
