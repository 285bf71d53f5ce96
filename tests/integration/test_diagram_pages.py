"""The org chart as a diagram: /org/diagram/ and /org/<code>/diagram/, their SVG and PDF downloads.

The page draws the top `depth` levels (3 unless asked) as boxes, one `<g class="box" data-code>` per
position, each a link to its card when the reader may read it; a box whose reports are cut off says
"+N" and leads to the diagram under it; HR editors get a "move under…" link in each box. The tests read
the inline SVG back as XML (render_svg escapes every value, so it parses), the page around it as HTML.

The seed (运维部) as a tree, with the levels the diagram counts from the top:
    0  DPT-YW-N01 分管领导
    1    DPT-YW-01 运维部经理
    2      DPT-YW-02 客户服务部经理          (+1: DPT-YW-03)
    2      DPT-YW-04 技术支持部经理          (+5: DPT-YW-05, its three, DPT-YW-N04)
    2      DPT-YW-N02 增值业务部经理
    2      DPT-YW-N03 辅助采购助理
"""

import datetime
import re
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.test import Client

from positions import history
from positions.models import Position, PositionLink
from positions.services.editing import Save, save_documents
from tests.factories import AssignmentFactory, PersonFactory
from transfers.models import Job

SVG = "{http://www.w3.org/2000/svg}"
TOP_THREE_LEVELS = ["DPT-YW-N01", "DPT-YW-01", "DPT-YW-02", "DPT-YW-04", "DPT-YW-N02", "DPT-YW-N03"]
TEAM_OF_DPT_YW_04 = ["DPT-YW-04", "DPT-YW-05", "DPT-YW-N04", "DPT-YW-N05", "DPT-YW-N06", "DPT-YW-N07"]
TITLES = {
    "DPT-YW-N01": "分管领导",
    "DPT-YW-01": "运维部经理",
    "DPT-YW-02": "客户服务部经理",
    "DPT-YW-03": "客户服务代表",
    "DPT-YW-04": "技术支持部经理",
    "DPT-YW-05": "技术支持部副经理",
    "DPT-YW-N02": "增值业务部经理",
    "DPT-YW-N03": "辅助采购助理",
    "DPT-YW-N04": "技术工程师",
    "DPT-YW-N05": "网络管理工程师",
    "DPT-YW-N06": "成品验收员",
    "DPT-YW-N07": "故障品验收员",
}
DEPARTMENTS = {
    "DPT-YW-N01": "—",
    "DPT-YW-01": "运维部",
    "DPT-YW-02": "客户服务部",
    "DPT-YW-04": "技术支持部",
    "DPT-YW-N02": "增值业务部",
    "DPT-YW-N03": "运维部",
}


# ---------------------------------------------------------------------------------------------
# Reading the diagram back


@dataclass
class Box:
    """One drawn box, as the SVG has it."""

    code: str
    classes: set
    href: str | None  # the link to the card (None: not a link)
    label: str  # the accessible name of the box (its link's, or its group's)
    texts: dict  # SVG class of a text line -> [its texts]
    x: float
    y: float
    width: float
    height: float
    more: tuple | None = None  # ("+N", href, aria-label)
    move: str | None = None  # href of "move under…"
    dashes: str | None = None  # the frame's stroke-dasharray (drafts)
    stroke_width: str = "1"

    def text(self, cls):
        return " ".join(self.texts.get(cls, []))

    @property
    def everything(self):
        """All a reader can get from the box: what it shows and what it is called."""
        return " ".join([self.label, *(" ".join(lines) for lines in self.texts.values())])


@dataclass
class Diagram:
    svg: ET.Element
    boxes: list  # in document order
    dashed: list = field(default_factory=list)  # dotted-line polylines: [(x, y), …]
    connectors: list = field(default_factory=list)

    @property
    def codes(self):
        return [box.code for box in self.boxes]

    def __getitem__(self, code):
        (box,) = [box for box in self.boxes if box.code == code]
        return box


def points(polyline):
    return [tuple(float(n) for n in pair.split(",")) for pair in polyline.get("points").split()]


def read_svg(text):
    """The Diagram in an SVG document or fragment (the page's inline one, or the download)."""
    text = text.lstrip()
    if text.startswith("<?xml"):
        text = text.split("?>", 1)[1]
    svg = ET.fromstring(text)
    assert svg.tag == f"{SVG}svg"
    boxes = []
    for group in svg.iter(f"{SVG}g"):
        classes = set((group.get("class") or "").split())
        if "box" not in classes:
            continue
        body = group[0]
        assert body.tag in (f"{SVG}a", f"{SVG}g"), body.tag
        frame = body.find(f"{SVG}rect[@class='frame']")
        texts = {}
        for line in body.iter(f"{SVG}text"):
            texts.setdefault(line.get("class"), []).append(line.text or "")
        box = Box(
            code=group.get("data-code"),
            classes=classes,
            href=body.get("href") if body.tag == f"{SVG}a" else None,
            label=body.get("aria-label") or "",
            texts=texts,
            x=float(frame.get("x")),
            y=float(frame.get("y")),
            width=float(frame.get("width")),
            height=float(frame.get("height")),
            dashes=frame.get("stroke-dasharray"),
            stroke_width=frame.get("stroke-width"),
        )
        for link in group.findall(f"{SVG}a")[1 if body.tag == f"{SVG}a" else 0 :]:
            label = link.find(f"{SVG}text")
            box.texts.setdefault(label.get("class"), []).append(label.text)
            if link.get("class") == "more":
                box.more = (label.text, link.get("href"), link.get("aria-label"))
            elif link.get("class") == "move":
                box.move = link.get("href")
        boxes.append(box)
    dashed, connectors = [], []
    for group in svg.findall(f"{SVG}g"):
        if group.get("class") == "dotted-lines":
            assert group.get("stroke-dasharray"), "dotted lines are drawn dashed"
            dashed += [points(line) for line in group.findall(f"{SVG}polyline")]
        elif group.get("class") == "connectors":
            connectors += [points(line) for line in group.findall(f"{SVG}polyline")]
    return Diagram(svg, boxes, dashed, connectors)


