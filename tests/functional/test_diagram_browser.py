"""The org chart as a diagram in a real Chromium: a manager walks down from their team, keyboard users
Tab through the boxes in reading order, axe finds nothing serious, and the page prints the diagram alone.

The diagram is inline SVG (org_tree/diagram.py): every box a `<g class="box" data-code>` holding a
link to the card, a "+N" link to the diagram under it when its reports are cut off, and for HR
editors a "move under…" link.
"""

import re
import subprocess

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.functional.test_accessibility import assert_accessible
from tests.integration.test_diagram_pages import TEAM_OF_DPT_YW_04, TITLES, read_svg

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT_MS = 10_000
USERS = {"hr": "hannah-hr", "manager": "mark-manager", "viewer": "victor-viewer"}


@pytest.fixture
def portal(seed, hr_user, manager_user, viewer_user):
    """The seed organisation and one login per role (the manager holds DPT-YW-04 as 王经理)."""


def log_in(page, live_server, role, next_url="/org/"):
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.fill("#id_username", USERS[role])
    page.fill("#id_password", PASSWORD)
    page.click("section.login button[type=submit]")
    page.wait_for_url(f"{live_server.url}{next_url}")


def drawn_codes(page):
    return page.locator("svg.diagram g.box").evaluate_all("els => els.map(e => e.dataset.code)")


def box(page, code):
    return page.locator(f'svg.diagram g.box[data-code="{code}"]')


def follow(page, locator, live_server, path):
    locator.click()
    page.wait_for_url(re.compile(re.escape(f"{live_server.url}{path}") + r"(\?.*)?$"))
    page.wait_for_load_state()


# ---------------------------------------------------------------------------------------------
# A manager and the diagram of their team


def test_a_manager_walks_down_the_diagram_of_their_team_and_downloads_it(
    page, live_server, portal, pdf_tools, tmp_path
):
    log_in(page, live_server, "manager", "/team/")
    team_box = page.locator('section.team .box[data-code="DPT-YW-04"]')
    follow(page, team_box.locator("a.subtree"), live_server, "/org/DPT-YW-04/")  # "5 below": the outline from there

    toggle = page.locator("p.view-toggle")
    expect(toggle.locator("[aria-current=page]")).to_have_text("大纲")
    follow(page, toggle.get_by_role("link", name="架构图"), live_server, "/org/DPT-YW-04/diagram/")
    assert drawn_codes(page) == TEAM_OF_DPT_YW_04
    assert page.locator("svg.diagram a.move").count() == 0  # a manager moves nothing
    expect(page.locator("nav.crumbs")).to_contain_text("整体架构 › 分管领导 › 运维部经理 › 技术支持部经理")

    page.select_option("#diagram-depth", "1")
    page.locator("form.diagram-controls button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/org/DPT-YW-04/diagram/\?.*depth=1"))
    assert drawn_codes(page) == ["DPT-YW-04"]
    more = box(page, "DPT-YW-04").locator("a.more")
    expect(more).to_have_text("+5")
    expect(page.locator("p.legend")).to_contain_text("显示 1 个岗位")

    follow(page, more, live_server, "/org/DPT-YW-04/diagram/")
    assert page.url.endswith("?depth=2")
    assert drawn_codes(page) == ["DPT-YW-04", "DPT-YW-05", "DPT-YW-N04"]
    deeper = box(page, "DPT-YW-05").locator("a.more")
    expect(deeper).to_have_text("+3")
    follow(page, deeper, live_server, "/org/DPT-YW-05/diagram/")
    assert drawn_codes(page) == ["DPT-YW-05", "DPT-YW-N05", "DPT-YW-N06", "DPT-YW-N07"]
    expect(page.locator("main h1")).to_have_text("组织架构图: 技术支持部副经理")

    follow(page, page.locator("p.view-toggle").get_by_role("link", name="大纲"), live_server, "/org/DPT-YW-05/")
    expect(page.locator(".org-chart .box")).to_have_count(4)
    follow(
        page, page.locator("p.view-toggle").get_by_role("link", name="架构图"), live_server, "/org/DPT-YW-05/diagram/"
    )
    assert drawn_codes(page) == ["DPT-YW-05", "DPT-YW-N05", "DPT-YW-N06", "DPT-YW-N07"]

    with page.expect_download() as svg_download:
        page.locator("p.downloads a", has_text="SVG").click()
    svg = svg_download.value
    assert svg.suggested_filename == "org-chart-DPT-YW-05.svg"
    drawn = read_svg(open(svg.path(), encoding="utf-8").read())
    assert drawn.codes == ["DPT-YW-05", "DPT-YW-N05", "DPT-YW-N06", "DPT-YW-N07"]
    assert [b.text("title") for b in drawn.boxes] == [TITLES[code] for code in drawn.codes]

    with page.expect_download() as pdf_download:
        page.locator("p.downloads a", has_text="PDF（当前显示").click()  # the levels on screen
    pdf = pdf_download.value
    assert pdf.suggested_filename == "org-chart-DPT-YW-05.pdf"
    path = tmp_path / "chart.pdf"
    pdf.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert all(TITLES[code] in text for code in ("DPT-YW-05", "DPT-YW-N05", "DPT-YW-N06", "DPT-YW-N07"))


