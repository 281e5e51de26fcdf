"""One rate for every anonymous client, counted per address as the shop reads it (``client_ip``: behind our own
proxies only, so a forged X-Forwarded-For buys no fresh allowance). The rate is settings' ``anon`` rate
(``API_ANON_RATE``), read per request so tests can change it."""

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle

from marketplace.accounts.security import client_ip


class OpenDataThrottle(AnonRateThrottle):
    scope = "anon"

    def __init__(self):  # DRF reads the rate once per class; read it per request instead
        self.rate = api_settings.DEFAULT_THROTTLE_RATES[self.scope]
        self.num_requests, self.duration = self.parse_rate(self.rate)

    def get_ident(self, request):
        return client_ip(request) or "unknown"