def page_of(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def diagram_of(response):
    html = page_of(response)
    start, end = html.index("<svg"), html.index("</svg>") + len("</svg>")
    return read_svg(html[start:end])


def links(html, css_class):
    """(href, text) of each link in the element with `css_class` (the crumbs, the toggle…)."""
    match = re.search(rf'<(\w+) class="{css_class}"[^>]*>(.*?)</\1>', html, re.S)
    assert match, f"no .{css_class}"
    found = re.findall(r'<a href="([^"]*)"[^>]*>(.*?)</a>', match.group(2), re.S)
    return [(unescape(href), unescape(re.sub(r"<[^>]+>", "", text)).strip()) for href, text in found]


def query_of(href):
    return parse_qs(urlsplit(href).query)


def notice(html):
    match = re.search(r'<p class="notice" role="status">(.*?)</p>', html, re.S)
    return unescape(match.group(1)) if match else None


def selected_depth(html):
    select = html.split('id="diagram-depth"')[1].split("</select>")[0]
    assert re.findall(r'<option value="(\d+)"', select) == [str(n) for n in range(1, 11)]
    return [int(n) for n in re.findall(r'<option value="(\d+)" selected>', select)]


def client_as(user):
    client = Client()
    client.force_login(user)
    return client


def descendants(code):
    return Position.objects.get(code=code).get_descendant_count()


# ---------------------------------------------------------------------------------------------
# The page: boxes, what they say, depth and "+N"


def test_the_diagram_draws_every_position_of_the_top_three_levels_as_a_box(viewer_client, seed):
    html = page_of(viewer_client.get("/org/diagram/"))
    drawn = diagram_of(viewer_client.get("/org/diagram/"))

    assert drawn.codes == TOP_THREE_LEVELS  # reading order: top-down, then left to right
    assert sorted(drawn.codes) == sorted(Position.objects.filter(level__lt=3).values_list("code", flat=True))
    for box in drawn.boxes:
        assert box.text("title") == TITLES[box.code]
        assert box.text("meta") == f"{box.code} · {DEPARTMENTS[box.code]}"
        assert box.href == f"/positions/{box.code}/"
        assert box.label.startswith(f"{TITLES[box.code]} ({box.code}), ")
    assert selected_depth(html) == [3] and notice(html) is None
    assert "显示 6 个岗位" in html
    positions = [(box.y, box.x) for box in drawn.boxes]
    assert positions == sorted(positions), "boxes come in reading order"
    rows = sorted({box.y for box in drawn.boxes})
    assert len(rows) == 3 and [drawn[code].y for code in ("DPT-YW-N01", "DPT-YW-01", "DPT-YW-02")] == rows


def test_boxes_never_overlap_and_every_superior_is_joined_to_its_reports(viewer_client, seed):
    drawn = diagram_of(viewer_client.get("/org/diagram/", {"depth": 10}))
    assert sorted(drawn.codes) == sorted(TITLES)
    for n, a in enumerate(drawn.boxes):
        for b in drawn.boxes[n + 1 :]:
            apart = a.x + a.width <= b.x or b.x + b.width <= a.x or a.y + a.height <= b.y or b.y + b.height <= a.y
            assert apart, f"{a.code} and {b.code} overlap"
    for line in drawn.connectors:
        for (x1, y1), (x2, y2) in zip(line, line[1:], strict=False):
            assert x1 == x2 or y1 == y2, "connectors are orthogonal"
    starts = {line[0] for line in drawn.connectors}
    ends = {line[-1] for line in drawn.connectors}
    for position in Position.objects.exclude(parent=None):
        superior, report = drawn[position.parent.code], drawn[position.code]
        assert report.y > superior.y
        assert (superior.x + superior.width / 2, superior.y + superior.height) in starts
        assert (report.x + report.width / 2, report.y) in ends


def test_a_subtree_diagram_starts_at_its_post(viewer_client, seed):
    drawn = diagram_of(viewer_client.get("/org/DPT-YW-04/diagram/"))
    assert drawn.codes == TEAM_OF_DPT_YW_04
    assert drawn.boxes[0].y < min(box.y for box in drawn.boxes[1:])
    html = page_of(viewer_client.get("/org/DPT-YW-04/diagram/"))
    assert "<h1>组织架构图: 技术支持部经理</h1>" in html
    assert "<title>技术支持部经理 · 组织架构图（图示）" in html


def test_a_box_names_its_holders_marking_a_concurrent_one_and_its_filled_over_headcount(viewer_client, seed):
    Position.objects.filter(code="DPT-YW-02").update(headcount=2)
    AssignmentFactory(position=Position.objects.get(code="DPT-YW-02"), person=PersonFactory(name="张三"))
    AssignmentFactory(
        position=Position.objects.get(code="DPT-YW-02"), person=PersonFactory(name="李四"), kind="concurrent"
    )
    for name in ("王五", "赵六"):  # two primary holders of a post of one: over headcount
        AssignmentFactory(position=Position.objects.get(code="DPT-YW-N03"), person=PersonFactory(name=name))
    AssignmentFactory(position=Position.objects.get(code="DPT-YW-N02"), person=PersonFactory(name="钱七"))
    AssignmentFactory(  # an ended assignment holds nothing
        position=Position.objects.get(code="DPT-YW-01"), person=PersonFactory(name="孙八"), ended_on="2025-01-01"
    )

    drawn = diagram_of(viewer_client.get("/org/diagram/"))

    # The short mark of a concurrent post, as the translation has it: pgettext("short mark", "concurrent") = 兼
    assert drawn["DPT-YW-02"].text("people") == "张三、李四（兼）"
    assert drawn["DPT-YW-02"].text("staffing") == "1/2 · 缺编 1 人"  # filled/headcount: 兼 fills nothing
    assert drawn["DPT-YW-N03"].text("people") == "王五、赵六"
    assert drawn["DPT-YW-N03"].text("staffing").startswith("2/1 · 超编")
    assert drawn["DPT-YW-N02"].text("people") == "钱七"
    assert drawn["DPT-YW-N02"].text("staffing").startswith("1/1")
    assert "缺编" not in drawn["DPT-YW-N02"].text("staffing")
    assert drawn["DPT-YW-01"].text("people") == "空缺"
    assert drawn["DPT-YW-01"].text("staffing") == "0/1 · 缺编 1 人"
    assert drawn["DPT-YW-02"].label == "客户服务部经理 (DPT-YW-02), 客户服务部, 张三、李四（兼）, 1/2 · 缺编 1 人"


def test_incomplete_and_undescribed_posts_are_flagged(viewer_client, seed):
    drawn = diagram_of(viewer_client.get("/org/DPT-YW-04/diagram/"))
    deputy, engineer, manager = drawn["DPT-YW-05"], drawn["DPT-YW-N04"], drawn["DPT-YW-04"]
    assert "incomplete" in deputy.classes and "不完整" in deputy.text("flags")
    assert "undescribed" in engineer.classes and "无说明书" in engineer.text("flags")
    assert not {"incomplete", "undescribed"} & manager.classes
    assert "不完整" not in manager.text("flags") and "无说明书" not in manager.text("flags")


@pytest.mark.parametrize(
    ("depth", "count"), [(1, 1), (2, 2), (3, 6), (4, 9), (5, 12), (6, 12), (7, 12), (8, 12), (9, 12), (10, 12)]
)
def test_depth_draws_so_many_levels(viewer_client, seed, depth, count):
    response = viewer_client.get("/org/diagram/", {"depth": depth})
    html, drawn = page_of(response), diagram_of(response)
    assert len(drawn.boxes) == count
    assert sorted(drawn.codes) == sorted(Position.objects.filter(level__lt=depth).values_list("code", flat=True))
    assert selected_depth(html) == [depth] and notice(html) is None
    assert f"显示 {count} 个岗位" in html


def test_a_box_whose_reports_are_cut_off_says_how_many_and_leads_to_the_diagram_under_it(viewer_client, seed):
    drawn = diagram_of(viewer_client.get("/org/diagram/"))
    cut = {box.code: box.more for box in drawn.boxes if box.more}
    assert cut == {
        "DPT-YW-02": ("+1", "/org/DPT-YW-02/diagram/?depth=3", "下面还有 1 个岗位：显示客户服务部经理以下的架构图"),
        "DPT-YW-04": ("+5", "/org/DPT-YW-04/diagram/?depth=3", "下面还有 5 个岗位：显示技术支持部经理以下的架构图"),
    }
    assert all(int(more[0][1:]) == descendants(code) for code, more in cut.items())

    under = diagram_of(viewer_client.get(cut["DPT-YW-04"][1]))
    assert under.codes == TEAM_OF_DPT_YW_04 and not any(box.more for box in under.boxes)


def test_at_depth_one_the_top_post_counts_everything_below_it(viewer_client, seed):
    drawn = diagram_of(viewer_client.get("/org/DPT-YW-04/diagram/", {"depth": 1}))
    assert drawn.codes == ["DPT-YW-04"]
    text, href, _label = drawn["DPT-YW-04"].more
    assert text == "+5" == f"+{descendants('DPT-YW-04')}"
    assert href == "/org/DPT-YW-04/diagram/?depth=2"  # one level is the post alone: the link opens one more
    followed = diagram_of(viewer_client.get(href))
    assert followed.codes == ["DPT-YW-04", "DPT-YW-05", "DPT-YW-N04"]
    assert followed["DPT-YW-05"].more[:2] == ("+3", "/org/DPT-YW-05/diagram/?depth=2")


def test_the_breadcrumb_names_the_chain_of_superiors_of_a_subtree(viewer_client, seed):
    html = page_of(viewer_client.get("/org/DPT-YW-05/diagram/"))
    assert links(html, "crumbs") == [
        ("/org/diagram/", "整体架构"),
        ("/org/DPT-YW-N01/diagram/", "分管领导"),
        ("/org/DPT-YW-01/diagram/", "运维部经理"),
        ("/org/DPT-YW-04/diagram/", "技术支持部经理"),
    ]
    assert "› <strong>技术支持部副经理</strong>" in html
    top = page_of(viewer_client.get("/org/diagram/"))
    assert (
        links(top, "crumbs") == [("/org/diagram/", "整体架构")]
        and "<strong>" not in top.split('class="crumbs"')[1].split("</nav>")[0]
    )


# ---------------------------------------------------------------------------------------------
# Who gets what: move links, drafts


@pytest.mark.parametrize(
    ("role", "moves"), [("hr_user", True), ("admin_user", True), ("viewer_user", False), ("manager_user", False)]
)
def test_only_hr_editors_get_move_links(request, seed, role, moves):
    drawn = diagram_of(client_as(request.getfixturevalue(role)).get("/org/diagram/"))
    if moves:
        assert [box.move for box in drawn.boxes] == [f"/positions/{code}/move/" for code in drawn.codes]
        assert all(box.texts["move-label"] == ["调整上级…"] for box in drawn.boxes)
    else:
        assert not any(box.move for box in drawn.boxes)
        assert "/move/" not in page_of(client_as(request.getfixturevalue(role)).get("/org/diagram/"))


@pytest.fixture
def draft(seed):
    """DPT-YW-N03 saved back to draft."""
    save_documents([Save({"status": "draft"}, code="DPT-YW-N03")])
    assert Position.objects.get(code="DPT-YW-N03").status == Position.Status.DRAFT


def test_a_draft_is_drawn_dashed_as_a_link_for_those_who_may_edit(hr_user, draft):
    drawn = diagram_of(client_as(hr_user).get("/org/diagram/"))
    box = drawn["DPT-YW-N03"]
    assert "draft" in box.classes and box.dashes
    assert box.href == "/positions/DPT-YW-N03/"
    assert box.text("title") == "辅助采购助理"
    assert all(other.href for other in drawn.boxes)


@pytest.mark.parametrize("role", ["viewer_user", "manager_user"])
def test_a_draft_is_not_drawn_for_readers(request, draft, role):
    page = page_of(client_as(request.getfixturevalue(role)).get("/org/diagram/"))
    drawn = diagram_of(client_as(request.getfixturevalue(role)).get("/org/diagram/"))
    assert "DPT-YW-N03" not in drawn.codes and "辅助采购助理" not in page
    assert all(other.href for other in drawn.boxes)


def test_a_draft_says_it_is_a_draft(hr_user, draft):
    """The dashed frame is not the only sign: the box says 草稿 (in its text or its accessible name)."""
    box = diagram_of(client_as(hr_user).get("/org/diagram/"))["DPT-YW-N03"]
    assert "草稿" in box.everything, box.everything


def test_in_english_a_vacant_post_without_a_description_says_so(hr_client, seed):
    """A vacant post without a description ("0/1 · 1 open  No description") is flagged in full."""
    hr_client.post("/i18n/setlang/", {"language": "en", "next": "/org/diagram/"})
    box = diagram_of(hr_client.get("/org/DPT-YW-04/diagram/"))["DPT-YW-N04"]
    assert "undescribed" in box.classes
    assert "No description" in box.everything, box.everything


# ---------------------------------------------------------------------------------------------
# Dotted lines


def dotted_by_save(seed):
    save_documents([Save({"dotted_reports_to": ["DPT-YW-05"]}, code="DPT-YW-N02")])


def dotted_by_link(seed):
    PositionLink.objects.create(
        source=Position.objects.get(code="DPT-YW-N02"),
        target=Position.objects.get(code="DPT-YW-05"),
        kind=PositionLink.Kind.DOTTED,
    )


@pytest.fixture(params=[dotted_by_save, dotted_by_link], ids=["saved", "linked"])
def dotted(request, seed):
    """增值业务部经理 (DPT-YW-N02, level 2) has a dotted line to 技术支持部副经理 (DPT-YW-05, level 3)."""
    request.param(seed)


def test_both_ends_drawn_a_dotted_line_is_a_dashed_connector(viewer_client, dotted):
    drawn = diagram_of(viewer_client.get("/org/diagram/", {"depth": 4}))
    (line,) = drawn.dashed
    superior, box = drawn["DPT-YW-05"], drawn["DPT-YW-N02"]
    assert line[0][0] in (superior.x, superior.x + superior.width)  # from the side of the dotted-line superior
    assert line[0][1] == superior.y + superior.height / 2
    assert line[-1][0] == box.x + box.width / 2  # to the top or bottom middle of the box
    assert line[-1][1] in (box.y, box.y + box.height)
    for (x1, y1), (x2, y2) in zip(line, line[1:], strict=False):
        assert x1 == x2 or y1 == y2
    assert "技术支持部副经理" not in box.text("flags")  # the line says it: no need to name it


def test_a_dotted_line_superior_off_the_page_is_named_in_the_box(viewer_client, dotted):
    drawn = diagram_of(viewer_client.get("/org/diagram/"))
    assert drawn.dashed == [] and "dotted-lines" not in ET.tostring(drawn.svg, encoding="unicode")
    box = drawn["DPT-YW-N02"]
    assert "技术支持部副经理" in box.everything, box.everything


def test_a_dotted_line_superior_off_a_subtree_page_is_named_too(viewer_client, seed):
    save_documents([Save({"dotted_reports_to": ["DPT-YW-02"]}, code="DPT-YW-05")])
    drawn = diagram_of(viewer_client.get("/org/DPT-YW-04/diagram/"))
    assert drawn.dashed == []
    assert "客户服务部经理" in drawn["DPT-YW-05"].everything, drawn["DPT-YW-05"].everything


# ---------------------------------------------------------------------------------------------
# Search and the outline ⇄ diagram toggle


def test_a_search_highlights_the_matching_boxes(viewer_client, seed):
    response = viewer_client.get("/org/diagram/", {"q": "经理"})
    html, drawn = page_of(response), diagram_of(response)
    matched = [box.code for box in drawn.boxes if "match" in box.classes]
    assert matched == ["DPT-YW-01", "DPT-YW-02", "DPT-YW-04", "DPT-YW-N02"]
    assert all(drawn[code].stroke_width == "3" for code in matched)
    assert all(box.stroke_width == "1" for box in drawn.boxes if box.code not in matched)
    # The count is the outline's: posts below the levels drawn match too (and are listed as links).
    outline = unescape(page_of(viewer_client.get("/org/", {"q": "经理"})))
    (count,) = re.findall(r"找到 \d+ 个与“经理”匹配的岗位。", outline)
    assert count in unescape(html)
    assert 'value="经理"' in html  # the search box keeps the query

    by_code = diagram_of(viewer_client.get("/org/diagram/", {"q": "yw-n0"}))  # codes, whatever the case
    assert [box.code for box in by_code.boxes if "match" in box.classes] == ["DPT-YW-N01", "DPT-YW-N02", "DPT-YW-N03"]


def test_a_search_for_a_post_below_the_levels_shown_does_not_say_nothing_matches(viewer_client, seed):
    """成品验收员 and 故障品验收员 are on level 4: the outline finds them; the diagram must not say none match."""
    outline = unescape(page_of(viewer_client.get("/org/", {"q": "验收"})))
    assert "找到 2 个与“验收”匹配的岗位。" in outline
    diagram = unescape(page_of(viewer_client.get("/org/diagram/", {"q": "验收"})))
    assert "找到 0 个" not in diagram
    assert "找到 2 个与“验收”匹配的岗位。" in diagram


def test_the_toggle_leads_from_the_diagram_to_the_outline_and_back_keeping_the_search(viewer_client, seed):
    html = page_of(viewer_client.get("/org/DPT-YW-04/diagram/", {"q": "验收", "depth": 2}))
    ((outline, label),) = links(html, "view-toggle")
    assert label == "大纲" and '<strong aria-current="page">架构图</strong>' in html
    assert urlsplit(outline).path == "/org/DPT-YW-04/" and query_of(outline) == {"q": ["验收"]}

    html = page_of(viewer_client.get(outline))
    ((back, label),) = links(html, "view-toggle")
    assert label == "架构图" and '<strong aria-current="page">大纲</strong>' in html
    assert urlsplit(back).path == "/org/DPT-YW-04/diagram/" and query_of(back) == {"q": ["验收"]}

    top = page_of(viewer_client.get("/org/diagram/"))
    assert links(top, "view-toggle") == [("/org/", "大纲")]
    assert links(page_of(viewer_client.get("/org/")), "view-toggle") == [("/org/diagram/", "架构图")]


# ---------------------------------------------------------------------------------------------
# As of a time: the history's chart, drawn


SHANGHAI = ZoneInfo("Asia/Shanghai")
SEEDED = datetime.datetime(2026, 1, 10, 9, 0, tzinfo=SHANGHAI)
RENAMED = datetime.datetime(2026, 2, 1, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def timeline(monkeypatch, db):
    """The seed loaded at SEEDED; at RENAMED 客户服务部经理 became 客户服务部总监 and got a new report."""
    now = [SEEDED]
    monkeypatch.setattr(history, "clock", lambda: now[0])
    call_command("load_seed", verbosity=0)
    now[0] = RENAMED
    save_documents(
        [
            Save({"title": "客户服务部总监"}, code="DPT-YW-02"),
            Save({"code": "DPT-YW-N08", "title": "客户回访专员", "reports_to": "DPT-YW-02", "status": "draft"}),
        ]
    )


def test_as_of_a_time_before_a_change_the_diagram_shows_the_organisation_then(hr_client, timeline):
    today = diagram_of(hr_client.get("/org/diagram/", {"depth": 4}))
    assert today["DPT-YW-02"].text("title") == "客户服务部总监" and "DPT-YW-N08" in today.codes

    response = hr_client.get("/org/diagram/", {"as_of": "2026-01-20", "depth": 4})
    html, then = page_of(response), diagram_of(response)
    assert then["DPT-YW-02"].text("title") == "客户服务部经理"
    assert "DPT-YW-N08" not in then.codes
    assert sorted(then.codes) == sorted(
        code for code in TITLES if code not in ("DPT-YW-N05", "DPT-YW-N06", "DPT-YW-N07")
    )
    assert "截至 2026-01-20 23:59:59：显示当时的组织。" in html
    stamp = "2026-01-20T23:59:59.999999+08:00"
    assert all(query_of(box.href) == {"as_of": [stamp]} for box in then.boxes)  # cards of that time
    assert not any(box.move for box in then.boxes)  # the past is not edited
    assert then["DPT-YW-05"].more[0] == "+3"
    assert query_of(then["DPT-YW-05"].more[1]) == {"as_of": [stamp], "depth": ["4"]}
    ((outline, _label),) = links(html, "view-toggle")
    assert query_of(outline) == {"as_of": [stamp]}
    assert "客户服务部经理" in page_of(hr_client.get(outline))  # the outline, as of then too

    after = diagram_of(hr_client.get("/org/diagram/", {"as_of": "2026-02-02", "depth": 4}))
    assert after["DPT-YW-02"].text("title") == "客户服务部总监" and "DPT-YW-N08" in after.codes


def test_as_of_a_subtree_and_its_svg(hr_client, timeline):
    then = diagram_of(hr_client.get("/org/DPT-YW-02/diagram/", {"as_of": "2026-01-20"}))
    assert then.codes == ["DPT-YW-02", "DPT-YW-03"] and then["DPT-YW-02"].text("title") == "客户服务部经理"
    svg = hr_client.get("/org/DPT-YW-02/diagram.svg", {"as_of": "2026-01-20"})
    assert svg.status_code == 200
    assert read_svg(svg.content.decode()).codes == ["DPT-YW-02", "DPT-YW-03"]
    assert hr_client.get("/org/DPT-YW-N08/diagram/", {"as_of": "2026-01-20"}).status_code == 404  # not yet created


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("2026-01-09", "历史记录始于 2026-01-10 09:00:00，2026-01-09 23:59:59 时尚无可显示的内容。"),
        ("2026-02-30", "“2026-02-30”不是日期（YYYY-MM-DD）或 ISO 8601 时间"),
        ("last tuesday", "“last tuesday”不是日期（YYYY-MM-DD）或 ISO 8601 时间"),
    ],
)
def test_an_as_of_the_history_cannot_answer_is_a_400_saying_why(hr_client, timeline, value, says):
    for url in ("/org/diagram/", "/org/DPT-YW-04/diagram/"):
        response = hr_client.get(url, {"as_of": value})
        assert response.status_code == 400
        html = unescape(response.content.decode())
        assert "该时刻没有组织数据" in html and says in html
    for url in ("/org/diagram.svg", "/org/DPT-YW-04/diagram.svg", "/org/diagram.pdf", "/org/DPT-YW-04/diagram.pdf"):
        response = hr_client.get(url, {"as_of": value})
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/plain") and says in response.content.decode()


