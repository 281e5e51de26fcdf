"""Every money event is one structured log record on `marketplace.money`: the order, the amount and the currency
as fields, JSON lines in production."""

import json
import logging
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from pythonjsonlogger.json import JsonFormatter

from marketplace.fulfilment import refunds
from marketplace.fulfilment.models import OperatorOrder
from tests import factories
from tests.project.test_deploy import production_process

ROOT = Path(__file__).resolve().parents[2]


def _money_records(caplog, event: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "marketplace.money" and getattr(r, "event", None) == event]


@pytest.mark.django_db
def test_a_payment_and_a_refund_each_log_one_record_with_order_and_amount(
    two_operators, django_capture_on_commit_callbacks, caplog
):
    caplog.set_level(logging.INFO, logger="marketplace.money")
    order = factories.checkout([two_operators["printer"], two_operators["mill"]],
                               capture=django_capture_on_commit_callbacks)  # fmt: skip

    factories.pay_offline(order, capture=django_capture_on_commit_callbacks)
    [payment] = _money_records(caplog, "payment")
    assert (payment.order, payment.amount, payment.currency) == (order.number, str(order.total_incl_tax), "USD")
    assert payment.method == "bank-transfer"

    part = OperatorOrder.objects.get(order=order, partner=two_operators["berlin"].partner)
    line = order.lines.get(partner=two_operators["berlin"].partner)
    with django_capture_on_commit_callbacks(execute=True):
        refund = refunds.request_refund(part_id=part.pk, actor=factories.UserFactory(is_staff=True),
                                        amounts={line.pk: Decimal("100.00")}, reason="Scratched frame")  # fmt: skip
    [refunded] = _money_records(caplog, "refund")
    assert (refunded.order, refunded.amount, refunded.currency, refunded.refund) == (order.number, "100.00", "USD",
                                                                                      refund.pk)  # fmt: skip

    # the production formatter turns the very record into one JSON line with those fields
    options = {k: v for k, v in settings.LOGGING["formatters"]["json"].items() if k != "()"}
    line = json.loads(JsonFormatter(**options).format(refunded))
    assert {k: line[k] for k in ("logger", "level", "event", "order", "amount", "currency")} == {
        "logger": "marketplace.money", "level": "INFO", "event": "refund", "order": order.number,
        "amount": "100.00", "currency": "USD",
    }  # fmt: skip


def test_production_logs_are_json_lines_and_debug_logs_are_text(tmp_path):
    script = (
        "import logging, django; django.setup(); logging.getLogger('marketplace.money').info("
        "'payment order=1 amount=9.50 USD', extra={'event': 'payment', 'order': '1', 'amount': '9.50'})"
    )
    env = production_process(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", REDIS_URL="")

    production = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
    record = json.loads(production.stderr.strip().splitlines()[-1])
    assert record["event"] == "payment" and record["order"] == "1" and record["amount"] == "9.50"

    debug_env = {**{k: v for k, v in env.items() if k != "LOG_FORMAT"}, "DEBUG": "true"}
    debug = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=debug_env, capture_output=True, text=True)
    assert debug.stderr.strip().splitlines()[-1].endswith("INFO marketplace.money payment order=1 amount=9.50 USD")
