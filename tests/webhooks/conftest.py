"""A real receiver: an HTTP server in a thread on 127.0.0.1 that records what the shop sends and answers as each
test plans (a status, or a pause longer than the shop waits)."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from marketplace.webhooks import services, targets
from tests import factories


class Receiver:
    def __init__(self):
        self.requests: list[dict] = []
        self.plan: list[tuple[int, float]] = []  # (status, pause in seconds) for the next requests; then 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                status, pause = receiver.plan.pop(0) if receiver.plan else (200, 0)
                time.sleep(pause)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(b'{"ok": true}' if status < 300 else b'{"error": "planned"}')
                except OSError:
                    pass  # the shop stopped waiting

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/oss"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def local_receiving(settings, monkeypatch):
    """The settings tests and the demo use for a receiver on this machine (production refuses both)."""
    settings.WEBHOOKS_ALLOW_HTTP = True
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    monkeypatch.setattr(targets, "READ_TIMEOUT", 0.5)
    monkeypatch.setattr(targets, "CONNECT_TIMEOUT", 0.5)


@pytest.fixture
def receiver(local_receiving):
    running = Receiver()
    yield running
    running.stop()


@pytest.fixture
def store():
    return factories.storefront("Apartment Fab", tier="campus")


@pytest.fixture
def endpoint(store, receiver):
    return services.register_endpoint(storefront=store, url=receiver.url,
                                      events=["part.paid", "part.refunded", "offer.out_of_stock"])  # fmt: skip