# ---------------------------------------------------------------------------------------------
# Bad input: a clear message or a 404, never a server error


@pytest.mark.parametrize(
    "url", ["/org/NO-SUCH/diagram/", "/org/NO-SUCH/diagram.svg", "/org/NO-SUCH/diagram.pdf", "/org/dpt-yw-04/diagram/"]
)
def test_an_unknown_code_is_a_404(viewer_client, seed, url):
    assert viewer_client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("value", "depth", "says"),
    [
        ("abc", 3, "“abc”不是有效的层数：显示 3 层。"),
        ("2.5", 3, "“2.5”不是有效的层数：显示 3 层。"),
        ("0", 1, "层数为 1 到 10：显示 1 层。"),
        ("-1", 1, "层数为 1 到 10：显示 1 层。"),
        ("99", 10, "层数为 1 到 10：显示 10 层。"),
        ("9" * 5000, 3, "不是有效的层数：显示 3 层。"),  # more digits than int() reads
        ("", 3, None),
    ],
)
@pytest.mark.parametrize("url", ["/org/diagram/", "/org/DPT-YW-04/diagram/"])
def test_a_bad_depth_gets_a_message_and_a_clamped_depth(viewer_client, seed, url, value, depth, says):
    html = page_of(viewer_client.get(url, {"depth": value}))
    assert selected_depth(html) == [depth]
    if says is None:
        assert notice(html) is None
    else:
        assert says in notice(html)
    drawn = diagram_of(viewer_client.get(url, {"depth": value}))
    base = Position.objects.get(code="DPT-YW-04").level if "DPT" in url else 0
    assert {Position.objects.get(code=code).level - base for code in drawn.codes} == set(range(min(depth, 5 - base)))
    svg = viewer_client.get(url.replace("diagram/", "diagram.svg"), {"depth": value})
    assert svg.status_code == 200 and read_svg(svg.content.decode()).codes == drawn.codes


