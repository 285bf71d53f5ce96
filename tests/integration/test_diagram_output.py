"""The diagram as files: the SVG and PDF the portal serves and `manage.py export_chart` writes.

The SVG is parsed back with xml.etree; the PDF is read back with poppler's tools (pdftotext,
pdffonts, pdfinfo, pdftoppm), which the `pdf_tools` fixture requires. Both are checked on the seed
organisation and on a synthetic one of 600 positions, which takes several pages with
continuation marks ("续见第 n 页", "接第 m 页") that must point at pages that exist.
"""

import re
import subprocess
import xml.etree.ElementTree as ET
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from django.utils.translation import gettext
from PIL import Image

from org_tree.chart import build_chart
from org_tree.diagram import MAX_DEPTH, fit
from org_tree.paper import paginate
from positions.models import Position
from tests.unit.test_diagram import check_pages

SVG = "{http://www.w3.org/2000/svg}"
SEED_ROOT = "DPT-YW-N01"
SCRIPT_TITLE = 'R&D <script>alert("x")</script>'
CHINESE_FONTS = {"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Zen Hei"}


# ---------------------------------------------------------------------------------------------
# Helpers


@pytest.fixture(params=["hr_user", "admin_user"])
def reader(request, client):
    """A client logged in as an HR editor, then as an administrator."""
    client.force_login(request.getfixturevalue(request.param))
    return client


@pytest.fixture
def synthetic(seed):
    """A synthetic organisation of 600 positions beside the seed; its top post."""
    call_command("synth_org", positions=600, replace=True, stdout=StringIO())
    return Position.objects.get(code__startswith="SYN-", parent=None)


def positions_shown(root=None, depth=None):
    """{code: title} of the positions a diagram of `depth` levels under `root` (or of all) shows."""
    positions = Position.objects.all()
    if root is not None:
        positions = positions.filter(tree_id=root.tree_id, lft__gte=root.lft, rght__lte=root.rght)
    if depth is not None:
        positions = positions.filter(level__lt=(root.level if root else 0) + depth)
    return dict(positions.values_list("code", "title"))


def title_lines(title):
    """The lines a box shows its title in, without the one fit() cut short with …."""
    return [line for line in fit(title, 11.5, 2) if not line.endswith("…")]


def run(*command):
    return subprocess.run([str(part) for part in command], capture_output=True, text=True, check=True).stdout


def pdf_info(path):
    return dict(line.split(":", 1) for line in run("pdfinfo", path).splitlines() if ":" in line)


def pdf_page_count(path):
    return int(pdf_info(path)["Pages"])


def pdf_pages(path):
    """The text of each page, laid out as printed (pdftotext separates pages with form feeds)."""
    pages = run("pdftotext", "-layout", path, "-").split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    return pages


def ink(path, tmp_path):
    """The share of the first page, rendered at 50 dpi, that is not white."""
    run("pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", path, tmp_path / "page")
    (png,) = tmp_path.glob("page*.png")
    histogram = Image.open(png).convert("L").histogram()  # pixels of each grey level, black to white
    return sum(histogram[:240]) / sum(histogram)


def pattern(message, **groups):
    """A regex for the translated `message`, its %(name)d/%(name)s placeholders replaced by `groups`."""
    with translation.override("zh-hans"):
        text = re.escape(gettext(message))
    for name, regex in groups.items():
        text = re.sub(re.escape(re.escape("%(" + name + ")")) + "[ds]", lambda _m, regex=regex: regex, text)
    return re.compile(text)


def continued_on():
    return pattern("Continued on page %(page)d", page=r"(\d+)")


def continued_from():
    return [
        pattern("continued from page %(page)d (%(title)s)", page=r"(\d+)", title=r".*?"),
        pattern("from page %(page)d", page=r"(\d+)"),
    ]


def page_of(number, total):
    return pattern("page %(page)d of %(pages)d", page=str(number), pages=str(total))


