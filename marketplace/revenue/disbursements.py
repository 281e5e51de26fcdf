"""Where the campus fund goes: staff record a disbursement to an R&D project or a facility install, with its
receipt, and the ledger books it out of the fund (``funds.spend_from_fund``) in the same transaction as its row:
never more than the fund holds, never edited afterwards (a correction is a new entry)."""

from datetime import date, datetime, time
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from marketplace.money import cents
from marketplace.ops import pagecache
from marketplace.revenue.funds import spend_from_fund
from marketplace.revenue.models import Account, Disbursement, FundProject
from marketplace.revenue.receipts import EXTENSIONS, checked_receipt


def value_moment(day: date) -> datetime:
    """A disbursement's date as the ledger's value date: noon in the shop's time zone, so the month it falls in is
    the same wherever the month is cut."""
    return timezone.make_aware(datetime.combine(day, time(12)))


@transaction.atomic
def record_disbursement(
    *, project: FundProject, amount: Decimal, description: str, receipt, value_date: date, recorded_by,
    receipt_public: bool = False,
) -> Disbursement:  # fmt: skip
    """Book ``amount`` out of the campus fund to ``project``. The receipt is checked first and stored last, once the
    ledger took the money: a refusal (over the fund's balance, a bad file) leaves no row, no entry and no file."""
    amount = cents(amount)
    if amount <= 0:
        raise ValidationError("A disbursement is more than 0.")
    if value_date > timezone.localdate():
        raise ValidationError("A disbursement is recorded once it is paid: its date cannot be in the future.")
    try:
        upload, kind = checked_receipt(receipt)
    except ValidationError as error:
        raise ValidationError({"receipt": error.error_list}) from None
    disbursement = Disbursement.objects.create(
        project=project, amount=amount, description=description.strip(), receipt_type=kind,
        receipt_public=receipt_public, value_date=value_date, recorded_by=recorded_by,
    )  # fmt: skip
    try:
        entry = spend_from_fund(fund=Account.CAMPUS_FUND, amount=amount, reference=disbursement.reference,
                                memo=f"{project.name}: {disbursement.description}",
                                value_date=value_moment(value_date))  # fmt: skip
    except ValidationError as error:  # more than the fund holds: nothing of it stays (the transaction rolls back)
        hint = "Record at most what the fund holds: pay the rest once more money has come in."
        raise ValidationError({"amount": [*error.messages, hint]}) from None
    disbursement.receipt.save(f"{disbursement.pk}-{project.slug}{EXTENSIONS[kind]}", upload, save=False)
    try:
        Disbursement.objects.filter(pk=disbursement.pk).update(entry=entry, receipt=disbursement.receipt.name)
    except BaseException:
        disbursement.receipt.delete(save=False)
        raise
    disbursement.entry = entry
    pagecache.invalidate()  # the landing page shows the fund's balance: retire stored pages now and on commit
    return disbursement