def test_the_page_escapes_what_it_draws(viewer_client, seed):
    from org_tree.models import Department

    Position.objects.filter(code="DPT-YW-02").update(title="A & <b>B</b> \"q'")
    Department.objects.filter(name="客户服务部").update(name="<script>alert(1)</script>")
    AssignmentFactory(position=Position.objects.get(code="DPT-YW-02"), person=PersonFactory(name="<i>x</i>&"))
    response = viewer_client.get("/org/diagram/")
    html, box = page_of(response), diagram_of(response)["DPT-YW-02"]  # it parses as XML: nothing leaked
    assert "<b>B</b>" not in html and "<script>alert(1)" not in html and "<i>x</i>" not in html
    assert box.text("title").startswith("A & <b>")
    assert box.text("meta").startswith("DPT-YW-02 · <script>")
    assert box.text("people") == "<i>x</i>&"
    svg = viewer_client.get("/org/diagram.svg")
    assert read_svg(svg.content.decode())["DPT-YW-02"].text("people") == "<i>x</i>&"


# ---------------------------------------------------------------------------------------------
# The SVG download


def test_the_svg_is_a_standalone_attachment_with_the_boxes_of_the_page(hr_client, seed):
    response = hr_client.get("/org/DPT-YW-04/diagram.svg", {"depth": 2})
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="org-chart-DPT-YW-04.svg"'
    text = response.content.decode()
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    drawn = read_svg(text.split("?>", 1)[1])
    assert drawn.svg.find(f"{SVG}title").text == "技术支持部经理"
    page = diagram_of(hr_client.get("/org/DPT-YW-04/diagram/", {"depth": 2}))
    assert drawn.codes == page.codes == ["DPT-YW-04", "DPT-YW-05", "DPT-YW-N04"]
    assert [(b.x, b.y, b.texts.get("title")) for b in drawn.boxes] == [
        (b.x, b.y, b.texts.get("title")) for b in page.boxes
    ]
    assert drawn["DPT-YW-05"].more[0] == "+3"
    assert not any(box.move for box in drawn.boxes)  # a file is not for moving posts

    whole = hr_client.get("/org/diagram.svg")
    assert whole["Content-Disposition"] == 'attachment; filename="org-chart.svg"'
    assert read_svg(whole.content.decode().split("?>", 1)[1]).codes == TOP_THREE_LEVELS


