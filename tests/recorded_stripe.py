"""A stand-in for the Stripe endpoints localstripe does not serve (Connect: transfers, accounts, account links;
Billing: products, prices, customers, subscriptions), answering with responses recorded from Stripe's API
(``tests/revenue/recorded/``, ``tests/payments/recorded/``). Stripe's own library is pointed
at it through ``STRIPE_API_BASE``; what our code sent is kept for the test to check on the wire. Its onboarding page
plays Stripe's hosted onboarding: it sends the browser back to the ``return_url`` of the last account link."""

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

RECORDED_DIR = Path(__file__).parent / "revenue" / "recorded"


def recorded(name: str) -> dict:
    return json.loads((RECORDED_DIR / f"{name}.json").read_text())


class RecordedStripe:
    """The server and what it saw. ``account_state`` is what Stripe answers about the connected account:
    ``account_created`` (onboarding not done) or ``account_ready`` (transfers active)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.account_state = "account_created"
        self.return_url = ""
        self.refuse = False  # answer every API call with Stripe's 500, as when Stripe is down
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def paths(self) -> list[str]:
        return [f"{sent['method']} {sent['path']}" for sent in self.requests]

    def stop(self) -> None:
        self.server.shutdown()

    def answer(self, method: str, path: str, form: dict) -> tuple[int, dict]:
        if self.refuse:
            return 500, {"error": {"type": "api_error", "message": "Recorded outage."}}
        if (method, path) == ("POST", "/v1/transfers"):
            return 200, dict(recorded("transfer_created"), amount=int(form["amount"]),
                             destination=form["destination"], metadata={"payout_id": form["metadata[payout_id]"]})
        if (method, path) == ("POST", "/v1/accounts"):
            return 200, dict(recorded("account_created"), email=form.get("email"), country=form.get("country"),
                             metadata={"ledger_account_id": form.get("metadata[ledger_account_id]")})
        if (method, path) == ("POST", "/v1/account_links"):
            self.return_url = form["return_url"]
            link = recorded("account_link")
            return 200, dict(link, url=f"{self.base}/setup/e/{form['account']}/RecordedLink01")
        if method == "GET" and re.fullmatch(r"/v1/accounts/acct_\w+", path):
            return 200, dict(recorded(self.account_state), id=path.rsplit("/", 1)[1])
        from tests.payments.recorded_billing import answer_billing  # Billing: products, prices, subscriptions

        if billing := answer_billing(method, path, form):
            return billing
        return 404, {"error": {"type": "invalid_request_error", "message": f"Unrecorded {method} {path}"}}


def _handler(stripe: RecordedStripe):
    class Handler(BaseHTTPRequestHandler):
        def _reply(self, status: int, payload: dict) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):  # noqa: N802 - http.server's naming
            if self.path.startswith("/setup/e/"):  # Stripe's hosted onboarding, finished at once
                self.send_response(302)
                self.send_header("Location", stripe.return_url)
                self.end_headers()
                return
            stripe.requests.append({"method": "GET", "path": self.path, "form": {}, "idempotency_key": None})
            self._reply(*stripe.answer("GET", self.path, {}))

        def do_POST(self):  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers["Content-Length"] or 0)).decode()
            form = {key: values[0] for key, values in parse_qs(body).items()}
            stripe.requests.append({"method": "POST", "path": self.path, "form": form,
                                    "idempotency_key": self.headers["Idempotency-Key"]})  # fmt: skip
            self._reply(*stripe.answer("POST", self.path, form))

        def do_DELETE(self):  # noqa: N802 - http.server's naming (Stripe cancels a subscription with DELETE)
            stripe.requests.append({"method": "DELETE", "path": self.path, "form": {},
                                    "idempotency_key": self.headers["Idempotency-Key"]})  # fmt: skip
            self._reply(*stripe.answer("DELETE", self.path, {}))

        def log_message(self, *args):
            pass

    return Handler