def check_pdf(path, tmp_path, shown, top_code, top_title):
    """Every post of `shown` ({code: title}) in the PDF, page 1 with the top post, fonts embedded, ink on paper."""
    pages = pdf_pages(path)
    count = pdf_page_count(path)
    assert len(pages) == count
    for number, text in enumerate(pages, start=1):
        assert page_of(number, count).search(text), f"page {number} does not say it is page {number} of {count}"
    assert top_code in pages[0] and top_title in pages[0], "page 1 holds the top post"
    everything = "\n".join(pages)
    missing = [code for code in shown if code not in everything]
    assert missing == [], f"codes not in the PDF: {missing[:10]}"
    missing = [line for title in shown.values() for line in title_lines(title) if line not in everything]
    assert missing == [], f"titles not in the PDF: {missing[:10]}"
    fonts = run("pdffonts", path).splitlines()[2:]
    embedded = [line for line in fonts if re.search(r"\b(WenQuanYi|UMing|CJK)", line) and " yes " in line]
    assert embedded, f"no embedded CJK font:\n{fonts}"
    assert all(line.split()[-5] == "yes" for line in fonts), f"a font is not embedded:\n{fonts}"
    assert ink(path, tmp_path) > 0.005, "page 1 renders blank"
    return pages


# ---------------------------------------------------------------------------------------------
# SVG


