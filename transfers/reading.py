"""Reading an uploaded workbook or CSV into rows, safely: size, row and expansion limits, no formulas,
no control characters.

Nothing here touches the database. A file that cannot be read at all raises FileRefused with a
message for people; problems in cells come back as Problems naming the sheet, row and column.
A file with more rows than the limit is refused from a count made while streaming it, before
its rows are held.
"""

import codecs
import csv
import html
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import chain

from django.conf import settings
from django.utils.translation import gettext as _

from portal.text import character_name, control_character
from transfers.format import INSTRUCTIONS, ROSTER, SHEETS, normalise_header, restore, sheet_for

HEADER_SEARCH_ROWS = 10  # a title line or two above the headers is common in rosters
MAX_COLUMNS = 200  # columns read in a sheet (the widest sheet of the format has 18)
GRID_LIMIT = 5_000_000  # rows x columns calamine may allocate (about 160 MB); beyond it openpyxl streams
BLANK_RUN_LIMIT = 10_000  # LibreOffice can carry ~1M styled blank rows: stop after this many in a row
FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")  # a cell formula in a worksheet's XML
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an encrypted .xlsx, or an old .xls
NOT_SPREADSHEETS = {
    b"\x89PNG": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"GIF8": "GIF",
    b"%PDF": "PDF",
    b"BM": "BMP",
    b"RIFF": "RIFF",
    b"\x1f\x8b": "gzip",
    b"7z\xbc\xaf": "7-Zip",
    b"Rar!": "RAR",
}


class FileRefused(Exception):
    """A file that cannot be read at all; the message says why, for people."""


@dataclass
class Problem:
    level: str  # "error" or "warning"
    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""

    def where(self):
        parts = []
        if self.sheet:
            parts.append(_("sheet %(sheet)s") % {"sheet": self.sheet})
        if self.row:
            parts.append(_("row %(row)s") % {"row": self.row})
        if self.column:
            parts.append(_("column %(column)s") % {"column": self.column})
        return ", ".join(parts)

    def __str__(self):
        where = self.where()
        return f"{where}: {self.message}" if where else self.message

    def as_json(self):
        return {
            "level": self.level,
            "message": self.message,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
        }


@dataclass(slots=True)  # a workbook holds hundreds of thousands: no __dict__ each
class RowIn:
    number: int  # the row's number in the spreadsheet (the header row is 1 in the template)
    values: dict  # key -> text


@dataclass
class SheetIn:
    spec: object  # transfers.format.Sheet
    title: str  # as named in the file
    headers: dict  # key -> the header as written in the file
    rows: list = field(default_factory=list)

    def header(self, key):
        return self.headers.get(key) or self.spec.column(key).zh


class Problems:
    """What collects Problems (`self.problems`): a Book as it is read, a Report as it is imported."""

    def error(self, message, sheet="", row=None, column=""):
        self.problems.append(Problem("error", str(message), sheet, row, column))

    def warn(self, message, sheet="", row=None, column=""):
        self.problems.append(Problem("warning", str(message), sheet, row, column))

    @property
    def errors(self):
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self):
        return [p for p in self.problems if p.level == "warning"]


@dataclass
class Book(Problems):
    name: str
    sheets: dict = field(default_factory=dict)  # kind -> SheetIn
    problems: list = field(default_factory=list)
    rows_read: int = 0


def limits():
    return {
        "bytes": settings.TRANSFER_MAX_UPLOAD_BYTES,
        "rows": settings.TRANSFER_MAX_ROWS,
        "expanded": settings.TRANSFER_MAX_EXPANDED_BYTES,
    }


def _megabytes(number):
    return f"{number / 1024 / 1024:.1f} MB".replace(".0 MB", " MB")


def _too_many_rows(limit):
    return FileRefused(
        _("The file has more than %(limit)d rows; split it, or ask an administrator to raise the limit.")
        % {"limit": limit["rows"]}
    )


