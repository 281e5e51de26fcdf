"""Oscar's own hook: every order, however it is placed, is split into its operators' parts in the same
transaction."""

from marketplace.fulfilment import services


def open_operator_orders(sender, order, **kwargs):
    services.open_operator_orders(order=order)