def parse_svg(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert response["Content-Disposition"].startswith("attachment;")
    content = response.content
    assert content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(content)
    assert root.tag == f"{SVG}svg", "the root is an <svg> in the SVG namespace"
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    assert int(root.get("width")) > 0 and int(root.get("height")) > 0
    families = [name.strip().strip("\"'") for name in root.get("font-family").split(",")]
    assert families[0] in CHINESE_FONTS, families
    assert len(set(families) & CHINESE_FONTS) >= 3 and families[-1] == "sans-serif", "Chinese fonts with fallbacks"
    assert list(root.iter(f"{SVG}script")) == [], "no script element"
    return root


def boxes(root):
    """{code: [title lines]} of the boxes of a parsed SVG; every box group has its data-code."""
    found = {}
    for element in root.iter():
        classes = (element.get("class") or "").split()
        if "box" in classes or element.get("data-code") is not None:
            assert element.tag == f"{SVG}g" and classes[0] == "box", ET.tostring(element)[:200]
            code = element.get("data-code")
            assert code, "a box without data-code"
            assert code not in found, f"{code} drawn twice"
            found[code] = [text.text or "" for text in element.iter(f"{SVG}text") if text.get("class") == "title"]
            assert found[code], f"{code} has no title text"
            assert element.find(f".//{SVG}rect") is not None
    return found


def check_titles(found, shown):
    assert set(found) == set(shown)
    for code, title in shown.items():
        lines = fit(title, 11.5, 2)
        assert found[code] == lines, code
        if not lines[-1].endswith("…"):
            assert "".join(found[code]) == title


def test_the_svg_of_the_whole_chart(seed, reader):
    root = parse_svg(reader.get("/org/diagram.svg", {"depth": 10}))
    assert root.find(f"{SVG}title").text == "组织架构图"
    check_titles(boxes(root), positions_shown(depth=10))


def test_the_svg_of_a_subtree(seed, reader):
    response = reader.get("/org/DPT-YW-04/diagram.svg", {"depth": 10})
    assert 'filename="org-chart-DPT-YW-04.svg"' in response["Content-Disposition"]
    root = parse_svg(response)
    assert root.find(f"{SVG}title").text == "技术支持部经理"
    shown = positions_shown(Position.objects.get(code="DPT-YW-04"), 10)
    assert len(shown) == 6
    check_titles(boxes(root), shown)


def test_the_svg_shows_three_levels_by_default_and_counts_the_rest(seed, hr_client):
    root = parse_svg(hr_client.get("/org/diagram.svg"))
    found = boxes(root)
    assert set(found) == set(positions_shown(depth=3))
    more = {text.text for text in root.iter(f"{SVG}text") if text.get("class") == "more-label"}
    assert more == {"+1", "+5"}  # under 客户服务部经理 and 技术支持部经理


def test_the_svg_of_a_synthetic_subtree_holds_every_title(synthetic, hr_client):
    region = Position.objects.filter(parent=synthetic).order_by("lft").first()
    root = parse_svg(hr_client.get(f"/org/{region.code}/diagram.svg", {"depth": MAX_DEPTH}))
    shown = positions_shown(region, MAX_DEPTH)
    assert len(shown) > 30
    check_titles(boxes(root), shown)


def test_the_svg_escapes_what_it_shows(seed, hr_client):
    Position.objects.filter(code="DPT-YW-N03").update(title=SCRIPT_TITLE)
    Position.objects.filter(code="DPT-YW-01").update(title="运维部 & <b>经理</b>")
    response = hr_client.get("/org/diagram.svg", {"depth": 10})
    assert b"<script>" not in response.content and b"<b>" not in response.content
    root = parse_svg(response)
    found = boxes(root)
    assert "".join(found["DPT-YW-N03"]) == SCRIPT_TITLE
    assert "".join(found["DPT-YW-01"]) == "运维部 & <b>经理</b>"
    labels = [element.get("aria-label") for element in root.iter() if element.get("aria-label")]
    assert any(label.startswith(SCRIPT_TITLE) for label in labels)
    subtree = parse_svg(hr_client.get("/org/DPT-YW-N03/diagram.svg"))
    assert subtree.find(f"{SVG}title").text == SCRIPT_TITLE


# ---------------------------------------------------------------------------------------------
# PDF from the portal


def get_pdf(client, url, tmp_path, **query):
    response = client.get(url, query)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    path = tmp_path / "chart.pdf"
    path.write_bytes(response.content)
    return path


def test_the_pdf_of_the_seed_fits_one_a4_page(seed, reader, pdf_tools, tmp_path):
    path = get_pdf(reader, "/org/diagram.pdf", tmp_path)
    info = pdf_info(path)
    assert info["Pages"].strip() == "1"
    assert info["Page size"].strip().startswith("841.89 x 595.276 pts"), "A4 landscape"
    check_pdf(path, tmp_path, positions_shown(), SEED_ROOT, "分管领导")


def test_the_pdf_of_a_subtree(seed, reader, pdf_tools, tmp_path):
    path = get_pdf(reader, "/org/DPT-YW-04/diagram.pdf", tmp_path)
    shown = positions_shown(Position.objects.get(code="DPT-YW-04"))
    (page,) = check_pdf(path, tmp_path, shown, "DPT-YW-04", "技术支持部经理")
    for code in set(positions_shown()) - set(shown):
        assert code not in page, f"{code} is not under DPT-YW-04"


def test_the_pdf_holds_odd_titles_as_they_are(seed, hr_client, pdf_tools, tmp_path):
    Position.objects.filter(code="DPT-YW-N03").update(title=SCRIPT_TITLE)
    path = get_pdf(hr_client, "/org/diagram.pdf", tmp_path)
    check_pdf(path, tmp_path, positions_shown(), SEED_ROOT, "分管领导")


def test_the_pdf_of_two_levels_is_one_page(seed, hr_client, pdf_tools, tmp_path):
    """depth=2: the top two posts on one page. The ten under 运维部经理 were left out on purpose, so
    they get no page of their own (it could show nothing but 运维部经理 again)."""
    path = get_pdf(hr_client, "/org/diagram.pdf", tmp_path, depth=2)
    pages = pdf_pages(path)
    assert len(pages) == 1, f"{len(pages)} pages; page 2 holds only {pages[1].split()[:8]}"
    assert not continued_on().search(pages[0])


def test_the_pdf_of_two_levels_counts_what_is_below(seed, hr_client, pdf_tools, tmp_path):
    """Like the diagram page and the SVG (one layout for all three), 运维部经理 says "+10"."""
    path = get_pdf(hr_client, "/org/diagram.pdf", tmp_path, depth=2)
    assert "+10" in pdf_pages(path)[0]


def test_the_pdf_of_a_synthetic_organisation_runs_over_pages_that_point_at_each_other(
    synthetic, hr_client, pdf_tools, tmp_path
):
    path = get_pdf(hr_client, f"/org/{synthetic.code}/diagram.pdf", tmp_path)
    pages = check_pdf(path, tmp_path, positions_shown(synthetic), synthetic.code, synthetic.title)
    check_continuations(pages)


def check_continuations(pages):
    """Each "continued on page n" names a page that exists and says where it came from; every page
    after the first says which page it continues."""
    count = len(pages)
    assert count >= 5, f"only {count} pages"
    forward, back = [], {}
    for number, text in enumerate(pages, start=1):
        for target in continued_on().findall(text):
            forward.append((number, int(target)))
        back[number] = {int(source) for regex in continued_from() for source in regex.findall(text)}
    assert forward, "no continuation marks"
    mentioned = {target for _source, target in forward} | {source for sources in back.values() for source in sources}
    assert mentioned <= set(range(1, count + 1)), (
        f"pages mentioned that do not exist: {mentioned - set(range(1, count + 1))}"
    )
    for source, target in forward:
        assert target != source
        assert source in back[target], f"page {source} continues on page {target}, which does not say so"
    for number in range(2, count + 1):
        assert back[number], f"page {number} does not say what it continues"
    assert back[1] == set()


def test_pages_of_the_synthetic_organisation_hold_every_post_once(synthetic, admin_user):
    """paginate() on real data: every post once, except where a branch continues, both ends marked."""
    nodes = build_chart(admin_user, root=synthetic)
    for paper in ("A4", "A3"):
        check_pages(nodes, paginate(nodes, paper), paper)
    everything = build_chart(admin_user)  # the seed and the synthetic organisation: two trees
    check_pages(everything, paginate(everything, "A4"), "A4")


# ---------------------------------------------------------------------------------------------
# export_chart


def export(path, **options):
    out = StringIO()
    call_command("export_chart", str(path), stdout=out, **options)
    return out.getvalue()


def test_export_chart_writes_the_synthetic_organisation(synthetic, pdf_tools, tmp_path):
    path = tmp_path / "org.pdf"
    message = export(path, under=synthetic.code)
    count = pdf_page_count(path)
    assert f"600 positions on {count} A4 pages" in message
    pages = check_pdf(path, tmp_path, positions_shown(synthetic), synthetic.code, synthetic.title)
    check_continuations(pages)


def test_export_chart_of_everything(synthetic, pdf_tools, tmp_path):
    path = tmp_path / "org.pdf"
    export(path)
    pages = pdf_pages(path)
    everything = "\n".join(pages)
    assert all(code in everything for code in positions_shown())
    assert SEED_ROOT in pages[0] or synthetic.code in pages[0]


def test_export_chart_on_a3_is_a3_landscape(seed, pdf_tools, tmp_path):
    path = tmp_path / "org.pdf"
    message = export(path, under="DPT-YW-01", paper="A3")
    assert "11 positions on 1 A3 pages" in message
    assert pdf_info(path)["Page size"].strip().startswith("1190.55 x 841.89 pts"), "A3 landscape"
    check_pdf(path, tmp_path, positions_shown(Position.objects.get(code="DPT-YW-01")), "DPT-YW-01", "运维部经理")


@pytest.mark.parametrize(
    ("file", "options", "complaint"),
    [
        ("org.pdf", {"under": "NO-SUCH-99"}, "NO-SUCH-99"),
        ("org.png", {}, ".pdf"),
        ("org.pdf", {"depth": 11}, "--depth"),
        ("org.pdf", {"depth": 0}, "--depth"),
    ],
)
def test_export_chart_refuses(seed, tmp_path, file, options, complaint):
    with pytest.raises(CommandError, match=re.escape(complaint)):
        export(tmp_path / file, **options)
    assert not (tmp_path / file).exists()


def test_export_chart_of_nothing(db, tmp_path):
    with pytest.raises(CommandError):
        export(tmp_path / "org.pdf")
