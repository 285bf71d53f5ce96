"""Hostile uploads: files that are not what their name says, damaged, encrypted, full of formulas, zip bombs,
over the limits, and a tiny workbook that names a cell at the far corner of the sheet.

Each is a real file built here (a real PNG and JPEG, an OLE compound file, zips written member by
member). read_upload refuses it with a message for people, or names the cell; uploaded through the
page, the job ends refused with that message, the page answers 200, and nothing is written.
Whatever could exhaust memory runs in a child process, which reports its peak memory.
"""

import html
import io
import json
import os
import random
import re
import struct
import subprocess
import sys
import textwrap
import zipfile
import zlib
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from org_tree.models import Department
from positions.models import Assignment, Person, Position
from tests.integration.transfers.workbooks import xlsx as workbook
from transfers import importing
from transfers.models import Job
from transfers.reading import FileRefused, read_upload

ROOT = Path(__file__).resolve().parents[3]
MB = 1024 * 1024
GB = 1024 * MB
SHEET1 = "xl/worksheets/sheet1.xml"

DAMAGED = "The workbook is damaged and cannot be opened (it is not a valid .xlsx file)."
NOT_A_SPREADSHEET = "This is not a spreadsheet or a text file. Upload an Excel workbook (.xlsx) or a CSV file."
ENCRYPTED_OR_XLS = (
    "This workbook is encrypted (password-protected) or in the old .xls format. "
    "Open it, remove the password, and save it as an Excel workbook (.xlsx)."
)


def picture(kind):
    return f"This is a {kind} file, not a spreadsheet. Upload an Excel workbook (.xlsx) or a CSV file."


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


# ---------------------------------------------------------------------------------------------
# Real files


def tiny_png():
    """A real 1×1 grey PNG (IHDR, IDAT, IEND with their CRCs)."""

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00\x80"))
        + chunk(b"IEND", b"")
    )


