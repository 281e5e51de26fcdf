"""Oscar's checkout session mixin, forked: the shipping address chosen from the shopper's address book is read once
per request, with its country, instead of each time a step asks for it (every step asks several times)."""

from oscar.apps.checkout import session
from oscar.core.loading import get_model

from marketplace.checkout.forms import shipping_country

ShippingAddress = get_model("order", "ShippingAddress")
UserAddress = get_model("address", "UserAddress")


class CheckoutSessionMixin(session.CheckoutSessionMixin):
    def get_shipping_address(self, basket):
        """Oscar's: a new address from the session's fields, or a copy of the chosen address book entry (None if it
        has gone since); a fresh unsaved ``ShippingAddress`` at each call, as Oscar's callers expect."""
        chosen = self.checkout_session.shipping_user_address_id()
        if not chosen or self.checkout_session.new_shipping_address_fields() or not basket.is_shipping_required():
            address = super().get_shipping_address(basket)
            country = shipping_country(address.country_id) if address is not None and address.country_id else None
            if country is not None:
                address.country = country  # read from the cached list (saving the address writes its name)
            return address
        read = getattr(self, "address_book_entry", None)
        if read is None or read.pk != chosen:
            read = UserAddress._default_manager.select_related("country").filter(pk=chosen).first()
            if read is None:
                return None
            self.address_book_entry = read
        address = ShippingAddress()
        read.populate_alternative_model(address)
        return address
