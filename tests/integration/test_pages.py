"""The org chart, the list and the job-description card as a reader sees them."""

import re

import pytest

from positions.models import Position


def text_of(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_chart_shows_every_seed_position_in_reporting_order(viewer_client, seed):
    html = viewer_client.get("/org/").content.decode()
    codes = re.findall(r'<li id="p-([^"]+)"', html)
    assert codes == list(Position.objects.order_by("tree_id", "lft").values_list("code", flat=True))
    assert len(codes) == 12


def test_chart_boxes_show_department_holders_and_open_headcount(client, manager_user):
    client.force_login(manager_user)
    html = client.get("/org/").content.decode()
    box = html[html.index('id="p-DPT-YW-04"') :].split("</summary>")[0]
    assert "技术支持部经理" in box and "技术支持部" in box and "王经理" in box
    vacant = html[html.index('id="p-DPT-YW-03"') :].split("</li>")[0]
    assert "空缺" in vacant and "缺编 1 人" in vacant


def test_chart_flags_the_incomplete_and_the_undescribed(viewer_client, seed):
    html = viewer_client.get("/org/").content.decode()
    deputy = html[html.index('id="p-DPT-YW-05"') :].split("</summary>")[0]
    assert "box incomplete" in deputy and "权重" in deputy  # the reason is in the badge's title
    leader = html[html.index('id="p-DPT-YW-N01"') :].split("</summary>")[0]
    assert "box undescribed" in leader


def test_small_charts_open_fully_and_collapse_without_javascript(viewer_client, seed):
    html = viewer_client.get("/org/").content.decode()
    assert html.count("<details open>") == html.count("<details") == 5  # N01, 01, 02, 04, 05 have reports


def test_a_subtree_chart_has_the_chain_of_superiors(viewer_client, seed):
    response = viewer_client.get("/org/DPT-YW-05/")
    crumbs = response.content.decode().split('class="crumbs"')[1].split("</nav>")[0]
    assert re.findall(r">([^<>]+)</a>", crumbs)[1:] == ["分管领导", "运维部经理", "技术支持部经理"]
    codes = re.findall(r'<li id="p-([^"]+)"', response.content.decode())
    assert codes == ["DPT-YW-05", "DPT-YW-N05", "DPT-YW-N06", "DPT-YW-N07"]


def test_chart_search_reveals_and_marks_the_match(viewer_client, seed):
    html = viewer_client.get("/org/", {"q": "验收"}).content.decode()
    assert html.count("box match") == 2
    assert 'href="#p-DPT-YW-N06"' in html


def test_list_searches_chinese_substrings_in_every_part_of_the_description(viewer_client, seed):
    def found(q):
        return [p["code"] for p in viewer_client.get("/api/positions/", {"q": q}).json()["results"]]

    assert found("普通话") == ["DPT-YW-03"]  # a qualification
    assert found("95%") == ["DPT-YW-02"]  # a performance standard
    assert found("ISO") == ["DPT-YW-02"]  # a duty
    assert found("验收员") == ["DPT-YW-N06", "DPT-YW-N07"]  # titles
    assert found("yw-05") == ["DPT-YW-05"]  # codes, case-insensitively


def test_list_page_filters_by_department_including_sub_departments(viewer_client, seed):
    from org_tree.models import Department

    om = Department.objects.get(name="运维部")
    response = viewer_client.get("/positions/", {"department": om.pk})
    listed = [p.code for p in response.context["positions"]]
    assert "DPT-YW-05" in listed and "DPT-YW-N01" not in listed  # 分管领导 is outside 运维部
    assert len(listed) == 11


def test_list_page_shows_completeness_and_filters_by_status(viewer_client, seed):
    page = text_of(viewer_client.get("/positions/", {"status": "published", "q": "副经理"}))
    assert "DPT-YW-05" in page and "不完整" in page


@pytest.mark.parametrize(
    "params", [{"department": "abc"}, {"department": "999999"}, {"status": "bogus"}, {"page": "x"}]
)
def test_bad_filters_are_explained_not_crashed(viewer_client, seed, params):
    response = viewer_client.get("/positions/", params)
    assert response.status_code == 200
    if "page" not in params:
        assert 'class="errorlist"' in response.content.decode()


def test_a_search_with_a_control_character_is_refused_with_a_message(viewer_client, seed):
    """portal/text.py's rule, asked before any view (tests/integration/test_control_characters.py has the rest)."""
    response = viewer_client.get("/positions/", {"q": "a\x00b"})
    assert response.status_code == 400
    assert "U+0000" in response.content.decode()


def test_the_card_is_laid_out_like_the_seed_form(viewer_client, seed):
    page = text_of(viewer_client.get("/positions/DPT-YW-03/"))
    for label in [
        "岗位名称",
        "岗位编号",
        "岗位关系",
        "直接上级",
        "直接下级",
        "岗位职责",
        "任职条件",
        "培训要求",
        "考核标准",
    ]:
        assert label in page
    assert "客户服务代表" in page and "DPT-YW-03" in page
    assert "客户服务部经理" in page  # the superior
    html = viewer_client.get("/positions/DPT-YW-03/").content.decode()
    kpi_rows = re.findall(r"<tr><td class=\"n\">(\d)</td><td>([^<]+)</td>\s*<td class=\"weight\">([^<]+)</td>", html)
    assert [(n, w) for n, _, w in kpi_rows] == [("1", "40%"), ("2", "30%"), ("3", "20%"), ("4", "10%")]
    assert re.search(r'class="weight total">100%<', html)


def test_the_card_of_the_deputy_shows_the_gap(viewer_client, seed):
    html = viewer_client.get("/positions/DPT-YW-05/").content.decode()
    assert "不完整" in html and 'class="weight total off">0%<' in html
    assert html.count('class="missing"') == 2  # the weight and the standard of its one KPI


def test_the_card_links_superior_and_reports(viewer_client, seed):
    html = viewer_client.get("/positions/DPT-YW-04/").content.decode()
    assert 'href="/positions/DPT-YW-01/"' in html
    assert 'href="/positions/DPT-YW-05/"' in html and 'href="/positions/DPT-YW-N04/"' in html


def test_content_is_escaped(viewer_client, seed):
    Position.objects.filter(code="DPT-YW-03").update(title="<script>alert(1)</script>")
    html = viewer_client.get("/positions/DPT-YW-03/").content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html
    assert "<script>alert(1)" not in viewer_client.get("/org/").content.decode()


def test_the_card_has_a_print_stylesheet_for_a4(viewer_client, seed):
    html = viewer_client.get("/positions/DPT-YW-03/").content.decode()
    assert 'media="print"' in html
    from django.conf import settings

    css = (settings.BASE_DIR / "static" / "css" / "print.css").read_text()
    assert "size: A4" in css


def test_a_manager_sees_a_link_to_their_team(client, manager_user):
    client.force_login(manager_user)
    html = client.get("/positions/").content.decode()
    assert 'href="/team/"' in html
    team = client.get("/team/").content.decode()
    assert 'id="p-DPT-YW-04"' in team and 'id="p-DPT-YW-N07"' in team and 'id="p-DPT-YW-01"' not in team


def test_the_department_menu_is_indented_in_tree_order_and_keeps_the_choice(viewer_client, seed):
    from org_tree.models import Department

    support = Department.objects.get(name="技术支持部")
    html = viewer_client.get("/positions/", {"department": support.pk}).content.decode()
    options = re.findall(
        r'<option value="(\d*)"( selected)?>([^<]+)</option>', html.split('name="department"')[1].split("</select>")[0]
    )
    labels = [label for _, _, label in options]
    assert labels[1] == "运维部" and "\u3000技术支持部" in labels
    assert [label for _, chosen, label in options if chosen] == ["\u3000技术支持部"]


def test_a_large_chart_starts_folded_below_two_levels_and_search_opens_the_way(viewer_client, db):
    from django.core.management import call_command

    from org_tree.chart import OPEN_ALL_LIMIT, OPEN_DEPTH

    call_command("synth_org", positions=OPEN_ALL_LIMIT + 50, seed=3, verbosity=0)
    deep = Position.objects.filter(code__startswith="SYN-", level__gte=5).order_by("lft").first()
    root_level = Position.objects.get(tree_id=deep.tree_id, parent=None).level

    html = viewer_client.get("/org/").content.decode()
    opened = re.findall(r'<li id="p-([^"]+)"><div[^>]*>.*?</div><details open>', html)
    assert opened and all(Position.objects.get(code=c).level - root_level < OPEN_DEPTH for c in opened)

    html = viewer_client.get("/org/", {"q": deep.code}).content.decode()
    opened = set(re.findall(r'<li id="p-([^"]+)"><div[^>]*>.*?</div><details open>', html))
    assert {a.code for a in deep.get_ancestors()} <= opened
    assert '<div class="box match' in html.split(f'id="p-{deep.code}"')[1][:80]


def test_print_preview_applies_the_print_sheet_on_screen(viewer_client, seed):
    normal = viewer_client.get("/positions/DPT-YW-03/").content.decode()
    preview = viewer_client.get("/positions/DPT-YW-03/", {"print": "1"}).content.decode()
    assert normal.count("print.css") == 1  # media="print" only
    assert preview.count("print.css") == 2 and 'print.css">' in preview  # and once for the screen


def test_the_hand_written_chart_markup_escapes_every_field(viewer_client, seed):
    from org_tree.models import Department
    from tests.factories import AssignmentFactory, LinkFactory

    Department.objects.filter(name="技术支持部").update(name='技术"><img src=x onerror=alert(1)>')
    holder = AssignmentFactory(position=Position.objects.get(code="DPT-YW-04"), kind="concurrent")
    holder.person.name = "<script>alert('x')</script>"
    holder.person.save()
    LinkFactory(source=Position.objects.get(code="DPT-YW-03"), target=Position.objects.get(code="DPT-YW-05"))
    Position.objects.filter(code="DPT-YW-05").update(title="副经理 & <i>助理</i>")
    html = viewer_client.get("/org/").content.decode()
    assert "<img src=x" not in html and "<script>alert('x')" not in html and "<i>助理</i>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "副经理 &amp; &lt;i&gt;助理&lt;/i&gt;" in html
    assert "技术&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
