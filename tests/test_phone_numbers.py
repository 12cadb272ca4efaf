"""Phone numbers are parsed with phonenumbers: UK unless written with a country code, the
extension kept apart, never glued onto the number."""

import pytest

from referrals import normalise, phones


@pytest.mark.parametrize(
    ("typed", "e164", "extension", "key", "written"),
    [
        ("07700 900123", "+447700900123", "", "07700900123", "07700 900123"),
        ("(01305) 251 010", "+441305251010", "", "01305251010", "01305 251010"),
        ("+44 7700 900123", "+447700900123", "", "07700900123", "07700 900123"),
        ("+44 (0)7700 900123", "+447700900123", "", "07700900123", "07700 900123"),
        ("0044 1305 251010", "+441305251010", "", "01305251010", "01305 251010"),
        ("+1 202 555 0100", "+12025550100", "", "12025550100", "+1 202-555-0100"),
        ("+33 1 42 68 53 00", "+33142685300", "", "33142685300", "+33 1 42 68 53 00"),
        ("07700 900123 ext 2", "+447700900123", "2", "07700900123", "07700 900123 ext. 2"),
        ("01305 251010 x45", "+441305251010", "45", "01305251010", "01305 251010 ext. 45"),
    ],
)
def test_a_number_is_parsed_and_written_back(typed, e164, extension, key, written):
    assert phones.phone_parts(typed) == (e164, extension)
    assert normalise.phone(typed) == key
    assert phones.phone_display(typed) == written


def test_an_extension_is_not_glued_onto_the_number():
    assert normalise.phone("07700 900123 ext 2") != "077009001232"


@pytest.mark.parametrize("typed", ["0770", "call me", "", "1234567890123456789"])
def test_what_cannot_be_a_number_has_no_parts(typed):
    assert phones.phone_parts(typed) is None


def test_part_of_a_number_is_searched_on_its_digits():
    assert normalise.phone("0770") == "0770"