def test_the_page_offers_the_svg_and_pdf_of_what_it_shows(viewer_client, seed):
    html = page_of(viewer_client.get("/org/DPT-YW-04/diagram/", {"depth": 2, "q": "经理"}))
    (svg, _), (pdf, _), (every_level, _) = links(html, "downloads")
    assert urlsplit(svg).path == "/org/DPT-YW-04/diagram.svg" and query_of(svg) == {"depth": ["2"], "q": ["经理"]}
    assert (
        pdf == "/org/DPT-YW-04/diagram.pdf?depth=2"
    )  # the levels on screen (tests/integration/test_diagram_pdf_link.py)
    assert every_level == "/org/DPT-YW-04/diagram.pdf"
    assert viewer_client.get(svg).status_code == 200


# ---------------------------------------------------------------------------------------------
# The PDF: in the request, or as a background job when large


def pdf_text(data, tmp_path):
    path = tmp_path / "chart.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_the_pdf_of_a_subtree_is_made_in_the_request(hr_client, seed, pdf_tools, tmp_path):
    response = hr_client.get("/org/DPT-YW-04/diagram.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="org-chart-DPT-YW-04.pdf"'
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content, tmp_path)
    for code in TEAM_OF_DPT_YW_04:  # every level, whatever the page's depth
        assert TITLES[code] in text and code in text
    assert "DPT-YW-02" not in text


