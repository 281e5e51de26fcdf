"""The operator endpoints: a storefront's own offers, order parts and revenue, by its API token. Each write goes
through the service the dashboard's page calls, so the tier rules, the OSE Certified mark rule, stock bounds and
refund limits hold here exactly as there, in the same words. Another storefront's object is a 404, as in the
dashboard."""

from decimal import Decimal

import django_filters
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from oscar.core.loading import get_model
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from marketplace.api.auth import StorefrontToken, TokenAuthentication, TokenRateThrottle
from marketplace.api.operator import serializers as s
from marketplace.fulfilment import refunds, services
from marketplace.fulfilment import selectors as fulfilment_selectors
from marketplace.fulfilment.models import OperatorOrder
from marketplace.money import shop_currency
from marketplace.revenue import selectors as revenue_selectors
from marketplace.revenue.models import JournalEntry, Posting
from marketplace.storefronts import offers, selectors

StockRecord = get_model("partner", "StockRecord")

E = s.OperatorErrorSerializer
ERRORS = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description="Malformed: each field's problem under the field's name "
                                                          "(or ``detail``)."),
    401: OpenApiResponse(E, description="No token, or an unknown or revoked one."),
    403: OpenApiResponse(E, description="A read token writing, or a storefront that is not active."),
    404: OpenApiResponse(E, description="Not one of your storefront's (or no such page)."),
    409: OpenApiResponse(E, description="Well-formed, but refused by the shop's rules (the tier rules, the mark "
                                        "rule, stock held by orders, what is left to refund ...): ``detail`` says "
                                        "why, in the dashboard's words."),
    415: OpenApiResponse(E, description="Send JSON (Content-Type: application/json)."),
    429: OpenApiResponse(E, description="Too many requests with this token: wait and try again."),
}  # fmt: skip


def errors(*codes):
    return {code: ERRORS[code] for code in codes}


