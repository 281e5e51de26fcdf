"""Stored XSS: every text a non-staff person (operator, contributor, certifier, shopper) can write through a form is
written with a corpus of payloads over HTTP, and every public and dashboard page that shows it is parsed: nothing
from the payloads may run. A second test keeps the list of fields honest: every editable text field of every model
is either written here or named below with the reason no non-staff person can write it."""

import datetime

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from certification.models import CertificationApplication, Contribution
from marketplace.fulfilment.models import OperatorOrder
from marketplace.supporters.models import SupporterUpdate
from tests import factories
from tests.checkout.test_checkout import ADDRESS
from tests.reliability.hostile.html import form_data, injected

pytestmark = pytest.mark.django_db

XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "'><img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[zero](java\u200bscript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<svg><script>alert(1)</script></svg>",
    "<iframe src=javascript:alert(1)></iframe>",
    "</textarea><script>alert(1)</script>",
    "</style><script>alert(1)</script>",
    '![x](x" onerror="alert(1))',
    "<details open ontoggle=alert(1)>",
    "<a href='data:text/html,<script>alert(1)</script>'>x</a>",
    "\uff1cscript\uff1ealert(1)\uff1c/script\uff1e \u202egnp.exe",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '<p style="x" onmouseover="alert(1)">hover</p>',
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    "<form action=javascript:alert(1)><button>x</button></form>",
    '<object data="javascript:alert(1)"></object>',
]
HARMLESS = "Plain words"

