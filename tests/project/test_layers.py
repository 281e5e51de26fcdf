"""The layers below announce, one place listens (docs/architecture.md): each announcement an order's path hangs on
has exactly one receiver of the shop's, in marketplace.orderflow, so a reader finds every step in one file."""

import weakref

import pytest
from oscar.apps.order.signals import order_placed, order_status_changed

from marketplace.payments.signals import account_updated, refund_settled

OURS = ("marketplace", "catalog", "certification", "tiers")


def _our_receivers(signal) -> list[str]:
    """The shop's receivers of ``signal`` (Oscar's own apps may listen too), by dotted name."""
    names = []
    for _key, reference, *_ in signal.receivers:
        receiver = reference() if isinstance(reference, weakref.ref) else reference  # Django keeps weak references
        if receiver is not None and receiver.__module__.startswith(OURS):
            names.append(f"{receiver.__module__}.{receiver.__name__}")
    return names


@pytest.mark.parametrize(
    ("signal", "receiver"),
    [
        (order_placed, "marketplace.orderflow.receivers.on_order_placed"),
        (order_status_changed, "marketplace.orderflow.receivers.on_status_changed"),
        (refund_settled, "marketplace.orderflow.receivers.on_refund_settled"),
        (account_updated, "marketplace.orderflow.receivers.on_account_updated"),
    ],
)
def test_each_announcement_has_one_receiver_in_the_order_path(signal, receiver):
    assert _our_receivers(signal) == [receiver]
