"""Reads for tiers: the facts a tier's entry requirements are checked against, the checklists shown to operators
and staff, and the tiers an operator may apply for."""

from dataclasses import dataclass

from django.db.models import QuerySet
from oscar.core.loading import get_model

from tiers import rules
from tiers.models import Tier, TierApplication

OrderLine = get_model("order", "Line")


def requirement_facts(*, storefront) -> rules.RequirementFacts:
    from certification.models import Contribution, PerformanceResult

    trained = OrderLine.objects.filter(
        order__user_id=storefront.operator_id, product__level=2, order__status__in=["Paid", "Complete"]
    ).exists()
    accepted = PerformanceResult.objects.filter(submitted_by_id=storefront.operator_id, status=Contribution.ACCEPTED)
    return rules.RequirementFacts(
        completed_production_training=trained,
        accepted_performance_result=any(result.meets for result in accepted.select_related("criterion")),
    )


def checklist(*, storefront, tier: Tier, facts: rules.RequirementFacts | None = None) -> list[rules.RequirementCheck]:
    facts = facts or requirement_facts(storefront=storefront)
    return rules.requirement_checklist(requirements=list(tier.requirements), facts=facts)


@dataclass(frozen=True)
class TierChoice:
    tier: Tier
    checklist: list[rules.RequirementCheck]

    @property
    def ready(self) -> bool:
        return all(check.met for check in self.checklist)


def tiers_to_apply_for(*, storefront) -> list[TierChoice]:
    """Every other tier, by rank, with its requirements checked for this storefront."""
    facts = requirement_facts(storefront=storefront)
    return [
        TierChoice(tier, checklist(storefront=storefront, tier=tier, facts=facts))
        for tier in Tier.objects.exclude(pk=storefront.tier_id).order_by("rank")
    ]


def next_tier_up(*, storefront) -> Tier | None:
    """The tier an application is for unless the operator chooses another: the next one up, never a downgrade."""
    return Tier.objects.filter(rank__gt=storefront.tier.rank).order_by("rank").first()


def pending_applications() -> QuerySet:
    return TierApplication.objects.filter(status=TierApplication.PENDING).select_related("storefront", "tier")


def pending_applications_with_checklists() -> list[tuple[TierApplication, list[rules.RequirementCheck]]]:
    return [
        (application, checklist(storefront=application.storefront, tier=application.tier))
        for application in pending_applications()
    ]
