from django import http
from django.conf import settings
from django.contrib import messages
from django.core.signing import BadSignature, Signer
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.generic import DetailView
from oscar.apps.checkout import views
from oscar.core.loading import get_class

from marketplace.accounts import email_checks
from marketplace.accounts.security import allow_stripe
from marketplace.checkout import selectors, services
from marketplace.checkout.forms import GuestCheckoutForm, PaymentChoiceForm, ShipToForm

ShippingAddressForm = get_class("checkout.forms", "ShippingAddressForm")
Repository = get_class("shipping.repository", "Repository")

BANK_TRANSFER, CARD = "bank-transfer", "card"


def available_methods() -> list[tuple[str, str]]:
    """Bank transfer always; card only when Stripe is configured (secret, publishable and webhook keys)."""
    from marketplace.payments import stripe_gateway

    methods = [(BANK_TRANSFER, "Bank transfer (no card needed)")]
    if stripe_gateway.is_configured():
        methods.append((CARD, "Card (Stripe)"))
    return methods


class IndexView(views.IndexView):
    """Oscar's checkout gateway. Its sign-in gets the request, as every login form does, so a returning customer's
    password is counted and locked out there as on the login page; its guest and new-account options, which say
    whether an e-mail has an account, are limited per client address (``email_checks``)."""

    def get_success_url(self):
        """Signed in here: the one-page checkout. A guest (or a new account) goes on as in Oscar."""
        if self.request.user.is_authenticated:
            return reverse("checkout:index")
        return super().get_success_url()

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:  # nothing to sign in: the checkout itself
            return SignedInCheckoutView.as_view()(request, *args, **kwargs)
        if request.method == "POST" and "ship_to" in request.POST:
            # the signed-in checkout's own form, posted by someone signed out meanwhile (in another tab): their
            # basket is in their account, not in this browser's
            messages.warning(request, _("You were signed out before the order was placed, and nothing was ordered. "
                                        "Sign in to finish it: your basket is kept in your account."))
            return redirect(f"{reverse('customer:login')}?next={reverse('checkout:index')}")
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        form = self.form_class
        asks = {form.NEW} if settings.OSCAR_ALLOW_GUEST_CHECKOUT_WITH_ACCOUNT else {form.GUEST, form.NEW}
        refused = None
        if request.POST.get("options") in asks:
            refused = email_checks.refusal(request, request.POST.get("username", ""))
        return refused or super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


class ShippingMethodView(views.ShippingMethodView):
    """Oscar's, going straight on to the payment page: Oscar's payment-method step only redirects there (we choose
    how to pay on the payment page), so it would cost the shopper a round trip for nothing."""

    success_url = reverse_lazy("checkout:payment-details")


class PaymentDetailsView(views.PaymentDetailsView):
    """Choose how to pay; the choice is kept in the checkout session until the order is placed. A card order is
    placed as Pending with its Stripe PaymentIntent; it becomes paid only when Stripe confirms it server side."""

    def places_order(self, request) -> bool:
        return self.preview and request.method == "POST" and request.POST.get("action") == "place_order"

    def dispatch(self, request, *args, **kwargs):
        if not self.places_order(request):
            return super().dispatch(request, *args, **kwargs)
        # One transaction for the whole submission, holding the basket's row lock: the same checkout posted again
        # (a double click, a retrying proxy) waits for this one and lands on its order.
        with transaction.atomic():
            basket_id = request.basket.id if not request.basket.is_empty else _submitted_basket_id(request)
            order = services.order_already_placed(basket_id=basket_id) if basket_id else None
            if order is None:
                self.holds_basket_lock = True
                return super().dispatch(request, *args, **kwargs)
        return self.land_on_placed_order(request, order)

    def freeze_basket(self, basket):
        """Oscar writes the basket as frozen while payment is taken, so nobody changes it meanwhile. A submission
        here is one transaction holding the basket's row lock: nobody could see it frozen, or change it, before the
        order is placed and the basket written as submitted (or thawed, if placing fails). So it is frozen without
        a write of its own."""
        if getattr(self, "holds_basket_lock", False):
            basket.status = basket.FROZEN
        else:
            super().freeze_basket(basket)

    def land_on_placed_order(self, request, order):
        """Leave the session as the submission that placed ``order`` left it, so whichever request saves the
        session last, the shopper sees this order's thank-you page."""
        get_class("checkout.utils", "CheckoutSessionData")(request).flush()
        request.session["checkout_order_id"] = order.pk
        messages.info(request, f"Your order {order.number} has already been placed.")
        return http.HttpResponseRedirect(reverse("checkout:thank-you"))

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["payment_methods"] = available_methods()
        ctx["payment_method_values"] = [value for value, _ in ctx["payment_methods"]]
        ctx["chosen_method"] = self.checkout_session.payment_method() or BANK_TRANSFER
        return ctx

    def handle_payment_details_submission(self, request):
        method = request.POST.get("payment_method", BANK_TRANSFER)
        if method not in dict(available_methods()):
            messages.error(request, "Choose one of the payment methods offered.")
            return self.render_payment_details(request)
        self.checkout_session.pay_by(method)
        return self.render_preview(request)

    def handle_payment(self, order_number, total, **kwargs):
        method = self.checkout_session.payment_method() or BANK_TRANSFER
        if method == CARD and CARD in dict(available_methods()):
            from marketplace.payments.services import card_payment_source

            self.add_payment_source(
                card_payment_source(order_number=order_number, amount=total.incl_tax, currency=total.currency)
            )
            return
        self.add_payment_source(
            services.offline_payment_source(order_number=order_number, amount=total.incl_tax, currency=total.currency)
        )


