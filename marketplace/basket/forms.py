from django import forms
from django.utils.translation import gettext_lazy as _
from oscar.apps.basket import forms as oscar_forms

from marketplace.storefronts.rules import offer_is_live


class OfferChoiceMixin:
    """An optional hidden ``offer`` field: the stock record (operator's offer) the shopper picked."""

    def __init__(self, *args, offer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.named_offer = offer  # read already by the view, with its storefront (catalog.selectors.offer_to_add)
        self.fields["offer"] = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def clean(self):
        offer_id = self.cleaned_data.get("offer")
        if not offer_id:
            return super().clean()
        offer = self.named_offer
        if offer is None or offer.pk != offer_id:
            offer = self.product.stockrecords.select_related("partner__storefront").filter(pk=offer_id).first()
        if offer is None or not offer_is_live(offer):
            raise forms.ValidationError(_("This offer is no longer available; choose another operator."))
        info = self.basket.strategy.fetch_for_product(self.product, stockrecord=offer)
        if not info.price.exists:
            raise forms.ValidationError(_("This offer has no price."))
        if self.basket.currency and info.price.currency != self.basket.currency:
            raise forms.ValidationError(_("This offer's currency differs from the rest of your basket."))
        in_basket = self.basket.line_quantity(self.product, offer, self.cleaned_options())
        permitted, reason = info.availability.is_purchase_permitted(in_basket + self.cleaned_data.get("quantity", 1))
        if not permitted:
            raise forms.ValidationError(reason)
        self.basket.choose_offer(offer)
        return self.cleaned_data

    def cleaned_options(self):
        # asked here and again by Oscar's view; each answer reads the product's options from the database, unless
        # the product is known to have none
        if not hasattr(self, "_cleaned_options"):
            self._cleaned_options = super().cleaned_options() if self.parent_product.has_options else []
        return self._cleaned_options


class AddToBasketForm(OfferChoiceMixin, oscar_forms.AddToBasketForm):
    pass


class SimpleAddToBasketForm(oscar_forms.SimpleAddToBasketMixin, AddToBasketForm):
    pass
