"""Every answer under /api/ is JSON, errors included: a path no endpoint has (``not_found``, the last route of
``marketplace.api.urls``), and the shop's own 404 and 500 handlers for a request refused before any view (e.g.
``HostilePathMiddleware``'s NUL character), which hand /api/ paths here (``handler404``/``handler500``)."""

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.defaults import page_not_found, server_error

API_PREFIX = "/api/"


def is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


@csrf_exempt
def not_found(request, *args, **kwargs):
    return JsonResponse({"detail": "No endpoint has this address: the list of endpoints is at /api/v1/, the "
                                   "reference at /api/docs/."}, status=404)  # fmt: skip


def handler404(request, exception=None):
    if is_api(request):
        return not_found(request)
    return page_not_found(request, exception)


def handler500(request):
    if is_api(request):
        return JsonResponse({"detail": "Something went wrong on our side; try again later."}, status=500)
    return server_error(request)
