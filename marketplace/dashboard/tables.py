"""The dashboard's lists (products, categories, options, users ...) stay up whatever their query string says."""

from django.core.exceptions import FieldError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django_tables2 import Table
from django_tables2.utils import OrderBy, OrderByTuple
from oscar.apps.dashboard import tables

MAX_PER_PAGE = 100


class DashboardTable(tables.DashboardTable):
    """Oscar's dashboard table. A column is sortable only if its rows can be sorted by it: Oscar's checkbox and
    actions columns hold no field, yet their headers linked to ``?sort=checkbox``, and the sort was a server error;
    such a sort is now ignored, and the header is no link. ``?per_page=`` gives one to ``MAX_PER_PAGE`` rows."""

    @tables.DashboardTable.order_by.setter
    def order_by(self, value):
        # Table.__init__ sets the order once its columns exist; a request's ?sort= comes after (RequestConfig).
        for bound in self.columns.iterall():
            if bound.column.orderable is None and not self._sortable(bound):
                bound.column.orderable = False
        Table.order_by.fset(self, value)

    def _sortable(self, bound) -> bool:
        """A column with an ``order_<name>`` method, or whose sort keys are the queryset's fields or annotations."""
        queryset = getattr(self.data, "data", None)
        if hasattr(self, f"order_{bound.name}") or not isinstance(queryset, QuerySet):
            return True
        keys = bound.column.order_by or OrderByTuple((bound.accessor,))
        try:
            queryset.order_by(*(OrderBy(key).for_queryset() for key in keys))  # builds the query, runs nothing
        except (FieldError, TypeError):
            return False
        return True

    def paginate(self, paginator_class=Paginator, per_page=None, page=1, *args, **kwargs):
        if per_page is not None:
            per_page = min(per_page, MAX_PER_PAGE) if per_page > 0 else None  # None: the table's own page size
        return super().paginate(paginator_class, per_page, page, *args, **kwargs)
