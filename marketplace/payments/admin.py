from django.contrib import admin

from marketplace.admin import ReadOnlyAdmin
from marketplace.payments.models import BillingPrice, Refund, RefundLine, StripeIntent, WebhookEvent


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ["event_id", "type", "received_at", "processed_at", "outcome"]
    list_filter = ["type", "outcome"]
    search_fields = ["event_id"]


@admin.register(StripeIntent)
class StripeIntentAdmin(ReadOnlyAdmin):
    list_display = ["order_number", "intent_id", "amount", "currency", "date_created"]
    search_fields = ["order_number", "intent_id"]


@admin.register(BillingPrice)
class BillingPriceAdmin(ReadOnlyAdmin):
    list_display = ["product_name", "amount", "currency", "interval", "product_id", "price_id", "date_created"]


class RefundLineInline(admin.TabularInline):
    model = RefundLine
    extra = 0
    can_delete = False
    readonly_fields = ["line", "quantity", "amount"]


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["pk", "order", "operator_order", "method", "amount", "status", "date_created", "date_settled"]
    list_filter = ["status", "method"]
    search_fields = ["order__number", "stripe_refund_id"]
    inlines = [RefundLineInline]
