"""HR editors edit job descriptions and the reporting tree in a real Chromium; managers and viewers read.

The editor runs with its script (static/js/editor.js): live totals, rows added and reordered
by button or by dragging their handle; the chart (static/js/chart.js) moves a box dropped on
another. The server checks everything again, so each test ends on what the saved card or chart
shows.
"""

import re

import pytest
from playwright.sync_api import expect

from portal.roles import HR_EDITOR
from tests.conftest import PASSWORD, approver, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT_MS = 10_000

DPT_YW_03_DUTIES = [
    "接听和记录热线电话",
    "进行投诉的派单和处理的跟踪工作",
    "建立、完善和及时更新客户档案和客户通讯录",
    "受理客户的各种投诉,不定期回访及客户满意度的调查",
    "上级布置的其它工作",
]
TEAM_OF_DPT_YW_04 = {"DPT-YW-04", "DPT-YW-05", "DPT-YW-N04", "DPT-YW-N05", "DPT-YW-N06", "DPT-YW-N07"}


@pytest.fixture
def hr(seed, hr_user):
    return hr_user


def log_in(page, live_server, username, next_url="/org/"):
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("section.login button[type=submit]")
    page.wait_for_url(f"{live_server.url}{next_url}")


def save(page):
    page.click("form.editor button.primary[type=submit]")
    page.wait_for_load_state()


def duty_texts(section):
    return [
        text.strip() for text in section.locator("textarea[name$='-text']").evaluate_all("els => els.map(e => e.value)")
    ]


def card_duties(page):
    return [text.strip() for text in page.locator(".jd-duties ol li").all_inner_texts()]


def chart_codes(container):
    return set(container.locator(".box[data-code]").evaluate_all("els => els.map(e => e.dataset.code)"))


# (1) Publishing DPT-YW-05: the scrape cut its KPI table off after the first key responsibility.


def test_hr_editor_completes_the_kpis_of_dpt_yw_05_and_publishes_at_100_percent(page, live_server, hr):
    log_in(page, live_server, "hannah-hr", "/positions/DPT-YW-05/edit/")
    kpis = page.locator("#section-kpis")
    total = kpis.locator("output.total")
    expect(total).to_have_text("考核标准权重合计：0%")
    expect(page.locator("#id_h-status")).to_have_value("published")

    page.locator("#id_kpis-0-weight").press_sequentially("90")  # the total follows each keystroke
    expect(total).to_have_text("考核标准权重合计：90%")
    expect(total).to_have_class(re.compile(r"\boff\b"))
    page.fill("#id_kpis-0-standard", "部门工作计划按期完成")
    save(page)

    assert page.url.endswith("/positions/DPT-YW-05/edit/")  # refused: nothing saved
    expect(page.locator(".messages .error")).to_have_text("未保存：请修正下方标出的问题。")
    expect(kpis.locator(".errorlist")).to_have_text("考核标准权重合计为 90%，而非 100%。")
    expect(page.locator(".field-status .errorlist")).to_contain_text(
        "已发布的岗位说明书必须完整。请保存为草稿，或修正以下问题：考核标准权重合计为 90%，而非 100%。"
    )
    expect(page.locator("#id_kpis-0-weight")).to_have_value("90")  # what was typed is kept
    expect(total).to_have_text("考核标准权重合计：90%")

    kpis.locator("button.add-row").click()
    new_row = kpis.locator(".row-list > .row").last
    new_row.locator("textarea[name$='-responsibility']").fill("协助完成部门人员的培训与考核")
    new_row.locator("input[name$='-weight']").fill("10")
    new_row.locator("textarea[name$='-standard']").fill("培训按计划完成")
    expect(total).to_have_text("考核标准权重合计：100%")
    expect(total).to_have_class(re.compile(r"\bok\b"))
    save(page)

    page.wait_for_url(f"{live_server.url}/positions/DPT-YW-05/")
    expect(page.locator(".messages .success")).to_have_text("岗位 DPT-YW-05 已保存。")
    expect(page.locator(".incomplete[role=status]")).to_have_count(0)
    expect(page.locator(".jd-kpis .kpi-table tfoot .total")).to_have_text("100%")
    expect(page.locator(".jd-kpis .kpi-table tbody tr")).to_have_count(2)


