"""Staff pages for designs, in the Oscar dashboard; and Oscar's product page with licence terms added."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import CreateView, ListView
from oscar.apps.dashboard.catalogue import views as oscar_views

from catalog import licences, selectors, services
from catalog.models import Design
from marketplace.dashboard_catalogue.forms import (
    BaseLicenceTermsFormSet,
    BillOfMaterialsFormSet,
    DesignDocumentFormSet,
    DesignForm,
    DesignImageFormSet,
    ProductForm,
    StockRecordFormSet,
)
from marketplace.storefronts import producers
from tiers import rules as tier_rules
from tiers import services as tier_services


class ProductCreateUpdateView(oscar_views.ProductCreateUpdateView):
    form_class = ProductForm
    licence_terms_formset = BaseLicenceTermsFormSet
    stockrecord_formset = StockRecordFormSet

    def get_page_title(self):
        if self.creating and self.parent is None:  # Oscar's "Create new Level 1 · Physical product product"
            return _("Create a new %(product_class)s") % {"product_class": self.product_class.name}
        return super().get_page_title()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.formsets["licence_terms_formset"] = self.licence_terms_formset

    def dispatch(self, request, *args, **kwargs):
        # An operator edits only products that no other operator offers; its own offer on a shared product (price,
        # stock, SKU) is changed on its offers page, where this sends it.
        if request.user.is_authenticated and not request.user.is_staff and "pk" in self.kwargs:
            product = self.get_object()
            if product is not None and selectors.shared_with_others(product=product, user=request.user):
                messages.info(request, _(
                    "“%(title)s” is offered by other operators too: its title, description and images stay with its "
                    "owner. Change your own offer of it (price, stock, SKU) here."
                ) % {"title": product.get_title()})  # fmt: skip
                return redirect(reverse("storefronts:offers") + f"#product-{product.pk}")
        return super().dispatch(request, *args, **kwargs)

    def forms_valid(self, form, formsets):
        # The tier rules read the product's categories, saved with its offers: they are checked on the saved
        # product (see get_success_url), and a refusal undoes the save.
        try:
            with transaction.atomic():
                return super().forms_valid(form, formsets)
        except ValidationError as error:
            form.add_error(None, error)
            for refusal in error.error_list:  # named at the top of the page, not only in the offers' tab
                if refusal.code in tier_rules.RULE_NAMES:
                    messages.error(self.request, tier_rules.refusal(refusal.code, refusal.message))
            return self.forms_invalid(form, formsets)

    def get_success_url(self):
        # Oscar calls this once every form and formset is saved, before it says the product was saved.
        for offer in self.object.stockrecords.select_related("partner"):
            tier_services.validate_offer(partner=offer.partner, product=self.object)
        return super().get_success_url()

    def process_all_forms(self, form):
        # Oscar's stock record formset fails (500) on a post without its management form: refuse it clearly.
        if not any(key.endswith("-TOTAL_FORMS") for key in self.request.POST):
            return HttpResponseBadRequest("The product form was incomplete: reload the page and try again.")
        return super().process_all_forms(form)

    form_valid = form_invalid = process_all_forms  # noqa: F811 - Oscar's own aliasing, re-pointed at our method


class ProductListView(oscar_views.ProductListView):
    """Oscar's product list; for an operator each row knows whether other operators offer the product too (its
    actions then lead to the operator's own offer instead of a product form it may not save)."""

    def get_queryset(self):
        return selectors.with_shared_flag(super().get_queryset(), user=self.request.user)


class ProductLookupView(oscar_views.ProductLookupView):
    """Oscar's product lookup (the dashboard's product pickers). Its page, page size and ids come straight from
    the query string; one that is not a whole number in range, or a term with a NUL (which PostgreSQL cannot
    compare), is refused (400) instead of failing the query."""

    most = {"page": 10**6, "page_limit": 100, "id": 2**63 - 1}

    def get(self, request):
        try:
            initial, term, page, page_limit = self.get_args()
            ids = [int(pk) for pk in initial.split(",")] if initial else []
        except ValueError:
            return HttpResponseBadRequest("page, page_limit and initial take whole numbers.")
        if "\x00" in (term or ""):
            return HttpResponseBadRequest("A search term has no NUL characters.")
        numbers = [(page, "page"), (page_limit, "page_limit")] + [(pk, "id") for pk in ids]
        if any(not 1 <= number <= self.most[name] for number, name in numbers):
            return HttpResponseBadRequest("page, page_limit or an id of initial is out of range.")
        return super().get(request)


class StockAlertListView(oscar_views.StockAlertListView):
    """Oscar's stock alert list. A status its search form refuses (empty, or with a NUL) lists every alert with the
    form's error, instead of failing on the description Oscar sets only for a valid or missing status."""

    description = _("All alerts")


class DesignListView(ListView):
    template_name = "oscar/dashboard/catalogue/design_list.html"
    context_object_name = "designs"
    paginate_by = 50

    def get_queryset(self):
        query = self.request.GET.get("q", "")[:200].replace("\x00", "")  # no NUL in SQL
        return selectors.designs(query=query).select_related("spec_score")

    def get_context_data(self, **kwargs):
        """Each design of the page with its producers and non-producers (who sells which level)."""
        ctx = super().get_context_data(**kwargs)
        sellers = producers.sellers_by_design(design.pk for design in ctx["designs"])
        for design in ctx["designs"]:
            design.sellers = sellers[design.pk]
        return ctx


class DesignCreateView(CreateView):
    form_class = DesignForm
    template_name = "oscar/dashboard/catalogue/design_form.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "licence_choices": DesignForm.licence_choices()}

    def form_valid(self, form):
        design = form.save()
        services.ensure_documentation_areas(design=design)
        messages.success(self.request, _("Design “%(name)s” created. Now document it.") % {"name": design.name})
        return redirect("dashboard:catalogue-design-update", pk=design.pk)


def design_update(request, pk):
    """One page for a design: its details, six documentation areas, bill of materials and images."""
    design = get_object_or_404(Design, pk=pk)
    services.ensure_documentation_areas(design=design)
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = DesignForm(data, files, instance=design)
    formsets = {
        "documents": DesignDocumentFormSet(data, instance=design, prefix="documents"),
        "bom": BillOfMaterialsFormSet(data, instance=design, prefix="bom"),
        "images": DesignImageFormSet(data, files, instance=design, prefix="images"),
    }
    if request.method == "POST" and form.is_valid() and all(fs.is_valid() for fs in formsets.values()):
        with transaction.atomic():
            form.save()
            services.save_documentation(formset=formsets["documents"], reviewer=request.user)
            formsets["bom"].save()
            formsets["images"].save()
        messages.success(request, _("Design “%(name)s” saved.") % {"name": design.name})
        return redirect(reverse("dashboard:catalogue-design-update", kwargs={"pk": design.pk}))
    if request.method == "POST":
        messages.error(request, _("The design was not saved: correct the errors below."))
    return render(
        request,
        "oscar/dashboard/catalogue/design_form.html",
        {
            "form": form,
            "design": design,
            "licence_choices": {kind: licences.choices(kind) for kind in licences.KINDS},
            "products": design.products.select_related("product_class").order_by("level", "title"),
            **formsets,
        },
    )