def tiny_jpeg():
    """A real 1×1 grey baseline JPEG: one quantisation table, one-code Huffman tables, one block."""

    def segment(marker, body):
        return b"\xff" + marker + struct.pack(">H", len(body) + 2) + body

    one_code = bytes([1] + [0] * 15)  # one Huffman code, of length 1, for symbol 0
    return (
        b"\xff\xd8"
        + segment(b"\xe0", b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
        + segment(b"\xdb", b"\x00" + b"\x01" * 64)
        + segment(b"\xc0", b"\x08" + struct.pack(">HH", 1, 1) + b"\x01\x01\x11\x00")
        + segment(b"\xc4", b"\x00" + one_code + b"\x00")
        + segment(b"\xc4", b"\x10" + one_code + b"\x00")
        + segment(b"\xda", b"\x01\x01\x00\x00\x3f\x00")
        + b"\x3f"  # DC difference 0, then end of block
        + b"\xff\xd9"
    )


def tiny_pdf():
    """A one-page PDF with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def compound_file(streams):
    """An OLE compound file (CFB v3, 512-byte sectors) holding `streams` ({name: bytes of 4096 or more}).

    What Excel saves for a password-protected workbook (streams EncryptionInfo and EncryptedPackage)
    and for an old .xls (stream Workbook).
    """
    free, end, fat_sector, no_stream = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    sectors = []  # the sectors of the streams, after the FAT sector (0) and the directory sector (1)
    starts = {}
    for name, body in streams.items():
        body = body + b"\x00" * (-len(body) % 512)
        starts[name] = 2 + len(sectors)
        sectors += [body[i : i + 512] for i in range(0, len(body), 512)]
    fat = [fat_sector, end]
    for name, body in streams.items():
        count = -(-len(body) // 512)
        first = starts[name]
        fat += [*range(first + 1, first + count), end]
    fat += [free] * (128 - len(fat))
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<109I", 0, *[free] * 108)
    )

    def entry(name, kind, left=no_stream, right=no_stream, child=no_stream, start=end, size=0):
        encoded = (name + "\x00").encode("utf-16-le") if name else b""
        return (
            encoded.ljust(64, b"\x00")
            + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", left, right, child)
            + b"\x00" * 36
            + struct.pack("<IQ", start, size)
        )

    names = list(streams)
    entries = [entry("Root Entry", 5, child=1)]
    for index, name in enumerate(names, start=1):
        right = index + 1 if index < len(names) else no_stream
        entries.append(entry(name, 2, right=right, start=starts[name], size=len(streams[name])))
    while len(entries) < 4:
        entries.append(entry("", 0))
    directory = b"".join(entries)
    assert len(header) == 512 and len(directory) == 512
    return header + struct.pack("<128I", *fat) + directory + b"".join(sectors)


def encrypted_xlsx():
    info = b"\x04\x00\x04\x00\x40\x00\x00\x00" + (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        b'<encryption xmlns="http://schemas.microsoft.com/office/2006/encryption">'
        b'<keyData saltSize="16" blockSize="16" keyBits="256" hashSize="64" cipherAlgorithm="AES" '
        b'cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512" saltValue="AAAAAAAAAAAAAAAAAAAAAA=="/>'
        b"</encryption>"
    )
    package = struct.pack("<Q", 8192) + random.Random(1).randbytes(8192)
    return compound_file({"EncryptionInfo": info.ljust(4096, b"\x00"), "EncryptedPackage": package})


def old_xls():
    bof = struct.pack("<HHHHHHII", 0x0809, 16, 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0x0206)
    return compound_file({"Workbook": bof.ljust(4096, b"\x00")})


def good_xlsx():
    return workbook(("岗位", [["岗位编码", "岗位名称"], ["HOSTILE-01", "不该出现的岗位"]]))


def rewritten(data, compression=zipfile.ZIP_DEFLATED, replace=None, add=None):
    """The workbook's members written again: with another compression, a member replaced, members added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", compression) as target:
        for item in source.infolist():
            body = (replace or {}).get(item.filename, None)
            target.writestr(item.filename, source.read(item.filename) if body is None else body)
        for name, body in (add or {}).items():
            target.writestr(name, body)
    return out.getvalue()


def member_data_range(data, name):
    """(start, end) of a member's compressed bytes inside the zip."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    name_length, extra_length = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_length + extra_length
    return start, start + info.compress_size


def bit_rot(data, name=SHEET1, skip=2):
    """The member's compressed bytes damaged after `skip` bytes (a bad disk, a broken download): headers intact."""
    damaged = bytearray(data)
    start, end = member_data_range(data, name)
    for index in range(start + skip, end - 2):
        damaged[index] ^= 0x55
    return bytes(damaged)


def zip_flagged_encrypted(data):
    """A zip whose every member says it is encrypted (the zip's own password, general purpose bit 0)."""
    patched = bytearray(data)
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        index = patched.find(signature)
        while index != -1:
            struct.pack_into(
                "<H", patched, index + flag_offset, struct.unpack_from("<H", patched, index + flag_offset)[0] | 1
            )
            index = patched.find(signature, index + 4)
    return bytes(patched)


def zip_of_photos():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("photos/badge.png", tiny_png())
        archive.writestr("readme.txt", "年会照片")
    return out.getvalue()


def with_formulas():
    """岗位 with a formula in the title column (row 3) and one in column E, which the format does not use."""
    book = Workbook()
    sheet = book.active
    sheet.title = "岗位"
    sheet.append(["岗位编码", "岗位名称", "编制"])
    sheet.append(["HOSTILE-01", "经理", 1])
    sheet.append(["HOSTILE-02", "=1+1", 2])
    sheet["E2"] = '=HYPERLINK("http://example.com","点我")'
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


WORKSHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    '<row r="1"><c r="A1" t="inlineStr"><is><t>岗位编码</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>岗位名称</t></is></c></row>'
).encode()
WORKSHEET_TAIL = b"</sheetData></worksheet>"
BOMB_ROW = b'<row><c t="inlineStr"><is><t>HOSTILE</t></is></c><c t="inlineStr"><is><t>bomb</t></is></c></row>'


