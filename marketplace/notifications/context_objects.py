"""What an e-mail's task is given (ids, which a broker carries) turned into what its template reads."""

from django.conf import settings
from django.urls import reverse


def load(*, part_id: int | None = None, refund_id: int | None = None, line_id: int | None = None) -> dict:
    from marketplace.fulfilment.models import OperatorOrder
    from marketplace.fulfilment.tracking import tracking_url
    from marketplace.notifications.services import absolute
    from marketplace.payments.models import Refund

    found = {}
    if part_id is not None:
        part = OperatorOrder.objects.select_related("partner").get(pk=part_id)
        found.update(part=part, tracking_url=tracking_url(part.carrier, part.tracking_number))
    if refund_id is not None:
        found["refund"] = Refund.objects.select_related("operator_order__partner").get(pk=refund_id)
    if line_id is not None:
        from oscar.core.loading import get_model

        from marketplace.fulfilment.delivery import download_token

        line = get_model("order", "Line").objects.get(pk=line_id)
        path = reverse("fulfilment:download", kwargs={"token": download_token(line.pk)})
        found.update(line=line, download_url=absolute(path), download_days=settings.DOWNLOAD_LINK_MAX_AGE // 86400)
        licence = getattr(line, "licence", None) if hasattr(line, "licence") else None
        if licence is not None:
            found.update(licence=licence, licence_url=absolute(licence.get_absolute_url()))
    return found