def read_upload(name, data, *, progress=None):
    """A Book from an uploaded file's name and bytes; raises FileRefused when it cannot be read.

    `progress(rows_read)` is called now and then while reading.
    """
    limit = limits()
    if len(data) > limit["bytes"]:
        raise FileRefused(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": _megabytes(len(data)), "limit": _megabytes(limit["bytes"])}
        )
    if not data.strip():
        raise FileRefused(_("The file is empty."))
    if data.startswith(CFB_MAGIC):
        raise FileRefused(
            _(
                "This workbook is encrypted (password-protected) or in the old .xls format. "
                "Open it, remove the password, and save it as an Excel workbook (.xlsx)."
            )
        )
    for magic, kind in NOT_SPREADSHEETS.items():
        if data.startswith(magic):
            raise FileRefused(
                _("This is a %(kind)s file, not a spreadsheet. Upload an Excel workbook (.xlsx) or a CSV file.")
                % {"kind": kind}
            )
    book = Book(name=name)
    if data.startswith(b"PK"):
        _read_xlsx(book, data, limit, progress)
    else:
        _read_csv(book, data, limit, progress)
    return book


# ---------------------------------------------------------------------------------------------
# .xlsx


def _check_archive(data, limit):
    """Refuse a zip bomb before openpyxl sees it: expand every member, counting, and stop at the limit.

    The sizes a zip declares can lie, so they are counted while decompressing, never trusted.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileRefused(_("The workbook is damaged and cannot be opened (it is not a valid .xlsx file).")) from None
    names = {member.filename for member in members}
    if "xl/workbook.xml" not in names:
        raise FileRefused(_("This zip file is not an Excel workbook (.xlsx). Upload an .xlsx or a CSV file."))
    if len(members) > 10_000:
        raise FileRefused(_("The workbook has too many parts to be a spreadsheet."))
    too_big = FileRefused(
        _("The workbook expands to more than %(limit)s when opened; it is refused as a possible zip bomb.")
        % {"limit": _megabytes(limit["expanded"])}
    )
    if sum(member.file_size for member in members) > limit["expanded"]:
        raise too_big
    total, shape = 0, SheetShape()
    try:
        instructions = _instruction_members(archive, names)
        worksheets = [m for m in members if m.filename.startswith("xl/worksheets/") and m.filename.endswith(".xml")]
        # Rows holding a value, counted as the XML streams past: a header row (and a title line or
        # two above it) per sheet aside, more than the limit is refused before any row is held.
        rows_allowed = limit["rows"] + HEADER_SEARCH_ROWS * len(worksheets)
        rows_seen = 0
        for member in members:
            if member.flag_bits & 0x1:
                raise FileRefused(_("The workbook is encrypted. Remove the password and save it again."))
            worksheet = member.filename.startswith("xl/worksheets/")
            rows = ValuedRows() if member in worksheets and member.filename not in instructions else None
            with archive.open(member) as stream:
                tail = b""
                while chunk := stream.read(1 << 20):
                    total += len(chunk)
                    if total > limit["expanded"]:
                        raise too_big
                    if worksheet:
                        shape.scan(tail + chunk)
                        tail = chunk[-32:]
                    if rows is not None and rows_seen + rows.feed(chunk) > rows_allowed:
                        raise _too_many_rows(limit)
            if rows is not None:
                rows_seen += rows.close()
                if rows_seen > rows_allowed:
                    raise _too_many_rows(limit)
        shape.rows = rows_seen
    except FileRefused:
        raise
    except Exception:  # zipfile, zlib, lzma and bz2 each raise their own kinds for damaged data
        raise FileRefused(_("The workbook is damaged and cannot be opened (it is not a valid .xlsx file).")) from None
    return shape


def _instruction_members(archive, names):
    """The worksheet parts of the instructions sheet (its rows are not counted): workbook.xml names the
    sheets, its relationships say which part holds each. Nothing when they cannot be read."""
    try:
        with archive.open("xl/workbook.xml") as stream:
            workbook = stream.read(1 << 20).decode("utf-8", "replace")  # a few KB; never expanded whole
        with archive.open("xl/_rels/workbook.xml.rels") as stream:
            relations = stream.read(1 << 20).decode("utf-8", "replace")
    except Exception:  # missing, damaged or encrypted: the scan that follows says what is wrong
        return set()
    targets = {}
    for tag in re.findall(r"<(?:\w+:)?Relationship\s[^>]*>", relations):
        ident, target = re.search(r'\sId="([^"]*)"', tag), re.search(r'\sTarget="([^"]*)"', tag)
        if ident and target:
            path = html.unescape(target.group(1))
            targets[ident.group(1)] = path.lstrip("/") if path.startswith("/") else f"xl/{path}"
    members = set()
    for tag in re.findall(r"<(?:\w+:)?sheet\s[^>]*>", workbook):
        name, ident = re.search(r'\sname="([^"]*)"', tag), re.search(r'\s\w+:id="([^"]*)"', tag)
        if name and ident and normalise_header(html.unescape(name.group(1))) in INSTRUCTIONS:
            members.add(targets.get(ident.group(1)))
    return members & names


class ValuedRows:
    """Counts a worksheet's rows that hold something (a value, an inline string or a formula), fed its
    XML a chunk at a time: styled empty rows, which LibreOffice writes by the million, do not count."""

    ROW = re.compile(rb"<(?:\w{1,16}:)?row[\s>/]")
    VALUE = re.compile(rb"<(?:\w{1,16}:)?(?:v|is|f)[\s>/]")
    KEEP = 32  # longer than any tag looked for: a tag cut by a chunk's end is looked at with the next

    def __init__(self):
        self.count = 0
        self.in_row = False
        self.row_has_value = False
        self.rest = b""

    def feed(self, chunk):
        """Take the next chunk; returns the rows counted so far."""
        data = self.rest + chunk
        cut = max(len(data) - self.KEEP, 0)
        position = 0
        for match in self.ROW.finditer(data):
            if match.start() >= cut:
                break
            if self.in_row and not self.row_has_value:
                self.row_has_value = self.VALUE.search(data, position, match.start()) is not None
            self._end_row()
            self.in_row, position = True, match.end()
        if self.in_row and not self.row_has_value:
            found = self.VALUE.search(data, position)
            self.row_has_value = found is not None and found.start() < cut
        self.rest = data[max(cut, position) :]
        return self.count

    def close(self):
        """The number of rows that hold something, once the whole worksheet has been fed."""
        if self.in_row and not self.row_has_value:
            self.row_has_value = self.VALUE.search(self.rest) is not None
        self._end_row()
        self.rest = b""
        return self.count

    def _end_row(self):
        if self.in_row and self.row_has_value:
            self.count += 1
        self.in_row = self.row_has_value = False


class SheetShape:
    """What the worksheets' XML says about their extent, read while it is being unzipped: a tiny file
    can place one cell at XFD1048576, and a reader that builds the whole grid would need terabytes."""

    CELL_COLUMN = re.compile(rb'<c r="([A-Z]{1,3})\d')
    CELL_ROW = re.compile(rb'<c r="[A-Z]{1,3}(\d{5,})"')  # rows from 10,000 on: smaller ones cannot matter
    ROW_REF = re.compile(rb'<row r="(\d+)"')

    def __init__(self):
        self.rows = 0  # rows holding something, headers included (the instructions sheet's aside)
        self.formulas = False
        self.max_row = 0
        self.max_column = 0
        self.cells = 0
        self.cells_with_ref = 0

    def scan(self, chunk):
        if not self.formulas:
            self.formulas = bool(FORMULA_TAG.search(chunk))
        letters = set(self.CELL_COLUMN.findall(chunk))
        if letters:
            self.max_column = max(self.max_column, *(_column_number(c) for c in letters))
        digits = self.CELL_ROW.findall(chunk)
        if digits:
            longest = len(max(digits, key=len))  # the longest number is the largest: only those are converted
            self.max_row = max(self.max_row, *(int(d) for d in digits if len(d) == longest))
        rows = self.ROW_REF.findall(chunk)
        if rows:
            self.max_row = max(self.max_row, *(int(r) for r in rows))
        self.cells += chunk.count(b"<c ") + chunk.count(b"<c>") + chunk.count(b"<c/>")
        self.cells_with_ref += chunk.count(b'<c r="')

    @property
    def gridded(self):
        """Whether a reader that allocates the whole grid (calamine) can read it in bounded memory."""
        return (
            not self.formulas
            and self.cells <= self.cells_with_ref + 64  # cells without a reference are placed by counting
            and self.max_column <= MAX_COLUMNS
            and self.max_row * max(self.max_column, 1) <= GRID_LIMIT
        )


def _column_number(letters):
    number = 0
    for letter in letters.decode():
        number = number * 26 + ord(letter) - 64
    return number


def _text(value):
    if type(value) is str:  # most cells: first
        return restore(value) if value[:1] == "'" else value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        number = Decimal(repr(value))
        return format(number.normalize(), "f") if number == number.to_integral_value() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return restore(str(value))


def _read_xlsx(book, data, limit, progress):
    """Read with calamine (fast); a workbook with formulas is read with openpyxl, which can name their cells."""
    shape = _check_archive(data, limit)
    # Formulas to name, or an extent a grid would not hold: openpyxl streams it row by row.
    read = _read_xlsx_quickly if shape.gridded else _read_xlsx_slowly
    if shape.rows > limit["rows"]:
        # Near the limit (the count above includes header rows and rows of blanks): count the rows as
        # the reader does first, holding none, so that a file just over the limit is refused before
        # its rows are held.
        read(Book(name=book.name), data, limit, None, keep=False)
    read(book, data, limit, progress)


def _read_xlsx_quickly(book, data, limit, progress, keep=True):
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        titles = [title for title in workbook.sheet_names if normalise_header(title) not in INSTRUCTIONS]
        for title in titles:
            worksheet = workbook.get_sheet_by_name(title)
            rows = (
                (number, [value if type(value) is str and value[:1] != "'" else _text(value) for value in values])
                for number, values in enumerate(worksheet.iter_rows(), start=1)  # calamine yields leading blank rows
            )
            _read_sheet(book, sheet_for(title), title, rows, limit, progress, alone=len(titles) == 1, keep=keep)
            del worksheet, rows  # one sheet's grid at a time
    except FileRefused:
        raise
    except Exception:  # calamine raises its own errors for a broken part; all mean the same to the user
        raise FileRefused(_("The workbook is damaged and cannot be opened (it is not a valid .xlsx file).")) from None


def _read_xlsx_slowly(book, data, limit, progress, keep=True):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a broken part; all mean the same to the user
        raise FileRefused(_("The workbook is damaged and cannot be opened (it is not a valid .xlsx file).")) from None
    try:
        worksheets = [ws for ws in workbook.worksheets if normalise_header(ws.title) not in INSTRUCTIONS]
        for worksheet in worksheets:
            spec = sheet_for(worksheet.title)
            rows = _xlsx_rows(book, worksheet)
            _read_sheet(
                book,
                spec,
                worksheet.title,
                rows,
                limit,
                progress,
                alone=len(worksheets) == 1,
                check_formulas=True,
                keep=keep,
            )
    except FileRefused:
        raise
    except Exception:
        raise FileRefused(_("The workbook is damaged and cannot be opened (it is not a valid .xlsx file).")) from None
    finally:
        workbook.close()


def _xlsx_rows(book, worksheet):
    from openpyxl.utils import get_column_letter

    for number, cells in enumerate(worksheet.iter_rows(max_col=MAX_COLUMNS), start=1):
        values = []
        for index, cell in enumerate(cells, start=1):
            if getattr(cell, "data_type", None) == "f":
                values.append(_Formula(get_column_letter(index), str(cell.value)))
            else:
                values.append(_text(getattr(cell, "value", None)))
        yield number, values


@dataclass
class _Formula:
    letter: str
    formula: str


# ---------------------------------------------------------------------------------------------
# CSV


def _encoding(data):
    """The encoding a CSV file's bytes are in; refuses what is not text."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            if _decodes(data, encoding):
                return encoding
            break
    head = data[:4096]
    not_text = FileRefused(
        _("This is not a spreadsheet or a text file. Upload an Excel workbook (.xlsx) or a CSV file.")
    )
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if (even + odd) * 4 > len(head) or max(even, odd) >= 8 and min(even, odd) * 10 <= max(even, odd):
        raise not_text  # mostly NULs, or UTF-16 without its mark (a NUL in every other byte)
    for encoding in ("utf-8", "gb18030"):
        if _decodes(data, encoding):
            return encoding  # a NUL or two in a text is a cell's problem, named at the cell
    if b"\x00" in head:
        raise not_text
    raise FileRefused(_("The text of this CSV file cannot be read: save it as CSV UTF-8 (or GB18030)."))


