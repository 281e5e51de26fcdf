from django.contrib import admin

from marketplace.models import FailedTask


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records that services write and nobody edits (money, audit trails): staff read them here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FailedTask)
class FailedTaskAdmin(ReadOnlyAdmin):
    """The dead-letter list: tasks that failed for good, newest first."""

    list_display = ["task_name", "exception", "attempts", "first_seen", "last_seen"]
    list_filter = ["task_name"]
    search_fields = ["task_id", "task_name", "exception"]
    readonly_fields = ["task_id", "task_name", "args", "kwargs", "exception", "traceback", "attempts", "first_seen",
                       "last_seen"]  # fmt: skip
