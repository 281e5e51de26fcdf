"""The producer's QC of a unit (its dashboard), and the staff's QC checklists of designs."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.models import Design
from marketplace.accounts.access import check_staff, staff_permission_required
from marketplace.lifecycle import selectors, services
from marketplace.lifecycle.forms import QCRecordForm, checklist_formset
from marketplace.lifecycle.models import QCStep


def _order_page(unit) -> str:
    return reverse("dashboard:order-detail", kwargs={"number": unit.line.order.number}) + f"#unit-{unit.pk}"


@login_required
def unit_qc(request, pk):
    """The producing operator records its design's QC checklist for one of its units (another operator's unit is a
    404); the unit's earlier records stay as they were."""
    unit = get_object_or_404(selectors.units_for_operator(request.user), pk=pk)
    if request.user.is_staff:
        check_staff(request.user, "change_part")
    steps = list(QCStep.objects.filter(design_id=unit.design_id)) if unit.design_id else []
    form = QCRecordForm(request.POST or None, steps=steps)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                record = services.record_qc(unit_id=unit.pk, actor=request.user, answers=form.answers())
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                status = 400
            else:
                if record.passed:
                    messages.success(request, _("%(serial)s passed QC: it may ship.") % {"serial": unit.serial})
                else:
                    failed = ", ".join(result.name for result in record.results.all() if not result.passed)
                    messages.warning(request, _("%(serial)s failed QC (%(steps)s): it cannot ship. Fix it and record "
                                                "its QC again; this record stays in its history.")
                                     % {"serial": unit.serial, "steps": failed})  # fmt: skip
                return redirect(_order_page(unit))
        else:
            status = 400
    context = {"unit": unit, "form": form, "steps": steps, "history": selectors.unit_history(unit),
               "shipped": unit.state != unit.IN_PRODUCTION, "order_page": _order_page(unit)}  # fmt: skip
    return render(request, "lifecycle/dashboard/unit_qc.html", context, status=status)


@staff_permission_required("edit_qc_checklist")
def checklists(request):
    """Staff: the physical designs and how many QC steps each has."""
    designs = (Design.objects.filter(products__level__in=(1, 2), products__product_class__requires_shipping=True)
               .distinct().annotate(steps=Count("qc_steps", distinct=True)).order_by("name"))  # fmt: skip
    return render(request, "lifecycle/dashboard/checklists.html", {"designs": designs})


@staff_permission_required("edit_qc_checklist")
def design_checklist(request, pk):
    """Staff edit a design's QC checklist. Records already made keep the steps as they were."""
    design = get_object_or_404(Design, pk=pk)
    formset = checklist_formset(design, request.POST or None)
    if request.method == "POST":
        if formset.is_valid():
            with transaction.atomic():
                for step in formset.save(commit=False):
                    step.design = design
                    step.save()
                for step in formset.deleted_objects:
                    step.delete()
            messages.success(request, _("The QC checklist of %(design)s is saved.") % {"design": design})
            return redirect("lifecycle:design-checklist", pk=design.pk)
        messages.error(request, _("Nothing saved: correct the steps marked below."))
    criteria = list(design.criteria.all())
    context = {"design": design, "formset": formset, "criteria": criteria,
               "linked": set(QCStep.objects.filter(design=design).values_list("criterion_id", flat=True))}  # fmt: skip
    return render(request, "lifecycle/dashboard/checklist.html", context, status=400 if formset.is_bound else 200)


@staff_permission_required("edit_qc_checklist")
@require_POST
def design_checklist_from_criteria(request, pk):
    design = get_object_or_404(Design, pk=pk)
    added = services.start_checklist_from_criteria(design=design)
    if added:
        messages.success(request, _("%(n)d steps added from the performance criteria: check their names and limits.")
                         % {"n": added})  # fmt: skip
    else:
        messages.info(request, _("Every performance criterion of this design already has its step."))
    return redirect("lifecycle:design-checklist", pk=design.pk)
