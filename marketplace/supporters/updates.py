"""An operator's updates to its True Fans supporters: written in Markdown (sanitised wherever shown), sent by a
worker as a digest e-mail through Oscar's communications (event type ``SUPPORTER_UPDATE``, editable by staff under
Content → Emails), one e-mail per supporter with every update not yet delivered to them, each storefront's part with
its own signed unsubscribe link (and the e-mail's List-Unsubscribe header, for all of them).

Who receives: supporters whose plan counts (paid and running: active, payment overdue, or cancelled but running to
the end of the month paid), who have not turned updates off, of updates sent since their plan began. Each delivery is
an ``UpdateDelivery`` row, written before the e-mail goes and marked sent with it in the same transaction: a second
run, or a second worker, sends nothing twice."""

import datetime
import html
import logging

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from oscar.core.loading import get_class

from catalog.richtext import render_markdown
from marketplace.supporters.models import Support, SupporterUpdate, UpdateDelivery

logger = logging.getLogger(__name__)
Dispatcher = get_class("communication.utils", "Dispatcher")

EVENT_CODE = "SUPPORTER_UPDATE"
RECEIVING = (Support.ACTIVE, Support.PAST_DUE, Support.ENDING)
MAX_PER_DAY = 3  # an operator's updates a day: supporters asked for news, not a newsletter a day
DELIVER_WITHIN = datetime.timedelta(
    days=14
)  # an update not delivered by then (a supporter's address was missing) is old
UNSUBSCRIBE_SALT = "marketplace.supporters.unsubscribe"


class UpdateRefused(ValidationError):
    """Why an update cannot be sent now, in words for the operator."""


# --- reading ------------------------------------------------------------------------------------------------------


def recipients(storefront):
    """The storefront's supporters who receive its updates (one row per plan counted, updates on)."""
    return Support.objects.filter(
        storefront=storefront, status__in=RECEIVING, updates_opt_out=False, user__is_active=True
    ).exclude(user__email="")


def recipient_count(storefront) -> int:
    return recipients(storefront).values("user").distinct().count()


def updates_of(storefront):
    """The storefront's own updates, newest first, each with how many supporters it reached (``reached``)."""
    return SupporterUpdate.objects.filter(storefront=storefront).annotate(
        reached=Count("deliveries", filter=Q(deliveries__sent_at__isnull=False))
    )


def update_of(storefront, pk):
    """One of the storefront's own updates; another storefront's (or none) is ``DoesNotExist``, the same answer."""
    return updates_of(storefront).get(pk=pk)


def body_html(update) -> str:
    """The update's Markdown as HTML, sanitised (no script, no event handler, no javascript: link) and with no
    picture: one loaded from the operator's server would tell it which supporter opened the e-mail, and when."""
    return render_markdown(update.body, images=False)


def body_text(update) -> str:
    """The update as plain text for the e-mail's text part: the sanitised HTML without its tags."""
    return html.unescape(strip_tags(body_html(update))).strip()


# --- sending ------------------------------------------------------------------------------------------------------


def send_update(*, storefront, author, subject: str, body: str) -> SupporterUpdate:
    """Keep the update as sent and queue its e-mails (a worker sends them once the transaction commits). Refused
    (``UpdateRefused``) with no supporter to send to, or past ``MAX_PER_DAY`` updates in 24 hours."""
    subject, body = subject.strip(), body.strip()
    if not subject or not body:
        raise UpdateRefused(_("An update needs a subject and a few words: write both, then send."))
    if recipient_count(storefront) == 0:
        raise UpdateRefused(_(
            "No supporter receives your updates yet: updates go to supporters whose plan is paid and who have not "
            "turned updates off. Share your True Fans page, and send your update once someone supports you."
        ))  # fmt: skip
    with transaction.atomic():
        sent_today = SupporterUpdate.objects.select_for_update().filter(
            storefront=storefront, sent_at__gte=timezone.now() - datetime.timedelta(days=1)
        )
        sent_today = list(sent_today.order_by("sent_at").values_list("sent_at", flat=True))
        if len(sent_today) >= MAX_PER_DAY:
            again = sent_today[-MAX_PER_DAY] + datetime.timedelta(days=1)
            raise UpdateRefused(
                _("You sent %(n)d updates in the last 24 hours, the most a day. Keep this one and send it after "
                  "%(time)s UTC, or fold it into your next update.")
                % {"n": len(sent_today), "time": again.strftime("%d %b %H:%M")}
            )  # fmt: skip
        update = SupporterUpdate.objects.create(
            storefront=storefront, author=author, subject=subject[:150], body=body, sent_at=timezone.now()
        )
        transaction.on_commit(lambda: _queue(update.pk), robust=True)
    return update


def _queue(update_id: int) -> None:
    from marketplace.supporters.tasks import send_supporter_update_task

    send_supporter_update_task.delay(update_id=update_id)


def deliver_update(*, update_id: int) -> int:
    """Send the digest to every supporter the update is for; answers how many e-mails went now (0 on a rerun)."""
    update = SupporterUpdate.objects.select_related("storefront").get(pk=update_id)
    if update.sent_at is None:
        return 0
    users = recipients(update.storefront).filter(date_created__lte=update.sent_at).values_list("user", flat=True)
    return sum(deliver_digest(user_id=user_id) for user_id in sorted(set(users)))


