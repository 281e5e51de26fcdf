from django.shortcuts import render

from catalog.models import Level
from certification.selectors import certificate_directory
from marketplace.ops.pagecache import anonymous_page
from marketplace.revenue.models import Account
from marketplace.revenue.selectors import fund_total
from marketplace.storefronts.forms import LocationForm
from marketplace.storefronts.selectors import storefront_directory

SHOWN = 6  # certified designs and storefronts on the page; each list links to the whole directory

# One sentence for each level, as the seed puts them.
LEVELS = {
    Level.PRODUCT: "The product itself, made by a home workshop, a microfactory or a campus near you.",
    Level.PRODUCTION: "The training or the kit to make it yourself: start your own microfactory.",
    Level.DISTRIBUTION: "A licence to mass-produce it, from an operator who holds the design's OSE Certified mark.",
}


@anonymous_page
def landing(request):
    location_form = LocationForm(request.GET)
    origin = location_form.location()
    context = {
        "levels": [(value, label, LEVELS.get(value, "")) for value, label in Level.choices],
        "certified": list(certificate_directory()[:SHOWN]),
        "storefronts": list(storefront_directory(origin=origin)[:SHOWN]),
        "location_form": location_form,
        "located": origin is not None,
        "campus_fund": fund_total(Account.CAMPUS_FUND),
    }
    return render(request, "home/landing.html", context)
