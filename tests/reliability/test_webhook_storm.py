"""A storm of Stripe webhook deliveries through the real view: duplicates, shuffled order, forgeries (bad, missing or
wrong-secret signatures, old and future timestamps, truncated or tampered bodies). No forgery is accepted, nothing
happens twice, and every order ends as a single in-order replay of only the valid events leaves it."""

import contextlib
import hashlib
import hmac
import json
import random
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test import Client
from oscar.core.loading import get_model

from marketplace.fulfilment import refunds as part_refunds
from marketplace.fulfilment.models import OperatorOrder
from marketplace.payments import services
from marketplace.payments.models import Refund, WebhookEvent
from marketplace.revenue.models import JournalEntry
from tests import factories

Order = get_model("order", "Order")
SECRET = "whsec_test_secret"
SEED = 20261125
URL = "/payments/stripe/webhook/"


# --- the shop: card orders from two operators ---------------------------------------------------------------------


@pytest.fixture
def card_shop(stripe_settings):
    """Two operators with plenty of stock; orders are placed by card through checkout (their intents at localstripe)."""
    printer = factories.level_product(factories.design(name="D3D printer"), 1, title="D3D printer, assembled")
    mill = factories.level_product(factories.design(name="CNC mill", category_name="CNC mills"), 1, title="CNC mill")
    for product in (printer, mill):
        product.stockrecords.all().delete()
    berlin, lyon = factories.storefront("Berlin Fab", city="Berlin"), factories.storefront("Lyon Fab", city="Lyon")
    return {
        "berlin": berlin,
        "printer": factories.offer(berlin, printer, price="900.00", stock=1000),
        "mill": factories.offer(lyon, mill, price="1400.00", stock=1000),
    }


def _card_order(shop, capture, n):
    offers = [shop["printer"], shop["mill"]] if n % 2 else [shop["printer"]]
    return factories.checkout(offers, capture=capture, method="card", email=f"storm{n}@example.com")


def _cents(amount: Decimal) -> int:
    return int(amount * 100)


def _intent_event(event_id, kind, order, *, amount=None, currency="usd"):
    source = order.sources.get()
    cents = _cents(source.amount_allocated) if amount is None else amount
    return {"id": event_id, "object": "event", "type": kind, "created": 1_764_000_000,
            "data": {"object": {"id": source.reference, "object": "payment_intent", "status": "succeeded"
                                if kind == "payment_intent.succeeded" else "requires_payment_method",
                                "amount": cents, "amount_received": cents, "currency": currency}}}  # fmt: skip


def _refund_event(event_id, kind, refund, status, *, amount=None, as_charge=False):
    obj = {"id": f"re_storm_{refund.pk}", "object": "refund", "status": status, "currency": "usd",
           "amount": _cents(refund.amount) if amount is None else amount,
           "payment_intent": refund.order.sources.get().reference,
           "metadata": {"refund_id": str(refund.pk)}}  # fmt: skip
    if as_charge:
        obj = {"id": f"ch_storm_{refund.pk}", "object": "charge", "refunds": {"data": [obj]}}
    return {"id": event_id, "object": "event", "type": kind, "created": 1_764_000_000, "data": {"object": obj}}


def _paid_by_card(order, capture):
    source = order.sources.get()
    intent = {"id": source.reference, "status": "succeeded", "amount": _cents(source.amount_allocated),
              "currency": "usd"}  # fmt: skip
    with capture(execute=True):
        assert services.apply_succeeded_intent(intent=intent) == "order paid"


def build_world(shop, capture, staff, *, orders=24):
    """Orders and the events Stripe would send about them, in the order Stripe would send them. A third of the
    orders are already paid and have a card refund waiting for Stripe's word; the others wait for their payment."""
    events, expected = [], {}
    n = 0

    def event_id():
        nonlocal n
        n += 1
        return f"evt_storm_{n:05d}"

    for i in range(orders):
        order = _card_order(shop, capture, i)
        kind = ("pays", "mismatch", "refund_ok", "refund_failed", "refund_mismatch", "pays_late")[i % 6]
        if kind.startswith("refund"):
            _paid_by_card(order, capture)
            part = OperatorOrder.objects.filter(order=order).first()
            line = order.lines.filter(partner=part.partner).first()
            # The task that would send it to Stripe is never run: Stripe's events alone settle it.
            refund = part_refunds.request_refund(part_id=part.pk, actor=staff, amounts={line.pk: Decimal("123.45")},
                                            reason="Storm test")  # fmt: skip
            events.append(_refund_event(event_id(), "refund.created", refund, "pending"))
            if kind == "refund_ok":
                events.append(_refund_event(event_id(), "refund.updated", refund, "succeeded"))
                events.append(_refund_event(event_id(), "charge.refunded", refund, "succeeded", as_charge=True))
            elif kind == "refund_failed":
                events.append(_refund_event(event_id(), "refund.failed", refund, "failed"))
            else:
                events.append(_refund_event(event_id(), "refund.updated", refund, "succeeded", amount=1))
            events.append(_intent_event(event_id(), "payment_intent.succeeded", order))  # a late repeat
            expected[order.number] = {"refund_ok": "Paid", "refund_failed": "Paid", "refund_mismatch": "Paid"}[kind]
        else:
            events.append(_intent_event(event_id(), "payment_intent.payment_failed", order))  # a first attempt
            events.append(_intent_event(event_id(), "payment_intent.succeeded", order, amount=1))
            events.append(_intent_event(event_id(), "payment_intent.succeeded", order, currency="eur"))
            if kind in ("pays", "pays_late"):
                events.append(_intent_event(event_id(), "payment_intent.succeeded", order))
                if kind == "pays_late":  # Stripe sometimes sends a second event for the same intent
                    events.append(_intent_event(event_id(), "payment_intent.succeeded", order))
            expected[order.number] = "Paid" if kind in ("pays", "pays_late") else "Pending"
    events.append({"id": event_id(), "object": "event", "type": "customer.created", "created": 1_764_000_000,
                   "data": {"object": {"id": "cus_storm", "object": "customer"}}})  # fmt: skip
    events.append(_intent_event(event_id(), "payment_intent.succeeded", order) | {"data": {"object": {
        "id": "pi_not_ours", "object": "payment_intent", "amount": 100, "currency": "usd"}}})  # fmt: skip
    return events, expected


