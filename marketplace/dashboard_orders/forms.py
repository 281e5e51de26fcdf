"""What Oscar's order page and order list are posted, read before Oscar's handlers act on it: Oscar reads its
``request.POST`` keys as they come (a missing key is a KeyError, "abc" for a line id a ValueError in the database,
"NaN" an amount), so each action's fields are checked here first and a bad post is explained on the page instead.

One rule the status forms keep: an order becomes Paid only when its payment is confirmed (``payments.services``:
staff confirm a bank transfer, or Stripe's event settles a card), never by picking "Paid" in a status form."""

from django import forms

from marketplace.forms import AmountField

PAID, CANCELLED = "Paid", "Cancelled"
PAID_STATUSES = ("Paid", "Complete")
NOT_CANCELLED_WHEN_PAID = (
    "A paid order is not cancelled with a status form: its money would stay booked and its goods delivered. Refund "
    "each operator's part with its Refund form below (the shopper gets the money back and the ledger reverses it)."
)
NO_PAYMENT_EVENTS = (
    "Payments are recorded when they arrive (Confirm payment received for a bank transfer, Stripe for a card), and "
    "refunds with each part's Refund form: a payment event typed here would move no money and book nothing."
)
NO_LINE_ACTIONS = (
    "Lines are moved on by their operator's part: use the part's status form (shipped with tracking, delivered) "
    "and its Refund form below. A line status set here would change no stock, total or payment."
)
NOT_BY_HAND = (
    "An order becomes Paid only when its payment is confirmed: confirm the bank transfer on the order page, or let "
    "the card payment settle. No status form makes an order paid."
)
NOT_COMPLETE_BY_HAND = (
    "An order completes by itself once every operator's part is delivered (the operator marks it, the shopper "
    "confirms it, or the days allowed pass): move each part on with its own form below."
)
ID_DIGITS = 18  # fits a bigint column


def _is_id(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= ID_DIGITS


class _Text(forms.CharField):
    def __init__(self, label, required_message, **kwargs):
        super().__init__(label=label, error_messages={"required": required_message}, **kwargs)


class _Amount(AmountField):
    default_error_messages = {
        **AmountField.default_error_messages,
        "invalid": "The amount is not an amount: write a number such as 12.50.",
        "max_digits": "The amount is too large.",
        "max_whole_digits": "The amount is too large.",
        "max_decimal_places": "The amount is not an amount in cents: at most two digits after the point.",
        "required": "Give the amount.",
    }


class LineStatusForm(forms.Form):
    new_status = _Text("New status", "Choose the new status.")


class ShippingEventForm(forms.Form):
    shipping_event_type = _Text("Shipping event", "Choose the shipping event.", max_length=128)
    reference = forms.CharField(label="Reference", required=False, max_length=128)


class PaymentEventForm(forms.Form):
    payment_event_type = _Text("Payment event", "Choose the payment event.", max_length=128)
    amount = _Amount(label="Amount")


class OrderPaymentEventForm(PaymentEventForm):
    amount = _Amount(label="Amount", required=True)


LINE_FORMS = {
    "change_line_statuses": LineStatusForm,
    "create_shipping_event": ShippingEventForm,
    "create_payment_event": PaymentEventForm,
}


def _form_refusal(form: forms.Form) -> str | None:
    if form.is_valid():
        return None
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


def line_action_refusal(data, *, lines) -> str | None:
    """Why a line action posted to the order page cannot be taken, or None. ``lines``: the lines the user may act
    on (an operator's own, or every line for staff)."""
    ids = data.getlist("selected_line")
    if not ids or not all(map(_is_id, ids)) or lines.filter(pk__in=ids).count() != len(set(ids)):
        return "Choose the lines to act on: tick them in the table."
    for line_id in ids:
        quantity = data.get(f"selected_line_qty_{line_id}", "").strip()
        if not (quantity.isascii() and quantity.isdigit() and int(quantity[:9] or 0) > 0):
            return f"Give the quantity of line #{line_id} to act on (a whole number, at least 1)."
    action = data.get("line_action")
    if action in LINE_FORMS and (refused := _form_refusal(LINE_FORMS[action](data))):
        return refused
    if action == "change_line_statuses" and data.get("new_status", "").strip() == PAID:
        return NOT_BY_HAND
    return None


def order_action_refusal(data, *, order) -> str | None:
    """Why an order action posted to the order page cannot be taken, or None."""
    action = data.get("order_action")
    if action == "create_order_payment_event":
        return _form_refusal(OrderPaymentEventForm(data)) or NO_PAYMENT_EVENTS
    if action == "delete_note":
        note_id = data.get("note_id", "")
        if not _is_id(note_id) or not order.notes.filter(pk=note_id).exists():
            return "Choose the note to delete: it is no longer there."
    if action == "change_order_status":
        return status_refusal(data.get("new_status", "").strip(), order=order)
    return None


def status_refusal(status: str, *, order) -> str | None:
    """Why ``order`` may not take ``status`` from a status form, or None."""
    if status == PAID:
        return NOT_BY_HAND
    if status == "Complete":
        return NOT_COMPLETE_BY_HAND
    if status == CANCELLED and order.status in PAID_STATUSES:
        return NOT_CANCELLED_WHEN_PAID
    return None


def bulk_status_refusal(data, *, orders) -> str | None:
    """Why the order list's bulk status change cannot be made, or None."""
    status = data.get("new_status", "").strip()
    if not status:
        return "Choose the new status."
    for order in orders:
        if refused := status_refusal(status, order=order):
            return f"Order {order.number}: {refused}"
    return None


def without_paid(statuses) -> list[str]:
    """The statuses a form may offer: Cancelled (for an unpaid order); never Paid or Complete, which come from a
    confirmed payment and from every part being delivered."""
    return [status for status in statuses if status not in (PAID, "Complete")]


def offered_statuses(order) -> list[str]:
    """What one order's status form offers: Cancelled while no one has paid; nothing once paid."""
    return [CANCELLED] if order.status == "Pending" else []