# Every editable text field a non-staff person writes through a form, and the form (writer below) that writes it.
WRITTEN = {
    "storefronts.Storefront": {"name", "tagline", "about", "contact_email", "contact_phone", "city"},
    "catalogue.Product": {"title", "description", "upc", "meta_title", "meta_description"},
    "partner.StockRecord": {"partner_sku"},
    "tiers.TierApplication": {"motivation"},
    "certification.Contribution": {"description", "evidence_links"},
    "certification.Review": {"note"},
    "fulfilment.OperatorOrder": {"carrier", "tracking_number"},
    "fulfilment.OperatorOrderEvent": {"note"},
    "marketplace_payments.Refund": {"reason"},
    "revenue.Account": {"payout_holder", "payout_details"},  # an operator's bank details for payouts by hand
    "reviews.ProductReview": {"title", "body"},
    "auth.User": {"first_name", "last_name"},
    "address.UserAddress": {"first_name", "last_name", "line1", "line2", "line3", "line4", "state", "notes"},
    "order.ShippingAddress": {"first_name", "last_name", "line1", "line2", "line3", "line4", "state", "notes"},
    "wishlists.WishList": {"name"},
    "specs.Answer": {"note"},  # a contributor's note on a Specifications answer
    "contract.Acceptance": {"name"},  # the name an operator accepts the Social Contract under
    "supporters.TrueFansOffer": {"pitch"},  # an operator's pitch to True Fans supporters, plain text
    "supporters.SupporterUpdate": {"subject", "body"},  # an operator's update to its supporters, Markdown
    "campaigns.Campaign": {"title", "description"},  # a pool member's campaign proposal, its story in Markdown
    "webhooks.Endpoint": {"url", "description"},  # an operator's webhook endpoint (shown to that operator only)
    "api.ApiToken": {"name"},  # an operator's name for an API token (shown to that operator only)
    # a unit's owner asks for a repair; the operator declines, quotes, closes it (the outcome is on the unit's page)
    "stewardship.ServiceRequest": {"description", "quote_covers", "outcome"},
    "stewardship.Decline": {"reason"},
    # staff write these, and they are shown to everyone: written here too
    "catalogue.Design": {"summary", "description"},
    "order.OrderNote": {"message"},
    "contract.ContractVersion": {"text"},  # the Social Contract, Markdown
}
# Editable text fields no non-staff person can put arbitrary text into, and why.
NOT_WRITTEN = {
    "validated or chosen, never free text": {
        "storefronts.Storefront": {"primary_colour", "accent_colour", "country",
                                   "custom_host"},  # colour input, ISO code, host name
        "contract.Acceptance": {"email"},  # EmailField
        "campaigns.Campaign": {"referral_code"},  # letters and digits only (generated, or staff's)
        # True Fans: the shop's currency, Stripe's ids, the reference the shop makes up for a standing order
        "supporters.Support": {"currency", "stripe_customer_id", "stripe_subscription_id", "bank_reference"},
        "supporters.SupportMonth": {"currency", "stripe_invoice_id", "bank_reference"},
        "certification.PerformanceResult": {"evidence_url"},  # URLField: http(s) only
        "certification.CertificationApplication": {"design_version"},  # the design's own version
        "auth.User": {"email", "username", "password"},  # EmailField; username derived; hashed
        "address.UserAddress": {"postcode", "phone_number", "code"},  # validated per country; hash
        "order.ShippingAddress": {"postcode", "phone_number", "code"},
        "order.BillingAddress": {"first_name", "last_name", "line1", "line2", "line3", "line4", "state", "postcode",
                                 "code"},  # no billing address form in this shop
        "reviews.ProductReview": {"name", "email", "homepage", "code"},  # signed-in reviewers only; URL; code
        "customer.ProductAlert": {"email", "key"},  # EmailField; random key
        "order.Order": {"guest_email", "number", "currency", "shipping_tax_code", "shipping_method", "shipping_code",
                        "status"},  # EmailField; the shop's own values
        "fulfilment.Enrolment": {"participant_email"},  # EmailField
        "wishlists.WishListSharedEmail": {"email"},
        "webhooks.Endpoint": {"secret"},  # generated by the shop
        "stewardship.ServiceRequest": {"location"},  # the place geo.locate found (GeoNames' name and country code)
        "stewardship.Transfer": {"to_email"},  # EmailField
    },
    "copied from a field tested above": {
        "order.Line": {"title", "partner_name", "partner_sku", "upc", "partner_line_reference", "partner_line_notes",
                       "tax_code", "status"},
        "wishlists.Line": {"title"},
        "fulfilment.DistributionLicence": {"licensee", "licensee_email", "number", "design_version", "terms",
                                           "signature"},
        "partner.Partner": {"name"},  # the storefront's name
        "webhooks.Attempt": {"url"},  # the endpoint's URL when it was sent
        "lifecycle.QCResult": {"name", "unit"},  # the QC step as it was when recorded (staff's)
        "lifecycle.Unit": {"design_version"},  # the design's own version
    },
    "staff only (dashboard or admin with staff's permissions)": {
        "catalogue.Design": {"name", "version", "repository_url", "hardware_licence", "software_licence",
                             "documentation_licence"},
        "catalogue.DesignDocument": {"url"}, "catalogue.BillOfMaterialsLine": {"feedstock", "unit"},
        "catalogue.DesignImage": {"caption"}, "catalogue.LicenceTerms": {"territory"},
        "catalogue.ProductImage": {"caption", "code"}, "catalogue.Product": {"code"},
        "catalogue.Category": {"path", "name", "code", "description", "long_description", "meta_title",
                               "meta_description"},
        "catalogue.ProductClass": {"name"}, "catalogue.ProductAttribute": {"name"},
        "catalogue.ProductAttributeValue": {"value_text", "value_richtext"},
        "catalogue.AttributeOptionGroup": {"name", "code"}, "catalogue.AttributeOption": {"option", "code"},
        "catalogue.Option": {"name", "help_text"},
        "flatpages.FlatPage": {"url", "title", "content", "template_name"}, "sites.Site": {"domain", "name"},
        "auth.Group": {"name"}, "auth.Permission": {"name", "codename"},
        "shipping.OrderAndItemCharges": {"name", "description"}, "shipping.WeightBased": {"name", "description"},
        "address.Country": {"iso_3166_1_a3", "iso_3166_1_numeric", "printable_name", "name"},
        "partner.PartnerAddress": {"code", "first_name", "last_name", "line1", "line2", "line3", "line4", "state",
                                   "postcode"},
        "offer.ConditionalOffer": {"name", "description", "status", "redirect_url"},
        "offer.Range": {"name", "description", "proxy_class"},
        "voucher.VoucherSet": {"name", "description"}, "voucher.Voucher": {"name", "code"},
        "communication.CommunicationEventType": {"name", "email_subject_template", "email_body_template",
                                                 "email_body_html_template", "sms_template"},
        "tiers.Tier": {"name", "description"}, "tiers.TierApplication": {"reason"},
        "specs.QuestionSet": {"notes"}, "specs.Question": {"code", "text"},
        "campaigns.Campaign": {"decision_reason"}, "campaigns.CampaignSpending": {"paid_for"},
        "revenue.FundProject": {"name", "description", "place"}, "revenue.Disbursement": {"description"},
        "storefronts.Storefront": {"status_reason"}, "storefronts.StorefrontEvent": {"action", "reason"},
        "certification.Contribution": {"design_version", "review_reason"},
        "certification.PerformanceCriterion": {"metric", "unit"},
        "certification.Certificate": {"public_id", "design_version", "revoked_reason"},
        "revenue.Account": {"name", "stripe_account_id"}, "revenue.JournalEntry": {"reference", "memo"},
        "revenue.Payout": {"currency", "stripe_transfer_id", "reference"},
        "order.PaymentEvent": {"reference"}, "order.ShippingEvent": {"notes"},
        "order.ShippingEventType": {"name"}, "order.PaymentEventType": {"name"}, "payment.SourceType": {"name"},
        "lifecycle.QCStep": {"name", "unit"},  # a design's QC checklist, written by staff
    },
    "written by the shop itself, never from a form": {
        "admin.LogEntry": {"object_id", "object_repr", "change_message"},
        "contenttypes.ContentType": {"app_label", "model"}, "sessions.Session": {"session_data"},
        "analytics.UserSearch": {"query"},  # kept, never rendered
        "notifications.OrderEmail": {"key", "code"},  # which e-mail went out, never rendered
        "campaigns.OrderAttribution": {"utm_source", "utm_medium", "utm_campaign"},  # from a link, never rendered
        "contract.Acceptance": {"text_sha256"},  # the fingerprint of the text accepted
        "communication.Email": {"email", "subject", "body_text", "body_html"},
        "communication.Notification": {"subject", "body"},
        "basket.Line": {"price_currency", "tax_code"},
        "payment.Transaction": {"txn_type", "reference", "status"},
        "payment.Source": {"currency", "reference", "label"},
        "payment.Bankcard": {"card_type", "name", "number", "partner_reference"},
        "offer.Benefit": {"proxy_class"}, "offer.Condition": {"proxy_class"},
        "offer.RangeProductFileUpload": {"filepath", "error_message"},
        "order.OrderNote": {"note_type"}, "order.OrderStatusChange": {"old_status", "new_status"},
        "order.LinePrice": {"tax_code"}, "order.LineAttribute": {"type"},
        "order.OrderDiscount": {"offer_name", "voucher_code", "message"},
        "order.Surcharge": {"name", "code", "tax_code"},
        "partner.StockRecord": {"price_currency"},
        "thumbnail.KVStore": {"value"},
        "marketplace.FailedTask": {"task_id", "task_name", "exception", "traceback"},
        "marketplace_payments.WebhookEvent": {"event_id", "type", "outcome"},
        "marketplace_payments.StripeIntent": {"order_number", "intent_id", "client_secret", "currency"},
        # Stripe Billing's True Fans product and its monthly prices: our names and amounts, Stripe's ids
        "marketplace_payments.BillingPrice": {"product_name", "currency", "interval", "product_id", "price_id"},
        "marketplace_payments.Refund": {"currency", "stripe_refund_id", "failure"},
        "fulfilment.LineFulfilment": {"error"}, "revenue.PendingAllocation": {"error"},
        "axes.AccessFailureLog": {"user_agent", "username", "http_accept", "path_info"},
        "axes.AccessAttempt": {"user_agent", "username", "http_accept", "path_info", "get_data", "post_data"},
        "axes.AccessLog": {"user_agent", "username", "http_accept", "path_info", "session_hash"},
        "webhooks.Event": {"key"},  # what an event is about ("part.paid:12"), never rendered
        "lifecycle.Unit": {"serial"},  # drawn by the shop (serials.new_serial)
        # the operator's own server's answer (bounded) and our network error, shown escaped to that operator only
        "webhooks.Attempt": {"response_excerpt", "error"},
    },
}
# Proxy models share their concrete model's fields.
PROXIES = {"offer.CountCondition", "offer.CoverageCondition", "offer.ValueCondition"}


