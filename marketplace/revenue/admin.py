from django.contrib import admin

from marketplace.admin import ReadOnlyAdmin
from marketplace.revenue.models import Account, AllocationPolicy, JournalEntry, Payout, PendingAllocation, Posting


class PostingInline(admin.TabularInline):
    model = Posting
    extra = 0
    can_delete = False
    readonly_fields = ["account", "amount", "line", "partner", "design"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyAdmin):
    """Never edited or deleted: a correction is a new entry."""

    list_display = ["reference", "kind", "amount", "order", "value_date", "date_created"]
    list_filter = ["kind"]
    search_fields = ["reference", "order__number"]
    inlines = [PostingInline]


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    """Staff link an operator's or contributor's Stripe connected account here; nothing else is editable."""

    list_display = ["name", "kind", "partner", "stripe_account_id"]
    list_filter = ["kind"]
    fields = ["name", "kind", "partner", "user", "stripe_account_id"]
    readonly_fields = ["name", "kind", "partner", "user"]

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(AllocationPolicy)
class AllocationPolicyAdmin(ReadOnlyAdmin):
    list_display = ["pk", "campus_fund_minimum_percent", "marketing_percent", "royalty_percent", "card_fee_percent",
                    "card_fee_fixed", "payout_threshold", "created_by", "date_created"]  # fmt: skip


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    list_display = ["pk", "account", "amount", "currency", "method", "status", "date_created", "date_settled"]
    list_filter = ["status", "method"]


@admin.register(PendingAllocation)
class PendingAllocationAdmin(ReadOnlyAdmin):
    """Payments waiting for their allocation; one with an error failed and waits for the sweep (every ten minutes)
    once its cause is fixed."""

    list_display = ["payment_event", "date_created", "attempts", "error"]
    list_filter = [("error", admin.EmptyFieldListFilter)]
