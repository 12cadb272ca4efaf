"""The equalities questionnaire's answer categories, one list per protected characteristic.

Staff transcribe a returned questionnaire into these categories (``QuestionnaireReturn.categories``,
``{characteristic: category}``), so that the returns can be counted against outcomes for the
Audit and Governance Committee (``reports``); the individual's own words stay in ``answers``.
The lists follow the Office for National Statistics' harmonised questions (Census 2021), shortened
to the level a council's committee reports on. Every list ends with "Prefer not to say"; a
characteristic not answered has no key.
"""

from correspondence.models import Characteristic

PREFER_NOT_TO_SAY = ("prefer_not_to_say", "Prefer not to say")
YES_NO = [("yes", "Yes"), ("no", "No"), PREFER_NOT_TO_SAY]

CATEGORIES: dict[str, list[tuple[str, str]]] = {
    Characteristic.AGE: [
        ("under_25", "Under 25"),
        ("25_34", "25 to 34"),
        ("35_44", "35 to 44"),
        ("45_54", "45 to 54"),
        ("55_64", "55 to 64"),
        ("65_plus", "65 or over"),
        PREFER_NOT_TO_SAY,
    ],
    Characteristic.DISABILITY: YES_NO,
    Characteristic.GENDER_REASSIGNMENT: [
        ("same", "Gender the same as registered at birth"),
        ("different", "Gender different from registered at birth"),
        PREFER_NOT_TO_SAY,
    ],
    Characteristic.MARRIAGE: [
        ("never_married", "Never married or in a civil partnership"),
        ("married", "Married or in a civil partnership"),
        ("separated", "Separated, divorced or dissolved"),
        ("widowed", "Widowed or surviving partner"),
        PREFER_NOT_TO_SAY,
    ],
    Characteristic.PREGNANCY: YES_NO,
    Characteristic.RACE: [
        ("asian", "Asian or Asian British"),
        ("black", "Black, Black British, Caribbean or African"),
        ("mixed", "Mixed or multiple ethnic groups"),
        ("white", "White"),
        ("other", "Other ethnic group"),
        PREFER_NOT_TO_SAY,
    ],
    Characteristic.RELIGION: [
        ("none", "No religion"),
        ("christian", "Christian"),
        ("buddhist", "Buddhist"),
        ("hindu", "Hindu"),
        ("jewish", "Jewish"),
        ("muslim", "Muslim"),
        ("sikh", "Sikh"),
        ("other", "Any other religion"),
        PREFER_NOT_TO_SAY,
    ],
    Characteristic.SEX: [("female", "Female"), ("male", "Male"), PREFER_NOT_TO_SAY],
    Characteristic.SEXUAL_ORIENTATION: [
        ("straight", "Straight or heterosexual"),
        ("gay_lesbian", "Gay or lesbian"),
        ("bisexual", "Bisexual"),
        ("other", "Another sexual orientation"),
        PREFER_NOT_TO_SAY,
    ],
}


def category_label(characteristic: str, category: str) -> str:
    return dict(CATEGORIES[characteristic]).get(category, category)
