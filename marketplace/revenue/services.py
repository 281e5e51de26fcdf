"""The only writes to the ledger. Each booking has a unique reference (``payment:<id>``, ``refund:<id>``,
``payout:<id>``), so booking the same thing twice, even from two workers at once, books it once."""

import logging
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import CharField, Exists, F, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat
from oscar.core.loading import get_model

from certification import marks
from marketplace.fulfilment.models import OperatorOrder
from marketplace.money import require_shop_currency
from marketplace.money.policy import current_policy
from marketplace.revenue import calculations
from marketplace.revenue.calculations import Item
from marketplace.revenue.models import Account, AllocationPolicy, JournalEntry, PendingAllocation, Posting

Order = get_model("order", "Order")
Line = get_model("order", "Line")
PaymentEvent = get_model("order", "PaymentEvent")
Partner = get_model("partner", "Partner")
Source = get_model("payment", "Source")

logger = logging.getLogger("marketplace.money")
STRIPE_SOURCE_CODE = "stripe"


# --- accounts ---------------------------------------------------------------------------------------------------


def shared_account(kind: str) -> Account:
    return Account.objects.get_or_create(kind=kind, defaults={"name": dict(Account.KIND_CHOICES)[kind]})[0]


def operator_account(partner_id: int) -> Account:
    account = Account.objects.filter(partner_id=partner_id).first()
    if account is None:
        name = Partner.objects.values_list("name", flat=True).get(pk=partner_id)
        account, _ = Account.objects.get_or_create(partner_id=partner_id, defaults={"kind": Account.OPERATOR,
                                                                                    "name": name})  # fmt: skip
    return account


def contributor_account(user_id: int) -> Account:
    account = Account.objects.filter(user_id=user_id).first()
    if account is None:
        user = get_user_model().objects.get(pk=user_id)
        storefront = getattr(user, "storefront", None)  # never the email: account names show on pages
        who = user.get_full_name() or (storefront.name if storefront else f"contributor {user.pk}")
        name = f"Royalties: {who}"[:150]
        account, _ = Account.objects.get_or_create(
            user_id=user_id, defaults={"kind": Account.CONTRIBUTOR, "name": name}
        )
    return account


def _account(kind: str, owner_id: int | None) -> Account:
    if kind == calculations.OPERATOR:
        return operator_account(owner_id)
    if kind == calculations.CONTRIBUTOR:
        return contributor_account(owner_id)
    return shared_account(kind)


def book(*, reference: str, kind: str, amount: Decimal, postings: list[Posting], **fields) -> JournalEntry | None:
    """Write one balanced entry; None when the reference is already booked."""
    if sum((posting.amount for posting in postings), Decimal("0")) != 0:
        raise ValidationError(f"Entry {reference} does not balance.")
    try:
        with transaction.atomic():
            entry = JournalEntry.objects.create(reference=reference, kind=kind, amount=amount, **fields)
            for posting in postings:
                posting.entry = entry
            Posting.objects.bulk_create([posting for posting in postings if posting.amount])
    except IntegrityError:
        if JournalEntry.objects.filter(reference=reference).exists():
            return None  # booked by someone else in the meantime
        raise
    number = fields["order"].number if fields.get("order") else None
    fields_logged = {"event": f"ledger_{kind}", "reference": reference, "order": number, "amount": str(amount)}
    logger.info("ledger %s %s amount=%s order=%s", kind, reference, amount, number, extra=fields_logged)
    return entry


# --- allocation -------------------------------------------------------------------------------------------------

# Waiting payments a worker allocates together: one transaction, one commit and the same dozen queries for them all.
ALLOCATION_BATCH = 500
# Errors no retry of the batch would help with are kept on the payment's waiting row; these are retried instead.
TRANSIENT = (OperationalError, InterfaceError)


def _items(*, order_ids: set[int], campus_minimum: Decimal) -> dict[int, list[Item]]:
    """What was bought in each order, with each line's storefront percentage and its design's mark holders: three
    queries, whatever the number of orders and lines."""
    lines = list(
        Line.objects.filter(order_id__in=order_ids)
        .order_by("pk")
        .values_list("order_id", "pk", "partner_id", "line_price_incl_tax", "product__design_id",
                     "partner__storefront__campus_fund_percent")
    )  # fmt: skip
    design_ids = {line[4] for line in lines if line[4]}
    holders = marks.holders_by_design(design_ids) if design_ids else {}
    items: dict[int, list[Item]] = {order_id: [] for order_id in order_ids}
    for order_id, line_id, partner_id, gross, design_id, campus_percent in lines:
        items[order_id].append(Item(
            partner_id=partner_id, gross=gross, line_id=line_id, design_id=design_id,
            # a storefront never gives less than today's minimum, even if it chose its share under an older one
            campus_percent=campus_minimum if campus_percent is None else max(campus_percent, campus_minimum),
            mark_holders=tuple(sorted(holders.get(design_id, ()))),
        ))  # fmt: skip
    shipping = OperatorOrder.objects.filter(order_id__in=order_ids, shipping_charge__gt=0).order_by("pk")
    for order_id, partner_id, charge in shipping.values_list("order_id", "partner_id", "shipping_charge"):
        items[order_id].append(Item(partner_id=partner_id, gross=charge, shipping=True))
    return items