def write_bomb(path, expanded):
    """An .xlsx whose worksheet XML expands to `expanded` bytes of rows, written a chunk at a time.

    The file is a few hundred KB; neither it nor the test ever holds the expanded XML.
    """
    chunk = BOMB_ROW * ((1 * MB) // len(BOMB_ROW))
    source = zipfile.ZipFile(io.BytesIO(good_xlsx()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            if item.filename != SHEET1:
                archive.writestr(item.filename, source.read(item.filename))
                continue
            with archive.open(SHEET1, "w") as member:
                member.write(WORKSHEET_HEAD)
                written = len(WORKSHEET_HEAD)
                while written < expanded:
                    member.write(chunk)
                    written += len(chunk)
                member.write(WORKSHEET_TAIL)
    return path


def lie_about_size(path, declared, crc=None):
    """The bomb's headers, local and central, patched to declare `declared` bytes (and `crc`, if given)."""
    data = bytearray(path.read_bytes())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(SHEET1)
    assert info.file_size > declared and not info.flag_bits & 0x8  # sizes in the headers, no data descriptor
    assert data[info.header_offset : info.header_offset + 4] == b"PK\x03\x04"
    struct.pack_into("<I", data, info.header_offset + 22, declared)
    if crc is not None:
        struct.pack_into("<I", data, info.header_offset + 14, crc)
    index = data.find(b"PK\x01\x02")
    while index != -1:
        (name_length,) = struct.unpack_from("<H", data, index + 28)
        if data[index + 46 : index + 46 + name_length] == SHEET1.encode():
            struct.pack_into("<I", data, index + 24, declared)
            if crc is not None:
                struct.pack_into("<I", data, index + 16, crc)
        index = data.find(b"PK\x01\x02", index + 4)
    path.write_bytes(bytes(data))
    check = zipfile.ZipFile(path).getinfo(SHEET1)
    assert check.file_size == declared
    return path


def declared_prefix_crc(declared):
    """The CRC of the first `declared` bytes of the bomb's XML: a lie that zipfile's own check accepts."""
    repeated = BOMB_ROW * (declared // len(BOMB_ROW) + 1)
    return zlib.crc32((WORKSHEET_HEAD + repeated)[:declared])


def far_cell_xlsx(reference):
    """A tiny workbook: a header, one row, and a single value at `reference` (say the sheet's last cell)."""
    sheet = (
        WORKSHEET_HEAD
        + b'<row r="2"><c r="A2" t="inlineStr"><is><t>HOSTILE-01</t></is></c>'
        + b'<c r="B2" t="inlineStr"><is><t>far</t></is></c></row>'
        + b'<row r="%s"><c r="%s"><v>1</v></c></row>' % (re.sub(rb"[A-Z]", b"", reference.encode()), reference.encode())
        + WORKSHEET_TAIL
    )
    return rewritten(good_xlsx(), replace={SHEET1: sheet})


HOSTILE = [
    pytest.param("photo.xlsx", tiny_png, picture("PNG"), id="a PNG renamed .xlsx"),
    pytest.param("photo.csv", tiny_png, picture("PNG"), id="a PNG renamed .csv"),
    pytest.param("photo.xlsx", tiny_jpeg, picture("JPEG"), id="a JPEG renamed .xlsx"),
    pytest.param("photo.csv", tiny_jpeg, picture("JPEG"), id="a JPEG renamed .csv"),
    pytest.param("scan.xlsx", tiny_pdf, picture("PDF"), id="a PDF"),
    pytest.param("noise.xlsx", lambda: random.Random(42).randbytes(64 * 1024), NOT_A_SPREADSHEET, id="random bytes"),
    pytest.param("noise.csv", lambda: b"\x00" * 2048 + b"a,b\r\n", NOT_A_SPREADSHEET, id="NUL bytes as .csv"),
    pytest.param("half.xlsx", lambda: good_xlsx()[: len(good_xlsx()) // 2], DAMAGED, id="a workbook cut in half"),
    pytest.param("bitrot.xlsx", lambda: bit_rot(good_xlsx()), DAMAGED, id="a workbook with damaged deflate data"),
    pytest.param(
        "bitrot.xlsx",
        lambda: bit_rot(rewritten(good_xlsx(), compression=zipfile.ZIP_LZMA), skip=9),  # after LZMA's header
        DAMAGED,
        id="a workbook with damaged LZMA data",
    ),
    pytest.param(
        "lzma.xlsx",
        lambda: rewritten(good_xlsx(), compression=zipfile.ZIP_LZMA),
        DAMAGED,
        id="a workbook compressed as no spreadsheet does",
    ),
    pytest.param(
        "photos.xlsx",
        zip_of_photos,
        "This zip file is not an Excel workbook (.xlsx). Upload an .xlsx or a CSV file.",
        id="a zip that is not a workbook",
    ),
    pytest.param("locked.xlsx", encrypted_xlsx, ENCRYPTED_OR_XLS, id="a password-protected workbook"),
    pytest.param("budget.xlsx", old_xls, ENCRYPTED_OR_XLS, id="an old .xls renamed .xlsx"),
    pytest.param("budget.csv", old_xls, ENCRYPTED_OR_XLS, id="an old .xls renamed .csv"),
    pytest.param(
        "zipcrypto.xlsx",
        lambda: zip_flagged_encrypted(good_xlsx()),
        "The workbook is encrypted. Remove the password and save it again.",
        id="a workbook in a password-protected zip",
    ),
    pytest.param("empty.xlsx", lambda: b"", "The file is empty.", id="an empty file"),
    pytest.param("blank.csv", lambda: b"\r\n  \r\n\t\r\n", "The file is empty.", id="a file of blank lines"),
]


def test_the_real_files_are_what_they_claim(tmp_path):
    """The PNG, JPEG, PDF and compound files are real: `file` (libmagic) names them.

    `.ci/run` installs `file`, so in CI a missing one fails; on a developer's machine without it the test skips.
    """
    if not Path("/usr/bin/file").exists():
        message = "file(1) is not installed (apt-get install file)"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run this test: {message}")
        pytest.skip(message)
    expected = {
        "a.png": "PNG image data, 1 x 1",
        "a.jpg": "JPEG image data",
        "a.pdf": "PDF document",
        "locked.xlsx": "CDFV2 Encrypted",  # libmagic found EncryptionInfo and EncryptedPackage in its directory
        "old.xls": "CDFV2 Microsoft Excel",  # and the Workbook stream here
    }
    for name, data in {
        "a.png": tiny_png(),
        "a.jpg": tiny_jpeg(),
        "a.pdf": tiny_pdf(),
        "locked.xlsx": encrypted_xlsx(),
        "old.xls": old_xls(),
    }.items():
        (tmp_path / name).write_bytes(data)
        described = subprocess.run(["/usr/bin/file", "-b", str(tmp_path / name)], capture_output=True, text=True).stdout
        assert expected[name] in described, (name, described)
    assert zipfile.ZipFile(io.BytesIO(good_xlsx())).testzip() is None


# ---------------------------------------------------------------------------------------------
# read_upload refuses each with a message for people


@pytest.mark.parametrize(("name", "make", "message"), HOSTILE)
def test_a_hostile_file_is_refused_with_a_message_for_people(name, make, message):
    with pytest.raises(FileRefused) as refused:
        read_upload(name, make())
    assert str(refused.value) == message


def test_formulas_are_errors_naming_sheet_row_and_column():
    book = read_upload("formulas.xlsx", with_formulas())
    assert [(p.level, p.sheet, p.row, p.column, p.message) for p in book.problems] == [
        ("error", "岗位", 2, "E", "A formula is not accepted: enter the value itself."),
        ("error", "岗位", 3, "岗位名称", "A formula (=1+1) is not accepted: enter the value itself."),
    ]
    # The formula is never evaluated into a value.
    assert [row.values for row in book.sheets["positions"].rows] == [
        {"code": "HOSTILE-01", "title": "经理", "headcount": "1"},
        {"code": "HOSTILE-02", "title": "", "headcount": "2"},
    ]


def test_a_formula_under_a_title_line_is_named_at_its_own_row():
    rows = [
        ["某某公司员工花名册"],
        [],
        ["工号", "姓名", "岗位", "直接上级工号"],
        ["E001", "张三", "经理", ""],
        ["E002", "=A4", "工程师", "E001"],
    ]
    book = read_upload("花名册.xlsx", workbook(("花名册", rows)))
    assert [(p.sheet, p.row, p.column) for p in book.errors] == [("花名册", 5, "姓名")]
    assert "=A4" in book.errors[0].message


def test_an_over_long_formula_is_quoted_short():
    formula = "=" + "+".join(["1"] * 200)
    book = read_upload("formulas.xlsx", workbook(("岗位", [["岗位编码", "岗位名称"], ["P-01", formula]])))
    (error,) = book.errors
    assert formula[:60] in error.message and formula not in error.message


def test_a_file_over_the_size_limit_is_refused_before_it_is_read():
    data = b"PK" + b"\x00" * (21 * MB)
    with pytest.raises(FileRefused) as refused:
        read_upload("big.xlsx", data)
    assert str(refused.value) == "The file is 21 MB; the limit is 20 MB."


def test_a_file_just_over_a_lowered_size_limit_says_how_big_it_is(settings):
    """The message gives the file's size and the limit; a file over the limit is not said to be its size."""
    settings.TRANSFER_MAX_UPLOAD_BYTES = 1 * MB
    data = ("岗位编码,岗位名称\r\n" + "P-01,经理\r\n" * (int(1.4 * MB) // 14)).encode()
    assert 1.3 * MB < len(data) < 1.5 * MB
    with pytest.raises(FileRefused) as refused:
        read_upload("big.csv", data)
    file_size, limit = re.findall(r"[\d.]+ MB", str(refused.value))
    assert limit == "1 MB"
    assert file_size != limit, str(refused.value)


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_more_rows_than_the_limit_are_refused(settings, kind):
    settings.TRANSFER_MAX_ROWS = 50

    def upload(count):
        rows = [["岗位编码", "岗位名称"], *([f"P-{i:03}", "岗位"] for i in range(count))]
        rows.insert(5, [])  # a blank row counts for nothing
        if kind == "csv":
            return read_upload("many.csv", "\r\n".join(",".join(row) for row in rows).encode())
        return read_upload("many.xlsx", workbook(("岗位", rows)))

    assert upload(50).rows_read == 50
    with pytest.raises(FileRefused) as refused:
        upload(51)
    assert str(refused.value) == (
        "The file has more than 50 rows; split it, or ask an administrator to raise the limit."
    )


def test_the_row_limit_counts_every_sheet(settings):
    settings.TRANSFER_MAX_ROWS = 5
    positions = [["岗位编码", "岗位名称"], *([f"P-{i}", "岗位"] for i in range(3))]
    duties = [["岗位编码", "序号", "内容"], *([f"P-{i}", 1, "职责"] for i in range(3))]
    with pytest.raises(FileRefused, match="more than 5 rows"):
        read_upload("two sheets.xlsx", workbook(("岗位", positions), ("岗位职责", duties)))


def test_parts_that_together_expand_beyond_the_limit_are_refused(settings):
    settings.TRANSFER_MAX_EXPANDED_BYTES = 1 * MB
    data = rewritten(good_xlsx(), add={"xl/media/padding.bin": b"\x00" * (2 * MB)})
    assert len(data) < 100 * 1024
    with pytest.raises(FileRefused) as refused:
        read_upload("padded.xlsx", data)
    assert str(refused.value) == (
        "The workbook expands to more than 1 MB when opened; it is refused as a possible zip bomb."
    )


def test_an_empty_workbook_is_an_error_not_a_crash():
    book = read_upload("empty.xlsx", workbook(("Sheet1", [])))
    assert book.sheets == {}
    assert [(p.level, p.sheet) for p in book.problems] == [("error", "Sheet1")]


# ---------------------------------------------------------------------------------------------
# Zip bombs, and a far cell: read in a child process that reports its peak memory

CHILD = textwrap.dedent(
    """
    import json, re, resource, sys
    resource.setrlimit(resource.RLIMIT_AS, (%(cap)d, %(cap)d))  # a runaway child fails, the machine does not

    def peak_kb():
        # This process's own peak: ru_maxrss can start at the peak of the parent that forked it (pytest's).
        with open("/proc/self/status") as status:
            return int(re.search(r"VmHWM:\\s*(\\d+)", status.read()).group(1))

    import django
    django.setup()
    from django.utils import translation
    translation.activate("en")
    from transfers.reading import FileRefused, read_upload
    with open(sys.argv[1], "rb") as file:
        data = file.read()
    before_kb = peak_kb()  # Django loaded, the file's bytes held
    try:
        book = read_upload(sys.argv[1], data)
        outcome = {"read": book.rows_read, "problems": [str(p) for p in book.problems]}
    except FileRefused as exc:
        outcome = {"refused": str(exc)}
    outcome["max_rss_kb"] = peak_kb()
    outcome["grew_kb"] = outcome["max_rss_kb"] - before_kb
    print(json.dumps(outcome))
    """
)


def read_in_child(path, timeout=180, **environment):
    """read_upload(path) in a fresh interpreter, capped at 2 GB of address space: its outcome, its peak memory
    and how much its memory grew while reading. `environment`: settings given as environment variables."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings_test", **environment}
    try:
        child = subprocess.run(
            [sys.executable, "-c", CHILD % {"cap": 2 * GB}, str(path)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"reading {path.name} took more than {timeout} s")
    assert child.returncode == 0, f"the reader died (exit {child.returncode}): {child.stderr[:800]}"
    return json.loads(child.stdout.strip().splitlines()[-1])


@pytest.fixture
def bomb(tmp_path):
    """A ~300 MB worksheet in a file of a few hundred KB."""
    path = write_bomb(tmp_path / "bomb.xlsx", 300 * MB)
    assert path.stat().st_size < 2 * MB
    assert zipfile.ZipFile(path).getinfo(SHEET1).file_size > 300 * MB
    return path


def test_a_zip_bomb_is_refused_naming_the_limit_and_memory_stays_low(bomb):
    outcome = read_in_child(bomb)
    assert outcome.get("refused") == (
        "The workbook expands to more than 200 MB when opened; it is refused as a possible zip bomb."
    ), outcome
    assert outcome["max_rss_kb"] * 1024 < 1 * GB


@pytest.mark.parametrize(
    "crc",
    [pytest.param(False, id="declared size only"), pytest.param(True, id="declared size and a matching CRC")],
)
def test_a_zip_bomb_whose_headers_lie_about_its_size_is_still_refused(bomb, crc):
    declared = 4000
    lie_about_size(bomb, declared, declared_prefix_crc(declared) if crc else None)
    outcome = read_in_child(bomb)
    assert "refused" in outcome, outcome
    assert outcome["refused"] in (
        DAMAGED,
        "The workbook expands to more than 200 MB when opened; it is refused as a possible zip bomb.",
    )
    assert outcome["max_rss_kb"] * 1024 < 1 * GB


def test_a_lying_zip_bomb_is_refused_in_process_too(bomb):
    lie_about_size(bomb, 4000, declared_prefix_crc(4000))
    with pytest.raises(FileRefused):
        read_upload("bomb.xlsx", bomb.read_bytes())


@pytest.mark.parametrize("reference", ["XFD1048576", "ZZ100000"])
def test_a_tiny_workbook_with_one_far_away_cell_is_read_in_little_memory(tmp_path, reference):
    """One value at the sheet's last cell (or far down and right) must not make the reader build the whole grid."""
    path = tmp_path / "far.xlsx"
    path.write_bytes(far_cell_xlsx(reference))
    assert path.stat().st_size < 10 * 1024
    outcome = read_in_child(path)
    assert outcome["max_rss_kb"] * 1024 < 1 * GB, outcome
    if "read" in outcome:
        assert outcome["read"] >= 1


# ---------------------------------------------------------------------------------------------
# Just over the row limit: refused from a count made while the file streams, before its rows are held

LIMIT_ROWS = 200_000


def write_many_rows_xlsx(path, count):
    """An .xlsx whose positions sheet has `count` rows under its header, its XML written a chunk at a time."""
    source = zipfile.ZipFile(io.BytesIO(good_xlsx()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            if item.filename != SHEET1:
                archive.writestr(item.filename, source.read(item.filename))
                continue
            with archive.open(SHEET1, "w") as member:
                member.write(WORKSHEET_HEAD)
                for start in range(2, count + 2, 10_000):
                    member.write(
                        "".join(
                            f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>ROW-{n:07d}</t></is></c>'
                            f'<c r="B{n}" t="inlineStr"><is><t>岗位{n}</t></is></c></row>'
                            for n in range(start, min(start + 10_000, count + 2))
                        ).encode()
                    )
                member.write(WORKSHEET_TAIL)
    return path


def write_many_rows_csv(path, count):
    with path.open("w", encoding="utf-8", newline="") as file:
        file.write("岗位编码,岗位名称\r\n")
        for start in range(0, count, 10_000):
            file.write("".join(f"ROW-{n:07d},岗位{n}\r\n" for n in range(start, min(start + 10_000, count))))
    return path


@pytest.fixture(params=["xlsx", "csv"])
def many_rows(request, tmp_path):
    """A positions file of LIMIT_ROWS + 1 rows under its header, as .xlsx and as CSV."""
    write = write_many_rows_xlsx if request.param == "xlsx" else write_many_rows_csv
    return write(tmp_path / f"many.{request.param}", LIMIT_ROWS + 1)


def test_a_file_just_over_the_row_limit_is_refused_before_its_rows_are_held(many_rows):
    """200,001 rows against a limit of 200,000: the refusal names the limit, and no row is held. The same file
    under a limit one higher is read whole, for comparison: here the reader grew 128 MB for the workbook and
    88 MB for the CSV; refused, 43 MB (the grid calamine's count reads the sheet into) and 5 MB."""
    refused = read_in_child(many_rows, TRANSFER_MAX_ROWS=str(LIMIT_ROWS))
    assert refused.get("refused") == (
        "The file has more than 200000 rows; split it, or ask an administrator to raise the limit."
    ), refused
    read = read_in_child(many_rows, TRANSFER_MAX_ROWS=str(LIMIT_ROWS + 1))
    assert read.get("read") == LIMIT_ROWS + 1, read
    assert refused["grew_kb"] * 2 < read["grew_kb"], (refused, read)


def test_a_file_far_over_the_row_limit_is_refused_as_it_streams_in_a_few_megabytes(many_rows):
    """Twice the limit: the rows are counted while the worksheet is unzipped (or the CSV parsed) and the
    file is refused there, before any reader builds a grid or a row."""
    refused = read_in_child(many_rows, TRANSFER_MAX_ROWS=str(LIMIT_ROWS // 2))
    assert refused.get("refused") == (
        "The file has more than 100000 rows; split it, or ask an administrator to raise the limit."
    ), refused
    assert refused["grew_kb"] * 1024 < 16 * MB, refused  # 6 MB (xlsx) and 5 MB (CSV) here


# ---------------------------------------------------------------------------------------------
# Through the page: an HR editor uploads it; the job ends refused, with the message, writing nothing


@pytest.fixture
def editor(hr_client, seed):
    """An HR editor (an approver) with the seed organisation, reading the portal in English."""
    hr_client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return hr_client


def organisation():
    """Everything an import could write, as a comparable value."""
    return {
        "state": importing.organisation_state(),
        "positions": sorted(Position.objects.values_list("code", "title", "version")),
        "people": sorted(Person.objects.values_list("employee_number", "name")),
        "departments": sorted(Department.objects.values_list("code", "name")),
        "assignments": Assignment.objects.count(),
    }


def upload(client, capture, name, data):
    """POST the file as the page's form does; run the queued job; the job and its page."""
    with capture(execute=True):
        response = client.post(reverse("transfers:index"), {"file": SimpleUploadedFile(name, data)})
    assert response.status_code == 302, response.content.decode()[:2000]
    job = Job.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[-1]))
    assert response["Location"] == reverse("transfers:job", args=[job.pk])
    page = client.get(reverse("transfers:job", args=[job.pk]))
    return job, page


def page_text(response):
    return html.unescape(response.content.decode())


@pytest.mark.parametrize(("name", "make", "message"), [p for p in HOSTILE if p.id != "an empty file"])
def test_a_hostile_upload_ends_refused_with_the_message_and_writes_nothing(
    editor, django_capture_on_commit_callbacks, name, make, message
):
    data = make()
    before = organisation()
    job, page = upload(editor, django_capture_on_commit_callbacks, name, data)
    assert (job.status, job.message) == (Job.Status.REFUSED, message)
    assert page.status_code == 200
    text = page_text(page)
    assert message in text
    assert "Refused: nothing was written" in text
    assert organisation() == before
    assert bytes(job.data) == data and job.file_name == name  # the upload is kept as the job's record


def test_a_zip_bomb_upload_ends_refused_naming_the_limit(editor, django_capture_on_commit_callbacks, bomb):
    before = organisation()
    job, page = upload(editor, django_capture_on_commit_callbacks, "bomb.xlsx", bomb.read_bytes())
    assert job.status == Job.Status.REFUSED
    assert page.status_code == 200
    assert "expands to more than 200 MB when opened" in page_text(page)
    assert organisation() == before


def test_a_lying_zip_bomb_upload_ends_refused(editor, django_capture_on_commit_callbacks, bomb):
    lie_about_size(bomb, 4000, declared_prefix_crc(4000))
    before = organisation()
    job, page = upload(editor, django_capture_on_commit_callbacks, "bomb.xlsx", bomb.read_bytes())
    assert job.status == Job.Status.REFUSED and job.message
    assert page.status_code == 200 and job.message in page_text(page)
    assert organisation() == before


def test_formulas_uploaded_end_refused_and_the_page_names_each_cell(editor, django_capture_on_commit_callbacks):
    before = organisation()
    job, page = upload(editor, django_capture_on_commit_callbacks, "formulas.xlsx", with_formulas())
    assert job.status == Job.Status.REFUSED
    assert page.status_code == 200
    text = page_text(page)
    assert "2 errors: nothing was imported" in text
    cells = re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", text)
    assert ("岗位", "3", "岗位名称", "A formula (=1+1) is not accepted: enter the value itself.") in cells
    assert ("岗位", "2", "E", "A formula is not accepted: enter the value itself.") in cells
    assert not Position.objects.filter(code__startswith="HOSTILE").exists()
    assert organisation() == before


def with_control_character(escaped):
    """good_xlsx() with a control character in its title cell, as Excel writes it (_x0000_ for NUL; C1 as is)."""
    data = good_xlsx()
    sheet = zipfile.ZipFile(io.BytesIO(data)).read(SHEET1)
    assert "不该出现的岗位".encode() in sheet
    return rewritten(data, replace={SHEET1: sheet.replace("不该出现的岗位".encode(), f"不该{escaped}出现".encode())})


@pytest.mark.parametrize(
    ("name", "make", "character"),
    [
        pytest.param(
            "positions.csv",
            lambda: "岗位编码,岗位名称\r\nHOSTILE-01,经\x00理\r\n".encode(),
            "U+0000",
            id="NUL in a CSV",
        ),
        pytest.param(
            "positions.csv",
            lambda: "岗位编码,岗位名称\r\nHOSTILE-01,经\x00理\r\n".encode("gb18030"),
            "U+0000",
            id="GB18030",
        ),
        pytest.param("positions.xlsx", lambda: with_control_character("_x0000_"), "U+0000", id="NUL in a workbook"),
        pytest.param("positions.xlsx", lambda: with_control_character("\x85"), "U+0085", id="C1 in a workbook"),
    ],
)
def test_a_control_character_in_an_uploaded_cell_ends_refused_naming_the_cell(
    editor, django_capture_on_commit_callbacks, name, make, character
):
    """Never a failed job (PostgreSQL cannot even store a NUL): refused, with the sheet, row and column."""
    before = organisation()
    job, page = upload(editor, django_capture_on_commit_callbacks, name, make())
    assert job.status == Job.Status.REFUSED, (job.status, job.message)
    assert page.status_code == 200
    cells = re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", page_text(page))
    message = f"The cell holds the invisible control character {character}: delete it and import the file again."
    assert cells == [("岗位" if name.endswith(".xlsx") else name, "2", "岗位名称", message)]
    assert organisation() == before


def test_too_many_rows_uploaded_end_refused(editor, django_capture_on_commit_callbacks, settings):
    settings.TRANSFER_MAX_ROWS = 10
    rows = [["岗位编码", "岗位名称"], *([f"HOSTILE-{i:02}", "岗位"] for i in range(11))]
    before = organisation()
    job, page = upload(editor, django_capture_on_commit_callbacks, "many.xlsx", workbook(("岗位", rows)))
    assert job.status == Job.Status.REFUSED
    assert page.status_code == 200
    assert "The file has more than 10 rows" in page_text(page)
    assert organisation() == before


def test_a_csv_in_no_known_encoding_uploaded_ends_refused(editor, django_capture_on_commit_callbacks):
    before = organisation()
    job, page = upload(
        editor, django_capture_on_commit_callbacks, "positions.csv", "code,title\r\nP-01,Café\r\n".encode("latin-1")
    )
    assert job.status == Job.Status.REFUSED
    assert "save it as CSV UTF-8 (or GB18030)" in page_text(page)
    assert organisation() == before


def test_a_refused_job_reads_in_chinese_too(hr_client, seed, django_capture_on_commit_callbacks):
    """Without a chosen language the portal is Chinese: the page still answers 200 and shows the job's message."""
    job, page = upload(hr_client, django_capture_on_commit_callbacks, "photo.xlsx", tiny_png())
    assert job.status == Job.Status.REFUSED and job.language == "zh-hans"
    assert page.status_code == 200
    assert job.message and job.message in page_text(page)
    listing = hr_client.get(reverse("transfers:index"))
    assert listing.status_code == 200 and "photo.xlsx" in page_text(listing)


def test_the_progress_of_a_refused_job_says_it_is_over(editor, django_capture_on_commit_callbacks):
    job, _page = upload(editor, django_capture_on_commit_callbacks, "photo.xlsx", tiny_png())
    progress = editor.get(reverse("transfers:progress", args=[job.pk])).json()
    assert progress["status"] == "refused" and progress["running"] is False


# ---------------------------------------------------------------------------------------------
# The form refuses what is not a spreadsheet by its name, and what is empty, with 400 (too big: test_uploads.py)


def post_file(client, name, data):
    return client.post(reverse("transfers:index"), {"file": SimpleUploadedFile(name, data)})


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("photo.png", tiny_png),
        ("photo.jpg", tiny_jpeg),
        ("scan.pdf", tiny_pdf),
        ("organisation.xlsx.png", good_xlsx),
        ("organisation.exe", good_xlsx),
        ("organisation", good_xlsx),
    ],
)
def test_a_file_with_a_wrong_extension_is_refused_by_the_form(editor, name, make):
    response = post_file(editor, name, make())
    assert response.status_code == 400
    assert f"{name} is not a spreadsheet: upload an Excel workbook (.xlsx) or a CSV file." in page_text(response)
    assert not Job.objects.exists()


def test_an_empty_upload_is_refused_by_the_form(editor):
    response = post_file(editor, "empty.xlsx", b"")
    assert response.status_code == 400
    assert "empty" in page_text(response)
    assert not Job.objects.exists()


def test_a_form_sent_without_a_file_is_refused_by_the_form(editor):
    response = editor.post(reverse("transfers:index"), {"csrfmiddlewaretoken": "as a browser sends it"})
    assert response.status_code == 400
    assert "This field is required." in page_text(response)
    assert not Job.objects.exists()
