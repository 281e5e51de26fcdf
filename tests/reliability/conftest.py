# The localstripe server and the Stripe settings pointing at it, shared with the payments tests.
from tests.payments.conftest import localstripe_url, stripe_settings  # noqa: F401