@pytest.mark.parametrize("depth", ["abc", "0", "99", "-1", "2.5"])
def test_a_bad_depth_for_the_pdf_is_not_a_server_error(viewer_client, seed, pdf_tools, depth):
    response = viewer_client.get("/org/DPT-YW-04/diagram.pdf", {"depth": depth})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


@pytest.fixture
def small_pdf_limit(monkeypatch):
    """Any PDF of more than three positions is made by the task worker."""
    from org_tree import views

    monkeypatch.setattr(views, "PDF_IN_REQUEST", 3)


def test_the_pdf_of_a_subtree_larger_than_the_limit_becomes_a_job_that_ends_with_the_pdf(
    hr_client, hr_user, seed, small_pdf_limit, pdf_tools, tmp_path, django_capture_on_commit_callbacks
):
    assert hr_client.get("/org/DPT-YW-02/diagram.pdf").status_code == 200  # two positions: at once

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = hr_client.get("/org/DPT-YW-04/diagram.pdf")
    assert len(callbacks) == 1
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == f"/transfers/jobs/{job.pk}/"
    assert (job.kind, job.status, job.user, job.file_name) == ("export", "done", hr_user, "org-chart-DPT-YW-04.pdf")

    page = page_of(hr_client.get(response.url))
    assert f'href="/transfers/jobs/{job.pk}/download/"' in page
    download = hr_client.get(f"/transfers/jobs/{job.pk}/download/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="org-chart-DPT-YW-04.pdf"'
    text = pdf_text(download.content, tmp_path)
    assert all(TITLES[code] in text for code in TEAM_OF_DPT_YW_04)


def test_the_whole_chart_pdf_over_the_limit_is_a_job_too(
    hr_client, seed, small_pdf_limit, pdf_tools, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = hr_client.get("/org/diagram.pdf", {"depth": 2})
    assert response.status_code == 200  # two levels: two positions, at once
    with django_capture_on_commit_callbacks(execute=True):
        response = hr_client.get("/org/diagram.pdf")
    job = Job.objects.get()
    assert response.status_code == 302 and job.status == "done" and job.file_name == "org-chart.pdf"
    assert job.query["chart"] == ""


def test_a_pdf_of_the_past_is_made_in_the_request_whatever_its_size(
    hr_client, timeline, small_pdf_limit, pdf_tools, tmp_path
):
    response = hr_client.get("/org/diagram.pdf", {"as_of": "2026-01-20"})
    assert response.status_code == 200 and not Job.objects.exists()
    text = pdf_text(response.content, tmp_path)
    assert "客户服务部经理" in text and "客户服务部总监" not in text


@pytest.mark.parametrize("role", ["viewer_user", "manager_user"])
def test_a_reader_who_asks_for_a_large_pdf_can_download_it(
    request, seed, role, small_pdf_limit, pdf_tools, django_capture_on_commit_callbacks
):
    """Every reader may ask for the PDF; when it is large they are sent to its job page, which must be theirs to open."""
    client = client_as(request.getfixturevalue(role))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/org/DPT-YW-04/diagram.pdf")
    if response.status_code == 302:
        job_page = client.get(response.url)
        assert job_page.status_code == 200, f"{response.url} answers {job_page.status_code}"
        job = Job.objects.get()
        download = client.get(f"/transfers/jobs/{job.pk}/download/")
        assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    else:
        assert response.status_code == 200 and response.content.startswith(b"%PDF")


# ---------------------------------------------------------------------------------------------
# Who may open the PDF (the rest of the diagram's URLs are rows of tests/integration/test_permissions.py:
# its MATRIX cannot ask for the CJK font a PDF needs, so the PDF's rows are here)

PDF_URLS = ["/org/diagram.pdf", "/org/DPT-YW-01/diagram.pdf"]


@pytest.mark.parametrize("url", PDF_URLS)
def test_anonymous_users_asking_for_the_pdf_are_sent_to_the_login_page(client, seed, url):
    response = client.get(url)
    assert response.status_code == 302 and response.url == f"/accounts/login/?next={url}"


@pytest.mark.parametrize("url", PDF_URLS)
def test_a_user_with_no_role_may_not_have_the_pdf(client, seed, outsider, url):
    client.force_login(outsider)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", PDF_URLS)
@pytest.mark.parametrize("role", ["viewer_user", "manager_user", "hr_user", "admin_user"])
def test_every_reader_gets_the_pdf(request, seed, pdf_tools, role, url):
    response = client_as(request.getfixturevalue(role)).get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


# ---------------------------------------------------------------------------------------------
# Languages


def test_the_diagram_is_in_chinese_by_default_and_english_with_the_language_switch(hr_client, seed):
    Position.objects.filter(code="DPT-YW-04").update(headcount=2)
    AssignmentFactory(position=Position.objects.get(code="DPT-YW-04"), person=PersonFactory(name="王经理"))
    AssignmentFactory(
        position=Position.objects.get(code="DPT-YW-04"), person=PersonFactory(name="李兼职"), kind="concurrent"
    )
    html = page_of(hr_client.get("/org/DPT-YW-04/diagram/", {"depth": "x"}))
    drawn = diagram_of(hr_client.get("/org/DPT-YW-04/diagram/", {"depth": 2}))
    assert '<html lang="zh-CN">' in html
    for chinese in (
        "<h1>组织架构图: 技术支持部经理</h1>",
        "整体架构",
        "查看:",
        "大纲",
        "层数",
        "下载",
        "显示 6 个岗位",
    ):
        assert chinese in html
    assert "“x”不是有效的层数：显示 3 层。" in unescape(html)
    assert drawn["DPT-YW-04"].text("people") == "王经理、李兼职（兼）"
    assert drawn["DPT-YW-04"].text("staffing") == "1/2 · 缺编 1 人"
    assert drawn["DPT-YW-N04"].text("people") == "空缺" and "无说明书" in drawn["DPT-YW-N04"].text("flags")
    assert "不完整" in drawn["DPT-YW-05"].text("flags") and drawn["DPT-YW-05"].more[0] == "+3"
    assert drawn["DPT-YW-04"].texts["move-label"] == ["调整上级…"]

    hr_client.post("/i18n/setlang/", {"language": "en", "next": "/org/diagram/"})
    html = page_of(hr_client.get("/org/DPT-YW-04/diagram/", {"depth": "x"}))
    drawn = diagram_of(hr_client.get("/org/DPT-YW-04/diagram/", {"depth": 2}))
    assert '<html lang="en">' in html
    for english in (
        "<h1>Org chart: 技术支持部经理</h1>",
        "Whole organisation",
        "Outline",
        "Levels",
        "Download",
        "6 positions shown",
        "Org chart diagram",
    ):
        assert english in html
    assert "“x” is not a number of levels: showing 3." in unescape(html)
    assert drawn["DPT-YW-04"].text("title") == "技术支持部经理"  # content stays as entered
    assert drawn["DPT-YW-04"].text("people") == "王经理、李兼职（concurrent）"
    assert drawn["DPT-YW-04"].text("staffing") == "1/2 · 1 open"
    assert drawn["DPT-YW-N04"].text("people") == "Vacant"
    assert "Incomplete" in drawn["DPT-YW-05"].text("flags")
    assert drawn["DPT-YW-05"].more[2] == "3 more positions below: show the diagram under 技术支持部副经理"
    assert drawn["DPT-YW-04"].texts["move-label"] == ["Move under…"]
    svg = hr_client.get("/org/diagram.svg")
    assert "<title>Org chart</title>" in svg.content.decode()
