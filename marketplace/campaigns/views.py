"""Campaign pages: the public list and each campaign's page, the operator's Marketing pool page (its own storefront
only), and staff's page to decide proposals and record spending."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from catalog.richtext import render_markdown
from marketplace.accounts.access import staff_actions, staff_permission_required
from marketplace.campaigns import calculations, selectors, services
from marketplace.campaigns.forms import DecisionForm, ProposalForm, ReferralCodeForm, SpendingForm
from marketplace.storefronts.selectors import storefront_for_operator


def _referral_link(request, campaign) -> str:
    return request.build_absolute_uri(reverse("campaigns:detail", kwargs={"slug": campaign.slug})) + (
        f"?ref={campaign.referral_code}"
    )


def _with_chart(returns, *, own: bool) -> dict:
    bars = calculations.return_bars(spent=returns.spent, revenue=returns.revenue,
                                    own_revenue=returns.own_revenue if own else None)  # fmt: skip
    return {"returns": returns, "bars": bars, "chart_height": calculations.chart_height(bars)}


# --- public --------------------------------------------------------------------------------------------------------


def campaign_list(request):
    return render(request, "campaigns/list.html", {"campaigns": selectors.public_campaigns()})


def campaign_detail(request, slug):
    campaign = selectors.public_campaign(slug=slug)
    context = {
        "campaign": campaign,
        "story": render_markdown(campaign.description),
        "storefronts": selectors.promoted_storefronts(campaign),
        "referral_link": _referral_link(request, campaign),
        "running": campaign.runs_on(timezone.localdate()),
    }
    return render(request, "campaigns/detail.html", context)


# --- the operator's Marketing pool page ------------------------------------------------------------------------


@login_required
def pool(request):
    storefront = storefront_for_operator(request.user)
    taking_part = [(campaign, _with_chart(selectors.returns(campaign, storefront), own=True))
                   for campaign in selectors.taking_part(storefront)]  # fmt: skip
    context = {
        "storefront": storefront,
        "membership": selectors.open_membership(storefront),
        "memberships": selectors.memberships(storefront)[:10],
        "proposals": selectors.proposals(storefront),
        "taking_part": taking_part,
        "open_to_join": selectors.open_to_join(storefront) if selectors.open_membership(storefront) else [],
        "pool_balance": selectors.pool_balance(),
    }
    return render(request, "campaigns/dashboard/pool.html", context)


def _pool_step(request, step, done: str):
    """Join or leave the pool: the service's refusal, or ``done``, on the pool page."""
    try:
        step(storefront=storefront_for_operator(request.user))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("campaigns:pool")


@login_required
@require_POST
def join(request):
    return _pool_step(request, services.join_pool, "Welcome to the marketing pool: you take part in its campaigns "
                                                   "from now on, and may propose one.")  # fmt: skip


@login_required
@require_POST
def leave(request):
    return _pool_step(request, services.leave_pool, "You left the marketing pool: campaigns no longer promote your "
                                                    "storefront. You may join again at any time.")  # fmt: skip


@login_required
def propose(request):
    storefront = storefront_for_operator(request.user)
    if selectors.open_membership(storefront) is None:
        messages.error(request, "Only members of the marketing pool propose campaigns: join the pool first.")
        return redirect("campaigns:pool")
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.propose_campaign(storefront=storefront, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, f"“{campaign.title}” is with staff; its status shows here once they decide.")
            return redirect("campaigns:operator-campaign", pk=campaign.pk)
    return render(request, "campaigns/dashboard/propose.html", {"storefront": storefront, "form": form})


PARTICIPATION = {
    "take-part": (services.take_part, "You take part in “{}”: its page promotes your storefront if you hold a mark."),
    "step-out": (services.step_out, "You no longer take part in “{}”; you stay in the pool."),
}


