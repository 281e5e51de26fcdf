"""The Social Contract's pages: the public text and its versions, accepting it, one's own receipt as a PDF, and the
staff page that publishes versions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from marketplace.accounts.access import staff_may, staff_permission_required
from marketplace.accounts.security import client_ip
from marketplace.contract import pdf, selectors, services
from marketplace.contract.forms import AcceptanceForm, PublishForm
from marketplace.ops.pagecache import anonymous_page


@anonymous_page
def current(request):
    versions = list(selectors.published_versions())
    return render(request, "contract/current.html", {"version": versions[0] if versions else None,
                                                     "older": versions[1:]})  # fmt: skip


@anonymous_page
def version_detail(request, version):
    shown = selectors.version(number=version)
    return render(request, "contract/version.html", {"version": shown, "current": selectors.current_version()})


@login_required
def accept(request):
    standing = selectors.standing(request.user)
    version = standing.current
    if version is None:
        messages.info(request, _("No version of the OSE Social Contract is published yet: there is nothing to accept."))
        return redirect("contract:current")
    acceptances = selectors.own_acceptances(request.user)
    last = acceptances.first()  # accepting a new version: the name and e-mail given last time
    initial = {"name": last.name, "email": last.email} if last else None
    form = AcceptanceForm(request.POST or None, version=version, user=request.user, initial=initial)
    if request.method == "POST" and standing.accepted is None and form.is_valid():
        try:
            acceptance = services.accept_version(
                user=request.user, version=version, name=form.cleaned_data["name"],
                email=form.cleaned_data["email"], ip_address=client_ip(request),
            )  # fmt: skip
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("You accepted version %(number)s of the OSE Social Contract; your receipt is "
                                        "below.") % {"number": acceptance.version.number})  # fmt: skip
            return redirect("contract:accept")
    context = {"version": version, "standing": standing, "form": form,
               "acceptances": acceptances}  # fmt: skip
    return render(request, "contract/accept.html", context)


@login_required
def receipt(request, pk):
    acceptance = selectors.own_acceptance(request.user, pk)
    response = HttpResponse(pdf.acceptance_receipt(acceptance), content_type="application/pdf")
    name = f"social-contract-v{acceptance.version.number}-receipt-{acceptance.pk}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- staff -----------------------------------------------------------------------------------------------------


def _staff_page(request, form: PublishForm | None = None):
    context = {"versions": selectors.versions_with_counts(), "operators": selectors.operator_count(),
               "form": form or PublishForm(), "may_publish": staff_may(request.user, "publish_contract")}  # fmt: skip
    return render(request, "contract/dashboard/versions.html", context)


@staff_permission_required("view_contract", "publish_contract")
def staff_versions(request):
    return _staff_page(request)


@staff_permission_required("publish_contract")
@require_POST
def staff_publish(request):
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            version = services.publish_version(staff=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Version %(number)s is published; every operator is asked by e-mail to "
                                        "accept it.") % {"number": version.number})  # fmt: skip
            return redirect("contract:staff")
    return _staff_page(request, form)