# --- signing like Stripe, and forging ----------------------------------------------------------------------------


def sign(body: str, *, secret=SECRET, timestamp=None, scheme="v1") -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},{scheme}={signature}"


def forgeries(body: str, rng: random.Random) -> list[tuple[str, str, str]]:
    """(what, body, signature header) for every way a delivery can be bad."""
    now = int(time.time())
    tampered = body.replace('"amount": ', '"amount": 9', 1).replace('"status": "failed"', '"status": "succeeded"')
    if tampered == body:
        tampered = body.replace('"type": "', '"type": "x', 1)
    cut = body[: rng.randrange(1, len(body) - 1)]
    stolen = sign(body, timestamp=now)
    return [
        ("no signature", body, ""),
        ("garbage header", body, "not a signature"),
        ("made-up hmac", body, f"t={now},v1={rng.randbytes(32).hex()}"),
        ("wrong secret", body, sign(body, secret="whsec_someone_else")),
        ("too old", body, sign(body, timestamp=now - rng.randrange(301, 86_400))),
        ("in the future", body, sign(body, timestamp=now + rng.randrange(900, 86_400))),
        ("truncated, re-signed", cut, sign(cut)),
        ("truncated, original signature", cut, stolen),
        ("tampered, original signature", tampered, stolen),
        ("other timestamp, same hmac", body, stolen.replace(f"t={now}", f"t={now + 1}", 1)),
        ("v0 scheme only", body, sign(body, scheme="v0")),
        ("empty body", "", sign("")),
        ("signed list, not an event", "[]", sign("[]")),
    ]


def _deliver(client, body, header, capture):
    with capture(execute=True):
        return client.post(URL, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header)


# --- the final state of every order ------------------------------------------------------------------------------


def snapshot(numbers) -> dict:
    state = {}
    for order in Order.objects.filter(number__in=numbers).prefetch_related("sources", "payment_events__event_type"):
        source = order.sources.get()
        state[order.number] = {
            "status": order.status,
            "debited": source.amount_debited,
            "refunded": source.amount_refunded,
            "transactions": sorted((t.txn_type, t.amount) for t in source.transactions.all()),
            "payment_events": sorted((e.event_type.code, e.amount) for e in order.payment_events.all()),
            "refunds": sorted((r.status, r.stripe_refund_id, r.amount, r.failure) for r in order.refunds.all()),
            "ledger": sorted(
                (e.kind, e.amount, e.postings.count(), sum(p.amount for p in e.postings.all()))
                for e in JournalEntry.objects.filter(order=order)
            ),
        }
    return state


