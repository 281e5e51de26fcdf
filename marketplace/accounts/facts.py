"""What the account bar says about the signed-in person, read in one query per request: whether they may open the
dashboard (staff, or Oscar's ``partner.dashboard_access`` on them or a group of theirs), whether they certify, and
how many notifications they have not read. Every page's header needs these; Django's permission check alone costs
two queries and Oscar's notification count a third."""

from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db.models import Count, Exists, OuterRef, Q
from django.utils.functional import SimpleLazyObject
from oscar.core.loading import get_model

from certification.services import CERTIFIERS

Notification = get_model("communication", "Notification")
NOBODY = SimpleNamespace(dashboard=False, certifier=False, unread=0)


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
