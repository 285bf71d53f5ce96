"""The job-description card as drawn and printed by Chromium: the Chinese title letter-spaced and the English
one not, table headings that never break inside a word (绩效标准 on one line), the sign-off (审批签字) inside
the card's frame, and on paper an A4 sheet with a running header (the post's code and title) and page
numbers (第 n 页 / 共 m 页) whose sign-off never stands alone on the last page, its Chinese text in
embedded fonts. Measured in the browser, read back from the PDF with poppler's tools."""

import re
import subprocess

import pytest

from positions.models import Position
from tests.conftest import PASSWORD
from tests.functional.test_accessibility import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEED_CARDS = ["DPT-YW-01", "DPT-YW-02", "DPT-YW-03", "DPT-YW-04", "DPT-YW-05"]  # the five with a job description
NARROW_STANDARD = "DPT-YW-05"  # its one KPI has no standard: the standard column is as narrow as it gets


@pytest.fixture
def reader(page, live_server, seed, viewer_user):
    """A viewer logged in; `reader(language)` sets the language and returns the page."""

    def log_in(language="zh-hans"):
        page.set_default_timeout(10_000)
        page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", viewer_user.username)
        page.fill("#id_password", PASSWORD)
        page.click("section.login button[type=submit]")
        page.wait_for_url(f"{live_server.url}/org/")
        return page

    return log_in


def open_card(page, live_server, code):
    page.goto(f"{live_server.url}/positions/{code}/")
    page.wait_for_load_state()


# The lines a cell's text takes: the distinct tops of its text's line boxes.
LINES = """cell => {
    const range = document.createRange();
    range.selectNodeContents(cell);
    return new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top))).size;
}"""


# The most lines any one word of a cell takes (a word: a run without spaces, so 绩效标准 is one word).
WORD_LINES = """cell => {
    let most = 0;
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (const word of node.data.matchAll(/\\S+/g)) {
            const range = document.createRange();
            range.setStart(node, word.index);
            range.setEnd(node, word.index + word[0].length);
            const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
            most = Math.max(most, tops.size);
        }
    }
    return most;
}"""


def heading_cells(page):
    return page.locator(".jd-card thead th, .jd-card .sign-off-table th")


def heading_lines(page):
    """{heading text: lines} for the heading cells of the card's tables."""
    cells = heading_cells(page)
    return dict(zip(cells.all_inner_texts(), [cell.evaluate(LINES) for cell in cells.all()], strict=True))


# ---------------------------------------------------------------------------------------------
# On screen


@pytest.mark.parametrize(
    ("language", "title", "spaced"), [("zh-hans", "岗位说明书", True), ("en", "Job description", False)]
)
def test_the_card_title_is_letter_spaced_in_chinese_only(reader, live_server, language, title, spaced):
    page = reader(language)
    open_card(page, live_server, "DPT-YW-03")

    heading = page.locator(".jd-heading")
    spacing = heading.evaluate("h => getComputedStyle(h).letterSpacing")

    assert heading.inner_text() == title
    if spaced:
        assert spacing.endswith("px") and float(spacing[:-2]) > 2  # .2em of a 1.4rem heading
    else:
        assert spacing == "normal"
    # Centred either way: the heading's text is as far from the left of the card as from its right.
    left, right = heading.evaluate(
        """h => { const r = document.createRange(); r.selectNodeContents(h); const t = r.getBoundingClientRect();
                  const box = h.getBoundingClientRect(); const s = parseFloat(getComputedStyle(h).letterSpacing) || 0;
                  return [t.left - box.left, box.right - (t.right - s)]; }"""
    )
    assert abs(left - right) < 3


@pytest.mark.parametrize("width", [1280, 800, 480])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_table_headings_never_break_inside_a_word(reader, live_server, width, language):
    page = reader(language)
    page.set_viewport_size({"width": width, "height": 900})
    open_card(page, live_server, NARROW_STANDARD)

    lines = heading_lines(page)

    words = dict(
        zip(
            heading_cells(page).all_inner_texts(),
            [c.evaluate(WORD_LINES) for c in heading_cells(page).all()],
            strict=True,
        )
    )
    assert all(count == 1 for count in words.values()), f"a heading broken inside a word: {words}"
    if language == "zh-hans":
        assert lines["绩效标准"] == 1 and lines["关键职责"] == 1 and lines["权重"] == 1
        assert all(count == 1 for count in lines.values()), lines  # no Chinese heading breaks at all
        cell = page.locator(".jd-kpis th.standard")
        height, line = cell.evaluate(
            """th => { const s = getComputedStyle(th);
                       return [th.getBoundingClientRect().height - parseFloat(s.paddingTop) - parseFloat(s.paddingBottom)
                               - parseFloat(s.borderTopWidth) - parseFloat(s.borderBottomWidth), parseFloat(s.lineHeight)]; }"""
        )
        assert height == pytest.approx(line, abs=1.5)  # the cell is one line high
    elif width >= 800:
        assert lines["Performance standard"] == 1 and lines["Key responsibility"] == 1