def _pending(user_id: int):
    """The updates this supporter should have and has not had yet, oldest first."""
    supports = Support.objects.filter(user_id=user_id, status__in=RECEIVING, updates_opt_out=False)
    since = dict(supports.values_list("storefront_id", "date_created"))
    if not since:
        return SupporterUpdate.objects.none()
    wanted = Q()
    for storefront_id, created in since.items():
        wanted |= Q(storefront_id=storefront_id, sent_at__gte=created)
    return (
        SupporterUpdate.objects.filter(wanted, sent_at__gte=timezone.now() - DELIVER_WITHIN)
        .exclude(pk__in=UpdateDelivery.objects.filter(user_id=user_id, sent_at__isnull=False).values("update_id"))
        .select_related("storefront")
        .order_by("sent_at", "pk")
    )


def deliver_digest(*, user_id: int) -> int:
    """One e-mail to the supporter with every update not delivered to them yet; 1 if it went, 0 if nothing waited.
    The delivery rows are locked while the e-mail goes and marked sent with it: a concurrent run waits, then finds
    them sent."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(pk=user_id, is_active=True).exclude(email="").first()
    if user is None:
        return 0
    pending = list(_pending(user_id))
    if not pending:
        return 0
    UpdateDelivery.objects.bulk_create(
        [UpdateDelivery(update=update, user=user) for update in pending], ignore_conflicts=True
    )
    with transaction.atomic():
        deliveries = list(
            UpdateDelivery.objects.select_for_update()
            .filter(user=user, update__in=pending, sent_at__isnull=True)
            .order_by("pk")
        )
        updates = [update for update in pending if update.pk in {d.update_id for d in deliveries}]
        if not updates:
            return 0
        _send_digest(user, updates)
        UpdateDelivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(sent_at=timezone.now())
    return 1


# --- the e-mail ---------------------------------------------------------------------------------------------------


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def unsubscribe_token(*, user_id: int, storefront_id: int | None = None) -> str:
    """A signed token that turns off updates for the supporter: from one storefront, or (None) from all."""
    payload = {"u": user_id} if storefront_id is None else {"u": user_id, "s": storefront_id}
    return signing.dumps(payload, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(*, user_id: int, storefront_id: int | None = None) -> str:
    token = unsubscribe_token(user_id=user_id, storefront_id=storefront_id)
    return _absolute(reverse("supporters:unsubscribe", kwargs={"token": token}))


def digest_context(user, updates) -> dict:
    """What the e-mail's templates read: the supporter and, per storefront, its updates and its unsubscribe link."""
    sections = {}
    for update in updates:
        storefront = update.storefront
        section = sections.setdefault(storefront.pk, {
            "storefront": storefront, "storefront_url": _absolute(storefront.get_absolute_url()),
            "unsubscribe_url": unsubscribe_url(user_id=user.pk, storefront_id=storefront.pk), "updates": [],
        })  # fmt: skip
        section["updates"].append({"subject": update.subject, "sent_at": update.sent_at,
                                   "html": body_html(update), "text": body_text(update)})  # fmt: skip
    return {
        "user": user, "sections": list(sections.values()), "update_count": len(updates),
        "unsubscribe_all_url": unsubscribe_url(user_id=user.pk), "site_url": settings.SITE_URL.rstrip("/"),
    }  # fmt: skip


class _WithHeaders:
    """A mail connection that adds headers to each message it sends (Oscar's dispatcher builds the message itself
    and takes a connection)."""

    def __init__(self, headers: dict):
        self.headers, self.connection = headers, get_connection()

    def send_messages(self, messages):
        for message in messages:
            message.extra_headers.update(self.headers)
        return self.connection.send_messages(messages)


def _send_digest(user, updates) -> None:
    context = digest_context(user, updates)
    headers = {"List-Unsubscribe": f"<{context['unsubscribe_all_url']}>"}
    dispatcher = Dispatcher(logger=logger, mail_connection=_WithHeaders(headers))
    messages = dispatcher.get_messages(EVENT_CODE, context)
    dispatcher.dispatch_user_messages(user, messages)  # kept in the person's e-mail history (Oscar's Email)


# --- unsubscribing ------------------------------------------------------------------------------------------------


class BadToken(Exception):
    """The link was changed or cut short."""


def read_token(token: str) -> dict:
    try:
        payload = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise BadToken from None
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), int):
        raise BadToken
    if "s" in payload and not isinstance(payload["s"], int):
        raise BadToken
    return payload


def supports_for_token(payload: dict):
    """The supporter's plans the token speaks for (ended ones too: a late click must still work)."""
    supports = Support.objects.filter(user_id=payload["u"]).select_related("storefront")
    if "s" in payload:
        supports = supports.filter(storefront_id=payload["s"])
    return supports


def unsubscribe(payload: dict) -> int:
    """Turn updates off for the token's plans; answers how many were on (0 when clicked twice)."""
    return (
        supports_for_token(payload)
        .filter(updates_opt_out=False)
        .update(updates_opt_out=True, unsubscribed_at=timezone.now())
    )