def _accounts(shares: list[calculations.Share]) -> dict[tuple[str, int | None], Account]:
    """The accounts the shares go to, by (kind, owner id), in one query; an operator's or a contributor's first
    share opens its account."""
    partners = {share.owner_id for share in shares if share.kind == calculations.OPERATOR}
    users = {share.owner_id for share in shares if share.kind == calculations.CONTRIBUTOR}
    accounts = {}
    for account in Account.objects.filter(
        Q(kind__in=Account.SHARED) | Q(partner_id__in=partners) | Q(user_id__in=users)
    ):  # fmt: skip
        accounts[account.kind, account.partner_id or account.user_id] = account
    for kind, owner_id in {(share.kind, share.owner_id) for share in shares} | {(Account.CLEARING, None)}:
        if (kind, owner_id) not in accounts:
            accounts[kind, owner_id] = _account(kind, owner_id)
    return accounts


def _payment_events(ids) -> list:
    """The payments, in one query, each with its order, whether its allocation is booked already and whether a card
    paid it."""
    reference = Concat(Value("payment:"), Cast(OuterRef("pk"), output_field=CharField()))
    card_source = Source.objects.filter(order_id=OuterRef("order_id"), source_type__code=STRIPE_SOURCE_CODE)
    return list(
        PaymentEvent.objects.select_related("order", "event_type")
        .annotate(booked=Exists(JournalEntry.objects.filter(reference=reference)), card=Exists(card_source))
        .filter(pk__in=ids)
        .order_by("pk")
    )


def _allocations(events: list) -> list[tuple[dict, list[Posting]]]:
    """Each payment split to the cent (see ``calculations``): its entry's fields and postings. The clearing account
    takes the other side."""
    policy = current_policy()
    items = _items(order_ids={event.order_id for event in events}, campus_minimum=policy.campus_fund_minimum_percent)
    splits = []
    for event in events:
        fee = calculations.card_fee(payment=event.amount, percent=policy.card_fee_percent, fixed=policy.card_fee_fixed)
        splits.append((event, calculations.split_payment(
            payment=event.amount, items=items[event.order_id], fee=fee if event.card else Decimal("0.00"),
            marketing_percent=policy.marketing_percent, royalty_percent=policy.royalty_percent,
        )))  # fmt: skip
    accounts = _accounts([share for _, shares in splits for share in shares])
    allocations = []
    for event, shares in splits:
        order = event.order
        require_shop_currency(order.currency, what=f"Order {order.number}")  # the ledger keeps one currency
        fields = {
            "reference": f"payment:{event.pk}", "kind": JournalEntry.ALLOCATION, "amount": event.amount,
            "order": order, "policy": policy if policy.pk else None, "value_date": event.date_created,
            "memo": f"Order {order.number}: payment of {event.amount} {order.currency}",
        }  # fmt: skip
        postings = [Posting(account=accounts[Account.CLEARING, None], amount=-event.amount)] + [
            Posting(account=accounts[share.kind, share.owner_id], amount=share.amount, line_id=share.item.line_id,
                    partner_id=share.item.partner_id, design_id=share.item.design_id)
            for share in shares
        ]  # fmt: skip
        allocations.append((fields, postings))
    return allocations


def _book_many(allocations: list[tuple[dict, list[Posting]]]) -> list[JournalEntry]:
    """Book many entries with two inserts (the caller holds a savepoint: should one of them have been booked
    meanwhile, the unique reference refuses the lot and the caller books them one by one)."""
    for fields, postings in allocations:
        if sum((posting.amount for posting in postings), Decimal("0")) != 0:
            raise ValidationError(f"Entry {fields['reference']} does not balance.")
    entries = JournalEntry.objects.bulk_create([JournalEntry(**fields) for fields, _ in allocations])
    for entry, (_, postings) in zip(entries, allocations, strict=True):
        for posting in postings:
            posting.entry = entry
    Posting.objects.bulk_create([posting for _, postings in allocations for posting in postings if posting.amount])
    for entry in entries:
        number = entry.order.number if entry.order else None
        logger.info("ledger %s %s amount=%s order=%s", entry.kind, entry.reference, entry.amount, number,
                    extra={"event": f"ledger_{entry.kind}", "reference": entry.reference, "order": number,
                           "amount": str(entry.amount)})  # fmt: skip
    return entries


def allocate_later(*, payment_event) -> None:
    """Called in the transaction that records a captured payment: its allocation waits for a worker (written down
    now, so it cannot be forgotten), which is asked once the payment is committed."""
    PendingAllocation.objects.get_or_create(payment_event=payment_event)

    def enqueue():
        from marketplace.revenue.tasks import allocate_payment_task

        allocate_payment_task.delay(payment_event_id=payment_event.pk)

    transaction.on_commit(enqueue, robust=True)  # a broker that is down is logged; the sweep allocates it


