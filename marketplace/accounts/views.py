"""Oscar's sign-in, registration and sign-out pages, hardened: registering is limited like every form that says
whether an e-mail has an account (``email_checks``), the new customer is signed in as Oscar does (the lockout knows
it is no guess), and signing out takes a POST (a button), so a link or an image on another site signs nobody out."""

from django.shortcuts import redirect
from django.template.response import TemplateResponse
from oscar.core.loading import get_class

from marketplace.accounts import email_checks
from marketplace.accounts.security import signing_in_new_account

OscarAuthView = get_class("customer.views", "AccountAuthView")
OscarRegistrationView = get_class("customer.views", "AccountRegistrationView")
OscarLogoutView = get_class("customer.views", "LogoutView")


class SignsInNewAccount:
    def register_user(self, form):
        with signing_in_new_account(form.cleaned_data["email"]):
            return super().register_user(form)


class AccountAuthView(SignsInNewAccount, OscarAuthView):
    """Oscar's page with the login and the registration forms."""

    def validate_registration_form(self):
        email = self.request.POST.get(f"{self.registration_prefix}-email", "")
        return email_checks.refusal(self.request, email) or super().validate_registration_form()


class AccountRegistrationView(SignsInNewAccount, OscarRegistrationView):
    """Oscar's registration page."""

    def post(self, request, *args, **kwargs):
        return email_checks.refusal(request, request.POST.get("email", "")) or super().post(request, *args, **kwargs)


class LogoutView(OscarLogoutView):
    """Oscar's sign-out (it also forgets Oscar's cookies) on a POST; a GET asks, with the button that signs out.
    Serves the dashboard's sign-out address too."""

    http_method_names = ["get", "post", "head", "options"]

    def get(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect("/")
        return TemplateResponse(request, "oscar/customer/logout.html")

    def post(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


login = AccountAuthView.as_view()
register = AccountRegistrationView.as_view()
logout = LogoutView.as_view()