def _editable_text_fields() -> dict[str, set[str]]:
    found = {}
    for model in apps.get_models():
        label = model._meta.label
        if model._meta.proxy or label in PROXIES or model._meta.app_label == "oscar":  # Oscar's own test models
            continue
        names = {f.name for f in model._meta.get_fields()
                 if isinstance(f, models.CharField | models.TextField) and not isinstance(f, models.SlugField)
                 and f.editable and not f.choices and not f.primary_key}  # fmt: skip
        if names:
            found[label] = names
    return found


def test_every_text_field_is_tested_or_named_with_a_reason():
    classified: dict[str, set[str]] = {label: set(names) for label, names in WRITTEN.items()}
    for group in NOT_WRITTEN.values():
        for label, names in group.items():
            classified.setdefault(label, set()).update(names)
    found = _editable_text_fields()
    unclassified = {label: sorted(names - classified.get(label, set())) for label, names in found.items()}
    assert {label: names for label, names in unclassified.items() if names} == {}
    gone = {label: sorted(names - found.get(label, set())) for label, names in classified.items()}
    assert {label: names for label, names in gone.items() if names} == {}


@pytest.fixture
def shop(two_operators, django_capture_on_commit_callbacks):
    """Berlin Fab's paid order from a signed-in shopper, a staff member, a certifier and a pending application."""
    capture = django_capture_on_commit_callbacks
    shopper = factories.UserFactory(email="shopper@example.com")
    browser = Client()
    browser.force_login(shopper)
    order = factories.pay_offline(
        factories.checkout([two_operators["printer"]], capture=capture, client=browser), capture=capture
    )
    staff = factories.UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)
    certifier = factories.UserFactory(email="certifier@example.com")
    certifier.groups.add(Group.objects.get(name="Certifiers"))
    design = two_operators["printer"].product.design
    application = CertificationApplication.objects.create(
        design=design, design_version=design.version, applicant=two_operators["berlin"].operator
    )
    create = reverse("customer:wishlists-create")
    _posted(browser.post(create, {**form_data(browser.get(create).content.decode()), "name": "Mine"}), "wish list")
    return {**two_operators, "order": order, "shopper": browser, "shopper_user": shopper, "staff": staff,
            "certifier": certifier, "design": design, "application": application, "capture": capture}  # fmt: skip


