"""Who may use a view, for views outside Oscar's dashboard apps (which have their own permission maps), and what each
of the shop's own staff actions needs.

A staff action needs the model permission a Django admin would ask for the rows it writes (or reads), given to staff
accounts in the admin (a superuser holds them all). Operators need none of them: an operator acts on its own part
of an order, or its own storefront, which is checked where its own rows are looked up."""

from dataclasses import dataclass
from functools import wraps

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from certification.services import is_certifier


@dataclass(frozen=True)
class StaffAction:
    doing: str  # what the account tries, as a sentence's subject
    permissions: tuple[str, ...]  # "app_label.codename", any one of which will do


STAFF_ACTIONS = {
    "change_order": StaffAction("Changing an order (its status, notes, payment and shipping events)",
                                ("order.change_order",)),
    "confirm_payment": StaffAction("Confirming that a bank transfer arrived", ("order.change_order",)),
    "refund": StaffAction("Refunding an order", ("marketplace_payments.add_refund",)),
    "change_part": StaffAction("Moving an operator's part of an order on", ("fulfilment.change_operatororder",)),
    "read_licence": StaffAction("Downloading a licence certificate", ("fulfilment.view_distributionlicence",)),
    "view_ledgers": StaffAction("Reading the shop's ledgers", ("revenue.view_account", "revenue.change_account")),
    "settle_payout": StaffAction("Settling a payout", ("revenue.change_payout",)),
    "set_policy": StaffAction("Changing the revenue allocation policy", ("revenue.change_allocationpolicy",)),
    "view_supporters": StaffAction("Reading True Fans supporters' plans",
                                   ("supporters.view_support", "supporters.change_support")),
    "record_support_month": StaffAction("Recording a standing order's month", ("supporters.add_supportmonth",)),
    "record_disbursement": StaffAction("Recording a campus fund disbursement", ("revenue.add_disbursement",)),
    "view_storefronts": StaffAction("Reviewing storefronts",
                                    ("storefronts.view_storefront", "storefronts.change_storefront")),
    "decide_storefront": StaffAction("Approving, rejecting, suspending or reinstating a storefront",
                                     ("storefronts.change_storefront",)),
    "view_tier_applications": StaffAction("Reviewing tier applications",
                                          ("tiers.view_tierapplication", "tiers.change_tierapplication")),
    "decide_tier": StaffAction("Deciding a tier application", ("tiers.change_tierapplication",)),
    "view_campaigns": StaffAction("Reviewing marketing campaigns", ("campaigns.view_campaign",
                                                                    "campaigns.change_campaign")),
    "decide_campaign": StaffAction("Approving, rejecting or finishing a marketing campaign, or changing its code",
                                   ("campaigns.change_campaign",)),
    "record_spending": StaffAction("Recording a campaign's spending from the marketing pool",
                                   ("campaigns.add_campaignspending",)),
    "view_contract": StaffAction("Reading the Social Contract's versions",
                                 ("contract.view_contractversion", "contract.add_contractversion")),
    "publish_contract": StaffAction("Publishing a version of the Social Contract", ("contract.add_contractversion",)),
    "edit_qc_checklist": StaffAction("Editing a design's QC checklist", ("lifecycle.change_qcstep",)),
    "view_stewardship": StaffAction("Reading the stewardship figures and the requests no storefront took",
                                    ("stewardship.view_servicerequest",)),
}  # fmt: skip


def staff_may(user, action: str) -> bool:
    """Whether ``user`` is active staff holding the permission the staff action needs (superusers hold all)."""
    needed = STAFF_ACTIONS[action].permissions
    return bool(user.is_authenticated and user.is_active and user.is_staff and any(map(user.has_perm, needed)))


def staff_actions(user) -> dict[str, bool]:
    """Every staff action and whether ``user`` may take it: for templates, to show only the forms it may post."""
    return {action: staff_may(user, action) for action in STAFF_ACTIONS}


def _permission_name(permission: str) -> str:
    """Django's own name of a default model permission ("Can change Order"), as the admin lists it."""
    label, codename = permission.split(".")
    verb, model_name = codename.split("_", 1)
    return f"Can {verb} {apps.get_model(label, model_name)._meta.verbose_name_raw}"


def refusal(action: str) -> str:
    """Why the action is refused, naming the permission a shop administrator would grant."""
    needed = STAFF_ACTIONS[action]
    names = " or ".join(f"“{_permission_name(permission)}”" for permission in needed.permissions)
    return f"{needed.doing} needs a staff account with the {names} permission."


def check_staff(user, action: str) -> None:
    """Refuse (PermissionDenied, saying which permission) unless ``user`` may take the staff action."""
    if not staff_may(user, action):
        raise PermissionDenied(refusal(action))


def staff_permission_required(*actions: str):
    """Staff who may take one of ``actions``: anonymous visitors are sent to sign in, anyone else is refused on the
    shop's page, told which permission it needs (not a login loop)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not any(staff_may(request.user, action) for action in actions):
                raise PermissionDenied(refusal(actions[0]))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def permission_denied(request, exception):
    """The shop's refusal page (``handler403``): why, when the refusal says, and what the account may do instead."""
    reason = str(exception) if getattr(exception, "args", None) else ""
    return render(request, "403.html", {"reason": reason, "is_certifier": is_certifier(request.user)}, status=403)