def _decodes(data, encoding):
    """Whether `data` is text in `encoding`, checked a megabyte at a time (the text is not kept)."""
    decoder, view = codecs.getincrementaldecoder(encoding)(), memoryview(data)
    try:
        for start in range(0, len(data), 1 << 20):
            decoder.decode(view[start : start + (1 << 20)])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _read_csv(book, data, limit, progress):
    encoding = _encoding(data)
    first_line = data[: 1 << 16].decode(encoding, "ignore").split("\n", 1)[0]
    delimiter = max(",\t;", key=first_line.count)

    def rows():
        # Decoded as it is read: the file's text is never held whole beside its bytes.
        stream = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
        reader = csv.reader(stream, delimiter=delimiter)
        return ((number, [restore(value) for value in values]) for number, values in enumerate(reader, start=1))

    try:
        if max(data.count(b"\n"), data.count(b"\r")) > limit["rows"]:
            # Enough lines to hold more rows than allowed: count them first, holding none.
            _read_sheet(Book(name=book.name), None, book.name, rows(), limit, None, alone=True, keep=False)
        _read_sheet(book, None, book.name, rows(), limit, progress, alone=True)
    except csv.Error as exc:
        raise FileRefused(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from None


# ---------------------------------------------------------------------------------------------
# A sheet, whatever it came from


def _guess(headers):
    """The sheet whose columns the headers name: all its required columns, and most of the others."""
    names = {normalise_header(h) for h in headers if isinstance(h, str) and h.strip()}
    best, best_score = None, 0
    for spec in SHEETS:
        if not all(column.names & names for column in spec.columns if column.required):
            continue
        score = sum(1 for column in spec.columns if column.names & names)
        if spec is ROSTER:
            score += 0.5 if any(c.names & names for c in spec.columns if c.key == "manager_employee_number") else -1
        if score > best_score:
            best, best_score = spec, score
    return best


def _find_header(book, title, rows, spec):
    """(header row number, header cells, the rows after it) — headers may sit under a title line."""
    seen = []
    for number, values in rows:
        seen.append((number, values))
        texts = [v for v in values if isinstance(v, str)]
        names = {normalise_header(v) for v in texts if v.strip()}
        candidates = [spec] if spec else SHEETS
        if any(sum(1 for c in s.columns if c.names & names) >= min(2, len(s.columns)) for s in candidates):
            return number, values, seen
        if len(seen) >= HEADER_SEARCH_ROWS:
            break
    return None, None, seen


def _read_sheet(book, spec, title, rows, limit, progress, alone, check_formulas=False, keep=True):
    """Read one sheet's rows into `book`. `keep=False` only counts them (refusing past the limit)."""
    rows = iter(rows)
    header_number, headers, seen = _find_header(book, title, rows, spec)
    if headers is None:
        if spec is not None or not alone:
            if spec is None:
                book.warn(_("This sheet is not part of the workbook format and was ignored."), sheet=title)
            else:
                book.error(_("No header row found: the first row names the columns."), sheet=title)
        else:
            book.error(_("No header row found: the first row names the columns (see the template)."), sheet=title)
        return
    headers = [h if isinstance(h, str) else "" for h in headers]
    if spec is None:
        spec = _guess(headers)
        if spec is None:
            level = book.error if alone else book.warn
            level(
                _("This sheet is not part of the workbook format and was ignored.")
                if not alone
                else _("The columns do not match any sheet of the format (see the template)."),
                sheet=title,
            )
            return
    if spec.kind in book.sheets:
        book.error(_("The file has two %(sheet)s sheets.") % {"sheet": spec.zh}, sheet=title)
        return
    sheet = SheetIn(spec=spec, title=title, headers={})
    book.sheets[spec.kind] = sheet
    columns = {}  # index -> key
    for index, header in enumerate(headers):
        if not header.strip():
            continue
        name = normalise_header(header)
        column = next((c for c in spec.columns if name in c.names), None)
        if column is None:
            if spec is ROSTER:
                book.warn(
                    _("This column is not used by the roster import and was ignored."), sheet=title, column=header
                )
            else:
                book.error(
                    _("Unknown column. The columns of this sheet are: %(columns)s.")
                    % {"columns": "、".join(c.zh for c in spec.columns)},
                    sheet=title,
                    row=header_number,
                    column=header,
                )
            continue
        if column.key in sheet.headers:
            book.error(_("This column appears twice."), sheet=title, row=header_number, column=header)
            continue
        columns[index] = column.key
        sheet.headers[column.key] = header
    for column in spec.columns:
        if column.required and column.key not in sheet.headers:
            book.error(
                _("The required column %(column)s (%(english)s) is missing.")
                % {"column": column.zh, "english": column.en},
                sheet=title,
                row=header_number,
            )
    blank_run = 0
    after_header = [(n, v) for n, v in seen if n > header_number]
    column_items = list(columns.items())
    for number, values in chain(after_header, rows):  # rows stay a stream: a sheet is never held twice
        try:
            joined = "".join(values)
            blank = not joined.strip()
        except TypeError:  # a formula among the cells: not blank
            joined, blank = None, False
        if blank:
            blank_run += 1
            if blank_run >= BLANK_RUN_LIMIT:
                book.warn(_("Reading stopped after %(count)d empty rows.") % {"count": blank_run}, sheet=title)
                break
            continue
        blank_run = 0
        book.rows_read += 1
        if book.rows_read > limit["rows"]:
            raise _too_many_rows(limit)
        if not keep:
            continue
        if progress is not None and book.rows_read % 1000 == 0:
            progress(book.rows_read)
        if joined is None or control_character(joined) is not None:  # one search a row; each cell only then
            _name_control_characters(book, sheet, title, number, values, column_items)
        count, found = len(values), {}
        for index, key in column_items:
            value = values[index] if index < count else ""
            if type(value) is not str:
                book.error(
                    _("A formula (%(formula)s) is not accepted: enter the value itself.")
                    % {"formula": value.formula[:60]},
                    sheet=title,
                    row=number,
                    column=sheet.headers[key],
                )
                value = ""
            found[key] = value.strip()
        if check_formulas and spec is not ROSTER:  # a roster's extra columns are ignored, formulas and all
            for index, value in enumerate(values):
                if isinstance(value, _Formula) and index not in columns:
                    book.error(
                        _("A formula is not accepted: enter the value itself."),
                        sheet=title,
                        row=number,
                        column=value.letter,
                    )
        sheet.rows.append(RowIn(number, found))
    if not sheet.rows and keep:
        # A sheet with headers and no rows (the template's, say) is as good as absent.
        del book.sheets[spec.kind]
        book.problems = [p for p in book.problems if p.sheet != title]
    if progress is not None:
        progress(book.rows_read)


def _name_control_characters(book, sheet, title, number, values, column_items):
    """An error at each cell of the format's columns that holds a control character (portal/text.py's rule)."""
    count = len(values)
    for index, key in column_items:
        value = values[index] if index < count else ""
        character = control_character(value) if type(value) is str else None
        if character is not None:
            book.error(
                _("The cell holds the invisible control character %(character)s: delete it and import the file again.")
                % {"character": character_name(character)},
                sheet=title,
                row=number,
                column=sheet.headers[key],
            )