def _as(user):
    client = Client()
    client.force_login(user)
    return client


def _posted(response, what):
    form = response.context and response.context.get("form")
    errors = form.errors if form else response.content.decode()[-1500:]
    assert response.status_code == 302, (what, response.status_code, errors)


def _write_everywhere(shop, text, clients):
    """``text`` into every field of WRITTEN, through the forms their writers use."""
    operator, staff, certifier, shopper = clients["operator"], clients["staff"], clients["certifier"], shop["shopper"]
    design, order, product = shop["design"], shop["order"], shop["printer"].product
    # the operator's storefront settings
    settings_url = reverse("storefronts:dashboard")
    data = form_data(operator.get(settings_url).content.decode(), action_contains="")
    data.update(name=f"Berlin {text}"[:100], tagline=text[:160], about=f"About us\n\n{text}",
                city=f"Berlin {text}"[:100], contact_phone=text[:32], contact_email="fab@example.com")  # fmt: skip
    data = {key: value for key, value in data.items() if key not in ("tier", "motivation", "reference")}
    _posted(operator.post(settings_url, data), "storefront settings")
    operator.post(reverse("storefronts:apply-tier"), {"tier": shop["berlin"].tier_id, "motivation": text})
    # the operator's own product (Berlin Fab alone sells the printer): title, description, codes, its SKU
    product_url = reverse("dashboard:catalogue-product", kwargs={"pk": product.pk})
    data = form_data(operator.get(product_url).content.decode(), form_id="create_update_product_form")
    data.update({"title": f"Printer {text}"[:255], "description": f"<p>Intro</p>{text}", "meta_title": text[:255],
                 "meta_description": text, "upc": text[:64], "stockrecords-0-partner_sku": text[:128]})  # fmt: skip
    _posted(operator.post(product_url, data), "product")
    # staff's design summary and description
    design_url = reverse("dashboard:catalogue-design-update", kwargs={"pk": design.pk})
    data = form_data(staff.get(design_url).content.decode(), action_contains="")
    data.update(summary=text, description=f"Intro\n\n{text}")
    _posted(staff.post(design_url, data), "design")
    # staff publish a version of the Social Contract; the operator accepts it under a name of its own
    _posted(staff.post(reverse("contract:staff-publish"), {"text": f"Principles\n\n{text}", "grace_days": "60"}),
            "social contract version")  # fmt: skip
    _posted(operator.post(reverse("contract:accept"), {"name": text[:150], "email": "fab@example.com",
                                                       "accept": "on"}), "social contract acceptance")  # fmt: skip
    # a contribution (accepted, so the design page lists it), a certifier's review note
    contribution = {"kind": "improvement", "description": text, "evidence_links": f"https://example.com {text}"}
    shopper.post(reverse("certification:contribute", kwargs={"slug": design.slug}), contribution)
    Contribution.objects.filter(description=text).update(status="accepted")
    # the shopper, a contributor to the design, answers the Specifications questionnaire with a note
    from marketplace.specs.models import QuestionSet

    Contribution.objects.get_or_create(design=design, author=shop["shopper_user"], kind="testing",
                                       design_version=design.version, status="accepted",
                                       defaults={"description": "Tested it."})  # fmt: skip
    question = QuestionSet.objects.get(version=1).questions.first()
    _posted(shopper.post(reverse("specs:answer", kwargs={"slug": design.slug}),
                         {"version": 1, f"q{question.pk}": "partial", f"note{question.pk}": text[:1000]}),
            "specifications answer")  # fmt: skip
    certifier.post(reverse("certification:application", kwargs={"pk": shop["application"].pk}),
                   {"verdict": "changes", "note": text})  # fmt: skip
    # the shopper: a review, the profile's name, an address in the address book, a wish list's name
    product.reviews.all().delete()
    review = {"title": text[:255], "body": text, "score": 5}
    add_review = reverse("catalogue:reviews-add", kwargs={"product_slug": product.slug, "product_pk": product.pk})
    _posted(shopper.post(add_review, review), "review")
    _posted(shopper.post(reverse("customer:profile-update"),
                         {"first_name": text[:150], "last_name": text[:150], "email": "shopper@example.com"}),
            "profile")  # fmt: skip
    shop["shopper_user"].addresses.all().delete()
    address = {**ADDRESS, "first_name": text[:255], "last_name": text[:255], "line1": text[:255],
               "line2": text[:255], "line3": text[:255], "line4": text[:255], "state": text[:255], "notes": text}
    _posted(shopper.post(reverse("customer:address-create"), address), "address book")
    wishlist = shop["shopper_user"].wishlists.get()
    update = reverse("customer:wishlists-update", kwargs={"key": wishlist.key})
    _posted(shopper.post(update, {**form_data(shopper.get(update).content.decode()), "name": text[:255]}), "wish list")
    # a guest orders from Berlin Fab with that address: the operator and staff read it on the order page
    guest = Client()
    offer = shop["printer"]
    guest.post(reverse("basket:add", kwargs={"pk": offer.product_id}), {"quantity": 1, "offer": offer.pk})
    guest.post(reverse("checkout:index"), {"username": "guest@example.com", "options": "anonymous"})
    _posted(guest.post(reverse("checkout:shipping-address"), {**address, "phone_number": ""}), "shipping address")
    guest.get(reverse("checkout:shipping-method"), follow=True)
    guest.post(reverse("checkout:preview"), {"payment_method": "bank-transfer"})
    with shop["capture"](execute=True):
        _posted(guest.post(reverse("checkout:preview"), {"action": "place_order"}), "guest order")
    shop["guest_order"] = order.__class__.objects.latest("pk")
    # the operator ships with a tracking number, refunds a cent with a reason; staff add an order note
    part = OperatorOrder.objects.get(order=order)
    if part.status == OperatorOrder.TO_FULFIL:
        shipped = {"status": "shipped", "carrier": text[:64], "tracking_number": text[:64], "note": text}
        operator.post(reverse("fulfilment:part-status", kwargs={"pk": part.pk}), shipped)
    else:
        OperatorOrder.objects.filter(pk=part.pk).update(carrier=text[:64], tracking_number=text[:64])
    line = order.lines.get()
    with shop["capture"](execute=True):
        operator.post(reverse("fulfilment:refund-part", kwargs={"pk": part.pk}),
                      {f"amount_{line.pk}": "0.01", "reason": text})  # fmt: skip
    staff.post(reverse("dashboard:order-detail", kwargs={"number": order.number}),
               {"order_action": "save_note", "message": text})  # fmt: skip
    # the operator's True Fans pitch; the shopper supports Berlin Fab (its name then shows on the operator's page)
    _posted(operator.post(reverse("supporters:dashboard"), {"enabled": "on", "pitch": text[:500]}), "true fans offer")
    shopper.post(reverse("supporters:support", kwargs={"slug": shop["berlin"].slug}),
                 {"amount": "20.00", "term": "none", "method": "bank"})  # fmt: skip
    # the shopper's plan is paid, so the operator's update to its supporters goes (three a day: earlier ones moved back)
    from marketplace.supporters.models import Support

    Support.objects.filter(user=shop["shopper_user"]).update(status=Support.ACTIVE)
    SupporterUpdate.objects.update(sent_at=timezone.now() - datetime.timedelta(days=2))
    with shop["capture"](execute=True):
        _posted(operator.post(reverse("supporters:updates"), {"subject": text[:150], "body": f"News\n\n{text}",
                                                              "send": "1"}), "update to supporters")  # fmt: skip
    _posted(operator.post(reverse("revenue:payout-details"),
                          {"holder": text[:150], "details": f"{text[:120]} 123456789"}), "bank details")  # fmt: skip
    # the operator, in the marketing pool, proposes a campaign; staff approve it, so its page is public
    operator.post(reverse("campaigns:pool-join"))
    _posted(operator.post(reverse("campaigns:propose"), {"title": text[:120], "description": f"Story\n\n{text}",
                                                         "budget": "100.00", "starts_on": "2026-01-01",
                                                         "ends_on": "2099-01-01"}), "campaign proposal")  # fmt: skip
    from marketplace.campaigns.models import Campaign

    staff.post(reverse("campaigns:staff-decide", kwargs={"pk": Campaign.objects.latest("pk").pk, "action": "approve"}))
    # the operator's webhook endpoint: its URL (a query may hold anything) and its description
    from django.test import override_settings

    from marketplace.webhooks.models import Endpoint

    hook = {"url": f"https://127.0.0.1/hooks?{text}"[:500], "events": ["part.paid"], "description": text[:200]}
    with override_settings(WEBHOOKS_ALLOW_PRIVATE=True):
        endpoint = Endpoint.objects.filter(storefront=shop["berlin"]).first()
        if endpoint is None:
            _posted(operator.post(reverse("webhooks:create"), hook), "webhook endpoint")
        else:
            _posted(operator.post(reverse("webhooks:endpoint", kwargs={"pk": endpoint.pk}), {**hook, "active": "on"}),
                    "webhook endpoint settings")  # fmt: skip
    # the operator names an API token (earlier ones revoked: a storefront holds ten live tokens at most)
    from marketplace.api.models import ApiToken

    ApiToken.objects.filter(storefront=shop["berlin"]).update(revoked_at=timezone.now())
    _posted(operator.post(reverse("apitokens:list"), {"name": text[:80], "scope": "read"}), "api token")
    _write_stewardship(shop, text, shopper, operator)