class Refused(exceptions.APIException):
    """A service's refusal of a well-formed request, in its own words: ``{"detail": "..."}`` with a 409."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "refused"

    def __init__(self, error: DjangoValidationError | DjangoPermissionDenied | str):
        said = [error] if isinstance(error, str) else getattr(error, "messages", None) or [str(error)]
        super().__init__(" ".join(said))


class StorefrontViewSet(viewsets.GenericViewSet):
    authentication_classes = [TokenAuthentication]
    permission_classes = [StorefrontToken]
    throttle_classes = [TokenRateThrottle]
    not_found = "No such object of your storefront."
    parser_classes = [JSONParser]
    lookup_url_kwarg = "id"  # not "pk": the shop's hostile-path guard answers a non-numeric pk with its HTML 404

    # Query parameters that name a choice, a number or a date: left empty, they are refused, not ignored.
    strict_params = ("on_sale", "level", "status", "date_from", "date_to", "kind")

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        blank = [name for name in self.strict_params if name in request.query_params
                 and not request.query_params[name].strip()]  # fmt: skip
        if blank:
            raise exceptions.ValidationError({name: ["Give a value, or leave the parameter out."] for name in blank})

    @property
    def storefront(self):
        return self.request.auth.storefront

    @property
    def operator(self):
        return self.request.auth.storefront.operator

    def get_object(self):
        queryset = self.filter_queryset(self.get_queryset()) if self.action in ("retrieve",) else self.get_queryset()
        pk = self.kwargs.get(self.lookup_url_kwarg, "")
        if not str(pk).isdigit() or int(pk) > 2**31 - 1:
            raise exceptions.NotFound(self.not_found)
        found = queryset.filter(pk=int(pk)).first()
        if found is None:
            raise exceptions.NotFound(self.not_found)
        return found


# --- offers ------------------------------------------------------------------------------------------------------


class OfferFilter(django_filters.FilterSet):
    sku = django_filters.CharFilter(field_name="partner_sku", help_text="Your SKU, exactly.")
    on_sale = django_filters.ChoiceFilter(choices=[("true", "true"), ("false", "false")], method="filter_on_sale",
                                          help_text="true: offers on sale; false: withdrawn ones.")  # fmt: skip
    level = django_filters.ChoiceFilter(field_name="product__level", choices=[(1, "1"), (2, "2"), (3, "3")])

    def filter_on_sale(self, queryset, name, value):
        return queryset.filter(withdrawn_at__isnull=value == "true")


@extend_schema_view(
    list=extend_schema(summary="Your offers",
                       responses={200: s.OperatorOfferSerializer(many=True), **errors(400, 401, 403, 404, 429)}),
    retrieve=extend_schema(summary="One of your offers",
                           responses={200: s.OperatorOfferSerializer, **errors(401, 403, 404, 429)}),
)  # fmt: skip
class OfferViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, StorefrontViewSet):
    """Your storefront's offers (live and withdrawn): price and stock of each, withdrawn or on sale."""

    serializer_class = s.OperatorOfferSerializer
    filterset_class = OfferFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend, OrderingFilter]
    ordering_fields = ["id", "price", "num_in_stock", "partner_sku"]
    not_found = "No offer of yours has this id."
    http_method_names = ["get", "post", "patch", "head", "options"]

    queryset = StockRecord.objects.none()  # for the schema; each request reads its own storefront's

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.operator_offers(self.storefront)

    def _offer(self, offer, status_code=200):
        fresh = selectors.operator_offers(self.storefront).get(pk=offer.pk)
        return Response(s.OperatorOfferSerializer(fresh).data, status=status_code)

    @extend_schema(summary="Offer a product", request=s.OperatorOfferCreateSerializer,
                   responses={201: s.OperatorOfferSerializer, **errors(400, 401, 403, 409, 415, 429)},
                   description="The tier rules and the OSE Certified mark rule apply as on the dashboard's new-offer "
                               "page: a refusal names the rule and why.")  # fmt: skip
    def create(self, request):
        form = s.OperatorOfferCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        product = selectors.offerable_product(pk=data.pop("product"))
        if product is None:
            raise Refused(
                "No public product of the shop has this id: find it in the catalogue (GET /api/v1/products/)."
            )
        try:
            offer = offers.create_offer(storefront=self.storefront, product=product, **data)
        except DjangoValidationError as error:
            raise Refused(error) from error
        return self._offer(offer, status.HTTP_201_CREATED)

    @extend_schema(summary="Change price, stock or SKU", request=s.OperatorOfferUpdateSerializer,
                   responses={200: s.OperatorOfferSerializer, **errors(400, 401, 403, 404, 409, 415, 429)},
                   description="Only what you send changes. Stock cannot go below the units allocated to orders not "
                               "yet shipped.")  # fmt: skip
    def partial_update(self, request, id=None):
        offer = self.get_object()
        form = s.OperatorOfferUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = {"price": offer.price, "num_in_stock": offer.num_in_stock, "sku": offer.partner_sku,
                **form.validated_data}  # fmt: skip
        try:
            offer = offers.update_offer(offer=offer, **data)
        except DjangoValidationError as error:
            raise Refused(error) from error
        return self._offer(offer)

    @extend_schema(summary="Withdraw from sale", request=None,
                   responses={200: s.OperatorOfferSerializer, **errors(401, 403, 404, 429)},
                   description="The offer leaves sale at once (pages, baskets, checkout); orders already placed are "
                               "kept and fulfilled. Nothing is deleted: relist it later.")  # fmt: skip
    @action(detail=True, methods=["post"])
    def withdraw(self, request, id=None):
        return self._offer(offers.withdraw(offer=self.get_object()))

    @extend_schema(summary="Put a withdrawn offer on sale again", request=None,
                   responses={200: s.OperatorOfferSerializer, **errors(400, 401, 403, 404, 409, 415, 429)},
                   description="If the tier rules allow it today.")  # fmt: skip
    @action(detail=True, methods=["post"])
    def relist(self, request, id=None):
        try:
            offer = offers.relist(offer=self.get_object())
        except DjangoValidationError as error:
            raise Refused(error) from error
        return self._offer(offer)

    @extend_schema(summary="Set the stock of many offers at once", request=s.OperatorStockUpdateSerializer,
                   responses={200: s.OperatorStockResultSerializer, 400: ERRORS[400],
                              409: OpenApiResponse(s.OperatorStockRefusalSerializer, description="Nothing changed: "
                                                   "``rows`` names each bad row's index, SKU and errors."),
                              **errors(401, 403, 415, 429)},
                   description="Keep stock in sync from your own system: ``{\"offers\": [{\"sku\": ..., "
                               "\"num_in_stock\": ...}]}``. All rows or none: one bad row changes nothing, and the "
                               "answer lists every bad row with why.")  # fmt: skip
    @action(detail=False, methods=["post"], url_path="stock")
    def stock(self, request):
        form = s.OperatorStockUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        rows = form.validated_data["offers"]
        by_sku = {offer.partner_sku: offer for offer in selectors.operator_offers(self.storefront)}
        bad, seen = [], set()
        for index, row in enumerate(rows):
            said, offer = [], by_sku.get(row["sku"])
            if offer is None:
                said.append("no offer of yours has this SKU")
            elif row["sku"] in seen:
                said.append("this SKU is on an earlier row too")
            elif offer.num_allocated and row["num_in_stock"] is not None and row["num_in_stock"] < offer.num_allocated:
                said.append(f"{offer.num_allocated} units are allocated to orders not yet shipped: stock cannot go "
                            "below that")  # fmt: skip
            seen.add(row["sku"])
            if said:
                bad.append({"row": index, "sku": row["sku"], "errors": said})
        changed = []
        if not bad:
            try:
                with transaction.atomic():
                    for index, row in enumerate(rows):
                        offer = by_sku[row["sku"]]
                        if row["num_in_stock"] == offer.num_in_stock:
                            continue
                        try:
                            offers.update_offer(offer=offer, price=offer.price, num_in_stock=row["num_in_stock"],
                                                sku=offer.partner_sku)  # fmt: skip
                        except DjangoValidationError as error:
                            bad.append({"row": index, "sku": row["sku"], "errors": error.messages})
                            raise
                        changed.append(offer.pk)
            except DjangoValidationError:
                changed = []
        if bad:
            return Response({"detail": f"Nothing was changed: {len(bad)} of {len(rows)} rows cannot be applied.",
                             "rows": bad}, status=status.HTTP_409_CONFLICT)  # fmt: skip
        skus = [row["sku"] for row in rows]
        fresh = selectors.operator_offers(self.storefront).filter(partner_sku__in=skus)
        return Response({"changed": len(changed), "offers": s.OperatorOfferSerializer(fresh, many=True).data})


