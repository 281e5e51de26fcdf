"""What the operator endpoints read and write. Prices and stock are held to the bounds of the dashboard's forms;
money is a decimal string with two places, never a float."""

from django.conf import settings
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from marketplace.fulfilment.models import OperatorOrder
from marketplace.storefronts.offers import MAX_PRICE, MAX_STOCK, MIN_PRICE

MAX_ROWS = 500  # rows of one bulk stock update


# What the schema says a price and an amount look like, so a client (and schemathesis) knows before it asks: a
# price from 0.01 to 9999999.99, an amount from 0 with up to ten digits before the point, two at most after it.
PRICE_PATTERN = r"^(0*[1-9][0-9]{0,6}(\.[0-9]{1,2})?|0*\.(0[1-9]|[1-9][0-9]?))$"
AMOUNT_PATTERN = r"^[0-9]{1,10}(\.[0-9]{1,2})?$"


@extend_schema_field({"type": "string", "format": "decimal", "pattern": PRICE_PATTERN, "example": "12.50"})
class PriceField(serializers.DecimalField):
    pass


@extend_schema_field({"type": "string", "format": "decimal", "pattern": AMOUNT_PATTERN, "example": "12.50"})
class AmountField(serializers.DecimalField):
    pass


class TextField(serializers.CharField):
    """Text with no NUL character (which PostgreSQL cannot store): the schema says so, and a NUL is refused."""


class TextFieldSchema(OpenApiSerializerFieldExtension):
    target_class = TextField

    def map_serializer_field(self, auto_schema, direction):
        schema = {"type": "string", "not": {"pattern": r"\u0000"}}  # "not": a top "pattern" makes blank a oneOf
        if self.target.max_length is not None:
            schema["maxLength"] = self.target.max_length
        if not self.target.allow_blank:
            schema["minLength"] = 1
        return schema


def price_field(**kwargs):
    return PriceField(
        max_digits=9, decimal_places=2, min_value=MIN_PRICE, max_value=MAX_PRICE,
        error_messages={"invalid": "That is not a price: write it as a string such as \"12.50\".",
                        "max_decimal_places": "A price has at most two digits after the point.",
                        "min_value": f"The price must be at least {MIN_PRICE}.",
                        "max_value": f"The price must be at most {MAX_PRICE}.",
                        "max_digits": f"The price must be at most {MAX_PRICE}.",
                        "max_whole_digits": f"The price must be at most {MAX_PRICE}."}, **kwargs,
    )  # fmt: skip


def stock_field(**kwargs):
    return serializers.IntegerField(
        min_value=0, max_value=MAX_STOCK, allow_null=True,
        help_text="Units (or seats) in stock; null for goods without stock.",
        error_messages={"invalid": f"num_in_stock must be a whole number from 0 to {MAX_STOCK:,}.",
                        "min_value": f"num_in_stock must be a whole number from 0 to {MAX_STOCK:,}.",
                        "max_value": f"num_in_stock must be a whole number from 0 to {MAX_STOCK:,}.",
                        "max_string_length": f"num_in_stock must be a whole number from 0 to {MAX_STOCK:,}."},
        **kwargs,
    )  # fmt: skip


class OperatorErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="Why the request was refused, and what to do instead.")


class OperatorOfferProductSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField(source="get_title")
    level = serializers.IntegerField(allow_null=True)
    url = serializers.SerializerMethodField()

    def get_url(self, product) -> str:
        return settings.SITE_URL.rstrip("/") + product.get_absolute_url()


class OperatorOfferSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    sku = serializers.CharField(source="partner_sku", read_only=True)
    product = OperatorOfferProductSerializer(read_only=True)
    price = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    currency = serializers.CharField(source="price_currency", read_only=True)
    num_in_stock = serializers.IntegerField(read_only=True, allow_null=True)
    num_allocated = serializers.IntegerField(read_only=True, allow_null=True,
                                             help_text="Units sold in orders not yet shipped.")  # fmt: skip
    withdrawn_at = serializers.DateTimeField(read_only=True, allow_null=True)
    on_sale = serializers.SerializerMethodField()

    def get_on_sale(self, offer) -> bool:
        return offer.withdrawn_at is None


class OperatorOfferCreateSerializer(serializers.Serializer):
    product = serializers.IntegerField(min_value=1, max_value=2**31 - 1,
                                       help_text="The id of a public product of the shop's catalogue.")  # fmt: skip
    price = price_field()
    num_in_stock = stock_field(required=False, default=None)
    sku = TextField(max_length=128, required=False, default="", allow_blank=True,
                                help_text="Your own reference; one is made up when left empty.")  # fmt: skip


class OperatorOfferUpdateSerializer(serializers.Serializer):
    """Any of price, stock and SKU; what is left out keeps its value."""

    price = price_field(required=False)
    num_in_stock = stock_field(required=False)
    sku = TextField(max_length=128, required=False, allow_blank=True)


class OperatorStockRowSerializer(serializers.Serializer):
    sku = TextField(max_length=128, allow_blank=True)  # a blank one is "no offer of yours has this SKU"
    num_in_stock = stock_field()


class OperatorStockUpdateSerializer(serializers.Serializer):
    offers = serializers.ListField(child=OperatorStockRowSerializer(), min_length=1, max_length=MAX_ROWS,
                                   help_text=f"At most {MAX_ROWS} rows; each SKU once.")  # fmt: skip


class OperatorStockRowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="The row's index in ``offers``, from 0.")
    sku = serializers.CharField()
    errors = serializers.ListField(child=serializers.CharField())


class OperatorStockRefusalSerializer(serializers.Serializer):
    detail = serializers.CharField()
    rows = OperatorStockRowErrorSerializer(many=True)


class OperatorStockResultSerializer(serializers.Serializer):
    changed = serializers.IntegerField(help_text="How many offers' stock changed.")
    offers = OperatorOfferSerializer(many=True)


class OperatorLineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    sku = serializers.CharField(source="partner_sku")
    product = serializers.IntegerField(source="product_id", allow_null=True)
    quantity = serializers.IntegerField()
    line_price_incl_tax = serializers.DecimalField(max_digits=12, decimal_places=2)
    refundable = serializers.SerializerMethodField(help_text="What is left to refund on this line.")

    def get_refundable(self, line) -> str:
        left = self.context.get("refundable", {}).get(line.pk)
        return f"{left:.2f}" if left is not None else f"{line.line_price_incl_tax:.2f}"


class OperatorAddressSerializer(serializers.Serializer):
    name = serializers.CharField()
    line1 = serializers.CharField()
    line2 = serializers.CharField()
    line3 = serializers.CharField()
    city = serializers.CharField(source="line4")
    state = serializers.CharField()
    postcode = serializers.CharField()
    country = serializers.CharField(source="country_id")
    phone_number = serializers.CharField(allow_blank=True)


class OperatorPartSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    order = serializers.CharField(source="order.number")
    date_placed = serializers.DateTimeField(source="order.date_placed")
    status = serializers.ChoiceField(choices=OperatorOrder.STATUS_CHOICES)
    status_display = serializers.CharField(source="get_status_display")
    currency = serializers.CharField(source="order.currency")
    shipping_charge = serializers.DecimalField(max_digits=12, decimal_places=2)
    needs_shipping = serializers.BooleanField()
    carrier = serializers.CharField()
    tracking_number = serializers.CharField()
    shipped_at = serializers.DateTimeField(allow_null=True)
    ship_to = serializers.SerializerMethodField()
    lines = serializers.SerializerMethodField()

    def get_ship_to(self, part) -> OperatorAddressSerializer(allow_null=True):
        address = part.order.shipping_address if part.needs_shipping else None
        if address is None:
            return None
        return OperatorAddressSerializer({
            "name": address.name, "line1": address.line1, "line2": address.line2, "line3": address.line3,
            "line4": address.line4, "state": address.state, "postcode": address.postcode,
            "country_id": address.country_id, "phone_number": str(address.phone_number or ""),
        }).data  # fmt: skip

    def get_lines(self, part) -> OperatorLineSerializer(many=True):
        lines = [line for line in part.order.lines.all() if line.partner_id == part.partner_id]
        return OperatorLineSerializer(lines, many=True, context=self.context).data


class OperatorShipSerializer(serializers.Serializer):
    carrier = TextField(max_length=64, allow_blank=True, required=False, default="",
                                    help_text="As the parcel's label shows it, e.g. DHL.")  # fmt: skip
    tracking_number = TextField(max_length=64, allow_blank=True, required=False, default="")
    note = TextField(max_length=255, allow_blank=True, required=False, default="")


class OperatorRefundLineSerializer(serializers.Serializer):
    line = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    amount = AmountField(max_digits=12, decimal_places=2, min_value=0,
                                      error_messages={"min_value": "Amounts cannot be negative.",
                                                      "invalid": "That is not an amount: write a number such as "
                                                                 "\"12.50\"."})  # fmt: skip


class OperatorRefundSerializer(serializers.Serializer):
    lines = OperatorRefundLineSerializer(many=True, required=False, default=list, max_length=200)
    shipping_amount = AmountField(max_digits=12, decimal_places=2, min_value=0, required=False,
                                               default="0.00",
                                               error_messages={"min_value": "Amounts cannot be negative."})  # fmt: skip
    reason = TextField(max_length=2000, allow_blank=True, help_text="Why you refund: the shopper sees it.")


class OperatorRefundResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    shipping_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()
    status = serializers.CharField()
    reason = serializers.CharField()


class OperatorPostingSerializer(serializers.Serializer):
    date = serializers.DateTimeField(source="entry.value_date")
    kind = serializers.CharField(source="entry.kind")
    what = serializers.CharField(source="entry.get_kind_display")
    order = serializers.CharField(source="entry.order.number", allow_null=True, default=None)
    item = serializers.CharField(source="line.title", allow_null=True, default=None)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)


class OperatorRevenueSummarySerializer(serializers.Serializer):
    currency = serializers.CharField()
    date_from = serializers.DateField(allow_null=True)
    date_to = serializers.DateField(allow_null=True)
    balance = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="All time, as of now.")
    allocation = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Sales, in the period.")
    refund = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Refunds, in the period.")
    payout = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Payouts, in the period.")
    correction = serializers.DecimalField(max_digits=12, decimal_places=2)
    next_payout_due = serializers.BooleanField()
    payout_threshold = serializers.DecimalField(max_digits=12, decimal_places=2)
