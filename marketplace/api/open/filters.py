"""Each endpoint's filters, validated by django-filter (a bad value is a 400 naming the field) and applied by the
selector the public page uses, so the API filters exactly as the page does."""

import django_filters
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Exists, F, Min, OuterRef
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field

from catalog import licences
from catalog import selectors as catalog_selectors
from catalog.models import Design, Level, Product
from certification.models import Certificate
from marketplace.storefronts import selectors as storefront_selectors
from marketplace.storefronts.models import Storefront
from tiers.models import Tier

LEVELS = [(value, f"Level {value}: {label}") for value, label in Level.choices]
LICENCES = sorted({**licences.HARDWARE, **licences.SOFTWARE, **licences.DOCUMENTATION})


@extend_schema_field({"type": "integer", "enum": Level.values})
class LevelFilter(django_filters.TypedChoiceFilter):
    def __init__(self, **kwargs):
        super().__init__(choices=LEVELS, coerce=int, **kwargs)


@extend_schema_field({"type": "number", "minimum": 0, "maximum": 100})
class ScoreFilter(django_filters.NumberFilter):
    pass


@extend_schema_field({"type": "boolean"})
class StrictBooleanFilter(django_filters.TypedChoiceFilter):
    """``true`` or ``false``, nothing else (django-filter's BooleanFilter reads any other word as "not given")."""

    def __init__(self, **kwargs):
        super().__init__(choices=[("true", "true"), ("false", "false")], coerce=lambda value: value == "true", **kwargs)


@extend_schema_field({"type": "string", "enum": LICENCES})
class LicenceFilter(django_filters.ChoiceFilter):
    def __init__(self, **kwargs):
        super().__init__(choices=[(spdx, spdx) for spdx in LICENCES], **kwargs)


class DesignFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(help_text="Words in the name, summary or description.")
    level = LevelFilter(help_text="Offered at this level.")
    licence = LicenceFilter(help_text="Any of its three licences (SPDX).")
    certified = StrictBooleanFilter(help_text="Holds a valid OSE Certified certificate now.")
    min_score = ScoreFilter(
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Specifications score at least this (percent, 0-100); unscored designs drop out.",
    )
    ordering = django_filters.OrderingFilter(
        fields=(("name", "name"), ("spec_score__score", "score")), help_text="name or score"
    )

    class Meta:
        model = Design
        fields = []

    def filter_queryset(self, queryset):
        """The catalogue's directory selector (``catalog.selectors.designs``) with the Specifications score, as the
        designs page composes them (``browse.selectors.design_directory``, a sibling layer this one may not import)."""
        data = self.form.cleaned_data
        items = catalog_selectors.designs(
            query=" ".join((data.get("search") or "").split()),
            level=data.get("level"),
            licence=data.get("licence") or "",
        ).select_related("spec_score__question_set")
        if data.get("min_score") is not None:
            items = items.filter(spec_score__score__gte=data["min_score"])
        if data.get("certified") in (True, False):  # not given: "" (the choice field's empty value)
            valid = Exists(Certificate.objects.filter(Certificate.valid_q(), design_id=OuterRef("pk")))
            items = items.filter(valid) if data["certified"] else items.exclude(valid)
        ordering = _ordering(self, data)
        if ordering:
            fields = []
            for field in ordering:
                if field.lstrip("-") == "score":
                    expression = F("spec_score__score")
                    fields.append(
                        expression.asc(nulls_last=True) if field == "score" else expression.desc(nulls_last=True)
                    )
                else:
                    fields.append(field)
            items = items.order_by(*fields, "pk")
        return items


def _ordering(filterset, data) -> list[str]:
    """The fields the ``ordering`` parameter names (it takes the names the schema lists, e.g. "-score")."""
    ordering = filterset.filters["ordering"]
    return [ordering.get_ordering_value(param) for param in data.get("ordering") or []]


PRODUCT_SORTS = {"newest": "newest", "price": "price-asc", "-price": "price-desc", "title": "title-asc",
                 "-title": "title-desc"}  # fmt: skip


class ProductFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(help_text="Words in the title or description.")
    level = LevelFilter()
    design = django_filters.CharFilter(help_text="The design's slug.")
    ordering = django_filters.ChoiceFilter(choices=[(key, key) for key in PRODUCT_SORTS], help_text="Default: newest.")

    class Meta:
        model = Product
        fields = []

    def filter_queryset(self, queryset):
        """The catalogue's listing rule (``browse.selectors.browsable_products``, a sibling layer this one may not
        import): public, canonical products someone offers live (``storefronts.selectors.live_offers``), sold out
        or not; a parent product through its variants."""
        data = self.form.cleaned_data
        live = storefront_selectors.live_offers()
        offered = Exists(live.filter(product_id=OuterRef("pk"))) | Exists(
            live.filter(product__parent_id=OuterRef("pk"))
        )
        items = Product.objects.browsable().filter(offered)
        if data.get("level"):
            items = items.filter(level=data["level"])
        if data.get("design"):
            items = items.filter(design__slug=data["design"])
        items = catalog_selectors.search_filter(items, query=" ".join((data.get("search") or "").split()))
        sort_by = PRODUCT_SORTS[data.get("ordering") or "newest"]
        if sort_by in ("price-asc", "price-desc"):
            items = items.annotate(min_price=Min("stockrecords__price"))
        return items.order_by(*catalog_selectors.SORTS[sort_by])


class StorefrontFilter(django_filters.FilterSet):
    tier = django_filters.CharFilter(help_text="The tier's code, e.g. microfactory-1.")
    country = django_filters.CharFilter(help_text="ISO 3166 code, e.g. US.")
    search = django_filters.CharFilter(field_name="name", lookup_expr="icontains")
    ordering = django_filters.OrderingFilter(fields=(("name", "name"), ("city", "city"), ("date_created", "opened")))

    class Meta:
        model = Storefront
        fields = []

    def filter_queryset(self, queryset):
        """The storefront directory's selector: active storefronts only."""
        data = self.form.cleaned_data
        tier = Tier.objects.filter(code=data["tier"]).first() if data.get("tier") else None
        if data.get("tier") and tier is None:
            return Storefront.objects.none()  # no tier has that code: no storefront is in it
        items = storefront_selectors.storefront_directory(tier=tier)
        if data.get("country"):
            items = items.filter(country__iexact=data["country"])
        if data.get("search"):
            items = items.filter(name__icontains=data["search"])
        if ordering := _ordering(self, data):
            items = items.order_by(*ordering, "pk")
        return items


class CertificateFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        choices=[(s, s) for s in (Certificate.VALID, Certificate.EXPIRED, Certificate.REVOKED)],
        help_text="Default: every state, as the directory lists with 'all'.",
    )
    design = django_filters.CharFilter(help_text="The design's slug.")
    search = django_filters.CharFilter(help_text="A design's name, or a certificate's public id.")
    ordering = django_filters.OrderingFilter(
        fields=(("issued_at", "issued"), ("expires_at", "expires")), help_text="Default: -issued"
    )

    class Meta:
        model = Certificate
        fields = []

    def filter_queryset(self, queryset):
        """The public directory's selector (``certification.selectors.certificate_directory``), every state."""
        from certification import selectors as certification_selectors

        data = self.form.cleaned_data
        items = certification_selectors.certificate_directory(
            query=(data.get("search") or "").strip(), include_all=True
        )
        state = data.get("state")
        if state == Certificate.VALID:
            items = items.filter(Certificate.valid_q())
        elif state == Certificate.EXPIRED:
            items = items.filter(revoked_at__isnull=True, expires_at__lte=timezone.now())
        elif state == Certificate.REVOKED:
            items = items.filter(revoked_at__isnull=False)
        if data.get("design"):
            items = items.filter(design__slug=data["design"])
        if ordering := _ordering(self, data):
            items = items.order_by(*ordering, "pk")
        return items


class FundFilterForm(forms.Form):
    fund = forms.ChoiceField(
        choices=[("campus_fund", "campus_fund"), ("marketing_pool", "marketing_pool")], required=False
    )
