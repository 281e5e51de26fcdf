"""Unit serial numbers: printable, hard to guess, and checked.

``OSE-7K3Q-9XPM-V``: 40 random bits from ``secrets`` written as eight Crockford base32 characters (no I, L, O or U,
so nothing on a label reads as another character), then one check character. The check is Damm's algorithm over
the 32 characters, with the totally anti-symmetric quasigroup ``x * y = 2x + y`` in GF(32): it catches every single
mistyped character and every swap of two neighbours (including the check character itself), which a plain Luhn
mod 32 does not (it misses a swap of ``0`` and ``Z``).
"""

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32
PREFIX = "OSE"
RANDOM_BITS = 40
PAYLOAD_LENGTH = RANDOM_BITS // 5  # eight characters
_VALUE = {char: value for value, char in enumerate(ALPHABET)}
# Crockford's decoding: case does not matter, O reads as 0, I and L read as 1; separators are ignored.
_READS_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-_.]+")
_POLYNOMIAL = 0b100101  # x^5 + x^2 + 1, primitive: GF(32)


def _times_two(value: int) -> int:
    value <<= 1
    return value ^ _POLYNOMIAL if value & 0b100000 else value


def _fold(chars: str) -> int:
    interim = 0
    for char in chars:
        interim = _times_two(interim) ^ _VALUE[char]  # Damm step: interim * char
    return interim


def check_character(payload: str) -> str:
    """The character that makes the whole serial fold to zero: 2·interim + c = 0, so c = 2·interim in GF(32)."""
    return ALPHABET[_times_two(_fold(payload))]


def format_serial(payload: str) -> str:
    return f"{PREFIX}-{payload[:4]}-{payload[4:]}-{check_character(payload)}"


def new_serial() -> str:
    number = secrets.randbits(RANDOM_BITS)
    payload = "".join(ALPHABET[(number >> shift) & 31] for shift in range(RANDOM_BITS - 5, -1, -5))
    return format_serial(payload)


def _characters(text: str) -> str:
    """The serial's nine characters (payload and check) as typed, read the Crockford way; "" if it has others."""
    compact = _SEPARATORS.sub("", (text or "").upper())
    if compact.startswith(PREFIX) or compact.startswith("0SE"):
        compact = compact[len(PREFIX) :]
    compact = compact.translate(_READS_AS)
    if len(compact) != PAYLOAD_LENGTH + 1 or any(char not in _VALUE for char in compact):
        return ""
    return compact


def normalise(text: str) -> str:
    """A serial as typed ("ose 7k3q 9xpm v", "7K3Q-9XPM-V", O for 0, l for 1) in its printed form, or "" when it
    is not one (wrong length or characters). It does not say whether the check character holds: see ``is_valid``."""
    chars = _characters(text)
    return f"{PREFIX}-{chars[:4]}-{chars[4:8]}-{chars[8]}" if chars else ""


def is_valid(text: str) -> bool:
    """Whether ``text`` reads as a serial whose check character holds (a mistyped one almost never does)."""
    chars = _characters(text)
    return bool(chars) and _fold(chars) == 0
