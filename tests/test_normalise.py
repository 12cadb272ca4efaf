"""The one form names, postcodes, emails and phone numbers take for matching and search."""

import pytest

from referrals import normalise


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Jonathan Smyth", "jonathan smyth"),
        ("  JONATHAN   Smyth ", "jonathan smyth"),
        ("Zoë Whitlock-Jones", "zoe whitlock jones"),
        ("José-María Núñez", "jose maria nunez"),
        ("Siân Müller", "sian muller"),
        ("O'Brien", "obrien"),
        ("O’Brien", "obrien"),
        ("Gerta Straße", "gerta strasse"),
        ("Bjørn Ødegård", "bjorn odegard"),
        ("Łukasz Wójcik", "lukasz wojcik"),
        ("Æsa Œdipa", "aesa oedipa"),
        ("Smith (Jnr.)", "smith jnr"),
        ("ﬁona", "fiona"),
        ("", ""),
        (None, ""),
    ],
)
def test_names_lose_case_accents_hyphens_and_apostrophes(value, expected):
    assert normalise.name(value) == expected


def test_names_differing_only_in_accents_hyphens_or_spacing_are_equal():
    assert (
        normalise.name("Zoë Whitlock-Jones")
        == normalise.name("zoe  whitlock jones")
        == normalise.name("ZOE WHITLOCK – JONES")
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("dt11aa", "DT11AA"),
        ("DT1 1AA", "DT11AA"),
        ("  dt1  1aa ", "DT11AA"),
        ("dt1-1aa", "DT11AA"),
        ("sw1a 1aa", "SW1A1AA"),
        ("", ""),
        (None, ""),
    ],
)
def test_postcodes_are_upper_case_without_spaces(value, expected):
    assert normalise.postcode(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("dt11aa", "DT1 1AA"),
        ("DT1 1AA", "DT1 1AA"),
        ("sw1a1aa", "SW1A 1AA"),
        ("m11ae", "M1 1AE"),
        ("DT1", "DT1"),
        ("", ""),
    ],
)
def test_postcodes_are_displayed_with_the_inward_code_apart(value, expected):
    assert normalise.postcode_display(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("J.Smyth@Example.com", "j.smyth@example.com"),
        ("  j.smyth@EXAMPLE.COM \n", "j.smyth@example.com"),
        ("", ""),
        (None, ""),
    ],
)
def test_emails_are_lower_case_and_trimmed(value, expected):
    assert normalise.email(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("07700900123", "07700900123"),
        ("07700 900123", "07700900123"),
        ("+44 7700 900123", "07700900123"),
        ("+44 (0)7700 900123", "07700900123"),
        ("0044 7700 900123", "07700900123"),
        ("447700900123", "07700900123"),
        ("(01305) 251 010", "01305251010"),
        ("+1 202 555 0100", "12025550100"),
        ("", ""),
        (None, ""),
    ],
)
def test_uk_phone_numbers_take_their_national_form(value, expected):
    assert normalise.phone(value) == expected


# --- Names in other scripts, short forms and postcode districts (issue 15) --------------------


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("Иван Петров", "ivan petrov"),
        ("Ольга Смирнова", "olga smirnova"),
        ("Γιώργος Παπαδόπουλος", "giorgos papadopoylos"),
        ("Zoë Whitlock-Jones", "zoe whitlock jones"),  # as before: accents dropped
        ("Bjørn Æsa", "bjorn aesa"),
        ("Ann ©", "ann"),  # a symbol is not a letter
    ],
)
def test_names_in_other_scripts_are_transliterated(typed, normalised):
    assert normalise.name(typed) == normalised


@pytest.mark.parametrize(
    ("name", "variant"),
    [
        ("william smith", "bill smith"),
        ("bill smith", "william smith"),
        ("jonathan smith", "jon smith"),
        ("jon smith", "jonathan smith"),
        ("elizabeth taylor", "liz taylor"),
        ("liz taylor", "elizabeth taylor"),
    ],
)
def test_a_name_has_its_given_name_in_its_other_forms_both_ways(name, variant):
    assert variant in normalise.name_variants(name)


def test_a_family_name_alone_is_not_expanded():
    assert normalise.name_variants("bill") == []


@pytest.mark.parametrize(
    ("postcode", "district"), [("DT1 1AA", "DT1"), ("sw1a2aa", "SW1A"), ("DT1", ""), ("", "")]
)
def test_the_postcode_district_is_the_outward_code(postcode, district):
    assert normalise.postcode_district(postcode) == district
