"""The operator's "API tokens" page: create a token (its secret shown once), see when each was last used, revoke
one. Staff need no token; anyone without a storefront is told so, as on the other "your storefront" pages."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from marketplace.api import tokens
from marketplace.api.models import ApiToken
from marketplace.storefronts.models import Storefront

SECRET_KEY = "api_token_secret"  # noqa: S105 - the session holds a new token's secret until the next page shows it, once
NO_STOREFRONT = "api/dashboard/no_storefront.html"


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=80,
                           help_text=gettext_lazy("What will use it, e.g. “ERP stock sync”."))  # fmt: skip
    scope = forms.ChoiceField(label=gettext_lazy("May"), choices=ApiToken.SCOPE_CHOICES, initial=ApiToken.READ,
                              widget=forms.RadioSelect)  # fmt: skip


def _own_storefront(request):
    return Storefront.objects.select_related("partner").filter(operator_id=request.user.pk).first()


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request):
    storefront = _own_storefront(request)
    if storefront is None:
        return render(request, NO_STOREFRONT, status=404)
    form = TokenForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                token, secret = tokens.create_token(storefront=storefront, created_by=request.user,
                                                    **form.cleaned_data)  # fmt: skip
            except ValidationError as error:
                form.add_error(None, error)
            else:
                request.session[SECRET_KEY] = {"id": token.pk, "secret": secret}
                return redirect("apitokens:list")
        status = 400
    shown = request.session.pop(SECRET_KEY, None)  # shown on this page once, then gone
    context = {
        "storefront": storefront, "form": form, "tokens": tokens.tokens_of(storefront), "new": shown,
        "live_count": tokens.tokens_of(storefront).filter(revoked_at__isnull=True).count(),
        "most": tokens.MAX_LIVE_TOKENS, "api_base": request.build_absolute_uri(reverse("api:docs")),
        "stock_url": request.build_absolute_uri("/api/v1/operator/offers/stock/"),
    }  # fmt: skip
    response = render(request, "api/dashboard/tokens.html", context, status=status)
    response["Cache-Control"] = "no-store"  # the secret must not stay in a cache
    return response


@login_required
@require_POST
def token_revoke(request, pk):
    storefront = _own_storefront(request)
    if storefront is None:
        return render(request, NO_STOREFRONT, status=404)
    token = tokens.tokens_of(storefront).filter(pk=pk).first()
    if token is None:
        raise Http404(_("No such token of yours."))
    tokens.revoke_token(token=token)
    messages.success(request, _("Revoked: “%(name)s” (%(prefix)s…) no longer works.")
                     % {"name": token.name, "prefix": token.prefix})  # fmt: skip
    return redirect("apitokens:list")