class GuestCheckoutView(PaymentDetailsView):
    """A guest's whole checkout on one page: email, shipping address (when something ships) and how to pay, under
    the basket's lines and totals; posting it places the order. From the basket to the thank-you page that is one
    page and one submission, where the steps take five pages. Signed-in shoppers get theirs at the checkout's own
    address (``SignedInCheckoutView``, with their address book); the order is placed exactly as at the end of Oscar's
    steps, and the same submission twice places it once."""

    template_name = "oscar/checkout/guest.html"
    pre_conditions = ["check_basket_is_not_empty", "check_basket_is_valid"]
    skip_conditions = []
    preview = False

    def places_order(self, request) -> bool:
        return request.method == "POST" and not request.user.is_authenticated

    def get_skip_conditions(self, request):
        return []  # Oscar's payment-details page skips itself when nothing is to pay; this page also places orders

    def get(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("checkout:index")
        return self.render_page(request)

    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("checkout:index")
        # (with guest checkout open to accounts' e-mails, the form says nothing of accounts and needs no limit)
        asks = not settings.OSCAR_ALLOW_GUEST_CHECKOUT_WITH_ACCOUNT
        if asks and (refused := email_checks.refusal(request, request.POST.get("email", ""))):
            return refused
        self.form = GuestCheckoutForm(request.POST, methods=available_methods())
        self.address_form = ShippingAddressForm(request.POST) if request.basket.is_shipping_required() else None
        valid = [form.is_valid() for form in (self.form, self.address_form) if form is not None]
        if not all(valid):
            return self.render_page(request, error="Please correct the errors below.")
        self.checkout_session.set_guest_email(self.form.cleaned_data["email"])
        if self.address_form is not None:
            self.ship_to_typed_address()
        return self.pay_and_submit(request)

    def ship_to_typed_address(self) -> None:
        """The address typed into the page's address form, for the order (as Oscar's address step keeps it)."""
        fields = {key: value for key, value in self.address_form.instance.__dict__.items() if not key.startswith("_")}
        self.checkout_session.ship_to_new_address(fields)

    def pay_and_submit(self, request):
        """The one shipping method and the payment chosen, then the order placed as at the end of Oscar's steps."""
        self.checkout_session.use_shipping_method(self.get_shipping_method(request.basket).code)
        self.checkout_session.pay_by(self.form.cleaned_data["payment_method"])
        return self.submit(**self.build_submission())

    def get_shipping_method(self, basket, shipping_address=None, **kwargs):
        # the one way this shop ships (each operator its own lines), so the totals show before the form is posted
        chosen = super().get_shipping_method(basket, shipping_address, **kwargs)
        return chosen or Repository().get_default_shipping_method(
            basket=basket, shipping_addr=shipping_address, user=self.request.user, request=self.request
        )

    def render_page(self, request, **kwargs):
        if not hasattr(self, "form"):
            session = self.checkout_session
            self.form = GuestCheckoutForm(methods=available_methods(), initial={"email": session.get_guest_email()})
            self.address_form = None
            if request.basket.is_shipping_required():
                self.address_form = ShippingAddressForm(initial=session.new_shipping_address_fields())
        context = self.get_context_data(form=self.form, address_form=self.address_form, **kwargs)
        return self.render_to_response(context)

    # what Oscar renders when the payment or the order fails: this page again, with the error and what was typed
    def render_payment_details(self, request, **kwargs):
        return self.render_page(request, **kwargs)

    def render_preview(self, request, **kwargs):
        return self.render_page(request, **kwargs)


class SignedInCheckoutView(GuestCheckoutView):
    """A signed-in shopper's whole checkout on one page, at the checkout's own address: where to ship (their saved
    addresses, the default or most used one chosen for them, or a new address typed in, which joins their address
    book as in Oscar's steps), how to pay, the lines and the totals; posting it places the order. Oscar's steps stay
    for whoever opens them."""

    template_name = "oscar/checkout/signed_in.html"

    def places_order(self, request) -> bool:
        return request.method == "POST" and request.user.is_authenticated

    def get(self, request, *args, **kwargs):
        return self.render_page(request)

    def post(self, request, *args, **kwargs):
        self.form = PaymentChoiceForm(request.POST, methods=available_methods())
        self.ship_to, self.address_form = None, None
        if request.basket.is_shipping_required():
            self.ship_to = ShipToForm(request.POST, addresses=self.saved_addresses())
            if self.ship_to.wants_new_address():
                self.address_form = ShippingAddressForm(request.POST)
        valid = [form.is_valid() for form in (self.form, self.ship_to, self.address_form) if form is not None]
        if not all(valid):
            return self.render_page(request, error="Please correct the errors below.")
        session = self.checkout_session
        if self.ship_to is not None:
            chosen = self.ship_to.chosen_address()
            if chosen is not None:
                session.ship_to_user_address(chosen)
                self.address_book_entry = chosen  # read already, with its country (session.CheckoutSessionMixin)
            else:
                self.ship_to_typed_address()
        return self.pay_and_submit(request)

    def saved_addresses(self) -> list:
        if not hasattr(self, "_saved_addresses"):
            self._saved_addresses = selectors.saved_shipping_addresses(self.request.user)
        return self._saved_addresses

    def render_page(self, request, **kwargs):
        if not hasattr(self, "form"):
            chosen = self.checkout_session.payment_method()
            initial = {"payment_method": chosen} if chosen else {}
            self.form = PaymentChoiceForm(methods=available_methods(), initial=initial)
            self.ship_to, self.address_form = None, None
            if request.basket.is_shipping_required():
                self.ship_to = ShipToForm(addresses=self.saved_addresses())
        if self.ship_to is not None and self.address_form is None:
            self.address_form = ShippingAddressForm()  # offered beside the saved addresses, filled in only if chosen
        context = self.get_context_data(form=self.form, ship_to=self.ship_to, address_form=self.address_form,
                                        saved_addresses=self.saved_addresses() if self.ship_to else [], **kwargs)
        return self.render_to_response(context)


def _submitted_basket_id(request) -> int | None:
    """The basket this browser just submitted, when it is no longer open: a guest's basket cookie, else the order
    the session last placed."""
    cookie = request.COOKIES.get(settings.OSCAR_BASKET_COOKIE_OPEN)
    if cookie and not request.user.is_authenticated:
        try:
            return int(Signer().unsign(cookie))
        except (BadSignature, ValueError):
            return None
    order_id = request.session.get("checkout_order_id")
    if order_id:
        return services.Order.objects.filter(pk=order_id).values_list("basket_id", flat=True).first()
    return None


class ThankYouView(views.ThankYouView):
    """Oscar's, reading the order with what the page shows (``selectors.placed_order``) and writing nothing: Oscar
    marks the order as seen by its Google Analytics snippet, which this shop doesn't send."""

    def get_object(self, queryset=None):
        lookup = {}
        if self.request.user.is_superuser:  # Oscar's: staff may open any order's page to check it
            # a number holding a NUL (PostgreSQL cannot compare it) or an id that is no number is ignored
            number, order_id = self.request.GET.get("order_number"), self.request.GET.get("order_id", "")
            if number is not None:
                lookup = {"number": number} if "\x00" not in number else {}
            elif order_id.isascii() and order_id.isdigit() and len(order_id) < 19:
                lookup = {"id": int(order_id)}
        order = selectors.placed_order(**lookup) if lookup else None
        if order is None and "checkout_order_id" in self.request.session:
            order = selectors.placed_order(pk=self.request.session["checkout_order_id"])
        return order

    def get_context_data(self, *args, **kwargs):
        ctx = DetailView.get_context_data(self, *args, **kwargs)
        ctx["send_analytics_event"] = False
        ctx["bank_transfer"] = selectors.bank_transfer_to_make(ctx["order"])
        intent = selectors.card_payment_to_complete(ctx["order"])
        if intent is not None:
            ctx["stripe_intent"], ctx["stripe_publishable_key"] = intent, settings.STRIPE_PUBLISHABLE_KEY
        return ctx

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        if context.get("stripe_intent") is not None:
            allow_stripe(response)  # the card form: Stripe.js loads from Stripe
        return response
