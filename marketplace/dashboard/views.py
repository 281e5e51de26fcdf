"""The dashboard home: an operator's figures are its own money, never the whole orders it shares."""

from datetime import timedelta

from django.utils.timezone import now
from oscar.apps.dashboard import views

from marketplace.fulfilment import selectors as fulfilment_selectors


class IndexView(views.IndexView):
    """Oscar's dashboard home. For an operator, its revenue, average order and the 24-hour chart are its own parts of
    orders (its lines and its shipping): Oscar counts the whole of every order holding one of its lines, which would
    show it the other operators' sales. Staff see Oscar's whole-order figures."""

    def get_hourly_report(self, orders, hours=24, segments=10):
        if not self.request.user.is_staff:
            orders = fulfilment_selectors.operator_parts(self.request.user)  # its parts, with Oscar's field names
        return super().get_hourly_report(orders, hours, segments)

    def get_stats(self):
        stats = super().get_stats()
        if not self.request.user.is_staff:
            stats.update(fulfilment_selectors.operator_figures(self.request.user, since=now() - timedelta(hours=24)))
        return stats
