"""Certification pages: the public directory and verification, contributing and applying, the certifier queue."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from catalog.models import Design
from certification import checklist, selectors, services
from certification.forms import CertificateFilterForm, ContributionForm, DecisionForm, ResultForm, ReviewForm
from certification.models import Contribution, PerformanceCriterion, PerformanceResult


def directory(request):
    form = CertificateFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    certificates = selectors.certificate_directory(query=data.get("q", ""), include_all=data.get("state") == "all")
    return render(request, "certification/directory.html", {"form": form, "certificates": certificates})


def certificate(request, public_id):
    cert = selectors.certificate_page(public_id=public_id)
    if cert is None:  # a number no certificate has: say so, and where to look
        return render(request, "certification/certificate_unknown.html", {"public_id": public_id}, status=404)
    return render(request, "certification/certificate.html", {"certificate": cert, "state": cert.state()})


@login_required
def contribute(request, slug):
    design = get_object_or_404(Design, slug=slug)
    form = ContributionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_contribution(design=design, author=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, "Thank you: a certifier will review your contribution.")
            return redirect(design.get_absolute_url())
    return render(request, "certification/contribute.html", {"design": design, "form": form})


@login_required
def submit_result(request, pk):
    criterion = get_object_or_404(PerformanceCriterion.objects.select_related("design"), pk=pk)
    form = ResultForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_result(criterion=criterion, submitted_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, "Result recorded: a certifier will review its evidence.")
            return redirect(criterion.design.get_absolute_url())
    return render(request, "certification/result.html", {"criterion": criterion, "form": form})


@login_required
def apply(request, slug):
    design = get_object_or_404(Design, slug=slug)
    items = services.checklist_for(design=design)
    if request.method == "POST":
        try:
            services.apply_for_certification(design=design, applicant=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Your application is in the certifiers' queue.")
            return redirect(design.get_absolute_url())
    return render(
        request, "certification/apply.html", {"design": design, "items": items, "ready": checklist.passes(items)}
    )


def certifier_required(view):
    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not services.is_certifier(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@certifier_required
def queue(request):
    return render(request, "certification/dashboard/queue.html", selectors.certifier_queue())


@certifier_required
def application(request, pk):
    app = selectors.application_page(pk=pk)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_application(application=app, certifier=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Decision recorded.")
            return redirect("certification:application", pk=app.pk)
    context = {"application": app, "items": services.checklist_for(design=app.design), "form": form}
    return render(request, "certification/dashboard/application.html", context)


@certifier_required
@require_POST
def review_contribution(request, pk):
    contribution = get_object_or_404(Contribution, pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose accept or reject.")
        return redirect("certification:queue")
    try:
        services.review_contribution(contribution=contribution, certifier=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("certification:queue")


@certifier_required
@require_POST
def review_result(request, pk):
    result = get_object_or_404(PerformanceResult, pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose accept or reject.")
        return redirect("certification:queue")
    try:
        services.review_result(result=result, certifier=request.user, accept=form.cleaned_data["accept"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("certification:queue")
