"""schemathesis against the live schema (read from the app, as a client reads /api/schema/): every operation, with
data that fits the schema and data that does not, over a shop with realistic data (``open_data``). Each answer
must not be a 500, must have a status code, content type and body the schema documents, and bad input must be
refused with a 4xx. Bounded and derandomised (a few examples per operation, no shrinking) so it runs in CI."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode

from marketplace.wsgi import application

# read once, at collection: the schema is the app's own, generated as /api/schema/ serves it
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], max_examples=8, deterministic=True, no_shrink=True,
    database="none",
)  # fmt: skip


@pytest.fixture
def one_connection(open_data, api_auth_headers):
    """schemathesis calls the WSGI app directly, whose request_started and request_finished close a connection that
    is inside a transaction (the test's) on PostgreSQL: keep it open, as Django's test client does. It comes after
    the data fixtures, since the test client they use connects Django's receiver again when it is done."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
# the shop's data is built once per operation and only read by the open endpoints (the operator endpoints' writes
# stay inside the test's transaction): a fixture shared by its examples is what is meant here
@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_every_operation_answers_as_its_schema_says(case, open_data, api_auth_headers, one_connection):
    case.call_and_validate(headers=api_auth_headers)