def _write_stewardship(shop, text, shopper, operator):
    """The shopper's unit: a request declined with a reason, one closed with what was done, one quoted."""
    from marketplace.lifecycle.models import Unit
    from marketplace.stewardship.models import ServiceRequest

    unit = Unit.objects.get(line__order=shop["order"])
    ServiceRequest.objects.filter(unit=unit, status__in=ServiceRequest.LIVE).update(status=ServiceRequest.CANCELLED)
    Unit.objects.filter(pk=unit.pk).update(state=Unit.IN_SERVICE, owner=shop["shopper_user"])
    unit_url = reverse("stewardship:unit", kwargs={"serial": unit.serial})

    def ask():
        ask = {"action": "ask", "kind": "repair", "description": text[:2000], "location": "Berlin, DE"}
        _posted(shopper.post(unit_url, ask), "service request")
        return ServiceRequest.objects.latest("pk")

    def act(request, data):
        _posted(operator.post(reverse("stewardship:operator-request", kwargs={"pk": request.pk}), data), data["action"])

    declined = ask()
    act(declined, {"action": "decline", "decline-reason": text[:1000]})
    ServiceRequest.objects.filter(pk=declined.pk).update(status=ServiceRequest.CANCELLED)
    closed = ask()
    act(closed, {"action": "accept"})
    act(closed, {"action": "close", "close-outcome": text[:2000]})
    quoted = ask()
    act(quoted, {"action": "accept"})
    act(quoted, {"action": "quote", "quote-amount": "10.00", "quote-covers": text[:1000]})
    shop["unit"], shop["service_requests"] = unit, (declined, closed, quoted)