@pytest.mark.django_db
def test_a_webhook_storm_is_verified_deduplicated_and_ends_as_one_in_order_replay(
    card_shop, django_capture_on_commit_callbacks
):
    # given: card orders, the events Stripe sends about them, each valid one delivered 1-3 times, and forgeries
    capture = django_capture_on_commit_callbacks
    staff = factories.UserFactory(is_staff=True, is_superuser=True)
    events, expected = build_world(card_shop, capture, staff)
    rng = random.Random(SEED)
    valid, forged = [], []
    for event in events:
        body = json.dumps(event)
        valid += [(event["id"], body)] * rng.randint(1, 3)
        forged += [(event["id"], what, bad_body, header) for what, bad_body, header in forgeries(body, rng)]
        forged.append((event["id"], "forged event id", json.dumps(event | {"id": event["id"] + "_x"}),
                       sign(body)))  # fmt: skip
    deliveries = [("valid", *item) for item in valid] + [("forged", *item) for item in forged]
    deliveries = deliveries * 2  # every delivery, forgeries included, comes twice
    rng.shuffle(deliveries)
    before_storm = transaction.savepoint()

    # when: everything is posted, shuffled, through the real view
    client = Client(enforce_csrf_checks=True)
    answers = {"valid": [], "forged": []}
    started = time.monotonic()
    for delivery in deliveries:
        if delivery[0] == "valid":
            _, event_id, body = delivery
            response = _deliver(client, body, sign(body), capture)
            answers["valid"].append((event_id, response.status_code, response.json()["duplicate"]))
        else:
            _, event_id, what, body, header = delivery
            response = _deliver(client, body, header, capture)
            answers["forged"].append((what, response.status_code))
    storm_seconds = time.monotonic() - started
    after_storm = snapshot(expected)
    stored = dict(WebhookEvent.objects.values_list("event_id", "payload"))
    unprocessed = WebhookEvent.objects.filter(processed_at__isnull=True).count()

    # then: no forgery got in, every valid event was stored once (exactly as signed) and applied once
    accepted_forgeries = [what for what, status in answers["forged"] if status != 400]
    assert accepted_forgeries == [], accepted_forgeries
    assert {status for _, status, _ in answers["valid"]} == {200}
    first_answers = [event_id for event_id, _, duplicate in answers["valid"] if not duplicate]
    assert sorted(first_answers) == sorted(event["id"] for event in events)  # one "new" answer per event
    assert stored == {event["id"]: event for event in events} and unprocessed == 0
    assert {number: state["status"] for number, state in after_storm.items()} == expected
    for number, state in after_storm.items():
        paid = [e for e in state["payment_events"] if e[0] == "paid"]
        assert len(paid) == (expected[number] == "Paid"), number
        assert len([e for e in state["ledger"] if e[0] == JournalEntry.ALLOCATION]) == len(paid), number
        assert len([r for r in state["refunds"] if r[0] == Refund.SUCCEEDED]) == len(
            [e for e in state["ledger"] if e[0] == JournalEntry.REFUND]
        ), number
        assert all(entry[3] == 0 for entry in state["ledger"]), number  # every entry balances
    refund_states = sorted(r[0] for state in after_storm.values() for r in state["refunds"])
    assert refund_states == sorted([Refund.SUCCEEDED] * 4 + [Refund.FAILED] * 4 + [Refund.PENDING] * 4)

    # and: a fresh replay of only the valid events, once each and in order, leaves every order the same
    transaction.savepoint_rollback(before_storm)
    assert not WebhookEvent.objects.exists()
    for event in events:
        body = json.dumps(event)
        assert _deliver(client, body, sign(body), capture).status_code == 200
    assert snapshot(expected) == after_storm

    print(
        f"\nwebhook storm: {len(deliveries)} deliveries ({len(answers['valid'])} valid of {len(events)} events, "
        f"{len(answers['forged'])} forged, {len(answers['forged'])} refused), {len(expected)} orders, "
        f"{storm_seconds:.1f} s"
    )
    assert len(deliveries) >= 2000


# --- concurrent duplicates on PostgreSQL -------------------------------------------------------------------------


def _at_once(execute=True):
    """Outside a test transaction on-commit work runs at once: nothing to capture."""
    return contextlib.nullcontext([])


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicate_deliveries_store_and_apply_each_event_once(seeded, card_shop):
    # given: pending card orders, and for each two different succeeded events (Stripe may send both)
    orders = [_card_order(card_shop, _at_once, i) for i in range(4)]
    bodies = [json.dumps(_intent_event(f"evt_race_{o.number}_{k}", "payment_intent.succeeded", o))
              for o in orders for k in (1, 2)]  # fmt: skip
    deliveries = [body for body in bodies for _ in range(4)]  # each event four times, all at once
    random.Random(SEED).shuffle(deliveries)
    barrier = threading.Barrier(len(deliveries))
    answers, errors = [], []

    def deliver(body):
        try:
            client = Client(enforce_csrf_checks=True)
            header = sign(body)
            barrier.wait(timeout=30)
            response = client.post(URL, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header)
            answers.append((json.loads(body)["id"], response.status_code, response.json()["duplicate"]))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(repr(error))
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=deliver, args=(body,)) for body in deliveries]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    # then: every delivery answered 2xx; one "new" per event id; each order paid and allocated once
    assert errors == []
    assert len(answers) == len(deliveries) == 32 and {status for _, status, _ in answers} == {200}
    new = sorted(event_id for event_id, _, duplicate in answers if not duplicate)
    assert new == sorted(json.loads(body)["id"] for body in bodies)
    assert WebhookEvent.objects.count() == len(bodies)
    assert not WebhookEvent.objects.filter(processed_at__isnull=True).exists()
    for order in orders:
        order.refresh_from_db()
        source = order.sources.get()
        assert order.status == "Paid" and source.amount_debited == source.amount_allocated
        assert source.transactions.count() == 1
        assert order.payment_events.filter(event_type__code="paid").count() == 1
        assert JournalEntry.objects.filter(order=order, kind=JournalEntry.ALLOCATION).count() == 1
        outcomes = sorted(WebhookEvent.objects.filter(event_id__startswith=f"evt_race_{order.number}_")
                          .values_list("outcome", flat=True))  # fmt: skip
        assert outcomes == ["already paid", "order paid"]
