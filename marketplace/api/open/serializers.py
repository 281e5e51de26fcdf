"""What each endpoint answers: only what the public pages show. No e-mail address, no stock count, no draft, no
operator's private settings. Money is a decimal string with its currency; links are absolute."""

from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog import costs, standards
from catalog.models import Level
from certification.models import Certificate


def absolute(request, path: str) -> str:
    return request.build_absolute_uri(path)


def api_url(request, name: str, **kwargs) -> str:
    return absolute(request, reverse(f"api:{name}", kwargs=kwargs))


class Money(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    currency = serializers.CharField()


def money(amount: Decimal | None, currency: str | None = None) -> dict | None:
    if amount is None:
        return None
    return {"amount": f"{amount:.2f}", "currency": currency or settings.OSCAR_DEFAULT_CURRENCY}


class DesignLink(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    url = serializers.URLField(help_text="This design in the API.")
    page = serializers.URLField(help_text="This design's page in the shop.")


def design_link(request, design) -> dict:
    return {"slug": design.slug, "name": design.name, "url": api_url(request, "design-detail", slug=design.slug),
            "page": absolute(request, design.get_absolute_url())}  # fmt: skip


class StorefrontLink(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    url = serializers.URLField(help_text="This storefront in the API.")
    page = serializers.URLField(help_text="This storefront's page in the shop.")


def storefront_link(request, storefront) -> dict:
    return {"slug": storefront.slug, "name": storefront.name,
            "url": api_url(request, "storefront-detail", slug=storefront.slug),
            "page": absolute(request, storefront.get_absolute_url())}  # fmt: skip


# --- designs ---------------------------------------------------------------------------------------------------


class Licences(serializers.Serializer):
    hardware = serializers.CharField(allow_blank=True, help_text="SPDX identifier")
    software = serializers.CharField(allow_blank=True, help_text="SPDX identifier")
    documentation = serializers.CharField(allow_blank=True, help_text="SPDX identifier")


class DocumentationArea(serializers.Serializer):
    area = serializers.CharField()
    label = serializers.CharField()
    status = serializers.ChoiceField(choices=standards.STATUSES)
    url = serializers.CharField(allow_blank=True)


class Documentation(serializers.Serializer):
    completeness = serializers.IntegerField(min_value=0, max_value=100, help_text="Percent of the six areas complete.")
    areas = DocumentationArea(many=True)


class BomEdge(serializers.Serializer):
    quantity = serializers.DecimalField(max_digits=12, decimal_places=3)
    unit = serializers.CharField()
    supply = serializers.ChoiceField(choices=["stock", "specialised"])
    component = DesignLink(allow_null=True, help_text="The component design, or null for a feedstock.")
    feedstock = serializers.CharField(allow_blank=True)


class FullCostRow(serializers.Serializer):
    label = serializers.CharField()
    amount = Money()


class FullCost(serializers.Serializer):
    rows = FullCostRow(many=True)
    co2e_kg = serializers.DecimalField(max_digits=14, decimal_places=3)
    total = Money()


class SpecScore(serializers.Serializer):
    score = serializers.DecimalField(max_digits=5, decimal_places=2, help_text="Percent.")
    answered = serializers.IntegerField()
    questions = serializers.IntegerField()
    question_set_version = serializers.IntegerField()


class CertificateSummary(serializers.Serializer):
    public_id = serializers.CharField()
    design_version = serializers.CharField()
    expires_at = serializers.DateTimeField()
    url = serializers.URLField(help_text="This certificate in the API.")
    verification_url = serializers.URLField(help_text="Its public verification page.")


def certificate_summary(request, certificate) -> dict:
    return {
        "public_id": certificate.public_id,
        "design_version": certificate.design_version,
        "expires_at": certificate.expires_at,
        "url": api_url(request, "certificate-detail", public_id=certificate.public_id),
        "verification_url": absolute(request, certificate.get_absolute_url()),
    }


class Certification(serializers.Serializer):
    certified = serializers.BooleanField(help_text="Holds a valid OSE Certified certificate now.")
    valid_certificates = CertificateSummary(many=True)


class DesignSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    url = serializers.SerializerMethodField()
    page = serializers.SerializerMethodField()
    name = serializers.CharField()
    summary = serializers.CharField()
    version = serializers.CharField()
    category = serializers.CharField(source="category.name", allow_null=True, default=None)
    repository_url = serializers.CharField(allow_blank=True)
    levels = serializers.SerializerMethodField()
    licences = serializers.SerializerMethodField()
    documentation = serializers.SerializerMethodField()
    bill_of_materials = serializers.SerializerMethodField()
    used_in = serializers.SerializerMethodField()
    full_cost = serializers.SerializerMethodField()
    specifications_score = serializers.SerializerMethodField()
    certification = serializers.SerializerMethodField()

    def _request(self):
        return self.context["request"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, design) -> str:
        return api_url(self._request(), "design-detail", slug=design.slug)

    @extend_schema_field(OpenApiTypes.URI)
    def get_page(self, design) -> str:
        return absolute(self._request(), design.get_absolute_url())

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=Level.values)))
    def get_levels(self, design) -> list[int]:
        """The levels someone can buy it at: a public product of that level exists (the directory's rule)."""
        return [value for value in Level.values if getattr(design, f"has_level_{value}", False)]

    @extend_schema_field(Licences)
    def get_licences(self, design) -> dict:
        return {"hardware": design.hardware_licence, "software": design.software_licence,
                "documentation": design.documentation_licence}  # fmt: skip

    @extend_schema_field(Documentation)
    def get_documentation(self, design) -> dict:
        documents = list(design.documents.all())
        areas = [
            {"area": s.code, "label": s.label, "status": s.status, "url": s.url}
            for s in standards.area_states(documents)
        ]
        return {"completeness": standards.completeness(documents), "areas": areas}

    @extend_schema_field(BomEdge(many=True))
    def get_bill_of_materials(self, design) -> list:
        request = self._request()
        return [
            {"quantity": f"{line.quantity:.3f}", "unit": line.unit, "supply": line.supply, "feedstock": line.feedstock,
             "component": design_link(request, line.component) if line.component_id else None}
            for line in design.bom_lines.all()
        ]  # fmt: skip

    @extend_schema_field(DesignLink(many=True))
    def get_used_in(self, design) -> list:
        request = self._request()
        return [design_link(request, line.design) for line in design.used_in_lines.all()]

    @extend_schema_field(FullCost)
    def get_full_cost(self, design) -> dict:
        cost = costs.full_cost(design)
        return {"rows": [{"label": label, "amount": money(amount)} for label, amount in cost.rows()],
                "co2e_kg": f"{cost.co2e_kg:.3f}", "total": money(cost.total)}  # fmt: skip

    @extend_schema_field(SpecScore(allow_null=True))
    def get_specifications_score(self, design) -> dict | None:
        score = getattr(design, "spec_score", None)
        if score is None:
            return None
        return {"score": f"{score.score:.2f}", "answered": score.answered, "questions": score.questions,
                "question_set_version": score.question_set.version}  # fmt: skip

    @extend_schema_field(Certification)
    def get_certification(self, design) -> dict:
        from certification import marks

        valid = marks.valid_certificates(design)
        return {
            "certified": bool(valid),
            "valid_certificates": [certificate_summary(self._request(), c) for c in valid],
        }