def test_saving_from_the_editor_with_javascript_adds_no_empty_rows(page, live_server, hr):
    log_in(page, live_server, "hannah-hr", "/positions/DPT-YW-03/edit/")
    page.fill("#id_h-title", "客户服务代表（热线）")
    save(page)
    assert page.url == f"{live_server.url}/positions/DPT-YW-03/", page.locator("main").inner_text()[:500]
    expect(page.locator(".jd-title")).to_have_text("客户服务代表（热线）")


def test_publishing_at_90_percent_is_refused_for_the_total_alone(page, live_server, hr):
    log_in(page, live_server, "hannah-hr", "/positions/DPT-YW-05/edit/")
    page.fill("#id_kpis-0-weight", "90")
    page.fill("#id_kpis-0-standard", "部门工作计划按期完成")
    save(page)
    expect(page.locator("#section-kpis .errorlist")).to_have_text("考核标准权重合计为 90%，而非 100%。", timeout=2000)


def test_the_same_save_without_javascript_is_accepted(browser, live_server, hr):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server, "hannah-hr", "/positions/DPT-YW-03/edit/")
    page.fill("#id_h-title", "客户服务代表（热线）")
    save(page)
    assert page.url == f"{live_server.url}/positions/DPT-YW-03/"
    expect(page.locator(".jd-title")).to_have_text("客户服务代表（热线）")
    context.close()


# (2) Reordering duties.


def test_hr_editor_reorders_duties_with_the_arrow_buttons_and_the_card_follows(page, live_server, hr):
    log_in(page, live_server, "hannah-hr", "/positions/DPT-YW-03/edit/")
    duties = page.locator("#section-duties")
    rows = duties.locator(".row-list > .row")
    assert duty_texts(duties)[:5] == DPT_YW_03_DUTIES

    rows.nth(0).locator("button.move-down").click()  # 1st below 2nd
    rows.nth(4).locator("button.move-up").click()  # 5th above 4th
    rows.nth(3).locator("button.move-up").click()  # ... and above 3rd
    expected = [DPT_YW_03_DUTIES[i] for i in (1, 0, 4, 2, 3)]
    assert duty_texts(duties)[:5] == expected
    orders = duties.locator("input[name$='-ORDER']").evaluate_all("els => els.map(e => e.value)")
    assert orders[:5] == ["1", "2", "3", "4", "5"]  # the order numbers follow the rows on screen

    save(page)
    page.wait_for_url(f"{live_server.url}/positions/DPT-YW-03/")
    assert card_duties(page) == expected


def test_hr_editor_drags_a_duty_by_its_handle_to_the_top_and_the_card_follows(page, live_server, hr):
    log_in(page, live_server, "hannah-hr", "/positions/DPT-YW-03/edit/")
    duties = page.locator("#section-duties")
    rows = duties.locator(".row-list > .row")
    first = rows.nth(0).bounding_box()
    rows.nth(3).locator(".handle").drag_to(rows.nth(0), target_position={"x": first["width"] / 2, "y": 3})
    expected = [DPT_YW_03_DUTIES[i] for i in (3, 0, 1, 2, 4)]
    assert duty_texts(duties)[:5] == expected

    save(page)
    page.wait_for_url(f"{live_server.url}/positions/DPT-YW-03/")
    assert card_duties(page) == expected


def test_text_in_a_duty_can_still_be_selected_without_starting_a_drag(page, live_server, hr):
    log_in(page, live_server, "hannah-hr", "/positions/DPT-YW-03/edit/")
    rows = page.locator("#section-duties .row-list > .row")
    text = rows.nth(0).locator("textarea")
    text.drag_to(rows.nth(3))  # a drag that starts in the text, not on the handle
    assert duty_texts(page.locator("#section-duties"))[:5] == DPT_YW_03_DUTIES
    assert rows.nth(0).get_attribute("draggable") is None


# (3) Moving a subtree from the chart.