# --- order parts -------------------------------------------------------------------------------------------------


class PartFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=OperatorOrder.STATUS_CHOICES)
    order = django_filters.CharFilter(field_name="order__number", help_text="The order's number.")


def _refundable(parts) -> dict:
    """What is left to refund on each line of ``parts``, in one query."""
    from marketplace.payments.models import RefundLine
    from marketplace.payments.refunds import OPEN

    lines = [line for part in parts for line in part.order.lines.all() if line.partner_id == part.partner_id]
    taken = dict(
        RefundLine.objects.filter(line__in=[line.pk for line in lines], refund__status__in=OPEN)
        .values_list("line").annotate(total=Sum("amount"))
    )  # fmt: skip
    return {line.pk: line.line_price_incl_tax - (taken.get(line.pk) or Decimal("0")) for line in lines}


@extend_schema_view(
    list=extend_schema(summary="Your parts of orders", responses={200: s.OperatorPartSerializer(many=True),
                                                                  **errors(400, 401, 403, 404, 429)}),
    retrieve=extend_schema(summary="One of your parts of an order",
                           responses={200: s.OperatorPartSerializer, **errors(401, 403, 404, 429)}),
)  # fmt: skip
class PartViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, StorefrontViewSet):
    """Your storefront's part of each order: its lines, shipping, status; ship it, refund it."""

    serializer_class = s.OperatorPartSerializer
    filterset_class = PartFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend, OrderingFilter]
    ordering_fields = ["id", "status"]
    ordering = ["-id"]
    not_found = "No part of an order of yours has this id."

    queryset = OperatorOrder.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        parts = fulfilment_selectors.parts_for_user(self.operator).filter(partner_id=self.storefront.partner_id)
        return parts.select_related("order__shipping_address").prefetch_related("order__lines").order_by("-pk")

    def get_serializer(self, *args, **kwargs):
        parts = args[0] if args else []
        parts = parts if isinstance(parts, list | tuple) else [parts] if isinstance(parts, OperatorOrder) else []
        kwargs.setdefault("context", {**self.get_serializer_context(), "refundable": _refundable(parts)})
        return super().get_serializer(*args, **kwargs)

    def _part(self, part, status_code=200):
        fresh = self.get_queryset().get(pk=part.pk)
        return Response(self.get_serializer(fresh).data, status=status_code)

    @extend_schema(summary="Ship it", request=s.OperatorShipSerializer,
                   responses={200: s.OperatorPartSerializer, **errors(400, 401, 403, 404, 409, 415, 429)},
                   description="As the dashboard's order page: a part with goods needs the carrier and tracking "
                               "number; the shopper is told by e-mail.")  # fmt: skip
    @action(detail=True, methods=["post"])
    def ship(self, request, id=None):
        part = self.get_object()
        form = s.OperatorShipSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            services.change_status(part_id=part.pk, actor=self.operator, status=OperatorOrder.SHIPPED,
                                   **form.validated_data)  # fmt: skip
        except (DjangoValidationError, DjangoPermissionDenied) as error:
            raise Refused(error) from error
        return self._part(part)

    @extend_schema(summary="Refund lines or shipping", request=s.OperatorRefundSerializer,
                   responses={201: s.OperatorRefundResultSerializer, **errors(400, 401, 403, 404, 409, 415, 429)},
                   description="As the dashboard's refund form: whole lines or part of their amounts, and the "
                               "shipping charge; never more than is left. A bank-transfer refund is settled at once, a "
                               "card refund once Stripe confirms.")  # fmt: skip
    @action(detail=True, methods=["post"])
    def refund(self, request, id=None):
        part = self.get_object()
        form = s.OperatorRefundSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        amounts = {}
        for row in data["lines"]:
            if row["line"] in amounts:
                raise exceptions.ValidationError({"lines": ["Name each line once."]})
            amounts[row["line"]] = row["amount"]
        try:
            refund = refunds.request_refund(part_id=part.pk, actor=self.operator, amounts=amounts,
                                            shipping_amount=data["shipping_amount"], reason=data["reason"])  # fmt: skip
        except (DjangoValidationError, DjangoPermissionDenied) as error:
            raise Refused(error) from error
        refund.refresh_from_db()
        return Response(s.OperatorRefundResultSerializer(refund).data, status=status.HTTP_201_CREATED)


