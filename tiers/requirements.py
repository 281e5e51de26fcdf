"""Requirements to enter a tier, each checked against the data, never ticked by hand."""

from oscar.core.loading import get_model

OrderLine = get_model("order", "Line")


def _production_training(storefront) -> str:
    trained = OrderLine.objects.filter(
        order__user_id=storefront.operator_id, product__level=2, order__status__in=["Paid", "Complete"]
    ).exists()
    return "" if trained else "the operator has not completed a production training (a paid level 2 order)"


def _performance_results(storefront) -> str:
    from certification.models import Contribution, PerformanceResult

    accepted = PerformanceResult.objects.filter(submitted_by_id=storefront.operator_id, status=Contribution.ACCEPTED)
    met = any(result.meets for result in accepted.select_related("criterion"))
    return "" if met else "no accepted machine performance result that meets its criterion"


CHECKS = {"production-training": _production_training, "performance-results": _performance_results}


def check(code: str, *, storefront) -> str:
    """An empty string when met, else what is missing."""
    return CHECKS[code](storefront)
