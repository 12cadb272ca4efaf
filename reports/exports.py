"""The statistics tables as files: one table as CSV, every table as an XLSX workbook (a sheet
each). Cells are counts, days or "fewer than 5": nothing names an individual."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from ubpanel.spreadsheet import csv_cell

from .periods import Period
from .statistics import Section
from .tables import Days, Table

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value):
    """A number stays a number; everything else is text a spreadsheet will not run."""
    if isinstance(value, bool) or not isinstance(value, (int, Days)):
        return csv_cell(value)
    return value.days if isinstance(value, Days) else value


def table_csv(table: Table, period: Period) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_cell(f"{table.title}, {period.label}")])
    for line in table.cells():
        writer.writerow([_cell(value) for value in line])
    if table.notes:
        writer.writerow([csv_cell(table.notes)])
    return out.getvalue()


def workbook(sections: list[Section], period: Period) -> bytes:
    book = Workbook()
    contents = book.active
    contents.title = "Contents"
    contents.append([f"Unreasonable Behaviours Panel: committee statistics, {period.label}"])
    contents["A1"].font = Font(bold=True)
    contents.append(["Sheet", "Table"])
    used: set[str] = set()
    for section in sections:
        for table in section.tables:
            name = _sheet_name(table.slug, used)
            contents.append([name, table.title])
            sheet = book.create_sheet(name)
            sheet.append([_cell(table.title)])
            sheet["A1"].font = Font(bold=True)
            for line in table.cells():
                sheet.append([_cell(value) for value in line])
            for cell in sheet[2]:
                cell.font = Font(bold=True)
            if table.notes:
                sheet.append([_cell(table.notes)])
            sheet.column_dimensions["A"].width = 48
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_name(slug: str, used: set[str]) -> str:
    """Excel's sheet names are at most 31 characters and unique."""
    name = slug[:31]
    n = 2
    while name in used:
        name = f"{slug[:28]}-{n}"
        n += 1
    used.add(name)
    return name