# --- revenue -----------------------------------------------------------------------------------------------------


class PostingFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(field_name="entry__value_date", lookup_expr="date__gte",
                                          help_text="From this day (YYYY-MM-DD), included.")  # fmt: skip
    date_to = django_filters.DateFilter(field_name="entry__value_date", lookup_expr="date__lte",
                                        help_text="To this day (YYYY-MM-DD), included.")  # fmt: skip
    kind = django_filters.ChoiceFilter(field_name="entry__kind", choices=JournalEntry.KIND_CHOICES)


@extend_schema_view(
    list=extend_schema(summary="Your revenue statement",
                       description="Every posting of your storefront's ledger, newest first, as your revenue "
                                   "dashboard and its CSV statement list them.",
                       responses={200: s.OperatorPostingSerializer(many=True), **errors(400, 401, 403, 404, 429)}),
)  # fmt: skip
class RevenueViewSet(mixins.ListModelMixin, StorefrontViewSet):
    serializer_class = s.OperatorPostingSerializer
    filterset_class = PostingFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]

    queryset = Posting.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        _storefront, account = revenue_selectors.storefront_account(self.operator)
        if account is None:
            return Posting.objects.none()
        return revenue_selectors.ledger_postings(account)

    @extend_schema(
        summary="Your revenue in a period",
        responses={200: s.OperatorRevenueSummarySerializer, **errors(400, 401, 403, 429)},
        description="Sales allocated to you, refunds, payouts and corrections in the period (all "
        "time without dates), your balance now and whether the next payout run pays you.",
    )
    @action(detail=False, methods=["get"])
    def summary(self, request):
        postings = self.filter_queryset(self.get_queryset())
        kinds = (JournalEntry.ALLOCATION, JournalEntry.REFUND, JournalEntry.PAYOUT, JournalEntry.CORRECTION)
        zero = Decimal("0.00")
        totals = postings.aggregate(**{kind: Coalesce(Sum("amount", filter=Q(entry__kind=kind)), zero)
                                       for kind in kinds})  # fmt: skip
        _storefront, account = revenue_selectors.storefront_account(self.operator)
        balance = revenue_selectors.balance(account) if account else zero
        payout = revenue_selectors.next_payout(account, balance=balance)
        filters = PostingFilter(request.query_params, queryset=Posting.objects.none()).form
        filters.is_valid()
        return Response(s.OperatorRevenueSummarySerializer({
            "currency": shop_currency(), "date_from": filters.cleaned_data.get("date_from"),
            "date_to": filters.cleaned_data.get("date_to"), "balance": balance,
            **{kind: totals[kind] for kind in kinds}, "next_payout_due": payout["due"],
            "payout_threshold": payout["threshold"],
        }).data)  # fmt: skip