def _latest_endpoint():
    from marketplace.webhooks.models import Endpoint

    return Endpoint.objects.latest("pk")


def _latest_campaign():
    from marketplace.campaigns.models import Campaign

    return Campaign.objects.latest("pk")


def _pages(shop, clients):
    berlin, design, order, product = shop["berlin"], shop["design"], shop["order"], shop["printer"].product
    berlin.refresh_from_db()
    product.refresh_from_db()
    order_page = reverse("dashboard:order-detail", kwargs={"number": order.number})
    guest_page = reverse("dashboard:order-detail", kwargs={"number": shop["guest_order"].number})
    anonymous, operator, staff, shopper = clients["anonymous"], clients["operator"], clients["staff"], shop["shopper"]
    wishlist = shop["shopper_user"].wishlists.get()
    return {
        "storefront": (anonymous, berlin.get_absolute_url()),
        "storefront directory": (anonymous, reverse("storefronts:directory")),
        "social contract": (anonymous, reverse("contract:current")),
        "social contract acceptance": (operator, reverse("contract:accept")),
        "staff social contract": (staff, reverse("contract:staff")),
        "storefront settings": (operator, reverse("storefronts:dashboard")),
        "true fans": (anonymous, reverse("supporters:true-fans")),
        "operator supporters": (operator, reverse("supporters:dashboard")),
        "shopper support": (shopper, reverse("supporters:mine")),
        "operator updates to supporters": (operator, reverse("supporters:updates")),
        "operator update to supporters": (operator, reverse("supporters:update-detail", kwargs={
            "pk": SupporterUpdate.objects.latest("pk").pk})),
        "staff storefront list": (staff, reverse("storefronts:staff-list")),
        "campaigns": (anonymous, reverse("campaigns:list")),
        "campaign": (anonymous, _latest_campaign().get_absolute_url()),
        "operator marketing pool": (operator, reverse("campaigns:pool")),
        "operator campaign": (operator, reverse("campaigns:operator-campaign", kwargs={"pk": _latest_campaign().pk})),
        "staff campaigns": (staff, reverse("campaigns:staff")),
        "operator webhooks": (operator, reverse("webhooks:list")),
        "operator api tokens": (operator, reverse("apitokens:list")),
        "operator webhook endpoint": (operator, reverse("webhooks:endpoint", kwargs={"pk": _latest_endpoint().pk})),
        "staff campaign": (staff, reverse("campaigns:staff-campaign", kwargs={"pk": _latest_campaign().pk})),
        "design": (anonymous, design.get_absolute_url()),
        "unit": (anonymous, reverse("stewardship:unit", kwargs={"serial": shop["unit"].serial})),
        **{f"owner's request {n}": (shopper, reverse("stewardship:request", kwargs={"serial": shop["unit"].serial,
                                                                                  "pk": request.pk}))
           for n, request in enumerate(shop["service_requests"])},
        "operator requests": (operator, reverse("stewardship:operator-requests")),
        "operator request": (operator, reverse("stewardship:operator-request",
                                               kwargs={"pk": shop["service_requests"][2].pk})),
        "design list": (anonymous, reverse("designs:list")),
        "specifications questionnaire": (shop["shopper"], reverse("specs:answer", kwargs={"slug": design.slug})),
        "staff design list": (staff, reverse("dashboard:catalogue-design-list")),
        "product": (anonymous, product.get_absolute_url()),
        "product for the shopper": (shopper, product.get_absolute_url()),
        "reviews": (anonymous, reverse("catalogue:reviews-list", kwargs={"product_slug": product.slug,
                                                                         "product_pk": product.pk})),
        "catalogue": (anonymous, reverse("catalogue:index")),
        "search": (anonymous, reverse("search:search") + "?q=Printer"),
        "basket": (shopper, reverse("basket:summary")),
        "design dashboard": (staff, reverse("dashboard:catalogue-design-update", kwargs={"pk": design.pk})),
        "operator product list": (operator, reverse("dashboard:catalogue-product-list")),
        "operator product form": (operator, reverse("dashboard:catalogue-product", kwargs={"pk": product.pk})),
        "staff reviews": (staff, reverse("dashboard:reviews-list")),
        "certifier queue": (clients["certifier"], reverse("certification:queue")),
        "application": (clients["certifier"],
                        reverse("certification:application", kwargs={"pk": shop["application"].pk})),
        "operator order": (operator, order_page),
        "staff order": (staff, order_page),
        "operator guest order": (operator, guest_page),
        "staff guest order": (staff, guest_page),
        "operator order list": (operator, reverse("dashboard:order-list")),
        "operator revenue": (operator, reverse("revenue:operator")),
        "staff payouts": (staff, reverse("revenue:staff")),
        "staff ledger of the operator": (staff, reverse("revenue:staff-account", kwargs={
            "pk": berlin.partner.ledger_account.pk})),
        "staff users": (staff, reverse("dashboard:users-index")),
        "shopper order": (shopper, reverse("customer:order", kwargs={"order_number": order.number})),
        "shopper addresses": (shopper, reverse("customer:address-list")),
        "shopper profile": (shopper, reverse("customer:profile-view")),
        "shopper wish lists": (shopper, reverse("customer:wishlists-list")),
        "shopper wish list": (shopper, reverse("customer:wishlists-detail", kwargs={"key": wishlist.key})),
    }  # fmt: skip


