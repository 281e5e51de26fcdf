"""Oscar's order dashboard for operators: only their own lines, and only their own money (their lines' totals,
never the order's total or the other operators' lines)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect
from oscar.apps.dashboard.orders import views
from oscar.core.loading import get_model

from marketplace.accounts.access import check_staff, staff_actions, staff_may
from marketplace.dashboard_orders import forms
from marketplace.fulfilment import refunds, unpaid
from marketplace.fulfilment import selectors as fulfilment_selectors
from marketplace.fulfilment.models import OperatorOrder
from marketplace.payments.services import may_confirm_offline_payment
from marketplace.storefronts.selectors import lines_for_user

Line = get_model("order", "Line")


OPERATOR_LINE_ACTIONS_GONE = (
    "Ship, complete or refund your part of the order with the forms under “Your part of this order”: they keep "
    "its totals, stock and payments right."
)


def _cancel_pending(request, order) -> bool | None:
    """Staff's "Cancelled" for an order no one has paid, through the payments service (stock released, parts
    cancelled, shopper told); None when the status change is not that one (Oscar's handler takes it)."""
    if request.POST.get("new_status", "").strip() != forms.CANCELLED or order.status != "Pending":
        return None
    try:
        unpaid.cancel_pending_order(order_id=order.pk, actor=request.user,
                                    reason=f"Cancelled by the shop's staff before payment ({request.user.email}).")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return False
    messages.success(request, f"Order {order.number} cancelled: its items are back on sale and the shopper was told.")
    return True


class OrderListView(views.OrderListView):
    def get(self, request, *args, **kwargs):
        # Oscar looks the number up as it comes; PostgreSQL cannot compare a string holding a NUL.
        if "\x00" in request.GET.get("order_number", ""):
            return HttpResponseBadRequest("An order number has no NUL characters.")
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        queryset = super().get_queryset()
        user = self.request.user
        if user.is_staff:
            return queryset
        return fulfilment_selectors.operator_order_totals(user, queryset)

    def change_order_statuses(self, request, orders):
        if not request.user.is_staff:  # an order's status spans every operator's lines
            messages.error(request, "Only staff change whole orders; ship your own lines from the order page.")
            return redirect("dashboard:order-list")
        check_staff(request.user, "change_order")
        if refused := forms.bulk_status_refusal(request.POST, orders=orders):
            messages.error(request, refused)
            return redirect("dashboard:order-list")
        return super().change_order_statuses(request, orders)

    def change_order_status(self, request, order):
        if _cancel_pending(request, order) is None:
            super().change_order_status(request, order)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        # the bulk status form: only for staff who may change orders, and never offering Paid
        may_change = staff_may(self.request.user, "change_order")
        ctx["order_statuses"] = forms.without_paid(ctx.get("order_statuses") or []) if may_change else []
        return ctx

    def download_selected_orders(self, request, orders):
        if not request.user.is_staff:  # the CSV carries whole-order totals and addresses
            messages.error(request, "Order downloads are for staff; your lines are listed here.")
            return redirect("dashboard:order-list")
        return super().download_selected_orders(request, orders)


class OrderDetailView(views.OrderDetailView):
    def handle_order_action(self, request, order, action):
        if not request.user.is_staff:
            raise PermissionDenied("Order actions are staff's: your part of the order has its own forms on this page.")
        check_staff(request.user, "change_order")
        if refused := forms.order_action_refusal(request.POST, order=order):
            return self.reload_page(error=refused)
        if action == "change_order_status" and _cancel_pending(request, order) is not None:
            return self.reload_page()
        return super().handle_order_action(request, order, action)

    def handle_line_action(self, request, order, action):
        if refused := forms.line_action_refusal(request.POST, lines=self.get_order_lines()):
            return self.reload_page(error=refused)
        if not request.user.is_staff:
            # Oscar's line statuses and events bypass the order parts (totals, stock, the ledger): an operator moves
            # its part on with the part's own forms.
            raise PermissionDenied(OPERATOR_LINE_ACTIONS_GONE)
        check_staff(request.user, "change_order")
        if action == "create_payment_event":
            return self.reload_page(error=forms.NO_PAYMENT_EVENTS)
        # Oscar's line statuses and shipping events are labels that move no stock, total or part: staff, too, move
        # a part on with its own form (shipped, delivered) and take money back with its Refund form.
        return self.reload_page(error=forms.NO_LINE_ACTIONS)

    def get_order_status_form(self):
        form = super().get_order_status_form()
        field = form.fields["new_status"]
        offered = forms.offered_statuses(self.object)
        field.choices = [(value, label) for value, label in field.choices if value in offered]
        return form

    def get_order_lines(self):
        # Staff see every line; an operator only its own, for display and for every line action it posts.
        return lines_for_user(self.request.user, self.object.lines.all())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["staff_may"] = staff_actions(self.request.user)
        ctx["line_statuses"] = forms.without_paid(ctx.get("line_statuses") or [])
        ctx["can_confirm_offline_payment"] = self.object.status == "Pending" and may_confirm_offline_payment(
            user=self.request.user, order=self.object
        )
        if not self.request.user.is_staff:
            ctx["operator_total"] = fulfilment_selectors.operator_total(self.request.user, self.object)
        ctx["parts"] = parts = fulfilment_selectors.parts_for_order(self.object, user=self.request.user)
        paid = self.object.status in ("Paid", "Complete")
        for group in parts:
            group.refundable = refunds.refundable_by_line(group.part) if paid else {}
            group.refundable_shipping = refunds.refundable_shipping(group.part) if paid else 0
            for line in group.lines:
                line.refundable = group.refundable.get(line.pk, 0)
            group.next_statuses = [
                (code, name) for code, name in OperatorOrder.STATUS_CHOICES
                if code in OperatorOrder.OPERATOR_TRANSITIONS.get(group.part.status, ())
            ]  # fmt: skip
        return ctx


class LineDetailView(views.LineDetailView):
    def get_object(self, queryset=None):
        line = super().get_object(queryset)
        if not lines_for_user(self.request.user, line.order.lines.all()).filter(pk=line.pk).exists():
            raise Http404()
        return line
