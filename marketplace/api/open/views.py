"""The open endpoints: read-only viewsets over the public pages' selectors. Anonymous, throttled per address,
paginated; every error is JSON (see ``marketplace.api.errors`` for paths no view answers)."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer

from catalog.models import BillOfMaterialsLine, Design, Product
from certification import marks
from certification import selectors as certification_selectors
from certification.models import Certificate, MarkHolder
from marketplace.api.open import filters, serializers
from marketplace.api.open.pagination import OpenPagination
from marketplace.api.open.throttling import OpenDataThrottle
from marketplace.revenue import selectors as revenue_selectors
from marketplace.revenue.models import Account
from marketplace.storefronts import selectors as storefront_selectors
from marketplace.storefronts.models import Storefront

ERROR = OpenApiResponse(
    response=OpenApiTypes.OBJECT, description='What was wrong, e.g. {"detail": "..."} or {"field": ["..."]}.'
)
LIST_ERRORS = {400: ERROR, 404: ERROR, 429: ERROR}  # 404: a page past the last
DETAIL_ERRORS = {404: ERROR, 429: ERROR}


class OpenViewSet(viewsets.GenericViewSet):
    authentication_classes = []
    permission_classes = []
    throttle_classes = [OpenDataThrottle]
    pagination_class = OpenPagination
    filter_backends = [DjangoFilterBackend]
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer]


class ReadOnlyOpenViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OpenViewSet):
    pass


@extend_schema_view(
    list=extend_schema(summary="Designs", responses={200: serializers.DesignSerializer(many=True), **LIST_ERRORS},
                       description="Every open design: levels offered, licences, documentation, bill of materials "
                       "and used-in edges, full cost, Specifications score, certificates."),
    retrieve=extend_schema(summary="One design", responses={200: serializers.DesignSerializer, **DETAIL_ERRORS}),
)  # fmt: skip
class DesignViewSet(ReadOnlyOpenViewSet):
    serializer_class = serializers.DesignSerializer
    filterset_class = filters.DesignFilter
    lookup_field = "slug"
    queryset = Design.objects.all()

    def filter_queryset(self, queryset):
        return (
            super()
            .filter_queryset(queryset)
            .prefetch_related(
                Prefetch("bom_lines", queryset=BillOfMaterialsLine.objects.select_related("component")),
                Prefetch("used_in_lines", queryset=BillOfMaterialsLine.objects.select_related("design")),
                "certificates",
            )
        )


@extend_schema_view(
    list=extend_schema(summary="Products and their live offers",
                       responses={200: serializers.ProductSerializer(many=True), **LIST_ERRORS},
                       description="Public products someone offers, as the catalogue lists them, each with its live "
                       "offers (active storefronts; licences only from holders of the mark), cheapest first."),
    retrieve=extend_schema(summary="One product", responses={200: serializers.ProductSerializer, **DETAIL_ERRORS}),
)  # fmt: skip
class ProductViewSet(ReadOnlyOpenViewSet):
    serializer_class = serializers.ProductSerializer
    filterset_class = filters.ProductFilter
    lookup_url_kwarg = "id"  # not "pk": the shop's HostilePathMiddleware answers a bad "pk" with its HTML 404
    lookup_value_regex = "[^/]+"
    queryset = Product.objects.none()

    def filter_queryset(self, queryset):
        offers = storefront_selectors.live_offers().select_related("partner")
        return (
            super()
            .filter_queryset(queryset)
            .select_related("design")
            .prefetch_related(None)
            .prefetch_related(Prefetch("stockrecords", queryset=offers, to_attr="live_offers"))
        )

    def get_object(self):
        raw = self.kwargs["id"]
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 18):
            raise NotFound("No product has that id.")
        return get_object_or_404(self.filter_queryset(self.get_queryset()), pk=int(raw))


@extend_schema_view(
    list=extend_schema(summary="Storefronts",
                       responses={200: serializers.StorefrontSerializer(many=True), **LIST_ERRORS},
                       description="Active storefronts: tier, place, and the designs on which each may show the OSE "
                       "Certified mark."),
    retrieve=extend_schema(summary="One storefront",
                           responses={200: serializers.StorefrontSerializer, **DETAIL_ERRORS}),
)  # fmt: skip
class StorefrontViewSet(ReadOnlyOpenViewSet):
    serializer_class = serializers.StorefrontSerializer
    filterset_class = filters.StorefrontFilter
    lookup_field = "slug"
    queryset = Storefront.objects.none()

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "marks": getattr(self, "_marks", {})}

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self._marks = _marks_shown(page)
        return page

    def get_object(self):
        storefront = super().get_object()  # active ones only: the directory's selector
        self._marks = _marks_shown([storefront])
        return storefront


def _marks_shown(storefronts) -> dict[int, list[Design]]:
    """The designs each storefront's page lists under "Certified marks": those it offers whose mark its operator
    holds now (``certification.marks.valid_holdings``), for a whole page in two queries."""
    by_operator = {store.operator_id: store for store in storefronts if store.is_active}
    if not by_operator:
        return {}
    held: dict[int, set[int]] = {}
    for user_id, design_id in (
        marks.valid_holdings().filter(user_id__in=list(by_operator)).values_list("user_id", "certificate__design_id")
    ):
        held.setdefault(by_operator[user_id].partner_id, set()).add(design_id)
    if not held:
        return {}
    found: dict[int, list[Design]] = {}
    by_partner = {store.partner_id: store for store in by_operator.values()}
    rows = (
        Design.objects.filter(
            pk__in={d for ids in held.values() for d in ids}, products__stockrecords__partner_id__in=list(held)
        )
        .values_list("products__stockrecords__partner_id", "pk")
        .distinct()
    )
    designs_of: dict[int, set[int]] = {}
    for partner_id, design_id in rows:
        if design_id in held.get(partner_id, ()):
            designs_of.setdefault(partner_id, set()).add(design_id)
    designs = Design.objects.in_bulk({d for ids in designs_of.values() for d in ids})
    for partner_id, ids in designs_of.items():
        found[by_partner[partner_id].pk] = sorted((designs[d] for d in ids), key=lambda design: design.name)
    return found


@extend_schema_view(
    list=extend_schema(summary="Certificates",
                       responses={200: serializers.CertificateSerializer(many=True), **LIST_ERRORS},
                       description="The OSE Certified directory: every certificate with its state (valid, expired or "
                       "revoked) and its mark holders, as the certificate's public page shows them."),
    retrieve=extend_schema(summary="Verify a certificate",
                           responses={200: serializers.CertificateSerializer, **DETAIL_ERRORS}),
)  # fmt: skip
class CertificateViewSet(ReadOnlyOpenViewSet):
    serializer_class = serializers.CertificateSerializer
    filterset_class = filters.CertificateFilter
    lookup_field = "public_id"
    queryset = Certificate.objects.none()

    def filter_queryset(self, queryset):
        holders = MarkHolder.objects.select_related("user__storefront").order_by("date_added")
        return super().filter_queryset(queryset).prefetch_related(Prefetch("holders", queryset=holders))

    def get_object(self):
        """Any letter case, as the verification page reads it (``certification.selectors.certificate_page``)."""
        certificate = certification_selectors.certificate_page(public_id=self.kwargs["public_id"])
        if certificate is None:
            raise NotFound("No certificate has that number: check it against the mark you saw.")
        return certificate


@extend_schema_view(
    list=extend_schema(
        summary="The campus fund, month by month",
        description="Money in (after refunds), out and the balance at each month's end, newest first, as the public "
        "campus fund page shows them; `fund=marketing_pool` for the pooled marketing fund.",
        parameters=[OpenApiParameter("fund", str, enum=["campus_fund", "marketing_pool"],
                                     description="Default: campus_fund.")],
        responses={200: serializers.FundMonthSerializer(many=True), **LIST_ERRORS},
    ),
)  # fmt: skip
class FundMonthViewSet(mixins.ListModelMixin, OpenViewSet):
    serializer_class = serializers.FundMonthSerializer
    filter_backends = []

    def get_queryset(self):
        form = filters.FundFilterForm(self.request.query_params)
        if not form.is_valid():
            raise ValidationError(form.errors)
        kind = form.cleaned_data.get("fund") or Account.CAMPUS_FUND
        return list(reversed(revenue_selectors.fund_flows(kind, until=timezone.localdate())))
