"""Shopper pages for designs. Views parse input and call one selector; the queries live in selectors.py."""

from types import SimpleNamespace

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.decorators import method_decorator
from oscar.apps.catalogue.views import ProductDetailView as OscarProductDetailView
from oscar.core.loading import get_class

from catalog import costs, recursion, standards
from catalog.models import Level
from certification import marks
from marketplace.browse import selectors
from marketplace.browse.forms import DirectoryFilterForm
from marketplace.ops import pagecache
from marketplace.ops.pagecache import anonymous_page
from marketplace.specs import charts as spec_charts
from marketplace.specs import selectors as spec_selectors
from marketplace.stewardship import figures as stewardship_figures
from marketplace.storefronts import producers as storefront_producers
from marketplace.storefronts import selectors as storefront_selectors
from marketplace.storefronts.forms import LocationForm

CustomerHistoryManager = get_class("customer.history", "CustomerHistoryManager")


@anonymous_page
def design_list(request):
    form = DirectoryFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    items = selectors.design_directory(
        query=filters.get("q", ""),
        level=filters.get("level"),
        licence=filters.get("licence", ""),
        category=filters.get("category"),
        min_score=filters.get("score"),
        by_score=filters.get("sort") == "score",
    )
    page = Paginator(items, 24).get_page(request.GET.get("page"))
    return render(request, "catalog/design_list.html", {"form": form, "page_obj": page, "designs": page.object_list})


@anonymous_page
def design_detail(request, slug):
    location_form = LocationForm(request.GET)
    origin = location_form.location()
    design = selectors.design_detail(slug=slug, origin=origin)
    products = list(design.products.all())
    levels = [
        {"value": value, "label": label, "products": [p for p in products if p.level == value]}
        for value, label in Level.choices
    ]
    documents = list(design.documents.all())
    metric = spec_selectors.design_metric(design)
    certificates = marks.valid_certificates(design)
    # the page says "Certified" and who may show the mark no longer than those certificates hold
    pagecache.valid_until(request, min((certificate.expires_at for certificate in certificates), default=None))
    context = {
        "design": design,
        "location_form": location_form,
        "located": origin is not None,
        "levels": levels,
        "areas": standards.area_states(documents),
        "completeness": standards.completeness(documents),
        "full_cost": costs.full_cost(design),
        "certificates": certificates,
        "entitled_storefronts": storefront_selectors.entitled_storefronts(design),
        "licences": _licences(design),
        "metric": metric,
        "metric_chart": spec_charts.group_chart(metric.score) if metric.score else None,
        "sellers": storefront_producers.sellers_by_design([design.pk])[design.pk],
        "stewardship": stewardship_figures.for_design(design),
        "streams": stewardship_figures.stream_labels(),
    }
    return render(request, "catalog/design_detail.html", context)


@anonymous_page
def design_graph(request, slug):
    design = selectors.design_detail(slug=slug)
    graph = recursion.recursion_graph(design)
    return render(request, "catalog/design_graph.html", {"design": design, "graph": recursion.layout(graph)})


def _remember_viewed(request, response, meta):
    """A product page served from the cache still goes into the shopper's recently viewed products (a cookie)."""
    CustomerHistoryManager.update(SimpleNamespace(id=meta["product_id"]), request, response)


def _licences(design) -> list:
    return [(kind, design.licence(kind), getattr(design, f"{kind}_licence")) for kind in
            ("hardware", "software", "documentation")]  # fmt: skip


def _open_design(request, product) -> dict:
    """What a product page says about its design: licences, documentation score, the mark, the other levels."""
    design = product.design
    certificates = marks.valid_certificates(design)
    pagecache.valid_until(request, min((certificate.expires_at for certificate in certificates), default=None))
    return {
        "design": design,
        "licences": _licences(design),
        "completeness": standards.completeness(design.documents.all()),
        "certificates": certificates,
        "entitled_storefronts": list(storefront_selectors.entitled_storefronts(design)),
        "other_products": selectors.other_levels(product),
    }


@method_decorator(
    anonymous_page(on_hit=_remember_viewed, vary_on=(settings.OSCAR_RECENTLY_VIEWED_COOKIE_NAME,)), name="dispatch"
)
class ProductDetailView(OscarProductDetailView):
    """Oscar's product page, plus every live offer, nearest operator first when the shopper says where they are."""

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("product_class", "design")
            .prefetch_related("stockrecords__partner__storefront", "images")
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        location_form = LocationForm(self.request.GET)
        origin = location_form.location()
        ctx["location_form"], ctx["located"] = location_form, origin is not None
        ctx["offers"] = list(storefront_selectors.live_offers(origin=origin).filter(product=self.object))
        ctx["offers_listed"] = True  # Oscar's review pages extend this template without the offers
        tracked = self.object.get_product_class().track_stock
        buyable = [offer for offer in ctx["offers"] if not tracked or (offer.net_stock_level or 0) > 0]
        prices = [offer.price for offer in buyable or ctx["offers"] if offer.price is not None]
        ctx["lowest_price"] = min(prices, default=None)  # "from $X": the cheapest one can buy, not a sold-out one
        if self.object.design_id:
            ctx["open_design"] = _open_design(self.request, self.object)
            holders = {store.pk for store in ctx["open_design"]["entitled_storefronts"]}
            for offer in ctx["offers"]:
                offer.holds_the_mark = getattr(offer.partner, "storefront", None) is not None and (
                    offer.partner.storefront.pk in holders)  # fmt: skip
        return ctx

    def send_signal(self, request, response, product):
        """Only the recently-viewed cookie: Oscar's product_viewed receivers also write an analytics row on every
        view, a database write on the busiest read path."""
        CustomerHistoryManager.update(product, request, response)
        response.cache_meta = {"product_id": product.pk}