def test_a_box_leads_to_its_card(page, live_server, portal):
    log_in(page, live_server, "viewer", "/org/diagram/")
    follow(page, box(page, "DPT-YW-02").locator("a").first, live_server, "/positions/DPT-YW-02/")
    expect(page.locator(".jd-title")).to_have_text("客户服务部经理")


# ---------------------------------------------------------------------------------------------
# Accessibility


@pytest.mark.parametrize("role", ["hr", "viewer"])
@pytest.mark.parametrize("path", ["/org/diagram/", "/org/DPT-YW-04/diagram/", "/org/DPT-YW-04/diagram/?depth=1&q=经理"])
def test_the_diagram_has_no_serious_or_critical_accessibility_violation(page, live_server, portal, role, path):
    log_in(page, live_server, role)
    assert page.goto(f"{live_server.url}{path}").status == 200
    page.wait_for_load_state()
    assert page.locator("svg.diagram g.box").count() > 0
    assert_accessible(page)


def test_tab_moves_through_the_boxes_in_reading_order(page, live_server, portal):
    log_in(page, live_server, "viewer", "/org/diagram/")
    page.set_viewport_size({"width": 1600, "height": 1000})
    page.focus(".diagram-wrap")
    visited = []  # (code, kind of link, frame's top, frame's left) of each focused link in the diagram
    for _ in range(60):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => {
                const el = document.activeElement;
                const group = el && el.closest('svg.diagram g.box');
                if (!group) return null;
                const frame = group.querySelector('rect.frame').getBoundingClientRect();
                return [group.dataset.code, el.getAttribute('class') || 'card', frame.top, frame.left];
            }"""
        )
        if focused is None:
            break
        visited.append(tuple(focused))
    cards = [(code, top, left) for code, kind, top, left in visited if kind == "card"]
    on_screen = page.locator("svg.diagram g.box").evaluate_all(
        """els => els.map(e => {
            const r = e.querySelector('rect.frame').getBoundingClientRect();
            return [e.dataset.code, r.top, r.left];
        })"""
    )
    reading_order = [code for code, _top, _left in sorted(on_screen, key=lambda b: (round(b[1]), round(b[2])))]
    assert [code for code, _top, _left in cards] == reading_order
    assert len(reading_order) == 6 and len({round(top) for _code, top, _left in on_screen}) == 3
    # each "+N" comes right after the card link of its own box
    for n, (code, kind, _top, _left) in enumerate(visited):
        if kind == "more":
            assert visited[n - 1][:2] == (code, "card")
    assert sorted(code for code, kind, _t, _l in visited if kind == "more") == ["DPT-YW-02", "DPT-YW-04"]


def test_enter_on_a_focused_plus_n_opens_the_diagram_under_it(page, live_server, portal):
    log_in(page, live_server, "viewer", "/org/diagram/")
    page.focus('svg.diagram g.box[data-code="DPT-YW-04"] a.more')
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/org/DPT-YW-04/diagram/?depth=3")
    assert drawn_codes(page) == TEAM_OF_DPT_YW_04


# ---------------------------------------------------------------------------------------------
# Print


@pytest.mark.parametrize("role", ["hr", "viewer"])
def test_printing_hides_the_controls_and_keeps_the_diagram(page, live_server, portal, role, tmp_path):
    log_in(page, live_server, role, "/org/DPT-YW-04/diagram/?depth=abc")
    on_screen = [
        "header.topbar",
        "nav.crumbs",
        "p.view-toggle",
        "form.diagram-controls",
        "p.downloads",
        "p.legend",
        "p.notice",  # the depth "abc" was refused
    ]
    for selector in on_screen:
        expect(page.locator(selector)).to_be_visible()
    if role == "hr":
        expect(page.locator("svg.diagram a.move").first).to_be_visible()

    page.emulate_media(media="print")
    for selector in on_screen:
        expect(page.locator(selector)).to_be_hidden()
    diagram = page.locator("svg.diagram")
    expect(diagram).to_be_visible()
    expect(page.locator("svg.diagram g.box")).to_have_count(6)
    for code in TEAM_OF_DPT_YW_04:
        expect(box(page, code)).to_be_visible()
    assert all(not link.is_visible() for link in page.locator("svg.diagram a.move").all())
    expect(page.locator("main h1")).to_be_visible()
    wrap = page.locator(".diagram-wrap").evaluate(
        "el => { const s = getComputedStyle(el); return [s.overflow, s.maxHeight, s.borderStyle]; }"
    )
    assert wrap == ["visible", "none", "none"]

    pdf = tmp_path / "diagram.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True)
    if info.returncode == 0:  # poppler is there: the page is landscape A4 (@page diagram)
        size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info.stdout)
        assert size and float(size.group(1)) > float(size.group(2))


def test_a_diagram_wider_than_the_page_is_shrunk_to_its_width_in_print(page, live_server, portal):
    log_in(page, live_server, "viewer", "/org/diagram/?depth=10")
    page.set_viewport_size({"width": 800, "height": 900})
    diagram, main = page.locator("svg.diagram"), page.locator("main")
    assert diagram.bounding_box()["width"] > main.bounding_box()["width"]  # on screen the diagram scrolls
    page.emulate_media(media="print")
    assert diagram.bounding_box()["width"] <= main.bounding_box()["width"]
    expect(page.locator("svg.diagram g.box")).to_have_count(12)