@transaction.atomic
def allocate_payment(*, payment_event_id: int) -> JournalEntry | None:
    """Split a captured payment, once: operator, campus fund, marketing pool, contributor royalties and payment
    fees. None when it was booked already (also by a batch that held it while this waited)."""
    waiting = list(PendingAllocation.objects.select_for_update().filter(pk=payment_event_id).values_list("pk"))
    events = _payment_events([payment_event_id])
    if not events:
        if JournalEntry.objects.filter(reference=f"payment:{payment_event_id}").exists():
            return None
        raise PaymentEvent.DoesNotExist(f"Payment event {payment_event_id} does not exist.")
    event = events[0]
    if event.booked:
        if waiting:
            PendingAllocation.objects.filter(pk__in=waiting).delete()
        return None
    if event.event_type.code != "paid":
        raise ValidationError(f"Payment event {payment_event_id} is not a captured payment.")
    fields, postings = _allocations([event])[0]
    entry = book(postings=postings, **fields)
    if waiting:
        PendingAllocation.objects.filter(pk__in=waiting).delete()
    return entry


def allocate_waiting_payments(*, batch: int | None = None, max_batches: int = 40) -> int:
    """Allocate the payments waiting for it, ``batch`` at a time, each batch in one transaction; another worker
    takes the ones this one does not hold. At most ``max_batches`` (about 20 s of work) per call, so one task never
    runs into its time limit after an outage: each waiting payment has its own task, and the next ones go on. A
    payment that fails keeps its waiting row with the error, for staff and the sweep, and the rest of its batch is
    booked. Returns how many were booked."""
    batch = batch or getattr(settings, "ALLOCATION_BATCH", ALLOCATION_BATCH)
    booked = 0
    for _ in range(max_batches):
        with transaction.atomic():
            ids = list(PendingAllocation.objects.select_for_update(skip_locked=True).filter(error="")
                       .values_list("pk", flat=True)[:batch])  # fmt: skip
            if not ids:
                break
            booked += _allocate_held(ids)
    return booked


def _allocate_held(ids: list[int]) -> int:
    events = _payment_events(ids)
    done = [event.pk for event in events if event.booked]
    due = [event for event in events if not event.booked and event.event_type.code == "paid"]
    for event in events:
        if not event.booked and event.event_type.code != "paid":
            _failed(event, ValidationError(f"Payment event {event.pk} is not a captured payment."))
    try:
        with transaction.atomic():
            entries = _book_many(_allocations(due)) if due else []
    except TRANSIENT:
        raise
    except Exception:  # booked meanwhile, or one payment's problem: book them one by one, saying which failed and why
        entries = []
        for event in due:
            try:
                with transaction.atomic():
                    fields, postings = _allocations([event])[0]
                    entry = book(postings=postings, **fields)
            except TRANSIENT:
                raise
            except Exception as error:
                _failed(event, error)
                continue
            if entry is not None:
                entries.append(entry)
            done.append(event.pk)
    else:
        done += [event.pk for event in due]
    PendingAllocation.objects.filter(pk__in=done).delete()
    return len(entries)


def _failed(event, error: Exception) -> None:
    logger.error("allocation of payment %s failed: %r", event.pk, error, exc_info=error,
                 extra={"event": "allocation_failed", "payment_event": event.pk})  # fmt: skip
    PendingAllocation.objects.filter(pk=event.pk).update(attempts=F("attempts") + 1, error=repr(error)[:2000])


def allocate_payments(payment_event_ids: list[int]) -> int:
    """Allocate these payments, waiting or not, in batches; the ones booked already are left alone."""
    booked = 0
    for start in range(0, len(payment_event_ids), ALLOCATION_BATCH):
        with transaction.atomic():
            chunk = payment_event_ids[start : start + ALLOCATION_BATCH]
            list(PendingAllocation.objects.select_for_update().filter(pk__in=chunk).values_list("pk"))
            booked += _allocate_held(chunk)
    return booked


def unallocated_payment_ids() -> list[int]:
    """Captured payments with no allocation yet: what the sweep picks up if a task was lost."""
    reference = Concat(Value("payment:"), Cast(OuterRef("pk"), output_field=CharField()))
    return list(
        PaymentEvent.objects.filter(event_type__code="paid")
        .exclude(Exists(JournalEntry.objects.filter(reference=reference)))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def allocate_order(*, order) -> None:
    allocate_payments(list(order.payment_events.filter(event_type__code="paid").values_list("pk", flat=True)))


def set_policy(*, actor, **values) -> AllocationPolicy:
    """Staff set how payments are split from now on; earlier allocations keep the policy they used."""
    if not actor.is_staff:
        raise PermissionDenied("Only staff set the allocation policy.")
    policy = AllocationPolicy(created_by=actor, **values)
    policy.full_clean()
    policy.save()
    return policy