# --- products and their live offers ----------------------------------------------------------------------------


class OfferSerializer(serializers.Serializer):
    storefront = StorefrontLink(allow_null=True, help_text="Null for an offer of the shop itself.")
    seller = serializers.CharField()
    price = Money(allow_null=True)
    availability = serializers.ChoiceField(choices=["in_stock", "sold_out"])


def offer_data(request, offer, *, tracked: bool) -> dict:
    storefront = getattr(offer.partner, "storefront", None)
    in_stock = not tracked or (offer.net_stock_level or 0) > 0
    return {
        "storefront": storefront_link(request, storefront) if storefront is not None else None,
        "seller": storefront.name if storefront is not None else offer.partner.name,
        "price": money(offer.price, offer.price_currency),
        "availability": "in_stock" if in_stock else "sold_out",
    }


class ProductSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.SerializerMethodField()
    page = serializers.SerializerMethodField()
    title = serializers.CharField()
    level = serializers.IntegerField(allow_null=True)
    design = serializers.SerializerMethodField()
    offers = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, product) -> str:
        return api_url(self.context["request"], "product-detail", id=product.pk)

    @extend_schema_field(OpenApiTypes.URI)
    def get_page(self, product) -> str:
        return absolute(self.context["request"], product.get_absolute_url())

    @extend_schema_field(DesignLink(allow_null=True))
    def get_design(self, product) -> dict | None:
        return design_link(self.context["request"], product.design) if product.design_id else None

    @extend_schema_field(OfferSerializer(many=True))
    def get_offers(self, product) -> list:
        """Live offers (``storefronts.selectors.live_offers``: active storefronts, licences only from mark holders),
        cheapest first, as the product page lists them."""
        tracked = product.get_product_class().track_stock
        return [offer_data(self.context["request"], offer, tracked=tracked) for offer in product.live_offers]


