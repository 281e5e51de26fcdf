"""Payouts to connected accounts go out as Stripe transfers. localstripe does not serve /v1/transfers, so Stripe's
own library is pointed at a small server answering with a recorded Stripe response; what our code sent (amount,
destination, idempotency key) is checked on the wire."""

import json
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from marketplace.revenue import services
from marketplace.revenue.models import Payout
from marketplace.revenue.selectors import balance
from tests import factories

pytestmark = pytest.mark.django_db
RECORDED = json.loads((Path(__file__).parent / "recorded" / "transfer_created.json").read_text())


class _RecordedStripe(BaseHTTPRequestHandler):
    requests: list = []

    def do_POST(self):  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"] or 0)).decode()
        form = {key: values[0] for key, values in parse_qs(body).items()}
        self.requests.append({"path": self.path, "form": form, "idempotency_key": self.headers["Idempotency-Key"]})
        if self.path != "/v1/transfers":
            self.send_response(404)
            self.end_headers()
            return
        answer = dict(RECORDED, amount=int(form["amount"]), destination=form["destination"],
                      metadata={"payout_id": form["metadata[payout_id]"]})  # fmt: skip
        payload = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def recorded_stripe(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _RecordedStripe)
    _RecordedStripe.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.STRIPE_SECRET_KEY = "sk_test_recorded"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_recorded"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_recorded"
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{server.server_port}"
    yield _RecordedStripe.requests
    server.shutdown()


def test_a_connected_operator_is_paid_out_by_one_stripe_transfer(
    recorded_stripe, two_operators, django_capture_on_commit_callbacks
):
    from marketplace.revenue.models import Account

    order = factories.checkout([two_operators["printer"]], capture=django_capture_on_commit_callbacks)
    factories.pay_offline(order, capture=django_capture_on_commit_callbacks)
    account = Account.objects.get(partner=two_operators["berlin"].partner)
    account.stripe_account_id = "acct_1QRecordedOperator"
    account.save(update_fields=["stripe_account_id"])
    owed = balance(account)
    assert owed > Decimal("25.00")

    with django_capture_on_commit_callbacks(execute=True):
        [payout] = [p for p in services.run_payouts() if p.account_id == account.pk]
    with django_capture_on_commit_callbacks(execute=True):
        assert [p for p in services.run_payouts() if p.account_id == account.pk] == []  # nothing left to pay
    payout.refresh_from_db()
    assert (payout.method, payout.status, payout.amount) == (Payout.STRIPE, Payout.PAID, owed)
    assert payout.stripe_transfer_id == "tr_1QRecordedTransfer01"
    assert balance(account) == 0

    [sent] = recorded_stripe
    assert sent["path"] == "/v1/transfers" and sent["idempotency_key"] == f"oss-payout-{payout.pk}"
    assert sent["form"]["amount"] == str(int(owed * 100)) and sent["form"]["destination"] == "acct_1QRecordedOperator"
    assert services.transfer_payout(payout_id=payout.pk) == "nothing to transfer"  # a retried task sends nothing
    assert len(recorded_stripe) == 1


def test_without_a_connected_account_the_payout_waits_for_staff(
    recorded_stripe, two_operators, django_capture_on_commit_callbacks
):
    order = factories.checkout([two_operators["printer"]], capture=django_capture_on_commit_callbacks)
    factories.pay_offline(order, capture=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        payouts = services.run_payouts()
    assert payouts and all(p.method == Payout.MANUAL and p.status == Payout.PENDING for p in payouts)
    assert recorded_stripe == []