def test_stored_xss_payloads_render_as_text_on_every_page(shop):
    clients = {"operator": _as(shop["berlin"].operator), "staff": _as(shop["staff"]),
               "certifier": _as(shop["certifier"]), "anonymous": Client()}  # fmt: skip
    shop["shopper"].post(reverse("basket:add", kwargs={"pk": shop["printer"].product_id}),
                         {"quantity": 1, "offer": shop["printer"].pk})  # fmt: skip
    _write_everywhere(shop, HARMLESS, clients)
    baseline = {name: client.get(url).content.decode() for name, (client, url) in _pages(shop, clients).items()}
    assert all(page for page in baseline.values())

    found = []
    for payload in XSS:
        _write_everywhere(shop, payload, clients)
        for name, (client, url) in _pages(shop, clients).items():
            response = client.get(url)
            assert response.status_code == 200, (name, url, response.status_code)
            html = response.content.decode()
            found += [f"{name} with {payload!r}: {item}" for item in injected(html, baseline[name])]
    assert found == [], "\n".join(found)
    assert len(XSS) * len(baseline) >= 500  # payloads × pages rendered


def test_rich_text_is_cleaned_when_saved_and_again_when_shown(client, two_operators):
    product = two_operators["printer"].product
    product.description = (
        '<p onclick="alert(1)">Fits <b>M5</b></p><script>alert(1)</script><a href="javascript:x">a</a>'
    )
    product.save()
    product.refresh_from_db()
    assert product.description == '<p>Fits <b>M5</b></p><a rel="nofollow noopener">a</a>'
    # a row written past the model (a bulk update, an old row) is cleaned on the way out
    type(product).objects.filter(pk=product.pk).update(description="<p>Old</p><img src=x onerror=alert(1)>")
    page = client.get(product.get_absolute_url()).content.decode()
    assert "<p>Old</p>" in page and "onerror" not in page
    category = product.categories.first() or factories.design(name="Other").category
    category.description = "<h2>Printers</h2><iframe src=//evil.example></iframe>"
    category.save()
    category.refresh_from_db()
    assert category.description == "<h2>Printers</h2>"