def test_hr_editor_drops_a_box_on_another_confirms_and_the_chart_shows_the_subtree_under_it(page, live_server, hr):
    log_in(page, live_server, "hannah-hr")
    page.click("button[data-expand=all]")
    moved = page.locator("#p-DPT-YW-05 > .box .code")
    target = page.locator("#p-DPT-YW-02 > .box")
    assert page.locator("#p-DPT-YW-04 #p-DPT-YW-05").count() == 1
    moved.drag_to(target)
    # DPT-YW-05 has three reports: the chart asks first, in the page, and nothing has moved yet.
    question = page.locator(".move-confirm[role=alertdialog]")
    expect(question).to_contain_text("技术支持部副经理 (DPT-YW-05)")
    expect(question).to_contain_text("客户服务部经理 (DPT-YW-02)")
    expect(question).to_contain_text("3")
    expect(page.locator(".move-confirm button.primary")).to_be_focused()
    page.keyboard.press("Escape")  # changed one's mind
    expect(question).to_have_count(0)
    page.reload()
    assert page.locator("#p-DPT-YW-04 #p-DPT-YW-05").count() == 1
    page.click("button[data-expand=all]")
    moved.drag_to(target)
    with page.expect_navigation():  # confirmed: chart.js posts the move again, then reloads the chart
        page.locator(".move-confirm button.primary").click()

    expect(page.locator("#p-DPT-YW-02 #p-DPT-YW-05")).to_have_count(1)
    assert page.locator("#p-DPT-YW-04 #p-DPT-YW-05").count() == 0
    assert chart_codes(page.locator("#p-DPT-YW-05")) == {"DPT-YW-05", "DPT-YW-N05", "DPT-YW-N06", "DPT-YW-N07"}


def test_a_box_dropped_on_its_own_report_is_refused_with_the_reason(page, live_server, hr):
    log_in(page, live_server, "hannah-hr", "/org/DPT-YW-04/")
    page.locator("#p-DPT-YW-04 > .box .code").drag_to(page.locator("#p-DPT-YW-N05 > .box"))
    message = page.locator(".move-confirm[role=alertdialog]")
    expect(message).to_contain_text("无法调整上级：")
    # the loop it would close, refused before anyone is asked to confirm anything
    expect(message).to_contain_text("DPT-YW-04 → DPT-YW-05 → DPT-YW-N05 → DPT-YW-04")
    page.locator(".move-confirm button.primary").click()
    expect(message).to_have_count(0)
    page.reload()
    assert page.locator("#p-DPT-YW-04 #p-DPT-YW-N05").count() == 1  # nothing moved
    expect(page.locator("nav.crumbs")).to_contain_text("运维部经理")


def test_the_move_page_detaches_nothing_without_a_choice_and_asks_before_moving_a_team(page, live_server, hr):
    log_in(page, live_server, "hannah-hr", "/positions/DPT-YW-04/move/")
    expect(page.locator("main")).to_contain_text("5 个岗位")  # everything under DPT-YW-04 moves with it
    page.click("form.move-form button.primary")  # "move" with no superior chosen
    expect(page.locator("form.move-form .errorlist")).to_contain_text("设为最高层岗位")
    page.goto(f"{live_server.url}/org/DPT-YW-01/")
    assert page.locator("#p-DPT-YW-01 #p-DPT-YW-04").count() == 1  # still under its superior
    # The top is a choice of its own, and a team moves only once its size is confirmed.
    page.goto(f"{live_server.url}/positions/DPT-YW-04/move/")
    page.click("fieldset.to-top button")
    confirm = page.locator("section.move-confirm")
    expect(confirm).to_contain_text("技术支持部经理 (DPT-YW-04)")
    expect(confirm).to_contain_text("5 个岗位")
    expect(confirm.locator("button.primary")).to_have_text(re.compile("6"))  # the post and the 5 under it
    confirm.locator("button.primary").click()
    page.wait_for_url(f"{live_server.url}/org/DPT-YW-04/")
    expect(page.locator("nav.crumbs")).not_to_contain_text("运维部经理")
    expect(page.locator(".messages .success")).to_contain_text("DPT-YW-04")


def test_hr_editor_moves_a_post_with_move_under_and_a_search(page, live_server, hr):
    log_in(page, live_server, "hannah-hr")
    page.click("button[data-expand=all]")
    page.locator("#p-DPT-YW-N03 > .box a.move").click()
    page.wait_for_url(f"{live_server.url}/positions/DPT-YW-N03/move/")
    page.fill("#move-q", "客户服务部")
    page.click("form.filters button[type=submit]")
    page.check("input[name=superior][value='DPT-YW-02']")
    page.click("form.move-form button.primary")

    page.wait_for_url(f"{live_server.url}/org/DPT-YW-N03/")
    expect(page.locator(".messages .success")).to_contain_text("DPT-YW-N03")
    expect(page.locator("nav.crumbs")).to_have_text(re.compile(r"运维部经理\s*›\s*客户服务部经理\s*›\s*辅助采购助理"))
    page.goto(f"{live_server.url}/org/")
    expect(page.locator("#p-DPT-YW-02 #p-DPT-YW-N03")).to_have_count(1)


