"""Stripe Billing as recorded (``tests/payments/recorded/``), for ``tests.recorded_stripe.RecordedStripe``:
localstripe serves no products, prices or subscriptions. Each answer is a recorded object with what the request
set (amounts, customer, metadata, cancel_at), ids derived from the request so different requests get different ids.
Recorded events (``event``) are the ``invoice.*`` and ``customer.subscription.*`` events Stripe sends about them."""

import copy
import hashlib
import json
import re
import time
from pathlib import Path

RECORDED = Path(__file__).parent / "recorded"
SUBSCRIPTION_PATH = re.compile(r"/v1/subscriptions/(sub_\w+)")


def recorded(name: str) -> dict:
    return json.loads((RECORDED / f"{name}.json").read_text())


def _suffix(*parts) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:14]


def _metadata(form: dict) -> dict:
    return {key[len("metadata[") : -1]: value for key, value in form.items() if key.startswith("metadata[")}


def answer_billing(method: str, path: str, form: dict) -> tuple[int, dict] | None:
    """Stripe's answer to a Billing request, or None for a request that is not Billing's."""
    if (method, path) == ("POST", "/v1/products"):
        return 200, dict(recorded("product"), name=form["name"], metadata=_metadata(form))
    if (method, path) == ("POST", "/v1/prices"):
        price = recorded("price")
        cents, currency = int(form["unit_amount"]), form["currency"]
        recurring = dict(price["recurring"], interval=form["recurring[interval]"])
        return 200, dict(price, id=f"price_Recorded{cents}{currency}", unit_amount=cents, currency=currency,
                         unit_amount_decimal=str(cents), product=form["product"], recurring=recurring,
                         nickname=form.get("nickname"))  # fmt: skip
    if (method, path) == ("POST", "/v1/customers"):
        return 200, dict(recorded("customer"), id=f"cus_Recorded{_suffix(form.get('email'))}", email=form.get("email"),
                         name=form.get("name"), metadata=_metadata(form))  # fmt: skip
    if (method, path) == ("POST", "/v1/subscriptions"):
        return 200, created_subscription(form)
    if (match := SUBSCRIPTION_PATH.fullmatch(path)) and method == "POST":
        subscription = subscription_object(match[1], status="active")
        if form.get("cancel_at_period_end") == "true":
            period_end = subscription["items"]["data"][0]["current_period_end"]
            subscription.update(cancel_at_period_end=True, cancel_at=period_end, canceled_at=int(time.time()))
        return 200, subscription
    if (match := SUBSCRIPTION_PATH.fullmatch(path)) and method == "DELETE":
        now = int(time.time())
        return 200, dict(subscription_object(match[1], status="canceled"), canceled_at=now, ended_at=now)
    return None


def created_subscription(form: dict) -> dict:
    """A subscription created ``default_incomplete``, its first invoice open and its secret given (expanded)."""
    subscription = recorded("subscription_created")
    sub_id = f"sub_Recorded{_suffix(form['customer'], form['items[0][price]'])}"
    cents = int(re.search(r"price_Recorded(\d+)", form["items[0][price]"])[1])
    item = subscription["items"]["data"][0]
    item["price"].update(id=form["items[0][price]"], unit_amount=cents)
    item["subscription"] = sub_id
    invoice = subscription["latest_invoice"]
    invoice.update(amount_due=cents, amount_remaining=cents, subtotal=cents, total=cents, customer=form["customer"])
    invoice["parent"]["subscription_details"].update(subscription=sub_id, metadata=_metadata(form))
    invoice["confirmation_secret"]["client_secret"] = f"pi_Recorded{_suffix(sub_id)}_secret_Recorded"
    if form.get("expand[0]") != "latest_invoice.confirmation_secret":
        subscription["latest_invoice"] = invoice["id"]  # not expanded: only its id
    return dict(subscription, id=sub_id, customer=form["customer"], metadata=_metadata(form),
                cancel_at=int(form["cancel_at"]) if form.get("cancel_at") else None)  # fmt: skip


def subscription_object(sub_id: str, *, status: str, metadata: dict | None = None, cancel_at=None, period_end=None):
    """The recorded subscription, as Stripe describes it later (the invoice no longer expanded)."""
    subscription = recorded("subscription_created")
    subscription.update(id=sub_id, status=status, latest_invoice="in_1SqRc0TrueFansInv1", metadata=metadata or {},
                        cancel_at=cancel_at)  # fmt: skip
    if period_end is not None:
        subscription["items"]["data"][0].update(
            current_period_end=period_end, current_period_start=period_end - 2678400
        )
    return subscription


def paid_invoice(*, invoice_id="in_1SqRc0TrueFansInv1", sub_id="sub_1SqRc0TrueFansSub1", cents=1000,
                 metadata=None, period_start=1796056803, period_end=1798735203) -> dict:  # fmt: skip
    invoice = recorded("invoice_paid")
    invoice.update(id=invoice_id, amount_paid=cents, amount_due=cents, total=cents, subtotal=cents)
    invoice["parent"]["subscription_details"].update(subscription=sub_id, metadata=metadata or {})
    invoice["lines"]["data"][0].update(amount=cents, period={"start": period_start, "end": period_end})
    return invoice


def event(event_id: str, kind: str, obj: dict, *, created: int | None = None) -> dict:
    """A Stripe event about ``obj``, as a webhook endpoint receives it."""
    return {"id": event_id, "object": "event", "api_version": "2026-10-28.endive",
            "created": int(time.time()) if created is None else created, "data": {"object": copy.deepcopy(obj)},
            "livemode": False, "pending_webhooks": 1, "request": {"id": None, "idempotency_key": None},
            "type": kind}  # fmt: skip
