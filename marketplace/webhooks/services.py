"""Webhooks: an operator's endpoints (registered, changed, secret rolled, removed) and the delivery of each event to
each endpoint, signed, retried with backoff, logged, and sent again by hand."""

import json
import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from marketplace.webhooks import signing, targets
from marketplace.webhooks.models import EVENT_TYPES, TEST, Attempt, Delivery, Endpoint, Event, new_secret

logger = logging.getLogger("marketplace.webhooks")

# After each failed attempt in a row, the wait before the next: 1 min, 5 min, 30 min, 2 h, 12 h; then it has failed.
BACKOFF = (60, 300, 1800, 7200, 43200)
# A delivery still "sending" this long after a worker claimed it lost its worker (a send takes seconds; the task
# time limit is 300 s): the sweep puts it back.
STALE_SENDING = timedelta(seconds=360)
REPLAY_EVERY = timedelta(seconds=60)  # "Send again" once a minute per delivery
TEST_EVERY = timedelta(seconds=10)  # a test event every ten seconds per endpoint
SWEEP_BATCH = 500
USER_AGENT = "OpenSourceStore-Webhooks/1"
CHOOSABLE = {code for code, _label in EVENT_TYPES}


# --- endpoints ----------------------------------------------------------------------------------------------------


def _checked(url: str, events) -> tuple[str, list[str]]:
    url = (url or "").strip()
    try:
        targets.check(url)
    except targets.TargetRefused as refusal:
        raise ValidationError({"url": str(refusal)}) from refusal
    chosen = [code for code, _label in EVENT_TYPES if code in set(events or ())]
    if not chosen or set(events) - CHOOSABLE:
        raise ValidationError({"events": "Choose at least one of the events listed."})
    return url, chosen


@transaction.atomic
def register_endpoint(*, storefront, url: str, events, description: str = "") -> Endpoint:
    """An operator's system receives the storefront's events at ``url``: a public https address (checked now and at
    each delivery), at most ``WEBHOOKS_MAX_ENDPOINTS`` per storefront."""
    type(storefront).objects.select_for_update().filter(pk=storefront.pk).first()  # one registration at a time
    limit = settings.WEBHOOKS_MAX_ENDPOINTS
    if Endpoint.objects.filter(storefront=storefront).count() >= limit:
        raise ValidationError(f"A storefront has at most {limit} endpoints: remove one you no longer use, or send "
                              "several event types to one endpoint.")  # fmt: skip
    url, chosen = _checked(url, events)
    return Endpoint.objects.create(storefront=storefront, url=url, events=chosen, description=description.strip())


@transaction.atomic
def update_endpoint(*, endpoint: Endpoint, url: str, events, description: str = "", active: bool = True) -> Endpoint:
    endpoint.url, endpoint.events = _checked(url, events)
    endpoint.description, endpoint.active = description.strip(), active
    endpoint.save(update_fields=["url", "events", "description", "active"])
    return endpoint


def roll_secret(*, endpoint: Endpoint) -> Endpoint:
    """A new signing secret, used from the next attempt on; the old one stops verifying at once."""
    endpoint.secret, endpoint.secret_rolled_at = new_secret(), timezone.now()
    endpoint.save(update_fields=["secret", "secret_rolled_at"])
    return endpoint


def remove_endpoint(*, endpoint: Endpoint) -> None:
    endpoint.delete()  # its deliveries and their log go with it


def send_test_event(*, endpoint: Endpoint):
    from marketplace.webhooks import events

    last = Event.objects.filter(type=TEST, deliveries__endpoint=endpoint).order_by("-pk").values("created_at").first()
    if last and last["created_at"] > timezone.now() - TEST_EVERY:
        raise ValidationError("A test event was sent seconds ago: wait a few seconds, then send another.")
    return events.test_event(endpoint=endpoint)


# --- delivery -----------------------------------------------------------------------------------------------------


def body(event: Event) -> bytes:
    """The exact bytes sent for an event, the same on every attempt and replay."""
    document = {"id": event.public_id, "type": event.type, "created": event.created_at.isoformat(),
                "storefront": event.storefront.slug, "data": event.data}  # fmt: skip
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def headers(delivery: Delivery, payload: bytes, *, timestamp: int | None = None) -> dict:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "OSS-Event": delivery.event.public_id,
        "OSS-Event-Type": delivery.event.type,
        "OSS-Delivery": delivery.public_id,
        signing.HEADER: signing.sign(payload, delivery.endpoint.secret, timestamp),
    }


