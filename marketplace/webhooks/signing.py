"""The webhook signature, as an operator's system checks it.

Each request carries ``OSS-Signature: t=<unix time>,v1=<hex>`` where ``<hex>`` is HMAC-SHA256 of
``"<t>.<raw body>"`` keyed with the endpoint's signing secret (shown on its dashboard page). A receiver recomputes
it over the raw bytes it received (before any JSON parsing), compares in constant time, and refuses a timestamp
older than a few minutes so a captured request cannot be replayed later. This module has no Django import: an
operator may copy it whole.

    from signing import verify
    if not verify(request_body_bytes, request.headers["OSS-Signature"], "whsec_..."):
        return 400
"""

import hashlib
import hmac
import time

HEADER = "OSS-Signature"
SCHEME = "v1"


def _digest(payload: bytes, secret: str, timestamp: int) -> str:
    message = str(timestamp).encode() + b"." + payload
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The ``OSS-Signature`` header value for ``payload`` (the exact bytes sent) signed now (or at ``timestamp``)."""
    timestamp = int(time.time()) if timestamp is None else int(timestamp)
    return f"t={timestamp},{SCHEME}={_digest(payload, secret, timestamp)}"


def parse(header: str) -> tuple[int | None, list[str]]:
    """The timestamp and every ``v1`` signature of a header; (None, []) when it is malformed."""
    timestamp, signatures = None, []
    for item in (header or "").split(","):
        name, _sep, value = item.strip().partition("=")
        if name == "t" and value.isdigit():
            timestamp = int(value)
        elif name == SCHEME and value:
            signatures.append(value)
    return timestamp, signatures


def verify(payload: bytes, header: str, secret: str, tolerance: int = 300, now: float | None = None) -> bool:
    """Whether ``header`` signs ``payload`` with ``secret`` less than ``tolerance`` seconds ago (or ahead)."""
    if isinstance(payload, str):
        payload = payload.encode()
    timestamp, signatures = parse(header)
    if timestamp is None or not signatures:
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        return False
    expected = _digest(payload, secret, timestamp)
    return any(hmac.compare_digest(expected, signature) for signature in signatures)
