"""The Social Contract's v1 accepted by every demo operator, v2 published and pending for one (Apartment Fab, the
printed operator login: its dashboard asks it to accept by the deadline, and its page keeps the OSE brand until
then)."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from marketplace.contract.models import Acceptance, ContractVersion, VersionNotice, text_sha256

PENDING_OPERATOR = "apartment@demo.opensource.store"

PRINCIPLES = """Operators of the Open Source Store run independent storefronts and share one open source economy.
Accepting this contract, an operator agrees to these principles:

1. **Open source.** The designs sold here are open source hardware. Improvements made while producing them are
   contributed back, documented so that others can replicate them.
2. **Distributive economics.** A share of every sale goes to the public campus fund, at or above the shop's minimum,
   to pay for research, development and prototype facilities that everyone may use.
3. **Collaboration over competition.** Operators pool marketing, share suppliers and fabrication know-how, and send
   work to each other when it serves the customer better.
4. **Local production.** Operators make what they sell near the people who buy it, from local materials where they
   can, with open and locally built machinery.
5. **Honest dealing.** Prices, lead times, shipping and the level of what is sold (a product, a training, a licence)
   are stated plainly; refunds follow the shop's rules.
6. **Ecology.** Designs are made to last, to be repaired and taken apart, and to waste little.
"""
V2_ADDITION = """7. **Transparency.** Each operator publishes where its campus-fund share and pooled marketing money
   went, and answers questions about it from the community.
"""
VERSIONS = [  # number, text, published (days ago), grace period (days)
    (1, PRINCIPLES, 200, 60),
    (2, PRINCIPLES + V2_ADDITION, 10, 60),
]


def load_contract(*, staff) -> None:
    """Idempotent: loading the demo again adds nothing."""
    now = timezone.now()
    versions = {}
    for number, text, days_ago, grace in VERSIONS:
        versions[number], _ = ContractVersion.objects.get_or_create(
            number=number,
            defaults={"text": text, "published_at": now - timedelta(days=days_ago), "grace_days": grace,
                      "created_by": staff},
        )  # fmt: skip
    operators = get_user_model().objects.filter(storefront__isnull=False).order_by("pk")
    for operator in operators:
        name = operator.get_full_name() or operator.storefront.name
        for number, version in versions.items():
            if number == 2 and operator.email == PENDING_OPERATOR:
                VersionNotice.objects.get_or_create(version=version, user=operator)  # it was asked by e-mail
                continue
            Acceptance.objects.get_or_create(
                user=operator, version=version,
                defaults={"name": name, "email": operator.email, "text_sha256": text_sha256(version.text),
                          "accepted_at": version.published_at + timedelta(days=3)},
            )  # fmt: skip
