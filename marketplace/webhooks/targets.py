"""Where a webhook may go: an operator's URL on the public internet, never our own network. A hostile operator could
register a URL whose host is (or later resolves to) a loopback, private, link-local or reserved address to make our
worker call internal services (the cloud metadata service at 169.254.169.254, Redis, the admin), so the host is
resolved and every address checked at registration AND again at each delivery, and the connection is made to the
address that was checked (a name that resolves differently a moment later changes nothing). Redirects are never
followed, timeouts are short and the response read is bounded."""

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from django.conf import settings

CONNECT_TIMEOUT = 5  # seconds
READ_TIMEOUT = 10
RESPONSE_READ_LIMIT = 4096  # bytes of the answer read (and, bounded again, kept in the log)


class TargetRefused(Exception):
    """A URL we will not call; the message says why and what to do instead."""


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (tests replace this to play a DNS that changes)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise TargetRefused(f"The host “{host}” could not be found ({error}): check the spelling, or try again "
                            "once its DNS record is published.") from error  # fmt: skip
    return list(dict.fromkeys(info[4][0] for info in infos))


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_loopback or ip.is_link_local)


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str  # the checked address the connection goes to


def parse_url(url: str) -> tuple[str, str, int, str]:
    """The scheme, host, port and path of a URL we may call, or TargetRefused saying why not."""
    parts = urlsplit((url or "").strip())
    allowed = ("https", "http") if settings.WEBHOOKS_ALLOW_HTTP else ("https",)
    if parts.scheme not in allowed:
        raise TargetRefused("Use an https:// URL: events carry order details and must travel encrypted.")
    if parts.username or parts.password:
        raise TargetRefused("Leave user names and passwords out of the URL: every event is signed with the "
                            "endpoint's secret, check that instead.")  # fmt: skip
    host = parts.hostname
    if not host:
        raise TargetRefused("The URL has no host name: give the full address, like https://erp.example.com/hooks.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise TargetRefused("The port in the URL is not a number from 1 to 65535.") from error
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    # spaces and control characters as typed are sent percent-encoded (http.client refuses them raw)
    return parts.scheme, host, port, quote(path, safe="/?&=%:@!$'()*+,;~[]")


def check(url: str) -> Target:
    """The URL's target, resolved now, if every address it resolves to is public (or private ones are allowed by
    ``WEBHOOKS_ALLOW_PRIVATE``, for tests and the demo)."""
    scheme, host, port, path = parse_url(url)
    addresses = resolve(host, port)
    if not addresses:
        raise TargetRefused(f"The host “{host}” has no address.")
    if not settings.WEBHOOKS_ALLOW_PRIVATE:
        for address in addresses:
            if not is_public(address):
                where = address if host.strip("[]") == address else f"“{host}” leads to {address}, which"
                raise TargetRefused(
                    f"{where} is an internal address (loopback, private, link-local or reserved) that the shop never "
                    "calls: give the public address of your system."
                )
    return Target(scheme=scheme, host=host, port=port, path=path, address=addresses[0])


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, target: Target, **kwargs):
        super().__init__(target.host, target.port, **kwargs)
        self._address = target.address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), CONNECT_TIMEOUT)
        self.sock.settimeout(READ_TIMEOUT)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: Target, **kwargs):
        super().__init__(target.host, target.port, context=ssl.create_default_context(), **kwargs)
        self._address = target.address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), CONNECT_TIMEOUT)
        sock.settimeout(READ_TIMEOUT)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # the certificate names the host


@dataclass
class Answer:
    status_code: int | None
    excerpt: str
    error: str
    duration_ms: int


def post(url: str, body: bytes, headers: dict) -> Answer:
    """POST ``body`` to ``url`` once: checked again (DNS may have changed), no redirect followed, short timeouts,
    at most ``RESPONSE_READ_LIMIT`` bytes of the answer read. Never raises for the network: the answer says."""
    started = time.monotonic()

    def answer(status=None, excerpt="", error=""):
        return Answer(status, excerpt, error[:500], int((time.monotonic() - started) * 1000))

    try:
        target = check(url)
    except TargetRefused as refusal:
        return answer(error=f"refused: {refusal}")
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(target, timeout=READ_TIMEOUT)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        excerpt = response.read(RESPONSE_READ_LIMIT).decode("utf-8", errors="replace")
        return answer(response.status, excerpt[:1000])
    except (OSError, ValueError, http.client.HTTPException) as error:
        kind = "timed out" if isinstance(error, TimeoutError | socket.timeout) else type(error).__name__
        return answer(error=f"{kind}: {error}")
    finally:
        connection.close()