# --- storefronts -----------------------------------------------------------------------------------------------


class TierSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class StorefrontSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    url = serializers.SerializerMethodField()
    page = serializers.SerializerMethodField()
    name = serializers.CharField()
    tagline = serializers.CharField(allow_blank=True)
    tier = TierSerializer()
    city = serializers.CharField()
    country = serializers.CharField()
    latitude = serializers.SerializerMethodField()
    longitude = serializers.SerializerMethodField()
    campus_fund_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    marks = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, storefront) -> str:
        return api_url(self.context["request"], "storefront-detail", slug=storefront.slug)

    @extend_schema_field(OpenApiTypes.URI)
    def get_page(self, storefront) -> str:
        return absolute(self.context["request"], storefront.get_absolute_url())

    @extend_schema_field(serializers.DecimalField(max_digits=7, decimal_places=3, allow_null=True))
    def get_latitude(self, storefront) -> str | None:
        """To three decimals (about 100 m), as the storefront's page shows it."""
        return None if storefront.latitude is None else f"{storefront.latitude:.3f}"

    @extend_schema_field(serializers.DecimalField(max_digits=7, decimal_places=3, allow_null=True))
    def get_longitude(self, storefront) -> str | None:
        return None if storefront.longitude is None else f"{storefront.longitude:.3f}"

    @extend_schema_field(DesignLink(many=True))
    def get_marks(self, storefront) -> list:
        """Designs it offers on which it may show the OSE Certified mark (``certification.marks``)."""
        request = self.context["request"]
        designs = self.context["marks"].get(storefront.pk, [])
        return [design_link(request, design) for design in designs]


# --- certificates ----------------------------------------------------------------------------------------------


class HolderSerializer(serializers.Serializer):
    name = serializers.CharField()
    storefront = StorefrontLink(allow_null=True)


class CertificateSerializer(serializers.Serializer):
    public_id = serializers.CharField()
    url = serializers.SerializerMethodField()
    verification_url = serializers.SerializerMethodField()
    design = serializers.SerializerMethodField()
    design_version = serializers.CharField()
    state = serializers.SerializerMethodField()
    issued_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    revoked_reason = serializers.CharField(allow_blank=True)
    holders = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, certificate) -> str:
        return api_url(self.context["request"], "certificate-detail", public_id=certificate.public_id)

    @extend_schema_field(OpenApiTypes.URI)
    def get_verification_url(self, certificate) -> str:
        return absolute(self.context["request"], certificate.get_absolute_url())

    @extend_schema_field(DesignLink)
    def get_design(self, certificate) -> dict:
        return design_link(self.context["request"], certificate.design)

    @extend_schema_field(serializers.ChoiceField(choices=[Certificate.VALID, Certificate.EXPIRED, Certificate.REVOKED]))
    def get_state(self, certificate) -> str:
        return certificate.state()

    @extend_schema_field(HolderSerializer(many=True))
    def get_holders(self, certificate) -> list:
        """As the certificate's page names them: an active storefront by its name, anyone else by their name."""
        request = self.context["request"]
        found = []
        for holder in certificate.holders.all():
            storefront = getattr(holder.user, "storefront", None)
            if storefront is not None and storefront.is_active:
                found.append({"name": storefront.name, "storefront": storefront_link(request, storefront)})
            else:
                found.append({"name": holder.user.get_full_name() or "A contributor", "storefront": None})
        return found


# --- the campus fund ---------------------------------------------------------------------------------------------


class SpentOn(serializers.Serializer):
    name = serializers.CharField()
    project_page = serializers.URLField(allow_null=True)
    amount = Money()


class FundMonthSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    money_in = Money(help_text="Received, after refunds.")
    money_out = Money(help_text="Spent.")
    balance = Money(help_text="At the month's end.")
    spent_on = SpentOn(many=True)

    def to_representation(self, month):
        request = self.context["request"]
        return {
            "month": f"{month.month:%Y-%m}",
            "money_in": money(month.money_in),
            "money_out": money(month.money_out),
            "balance": money(month.balance),
            "spent_on": [
                {"name": name, "amount": money(amount), "project_page": _project_page(request, slug)}
                for name, slug, amount in month.spent_on
            ],
        }  # fmt: skip


def _project_page(request, slug: str) -> str | None:
    return absolute(request, reverse("revenue:campus-project", kwargs={"slug": slug})) if slug else None
