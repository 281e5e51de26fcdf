"""Supporters on two storefronts (by card and by standing order), their paid months, an update sent.

Curriculum Commons (Passive) and Apartment Fab offer True Fans. The demo shopper supports Curriculum Commons by
standing order; other supporters by standing order and, as data only (no Stripe account behind them), by card. Each
plan began some months ago and has that many months paid, each booked in the ledger (``support:<month id>``)."""

from datetime import datetime, time
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from marketplace.demo.users import demo_user
from marketplace.money import shop_currency
from marketplace.storefronts.models import Storefront
from marketplace.supporters import services, updates
from marketplace.supporters.models import Support, SupporterUpdate

OFFERS = {
    "curriculum-commons": "Your month pays for a new chapter of the open microfactory curriculum, free for everyone.",
    "apartment-fab": "Your month buys filament and time to print open fittings for the neighbours' repairs.",
}
# The update Apartment Fab sent its supporters (a worker e-mails each of them the digest once).
UPDATE = (
    "apartment-fab",
    "Three repairs this month, and a new nozzle",
    "Thank you! Your months bought **two spools** of PETG and a hardened nozzle.\n\n"
    "- printed hinges for the neighbours' cupboards\n- a bike-rack clip\n- a dishwasher wheel\n\n"
    "Next month: the fittings library goes online for everyone.",
)
# storefront, supporter (email, first name, last name; None: the demo shopper), amount, term, method, months paid
PLANS = [
    ("curriculum-commons", None, "20.00", None, Support.BANK, 2),
    ("curriculum-commons", ("lin@demo.opensource.store", "Lin", "Okafor"), "30.00", 24, Support.BANK, 3),
    ("curriculum-commons", ("kofi@demo.opensource.store", "Kofi", "Mensah"), "10.00", 24, Support.CARD, 4),
    ("apartment-fab", ("maria@demo.opensource.store", "Maria", "Silva"), "50.00", None, Support.CARD, 2),
    ("apartment-fab", ("lin@demo.opensource.store", "Lin", "Okafor"), "10.00", None, Support.BANK, 1),
]


def _supporter(logins: dict, person):
    if person is None:
        return logins["shopper"]
    email, first, last = person
    user = demo_user(email)
    if not user.first_name:
        user.first_name, user.last_name = first, last
        user.save(update_fields=["first_name", "last_name"])
    return user


def load_supporters(logins: dict) -> None:
    """Idempotent: loading the demo again adds nothing."""
    stores = {store.slug: store for store in Storefront.objects.filter(slug__in=OFFERS).select_related("tier")}
    for slug, pitch in OFFERS.items():
        services.set_offer(storefront=stores[slug], enabled=True, pitch=pitch)
    today = timezone.localdate()
    for slug, person, amount, term, method, months in PLANS:
        store, user = stores[slug], _supporter(logins, person)
        plan = Support.objects.filter(user=user, storefront=store).first()
        if plan is None:
            plan = _plan(user=user, store=store, amount=Decimal(amount), term=term, method=method, months=months,
                         today=today)  # fmt: skip
        for index in range(months):
            period_start = plan.start_date + relativedelta(months=index)
            paid_at = timezone.make_aware(datetime.combine(period_start, time(10)))
            services.record_paid_month(
                support=plan, period_start=period_start, amount=plan.amount, currency=plan.currency, paid_at=paid_at,
                stripe_invoice_id=f"in_demo_{plan.pk}_{index + 1}" if method == Support.CARD else "",
                bank_reference=plan.bank_reference, recorded_by=logins["staff"] if method == Support.BANK else None,
                next_due_date=period_start + relativedelta(months=1),
            )  # fmt: skip
    slug, subject, body = UPDATE
    if not SupporterUpdate.objects.filter(storefront=stores[slug], subject=subject).exists():
        updates.send_update(storefront=stores[slug], author=stores[slug].operator, subject=subject, body=body)


def _plan(*, user, store, amount, term, method, months, today) -> Support:
    """A plan begun ``months`` months ago on a day every month has."""
    start = services.first_due_date(today - relativedelta(months=months))
    card = method == Support.CARD
    return Support.objects.create(
        user=user, storefront=store, amount=amount, currency=shop_currency(), term_months=term, method=method,
        start_date=start, next_due_date=start,
        bank_reference="" if card else f"TF-DEMO{user.pk:03d}{store.pk:02d}",
        stripe_customer_id=f"cus_demo_{user.pk}" if card else "",
        stripe_subscription_id=f"sub_demo_{user.pk}_{store.pk}" if card else "",
    )  # fmt: skip
