"""What the account bar says about the signed-in person, read in one query per request: whether they may open the
dashboard (staff, or Oscar's ``partner.dashboard_access`` on them or a group of theirs), whether they certify, and
how many notifications they have not read. Every page's header needs these; Django's permission check alone costs
two queries and Oscar's notification count a third."""

import logging
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils.functional import SimpleLazyObject
from oscar.core.loading import get_model

from certification.services import CERTIFIERS

Notification = get_model("communication", "Notification")
NOBODY = SimpleNamespace(dashboard=False, certifier=False, unread=0)
EPOCH = "account-facts-epoch"  # bumped when a group's permissions change: every member's facts
logger = logging.getLogger(__name__)


def account_facts(request) -> SimpleNamespace:
    """The requester's facts, read once and kept on the request."""
    user = request.user
    if not user.is_authenticated:
        return NOBODY
    facts = getattr(request, "_account_facts", None)
    if facts is None:
        row = (
            get_user_model()
            .objects.filter(pk=user.pk)
            .annotate(
                dashboard_access=Exists(
                    Permission.objects.filter(
                        Q(user=OuterRef("pk")) | Q(group__user=OuterRef("pk")),
                        codename="dashboard_access", content_type__app_label="partner",
                    )
                ),
                certifies=Exists(Group.objects.filter(user=OuterRef("pk"), name=CERTIFIERS)),
                unread=Count("notifications", filter=Q(notifications__date_read=None)),
            )
            .values("dashboard_access", "certifies", "unread")
            .first()
        ) or {"dashboard_access": False, "certifies": False, "unread": 0}  # fmt: skip
        facts = SimpleNamespace(
            dashboard=user.is_staff or row["dashboard_access"], certifier=row["certifies"], unread=row["unread"]
        )
        request._account_facts = facts
    return facts


def notifications(request) -> dict:
    """Oscar's ``num_unread_notifications`` context, read only by a template that shows it (with the other facts)."""
    return {"num_unread_notifications": SimpleLazyObject(lambda: account_facts(request).unread)}


# --- keeping the account bar in the cache between changes of these facts ------------------------------------------


def _bump(key: str) -> None:
    try:
        if not cache.add(key, 1, timeout=None):
            cache.incr(key)
    except Exception:  # the cache is down: kept pieces expire within PAGE_CACHE_SECONDS
        logger.warning("Could not bump %s", key)


def changed(user_id=None) -> None:
    """The facts of ``user_id`` (everyone's when None) changed: now, and again once the change commits."""
    key = EPOCH if user_id is None else f"account-facts:{user_id}"
    _bump(key)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _bump(key), robust=True)


def on_notification(sender, instance, **kwargs) -> None:
    changed(instance.recipient_id)


def on_membership(sender, instance, **kwargs) -> None:
    """A user's groups or permissions changed (either side of the relation)."""
    if kwargs.get("action", "").startswith("pre_"):
        return
    if isinstance(instance, get_user_model()):
        changed(instance.pk)
    else:  # a group's or a permission's users: those named, or everyone when cleared
        for user_id in kwargs.get("pk_set") or [None]:
            changed(user_id)


def on_group_permissions(sender, instance, **kwargs) -> None:
    if not kwargs.get("action", "").startswith("pre_"):
        changed(None)


def connect() -> None:
    from django.db.models.signals import m2m_changed, post_delete, post_save

    User = get_user_model()
    for signal in (post_save, post_delete):
        signal.connect(on_notification, sender=Notification, dispatch_uid=f"account-facts-notification-{signal}")
    m2m_changed.connect(on_membership, sender=User.groups.through, dispatch_uid="account-facts-groups")
    m2m_changed.connect(on_membership, sender=User.user_permissions.through, dispatch_uid="account-facts-perms")
    m2m_changed.connect(on_group_permissions, sender=Group.permissions.through, dispatch_uid="account-facts-group")


def piece_key(request) -> str:
    """The key of the account bar (and the certification link) as they stand for the requester."""
    user = request.user
    if not user.is_authenticated:
        return "anonymous"
    versions = cache.get_many([f"account-facts:{user.pk}", EPOCH])
    return f"u{user.pk}:{versions.get(f'account-facts:{user.pk}', 0)}:{versions.get(EPOCH, 0)}"
