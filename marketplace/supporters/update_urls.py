"""The operator's updates to its supporters and their unsubscribe links (included by ``urls``)."""

urlpatterns = []
