"""Reads of the Social Contract: the current version, the versions with how many operators accepted each, and one
person's standing (which decides the OSE brand, by ``contract.rules``)."""

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from marketplace.contract import rules
from marketplace.contract.models import Acceptance, ContractVersion


def published_versions() -> QuerySet:
    """Every published version, newest first."""
    return ContractVersion.objects.filter(published_at__lte=timezone.now()).order_by("-number")


def current_version() -> ContractVersion | None:
    return published_versions().first()


def version(*, number: int) -> ContractVersion:
    return get_object_or_404(published_versions(), number=number)


def versions_with_counts() -> QuerySet:
    """For staff: each version with how many operators (people with a storefront) accepted it, and how many people
    in all."""
    operator = Q(acceptances__user__storefront__isnull=False)
    return (
        published_versions()
        .select_related("created_by")
        .annotate(operators_accepted=Count("acceptances", filter=operator), people_accepted=Count("acceptances"))
    )


def operator_count() -> int:
    from django.contrib.auth import get_user_model

    # the storefronts app's reverse name on the user: read without importing the layer above
    return get_user_model().objects.filter(storefront__isnull=False).count()


def standing(user) -> rules.Standing:
    """Whether ``user`` (a user, or a user's id) accepted the current version (or the one before, still in its grace
    period)."""
    user_id = user if isinstance(user, int) else getattr(user, "pk", None)
    latest = list(published_versions()[:2])
    current = latest[0] if latest else None
    if current is None or not user_id:
        return rules.Standing(current=current, accepted=None, previous=None, holds_brand=False, deadline=None)
    before = latest[1] if len(latest) > 1 else None
    mine = {a.version_id: a for a in Acceptance.objects.filter(user_id=user_id, version__in=latest)}
    accepted, previous = mine.get(current.pk), mine.get(before.pk) if before else None
    holds = rules.holds_brand(accepted_current=accepted is not None, accepted_previous=previous is not None,
                              deadline=current.deadline, now=timezone.now())  # fmt: skip
    return rules.Standing(current=current, accepted=accepted, previous=previous, holds_brand=holds,
                          deadline=current.deadline if accepted is None else None)  # fmt: skip


def own_acceptances(user) -> QuerySet:
    return Acceptance.objects.filter(user_id=user.pk).select_related("version")


def own_acceptance(user, pk) -> Acceptance:
    """One of the person's own acceptances; another person's is the same 404 as a missing one."""
    return get_object_or_404(own_acceptances(user), pk=pk)


def operators_to_ask(version: ContractVersion) -> QuerySet:
    """Operators (people with a storefront) not yet asked to accept ``version`` and who have not accepted it."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model().objects.filter(storefront__isnull=False, is_active=True)
        .exclude(contract_acceptances__version=version).exclude(pk__in=version.notices.values("user_id"))
        .order_by("pk")
    )  # fmt: skip