@login_required
def operator_campaign(request, pk):
    storefront = storefront_for_operator(request.user)
    campaign = selectors.operator_campaign(storefront, pk)
    if request.method == "POST":  # take part in it, or step out of it
        action = PARTICIPATION.get(request.POST.get("participation", ""))
        if action is not None:
            try:
                action[0](campaign=campaign, storefront=storefront)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, action[1].format(campaign.title))
        return redirect("campaigns:operator-campaign", pk=campaign.pk)
    context = {"storefront": storefront, "campaign": campaign, "story": render_markdown(campaign.description),
               "takes_part": selectors.takes_part(campaign, storefront),
               "member": selectors.open_membership(storefront) is not None}  # fmt: skip
    if campaign.status in campaign.PUBLIC:
        context |= _with_chart(selectors.returns(campaign, storefront), own=True)
        context["referral_link"] = _referral_link(request, campaign)
    return render(request, "campaigns/dashboard/operator_campaign.html", context)


# --- staff ----------------------------------------------------------------------------------------------------------


@staff_permission_required("view_campaigns")
def staff_list(request):
    context = {
        "proposals": selectors.pending_proposals(),
        "campaigns": selectors.decided_campaigns(),
        "pool_balance": selectors.pool_balance(),
        "members": selectors.pool_members(),
        "decision_form": DecisionForm(),
        "may": staff_actions(request.user),
    }
    return render(request, "campaigns/dashboard/staff_list.html", context)


def _staff_page(request, campaign, **forms):
    context = {
        "campaign": campaign,
        "story": render_markdown(campaign.description),
        "spendings": campaign.spendings.select_related("entry", "recorded_by"),
        "pool_balance": selectors.pool_balance(),
        "spending_form": forms.get("spending_form") or SpendingForm(),
        "code_form": forms.get("code_form") or ReferralCodeForm(initial={"referral_code": campaign.referral_code}),
        "decision_form": DecisionForm(),
        "referral_link": _referral_link(request, campaign),
        "may": staff_actions(request.user),
        **_with_chart(selectors.returns(campaign), own=False),
    }
    return render(request, "campaigns/dashboard/staff_campaign.html", context)


@staff_permission_required("view_campaigns")
def staff_campaign(request, pk):
    return _staff_page(request, selectors.staff_campaign(pk))


DECISIONS = {
    "approve": lambda campaign, staff, reason: services.approve_campaign(campaign=campaign, staff=staff, reason=reason),
    "reject": lambda campaign, staff, reason: services.reject_campaign(campaign=campaign, staff=staff, reason=reason),
    "finish": lambda campaign, staff, reason: services.finish_campaign(campaign=campaign, staff=staff),
}
DONE = {"approve": "approved: every pool member takes part, and it may spend",
        "reject": "rejected; its proposer reads your reason on its Marketing pool page",
        "finish": "finished: it spends no more and credits no more orders"}  # fmt: skip


@staff_permission_required("decide_campaign")
@require_POST
def staff_decide(request, pk, action):
    if action not in DECISIONS:
        raise Http404
    campaign = selectors.staff_campaign(pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Keep the reason under 2,000 characters.")
        return redirect("campaigns:staff")
    try:
        DECISIONS[action](campaign, request.user, form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"“{campaign.title}” is {DONE[action]}.")
    return redirect("campaigns:staff")


@staff_permission_required("record_spending")
@require_POST
def staff_spend(request, pk):
    campaign = selectors.staff_campaign(pk)
    form = SpendingForm(request.POST)
    if form.is_valid():
        try:
            spending = services.record_spending(campaign=campaign, staff=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, f"{spending.amount} for “{spending.paid_for}” is booked out of the marketing "
                                      "pool.")  # fmt: skip
            return redirect("campaigns:staff-campaign", pk=campaign.pk)
    messages.error(request, "The spending was not recorded: see why below.")
    return _staff_page(request, campaign, spending_form=form)


@staff_permission_required("decide_campaign")
@require_POST
def staff_code(request, pk):
    campaign = selectors.staff_campaign(pk)
    form = ReferralCodeForm(request.POST)
    if form.is_valid():
        try:
            services.set_referral_code(campaign=campaign, code=form.cleaned_data["referral_code"])
        except ValidationError as error:
            form.add_error("referral_code", error.messages)
        else:
            messages.success(request, f"The referral code is now {campaign.referral_code}; links with the old code "
                                      "no longer count.")  # fmt: skip
            return redirect("campaigns:staff-campaign", pk=campaign.pk)
    campaign.refresh_from_db()
    return _staff_page(request, campaign, code_form=form)
