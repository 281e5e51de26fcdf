"""Writes of the Social Contract: staff publish a version, a person accepts one, operators are asked to accept a new
one (by e-mail, from a worker, once each)."""

import logging
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from marketplace.contract import selectors
from marketplace.contract.models import Acceptance, ContractVersion, VersionNotice, text_sha256

logger = logging.getLogger(__name__)


@transaction.atomic
def publish_version(*, text: str, staff, grace_days: int = 60, accept_by: date | None = None,
                    notify: bool = True) -> ContractVersion:  # fmt: skip
    """Staff publish the next version; every operator is asked to accept it again within its grace period (the
    operators who accepted the version before keep the OSE brand until then)."""
    if not text.strip():
        raise ValidationError("Write the text of the new version.")
    if accept_by is not None and accept_by < timezone.localdate():
        raise ValidationError("The accept-by date is in the past: give a day from today on.")
    latest = ContractVersion.objects.select_for_update().order_by("-number").first()  # one publisher at a time
    number = latest.number + 1 if latest else 1
    version = ContractVersion(number=number, text=text, grace_days=grace_days, accept_by=accept_by,
                              created_by=staff, published_at=timezone.now())  # fmt: skip
    version.full_clean()
    try:
        with transaction.atomic():
            version.save()
    except IntegrityError as error:  # another member of staff published the same number a moment ago
        raise ValidationError("Another version was published a moment ago: look at the list and try again.") from error
    if notify:
        from marketplace.contract.tasks import ask_operators_task

        transaction.on_commit(lambda: ask_operators_task.delay(version_id=version.pk), robust=True)
    return version


@transaction.atomic
def accept_version(*, user, version: ContractVersion, name: str, email: str,
                   ip_address: str | None = None) -> Acceptance:  # fmt: skip
    """Record that ``user`` accepts ``version`` (the current one) under ``name`` and ``email``, with the SHA-256 of
    the exact text they read. Accepting twice keeps the first acceptance."""
    if not name.strip() or not email.strip():
        raise ValidationError("Give your name and e-mail address to accept the Social Contract.")
    current = selectors.current_version()
    if current is None or current.pk != version.pk:
        raise ValidationError(
            f"Version {version.number} is no longer the current one: read version {current.number} and accept it."
            if current
            else "No version of the Social Contract is published yet."
        )
    acceptance, _ = Acceptance.objects.get_or_create(
        user=user, version=version,
        defaults={"name": name.strip(), "email": email.strip(), "text_sha256": text_sha256(version.text),
                  "ip_address": ip_address or None, "accepted_at": timezone.now()},
    )  # fmt: skip
    return acceptance


def ask_operators(*, version_id: int) -> int:
    """E-mail every operator who has neither accepted ``version`` nor been asked yet (safe to run again: each
    operator is asked once). Returns how many were asked now."""
    from marketplace.notifications import services as notifications

    version = ContractVersion.objects.get(pk=version_id)
    if version.pk != getattr(selectors.current_version(), "pk", None):
        return 0  # a newer version was published meanwhile: that one asks
    asked = 0
    accept_url = notifications.absolute(reverse("contract:accept"))
    for operator in selectors.operators_to_ask(version):
        with transaction.atomic():
            _, created = VersionNotice.objects.get_or_create(version=version, user=operator)
            if not created:
                continue
            asked += notifications.send_to_people(code="SOCIAL_CONTRACT_VERSION", users=[operator], version=version,
                                                  deadline=version.deadline, accept_url=accept_url)  # fmt: skip
    logger.info("Social Contract v%s: %s operators asked to accept", version.number, asked)
    return asked
