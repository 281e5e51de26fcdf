"""Who may use a view, for views outside Oscar's dashboard apps (which have their own permission maps)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from certification.services import is_certifier


def staff_member_required(view):
    """Staff only: anonymous visitors are sent to sign in, signed-in non-staff get 403 (not a login loop)."""

    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not request.user.is_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def permission_denied(request, exception):
    """The shop's refusal page (``handler403``): why, when the refusal says, and what the account may do instead."""
    reason = str(exception) if getattr(exception, "args", None) else ""
    return render(request, "403.html", {"reason": reason, "is_certifier": is_certifier(request.user)}, status=403)