def _claim(delivery_id: int, now) -> bool:
    """Take the delivery's next attempt if it is due and nobody has: one conditional UPDATE, so of two workers only
    one sends it, and a delivered (or failed) one is never sent by a rerun."""
    return bool(
        Delivery.objects.filter(pk=delivery_id, status=Delivery.PENDING, next_attempt_at__lte=now).update(
            status=Delivery.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    )


def deliver(*, delivery_id: int) -> str:
    """Send one due attempt of a delivery and record it: delivered on a 2xx answer, else the next attempt after the
    backoff, failed after the last. Does nothing if the delivery is not due or is being sent."""
    now = timezone.now()
    if not _claim(delivery_id, now):
        return "not due"
    delivery = Delivery.objects.select_related("event__storefront", "endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    payload = body(delivery.event)
    sent = headers(delivery, payload)
    if endpoint.active:
        answer = targets.post(endpoint.url, payload, sent)
    else:
        answer = targets.Answer(None, "", "not sent: the endpoint is switched off", 0)
    wait = 0
    succeeded = answer.status_code is not None and 200 <= answer.status_code < 300
    Attempt.objects.create(
        delivery=delivery, number=delivery.attempts, manual=delivery.replay_pending, started_at=now,
        duration_ms=answer.duration_ms, url=endpoint.url, request_headers=sent, status_code=answer.status_code,
        response_excerpt=answer.excerpt[:1000], error=answer.error[:500], succeeded=succeeded,
    )  # fmt: skip
    changes = {"claimed_at": None, "last_status_code": answer.status_code, "replay_pending": False}
    if succeeded:
        changes |= {"status": Delivery.DELIVERED, "delivered_at": timezone.now(), "next_attempt_at": None,
                    "failures": 0}  # fmt: skip
        outcome = "delivered"
    elif delivery.failures < len(BACKOFF) and endpoint.active:
        wait = BACKOFF[delivery.failures]
        changes |= {"status": Delivery.PENDING, "failures": delivery.failures + 1,
                    "next_attempt_at": now + timedelta(seconds=wait)}  # fmt: skip
        outcome = f"retry in {wait}s"
    else:
        changes |= {"status": Delivery.FAILED, "failures": delivery.failures + 1, "next_attempt_at": None}
        outcome = "failed"
    Delivery.objects.filter(pk=delivery.pk, status=Delivery.SENDING).update(**changes)
    logger.info("webhook %s to endpoint %s: %s (%s)", delivery.public_id, endpoint.pk, outcome,
                answer.status_code or answer.error[:100],
                extra={"event": "webhook_attempt", "delivery": delivery.pk, "outcome": outcome})  # fmt: skip
    if outcome.startswith("retry") and wait <= 1800:
        from marketplace.webhooks.tasks import deliver_task

        # the sweep would find it too; waits longer than a broker's visibility timeout are left to the sweep
        transaction.on_commit(lambda: deliver_task.apply_async(kwargs={"delivery_id": delivery.pk}, countdown=wait),
                              robust=True)  # fmt: skip
    return outcome


def due_delivery_ids(*, now=None) -> list[int]:
    """Deliveries whose attempt is due, oldest first; a delivery whose worker was lost mid-send is due again."""
    now = now or timezone.now()
    Delivery.objects.filter(status=Delivery.SENDING, claimed_at__lt=now - STALE_SENDING).update(
        status=Delivery.PENDING, next_attempt_at=now, claimed_at=None
    )
    due = Delivery.objects.filter(status=Delivery.PENDING, next_attempt_at__lte=now).order_by("next_attempt_at")
    return list(due.values_list("pk", flat=True)[:SWEEP_BATCH])


def replay(*, delivery: Delivery) -> Delivery:
    """The operator's "Send again": a new attempt of the same event (same event id and body, a fresh signature),
    once a minute at most per delivery; it resets the backoff."""
    if not delivery.endpoint.active:
        raise ValidationError("This endpoint is switched off: switch it on first, then send again.")
    now = timezone.now()
    may = Q(replayed_at__isnull=True) | Q(replayed_at__lte=now - REPLAY_EVERY)
    sent = Delivery.objects.filter(may, pk=delivery.pk).exclude(status=Delivery.SENDING).update(
        status=Delivery.PENDING, next_attempt_at=now, failures=0, replayed_at=now, replay_pending=True
    )
    if not sent:
        raise ValidationError("This delivery is being sent, or was sent again less than a minute ago: wait a "
                              "minute, then send it again.")  # fmt: skip
    from marketplace.webhooks.tasks import deliver_task

    transaction.on_commit(lambda: deliver_task.delay(delivery_id=delivery.pk), robust=True)
    delivery.refresh_from_db()
    return delivery

