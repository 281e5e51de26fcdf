"""Serials: printable, unguessable enough, and a check character that catches a mistyped character or a swap."""

import pytest

from marketplace.lifecycle import serials
from marketplace.lifecycle.serials import ALPHABET


def _nine(serial: str) -> str:
    return serial.replace("OSE-", "").replace("-", "")


def _printed(nine: str) -> str:
    return f"OSE-{nine[:4]}-{nine[4:8]}-{nine[8]}"


def test_a_serial_reads_as_crockford_base32_groups_with_a_check_character():
    serial = serials.new_serial()
    assert len(serial) == 15 and serial.startswith("OSE-") and serial.count("-") == 3
    assert all(char in ALPHABET for char in _nine(serial))
    assert serials.is_valid(serial)


def test_every_single_mistyped_character_is_caught():
    for _ in range(100):
        nine = _nine(serials.new_serial())
        for position in range(9):
            for char in ALPHABET:
                if char != nine[position]:
                    typo = nine[:position] + char + nine[position + 1 :]
                    assert not serials.is_valid(_printed(typo)), (nine, typo)


def test_every_swap_of_two_neighbours_is_caught_including_the_check_character():
    for _ in range(1000):
        nine = _nine(serials.new_serial())
        for position in range(8):
            a, b = nine[position], nine[position + 1]
            if a != b:
                swapped = nine[:position] + b + a + nine[position + 2 :]
                assert not serials.is_valid(_printed(swapped)), (nine, swapped)


def test_a_plain_luhn_mod_32_would_miss_the_swap_of_0_and_z_which_this_check_catches():
    payload = "0Z" + "1234AB"
    good = serials.format_serial(payload)
    swapped = "OSE-Z0" + good[6:]
    assert serials.is_valid(good) and not serials.is_valid(swapped)


@pytest.mark.parametrize(
    "typed",
    ["{s}", "{lower}", "{spaced}", "{bare}", "{oh}", "{ell}"],
)
def test_normalise_reads_a_serial_as_people_type_it(typed):
    serial = serials.format_serial("01KM7QX1")  # contains 0 and 1, which people type as O, I or L
    nine = _nine(serial)
    variants = {
        "s": serial, "lower": serial.lower(), "spaced": " ".join(nine[i : i + 3] for i in range(0, 9, 3)),
        "bare": nine, "oh": serial.replace("0", "O").replace("OSE", "ose", 1), "ell": serial.replace("1", "l"),
    }  # fmt: skip
    text = typed.format(**variants)
    assert serials.normalise(text) == serial
    assert serials.is_valid(text)


@pytest.mark.parametrize("text", ["", "OSE-", "OSE-1234-5678", "OSE-1234-5678-90", "OSE-U234-5678-9", "hello", None])
def test_what_is_not_a_serial_normalises_to_nothing_and_is_not_valid(text):
    assert serials.normalise(text) == ""
    assert not serials.is_valid(text)


def test_serials_carry_40_random_bits():
    drawn = {serials.new_serial() for _ in range(20000)}
    assert len(drawn) == 20000
    # every payload character position takes many values: nothing fixed, nothing sequential
    for position in range(8):
        assert len({_nine(serial)[position] for serial in drawn}) == 32
