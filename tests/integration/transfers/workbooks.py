"""Building real organisation workbooks (.xlsx) and CSV files for the import tests.

A sheet is given as its kind (transfers.format: "positions", "kpis", …) and rows as dicts keyed by
the format's column keys; the file gets the Chinese headers, as people fill in the template. An
exported workbook can be read into the same shape, edited as plain Python, and written back.
"""

import csv
import io

from openpyxl import Workbook, load_workbook

from transfers.format import SHEETS, normalise_header, sheet_for
from transfers.reading import read_upload

SPECS = {spec.kind: spec for spec in SHEETS}


def header(kind, key):
    """The Chinese header of a column, as the template writes it."""
    return SPECS[kind].column(key).zh


def table(kind, rows, *, columns=None, headers=None, title=None):
    """(sheet title, [header row, *rows]) of one sheet of `kind`.

    `columns`: the column keys, in order (default: the required ones and every key the rows use,
    in the format's order); a key the format does not know is written as a header of its own.
    `headers`: {key: header} to write instead of the Chinese one (English, say).
    """
    spec = SPECS[kind]
    known = [column.key for column in spec.columns]
    if columns is None:
        used = {key for row in rows for key in row}
        columns = [key for key in known if key in used or spec.column(key).required]
        columns += sorted(used - set(known))
    head = [(headers or {}).get(key) or (spec.column(key).zh if key in known else key) for key in columns]
    body = [[_cell(row.get(key)) for key in columns] for row in rows]
    return (title or spec.zh, [head, *body])


def _cell(value):
    return None if value in (None, "") else value


def xlsx(*tables):
    """The bytes of an .xlsx file holding `tables` (see table()), in the order given."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in tables:
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(name, *tables):
    """The Book the portal reads from an .xlsx file of `tables` called `name`."""
    return read_upload(name, xlsx(*tables))


def csv_bytes(rows, *, encoding="utf-8-sig", delimiter=","):
    """A CSV file of `rows` (lists; the first is the header row), as Excel would save it."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n", delimiter=delimiter).writerows(rows)
    return out.getvalue().encode(encoding)


# ---------------------------------------------------------------------------------------------
# Editing a workbook the portal wrote


def sheets_of(data):
    """{kind: [row dicts keyed by column key]} of an .xlsx file, in its sheet order; cells as stored
    (a neutralised text keeps its leading ')."""
    workbook = load_workbook(io.BytesIO(data))
    sheets = {}
    for worksheet in workbook.worksheets:
        spec = sheet_for(worksheet.title)
        if spec is None:
            continue
        rows = list(worksheet.iter_rows(values_only=True))
        keys = []
        for text in rows[0]:
            key = next((c.key for c in spec.columns if text and normalise_header(text) in c.names), None)
            keys.append(key)
        sheets[spec.kind] = [
            {key: ("" if value is None else value) for key, value in zip(keys, row, strict=False) if key}
            for row in rows[1:]
            if any(value not in (None, "") for value in row)
        ]
    return sheets


def workbook_of(sheets, *, order=None):
    """The .xlsx bytes of {kind: rows}, every column of the format written, sheets in `order` (kinds)."""
    kinds = order or list(sheets)
    return xlsx(*(table(kind, sheets[kind], columns=[c.key for c in SPECS[kind].columns]) for kind in kinds))


def row_of(rows, code, key="code"):
    """The row of `rows` whose `key` is `code`."""
    return next(row for row in rows if row[key] == code)
