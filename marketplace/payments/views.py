from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST
from oscar.core.loading import get_model

from marketplace.payments import services

Order = get_model("order", "Order")


@login_required
@require_POST
def confirm_offline_payment(request, number):
    order = get_object_or_404(Order, number=number)
    if not services.may_confirm_offline_payment(user=request.user, order=order):
        raise PermissionDenied
    try:
        services.confirm_offline_payment(order_id=order.pk, actor=request.user,
                                         reference=request.POST.get("reference", ""))  # fmt: skip
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Payment for order {order.number} confirmed: the order is paid.")
    return redirect("dashboard:order-detail", number=order.number)
