"""Tier writes and the enforcement entry point for offers."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tiers import rules, selectors
from tiers.models import Tier, TierApplication


def offer_facts(*, storefront, product) -> rules.OfferFacts:
    from certification import marks

    tier = storefront.tier
    holds = bool(product.design_id) and marks.holds_mark(user_id=storefront.operator_id, design_id=product.design_id)
    return rules.OfferFacts(
        storefront_name=storefront.name,
        storefront_active=storefront.status == storefront.ACTIVE,
        tier_name=tier.name,
        tier_levels=tuple(tier.levels),
        tier_physical_goods=tier.physical_goods,
        tier_category_paths=tuple(tier.categories.values_list("path", "name")),
        product_title=product.get_title(),
        product_level=product.level or 1,
        product_is_physical=product.get_product_class().requires_shipping,
        product_category_paths=tuple(product.categories.values_list("path", flat=True)),
        product_design_name=product.design.name if product.design_id else "",
        operator_holds_mark=holds,
    )


def validate_offer(*, partner, product) -> None:
    """Refuse, as a ValidationError a form can show, an offer its storefront's tier does not allow.

    Partners without a storefront are the shop's own (staff-run) and are not bound by a tier."""
    storefront = getattr(partner, "storefront", None) if partner.pk else None
    if storefront is None:
        return
    try:
        rules.check_offer(offer_facts(storefront=storefront, product=product))
    except rules.TierRuleError as error:
        raise ValidationError(error.message, code=error.rule) from error


def requirement_failures(*, storefront, tier: Tier) -> list[str]:
    """The requirements of ``tier`` the storefront does not meet yet, in words."""
    return [check.missing for check in selectors.checklist(storefront=storefront, tier=tier) if not check.met]


@transaction.atomic
def apply_for_tier(*, storefront, tier: Tier, motivation: str = "") -> TierApplication:
    """An operator applies to move to another tier. Its entry requirements are checked from the data: an operator
    who does not meet one yet is told what to do instead of waiting for staff, who could not approve it."""
    if tier == storefront.tier:
        raise ValidationError(f"{storefront.name} is already in the {tier.name} tier.")
    if (
        TierApplication.objects.select_for_update()
        .filter(storefront=storefront, status=TierApplication.PENDING)
        .exists()
    ):
        raise ValidationError("You already have a tier application waiting for a decision.")
    unmet = rules.unmet_requirements(
        tier_name=tier.name, checklist=selectors.checklist(storefront=storefront, tier=tier)
    )
    if unmet:
        raise ValidationError(unmet, code="requirements")
    return TierApplication.objects.create(storefront=storefront, tier=tier, motivation=motivation)


@transaction.atomic
def decide_tier_application(*, application: TierApplication, staff, approve: bool, reason: str = "") -> TierApplication:
    application = (
        TierApplication.objects.select_for_update().select_related("storefront", "tier").get(pk=application.pk)
    )
    if application.status != TierApplication.PENDING:
        raise ValidationError("This application has already been decided.")
    if approve:
        missing = requirement_failures(storefront=application.storefront, tier=application.tier)
        if missing:
            raise ValidationError("Cannot approve: " + "; ".join(missing))
    elif not reason.strip():
        raise ValidationError("Say why the application is rejected.")
    application.status = TierApplication.APPROVED if approve else TierApplication.REJECTED
    application.reason, application.decided_by, application.date_decided = reason, staff, timezone.now()
    application.save()
    if approve:
        storefront = application.storefront
        storefront.tier = application.tier
        storefront.save(update_fields=["tier", "date_updated"])
    return application
