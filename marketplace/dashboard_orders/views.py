from django.http import Http404
from oscar.apps.dashboard.orders import views

from marketplace.storefronts.selectors import lines_for_user


class OrderDetailView(views.OrderDetailView):
    def get_order_lines(self):
        # Staff see every line; an operator only its own, for display and for every line action it posts.
        return lines_for_user(self.request.user, self.object.lines.all())


class LineDetailView(views.LineDetailView):
    def get_object(self, queryset=None):
        line = super().get_object(queryset)
        if not lines_for_user(self.request.user, line.order.lines.all()).filter(pk=line.pk).exists():
            raise Http404()
        return line
