"""Pages of results, numbered from 1. A page number that is not one (``0``, ``-1``, ``abc``) is a 400; a page past
the last is a 404 (no such page, as DRF answers) saying which pages there are."""

from django.core.paginator import InvalidPage
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination


class OpenPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        page_size = self.get_page_size(request)
        raw = request.query_params.get(self.page_query_param, "1")
        paginator = self.django_paginator_class(queryset, page_size)
        if not (raw.isascii() and raw.isdigit() and raw.strip("0")):
            raise ValidationError({self.page_query_param: ["A page is a whole number from 1."]})
        try:
            if len(raw.lstrip("0")) > 18:  # a whole number, and far past any last page
                raise InvalidPage
            self.page = paginator.page(int(raw))
        except InvalidPage:
            pages = paginator.num_pages
            raise NotFound(f"No such page: there are {pages} page(s); ask for page 1 to {pages}.") from None
        return list(self.page)

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not (raw.isascii() and raw.isdigit() and 0 < len(raw) <= 3 and 1 <= int(raw) <= self.max_page_size):
            raise ValidationError({self.page_size_query_param: [f"A page holds 1 to {self.max_page_size} items."]})
        return int(raw)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
        return parameters
