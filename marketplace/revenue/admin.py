from django.contrib import admin

from marketplace.admin import ReadOnlyAdmin
from marketplace.revenue.models import (
    Account,
    AllocationPolicy,
    Disbursement,
    FundProject,
    JournalEntry,
    Payout,
    PendingAllocation,
    Posting,
)


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
    """Operators connect their own Stripe account from their revenue page; staff may link a contributor's here.
    Nothing else is editable: whether the account can receive transfers is Stripe's word, read on save."""

    list_display = ["name", "kind", "partner", "stripe_account_id", "stripe_transfers_active"]
    list_filter = ["kind", "stripe_transfers_active"]
    fields = ["name", "kind", "partner", "user", "stripe_account_id", "stripe_transfers_active",
              "stripe_details_submitted", "stripe_requirements", "stripe_state_at"]  # fmt: skip
    readonly_fields = ["name", "kind", "partner", "user", "stripe_transfers_active", "stripe_details_submitted",
                       "stripe_requirements", "stripe_state_at"]  # fmt: skip

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def save_model(self, request, obj, form, change):
        import stripe

        from marketplace.payments import stripe_gateway
        from marketplace.revenue import connect

        if "stripe_account_id" in form.changed_data:
            obj.stripe_transfers_active, obj.stripe_details_submitted, obj.stripe_requirements = False, False, []
            obj.stripe_state_at = None
        super().save_model(request, obj, form, change)
        if "stripe_account_id" in form.changed_data and obj.stripe_account_id and stripe_gateway.is_configured():
            try:
                connect.check_with_stripe(obj)
            except stripe.StripeError as error:
                self.message_user(request, f"Stripe could not be asked about {obj.stripe_account_id}: {error}. "
                                  "Payouts go by hand until its next account.updated.", level="warning")  # fmt: skip


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


@admin.register(FundProject)
class FundProjectAdmin(admin.ModelAdmin):
    """The campus fund's projects: staff write them here, and pay them on the disbursements page."""

    list_display = ["name", "kind", "place", "date_created"]
    list_filter = ["kind"]
    search_fields = ["name", "place"]
    prepopulated_fields = {"slug": ["name"]}

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and obj.disbursements.exists())


@admin.register(Disbursement)
class DisbursementAdmin(ReadOnlyAdmin):
    """Recorded on the disbursements page (booked in the ledger with the row); never edited or deleted here."""

    list_display = ["value_date", "project", "amount", "description", "receipt_public", "entry", "recorded_by"]
    list_filter = ["project", "receipt_public"]
    search_fields = ["description", "project__name"]
