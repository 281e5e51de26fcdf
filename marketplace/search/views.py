"""Catalogue browsing and search, served from indexed ORM queries instead of Haystack.

Stock Oscar 4.2 browses through the search engine and loads each product with several queries; here every
listing is one selector (``marketplace.browse.selectors.browsable_products``) with its joins and prefetches.
"""

import hashlib
from urllib.parse import unquote

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView
from oscar.core.loading import get_class

from catalog import selectors
from catalog.models import Category
from marketplace.browse import selectors as browse_selectors
from marketplace.ops import pagecache
from marketplace.ops.pagecache import anonymous_page

SearchForm = get_class("search.forms", "SearchForm")


class CachedCountPaginator(Paginator):
    """Django's, with the listing's COUNT kept in the cache until the catalogue changes (the page cache's generation
    is part of the key): counting 300,000 products costs a rendered listing page about 60 ms."""

    @cached_property
    def count(self) -> int:
        try:
            sql, params = self.object_list.query.get_compiler(using=self.object_list.db).as_sql()
            where = hashlib.sha256(repr((sql, params)).encode()).hexdigest()
            key = f"listing-count:{pagecache.generation()}:{where}"
            found = cache.get(key)
        except Exception:  # a listing that cannot be keyed, or a cache outage: count it
            return super().count
        if found is None:
            found = super().count
            cache.set(key, found, settings.PAGE_CACHE_SECONDS or 300)
        return found


@method_decorator(anonymous_page, name="dispatch")
class CatalogueView(ListView):
    """Browse all products in the catalogue."""

    context_object_name = "products"
    template_name = "oscar/catalogue/browse.html"
    paginate_by = 20
    paginator_class = CachedCountPaginator
    form_class = SearchForm

    def get(self, request, *args, **kwargs):
        self.form = self.form_class(request.GET)
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            messages.error(request, _("The given page number was invalid."))
            return redirect(request.path)

    def paginate_queryset(self, queryset, page_size):
        try:
            return super().paginate_queryset(queryset, page_size)
        except InvalidPage as exc:
            raise Http404 from exc

    def get_filters(self):
        data = self.form.cleaned_data if self.form.is_valid() else {}
        return {"query": data.get("q", ""), "sort_by": data.get("sort_by", ""), "level": data.get("level")}

    def get_queryset(self):
        return browse_selectors.browsable_products(**self.get_filters())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["form"] = self.form
        ctx["summary"] = _("All products")
        return ctx


class ProductCategoryView(CatalogueView):
    """Browse products in a category and its descendants."""

    template_name = "oscar/catalogue/category.html"

    def get(self, request, *args, **kwargs):
        self.category = get_object_or_404(Category, pk=self.kwargs["pk"])
        if not (self.category.is_public or request.user.is_staff):
            raise Http404()
        expected_path = self.category.get_absolute_url()
        if unquote(expected_path) != unquote(request.path):
            return HttpResponsePermanentRedirect(expected_path)
        return super().get(request, *args, **kwargs)

    def get_filters(self):
        return {**super().get_filters(), "category": self.category}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["category"] = self.category
        ctx["summary"] = self.category.name
        return ctx


class FacetedSearchView(CatalogueView):
    """Search designs and products by name and description."""

    template_name = "oscar/search/results.html"
    designs_shown = 6

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["query"] = self.get_filters()["query"]
        if ctx["query"]:
            ctx["designs"] = selectors.designs(query=ctx["query"], level=self.get_filters()["level"])[
                : self.designs_shown
            ]
        ctx["summary"] = _('Search results for "%(q)s"') % {"q": ctx["query"]}
        return ctx