# (4) Two HR editors on one job description.


@pytest.fixture
def second_hr_page(browser, hr):
    approver(make_user("henry-hr", HR_EDITOR, is_staff=True))
    context = browser.new_context()
    yield context.new_page()
    context.close()


def test_the_second_editor_to_save_sees_the_first_ones_changes_and_keeps_their_input(page, second_hr_page, live_server):
    first, second = page, second_hr_page
    log_in(first, live_server, "hannah-hr", "/positions/DPT-YW-04/edit/")
    log_in(second, live_server, "henry-hr", "/positions/DPT-YW-04/edit/")

    first.fill("#id_h-purpose", "保障宽带网络稳定运行")
    first.fill("#id_duties-2-text", "负责与运维部其它部门及客户服务部的协调工作")
    save(first)
    first.wait_for_url(f"{live_server.url}/positions/DPT-YW-04/")

    second.fill("#id_h-title", "技术支持部主管")
    second.fill("#id_duties-5-text", "完成公司领导临时布置的其他工作任务")
    save(second)

    assert second.url == f"{live_server.url}/positions/DPT-YW-04/edit/"  # nothing saved
    conflict = second.locator("section.conflict[role=alert]")
    expect(conflict.locator("h2")).to_have_text("您编辑期间已有他人保存了此岗位说明书")
    diff = conflict.locator("table.diff tbody")
    expect(diff.locator("tr")).to_have_count(2)  # the purpose and one duty: the first editor's changes
    expect(diff).to_contain_text("保障宽带网络稳定运行")
    expect(diff).to_contain_text("及客户服务部")
    expect(diff).not_to_contain_text("技术支持部主管")  # not the second editor's own input
    expect(second.locator("#id_h-title")).to_have_value("技术支持部主管")
    expect(second.locator("#id_duties-5-text")).to_have_value("完成公司领导临时布置的其他工作任务")

    save(second)  # saving again applies their input on top, knowingly
    second.wait_for_url(f"{live_server.url}/positions/DPT-YW-04/")
    expect(second.locator(".jd-title")).to_have_text("技术支持部主管")
    assert card_duties(second)[5] == "完成公司领导临时布置的其他工作任务"


# (5) A manager's team.


def test_manager_sees_only_the_team_under_their_post(page, live_server, manager_user):
    log_in(page, live_server, "mark-manager")
    page.click("header.topbar nav >> text=我的团队")
    page.wait_for_url(f"{live_server.url}/team/")
    team = page.locator("main")
    expect(team.locator("section.team h2")).to_have_text(re.compile(r"技术支持部经理\s*DPT-YW-04"))
    assert chart_codes(team) == TEAM_OF_DPT_YW_04
    text = team.inner_text()
    assert "DPT-YW-01" not in text and "DPT-YW-02" not in text and "运维部经理" not in text
    assert team.locator("a.move").count() == 0


# (6) A viewer.


def test_viewer_sees_no_edit_controls_anywhere(page, live_server, seed, viewer_user):
    log_in(page, live_server, "victor-viewer")
    menu = page.locator("header.topbar nav")
    expect(menu).to_contain_text("岗位列表")
    for path in ("/positions/new/", "/people/", "/quality/", "/settings/jd-template/"):
        assert menu.locator(f"a[href='{path}']").count() == 0, path
    assert page.locator(".org-chart[data-movable]").count() == 0
    assert page.locator(".box[draggable]").count() == 0
    assert page.locator("a.move").count() == 0
    expect(page.locator(".tree li")).to_have_count(12)

    page.goto(f"{live_server.url}/positions/DPT-YW-03/")
    expect(page.locator(".jd-title")).to_have_text("客户服务代表")
    edit_links = page.locator("main a[href*='/edit/'], a[href*='/duplicate/'], a[href*='/delete/'], a[href*='/move/']")
    assert edit_links.count() == 0
    assert page.locator("nav.actions").count() == 0 and page.locator("#holders").count() == 0

    page.goto(f"{live_server.url}/positions/")
    assert page.locator("main a[href*='/edit/'], main a[href*='/move/'], main a[href*='/delete/']").count() == 0

    response = page.goto(f"{live_server.url}/positions/DPT-YW-03/edit/")
    assert response.status == 403
    expect(page.locator("main h1")).to_have_text("无权访问")