def test_the_sign_off_sits_inside_the_card_frame(reader, live_server):
    page = reader()
    open_card(page, live_server, "DPT-YW-03")

    card = page.locator("article.jd-card")
    sign_off = card.locator("section.sign-off")
    frame, inner = card.bounding_box(), sign_off.bounding_box()

    assert sign_off.locator("h2").inner_text() == "审批签字"
    assert page.locator("section.sign-off").count() == 1  # no other sign-off outside the card
    assert frame["x"] < inner["x"] and inner["x"] + inner["width"] < frame["x"] + frame["width"]
    assert frame["y"] < inner["y"] and inner["y"] + inner["height"] < frame["y"] + frame["height"]
    table = sign_off.locator("table.sign-off-table").bounding_box()
    assert table["x"] + table["width"] <= frame["x"] + frame["width"]
    assert_accessible(page)


def test_the_english_card_passes_axe(reader, live_server):
    page = reader("en")
    open_card(page, live_server, NARROW_STANDARD)
    assert page.locator(".sign-off h2").inner_text() == "Sign-off"
    assert_accessible(page)


# ---------------------------------------------------------------------------------------------
# On paper


def pdf_pages(path):
    """The text of each page of the PDF at `path`, laid out as printed."""
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    count = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    return [
        subprocess.run(
            ["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(path), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for n in range(1, count + 1)
    ]


def print_card(page, live_server, code, path):
    open_card(page, live_server, code)
    page.emulate_media(media="print")
    page.pdf(path=str(path), prefer_css_page_size=True)
    return pdf_pages(path)


def content_lines(text, code, title):
    """The lines of a printed page without its running header and its page number."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return [
        line for line in lines if not line.startswith(f"{code} {title}") and not re.fullmatch(r"第\s*\d+\s*页.*", line)
    ]


def test_a_printed_card_is_a4_with_a_running_header_and_page_numbers(reader, live_server, pdf_tools, tmp_path):
    page = reader()
    path = tmp_path / "card.pdf"
    pages = print_card(page, live_server, "DPT-YW-01", path)

    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "(A4)" in info
    assert len(pages) >= 2  # the seed's manager fills more than a page, so the header and numbers repeat
    for number, text in enumerate(pages, start=1):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        assert re.match(r"DPT-YW-01 运维部经理\s+岗位说明书$", lines[0]), lines[0]  # the header, on every page
        assert re.sub(r"\s", "", lines[-1]) == f"第{number}页/共{len(pages)}页"  # the page number, at the foot
    # Chinese renders: the text reads back, in fonts embedded in the file.
    assert "岗位职责" in pages[0] and "考核标准" in "".join(pages)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows and all(row.split()[-5] == "yes" for row in rows), fonts  # the "emb" column


def test_an_english_card_prints_its_page_numbers_in_english(reader, live_server, pdf_tools, tmp_path):
    page = reader("en")
    pages = print_card(page, live_server, "DPT-YW-01", tmp_path / "card.pdf")

    for number, text in enumerate(pages, start=1):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        assert re.match(r"DPT-YW-01 运维部经理\s+Job description$", lines[0])
        assert lines[-1] == f"Page {number} of {len(pages)}"


@pytest.mark.parametrize("code", SEED_CARDS)
def test_a_printed_card_never_leaves_its_sign_off_alone_on_the_last_page(
    reader, live_server, pdf_tools, tmp_path, code
):
    page = reader()
    pages = print_card(page, live_server, code, tmp_path / f"{code}.pdf")
    title = Position.objects.get(code=code).title

    last = content_lines(pages[-1], code, title)
    sign_off = [n for n, line in enumerate(last) if line == "审批签字"]

    assert sign_off, f"no sign-off on the last page of {code}"
    before = last[: sign_off[0]]
    assert any(line.startswith("合计") for line in before), f"{code}: the sign-off is on a page of its own: {last}"
    if len(pages) > 1:  # what goes with it is more than the total: a KPI row at least
        assert len(before) >= 3, before
    assert all("审批签字" not in page_text for page_text in pages[:-1])  # and it is whole, not split
