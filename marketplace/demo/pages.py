"""The demo site itself: Django's site named for the shop at the address `make run` serves, and the pages every
footer links to (about, contact, terms, privacy, returns), so no footer link of the demo ends in a 404. They are
Oscar's flat pages, created once: staff edit them in the dashboard, and running `load_demo` again keeps their edits.
"""

from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.models import Site

FLAT_PAGES = [
    ("/about/", "About the Open Source Store",
     "<p>The Open Source Store is where a network of home workshops, microfactories and campuses sells open "
     "source goods: products whose designs anyone may use, study, make and improve.</p><p>Every design is sold at "
     "three levels: the product, the training or kit to make it, and a licence to mass-produce it. Every payment "
     "is split to the cent between the operator, a public campus fund, a pooled marketing fund and the design's "
     "contributors.</p>"),
    ("/contact/", "Contact", "<p>Write to <a href=\"mailto:shop@opensource.store\">shop@opensource.store</a>. For "
     "an order, write to the storefront that sold it: its contact details are on its page.</p>"),
    ("/terms/", "Terms of sale", "<p>Each storefront sells in its own name; the shop takes the payment and splits "
     "it. An order waiting for a bank transfer is cancelled if the money has not arrived within 14 days.</p>"),
    ("/privacy/", "Privacy", "<p>We keep what an order needs (name, address, e-mail) and nothing else. A licence's "
     "public page names the licensee, never an e-mail address. Card details are typed into Stripe's own form and "
     "never reach us.</p>"),
    ("/returns/", "Returns and refunds", "<p>Tell the storefront that sold it within 30 days; its refund comes "
     "back the way you paid, with the reason on your order page. A refunded download stops working.</p>"),
]  # fmt: skip


def name_site() -> None:
    """Site 1: the shop's name, at the local address `make run` serves."""
    Site.objects.filter(pk=1).update(domain="127.0.0.1:8000", name="Open Source Store")


def load_flat_pages() -> None:
    """The footer's pages (Oscar's flat pages: staff edit them in the dashboard, Content → Pages)."""
    for url, title, content in FLAT_PAGES:
        page, _ = FlatPage.objects.get_or_create(url=url, defaults={"title": title, "content": content})
        page.sites.add(Site.objects.get(pk=1))
