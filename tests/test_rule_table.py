"""README's "where each protocol rule lives" table names a real function or table for every rule."""

import importlib
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def _rows() -> list[tuple[str, str, str]]:
    text = README.read_text()
    table = text.split("<!-- rule-table -->", 1)[1].split("<!-- /rule-table -->", 1)[0]
    rows = []
    for line in table.strip().splitlines()[2:]:  # after the header and its rule
        match = re.fullmatch(r"\| (.+) \| `([\w.]+):(\w+)` \|", line.strip())
        assert match, f"README rule table: not `module:name`: {line}"
        rows.append(match.groups())
    return rows


def test_the_table_has_a_row_for_each_rule_of_the_protocol():
    assert len(_rows()) >= 30


@pytest.mark.parametrize(("rule", "module", "name"), _rows(), ids=lambda value: str(value)[:40])
def test_each_rule_names_something_that_exists(rule, module, name):
    assert hasattr(importlib.import_module(module), name), f"{rule}: {module}:{name} is gone"
