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
    expect(page.locator("#error-summary h2")).to_have_text("未保存：请修正下方标出的问题。")
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


# (7) Finding positions and people, the error summary, long texts and pasted lists.


@pytest.fixture
def clipboard_page(browser, live_server, hr):
    """A page whose script may use the clipboard, so a test pastes as a person does (Ctrl+V)."""
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    yield context.new_page()
    context.close()


def paste(page, selector, text):
    """Put `text` on the clipboard and paste it into the (emptied) field with Ctrl+V."""
    page.evaluate("text => navigator.clipboard.writeText(text)", text)
    page.fill(selector, "")
    page.focus(selector)
    page.keyboard.press("Control+V")


def test_hr_editor_picks_the_superior_by_title_from_the_suggestions_with_the_keyboard(page, live_server, hr):
    log_in(page, live_server, "hannah-hr", "/positions/DPT-YW-03/edit/")
    field = page.locator("#id_h-reports_to")
    expect(field).to_have_attribute("role", "combobox")
    expect(page.locator(".field-reports_to button.find")).to_be_hidden()  # the suggestions do its work

    field.fill("")
    field.press_sequentially("支持部经理")
    options = page.locator("#id_h-reports_to_suggestions [role=option]")
    expect(options).to_have_text(["技术支持部经理 DPT-YW-04 技术支持部"])
    expect(field).to_have_attribute("aria-expanded", "true")
    field.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(field).to_have_attribute("aria-activedescendant", "id_h-reports_to_suggestions_0")
    field.press("Enter")  # takes the suggestion; does not send the form
    expect(field).to_have_value("DPT-YW-04")
    expect(page.locator("#id_h-reports_to_suggestions")).to_be_hidden()
    assert page.url.endswith("/positions/DPT-YW-03/edit/")

    save(page)
    page.wait_for_url(f"{live_server.url}/positions/DPT-YW-03/")
    expect(page.locator(".jd-superior")).to_have_text("技术支持部经理 DPT-YW-04")


def test_a_dotted_line_superior_is_added_by_clicking_a_suggestion(page, live_server, hr):
    log_in(page, live_server, "hannah-hr", "/positions/DPT-YW-03/edit/")
    field = page.locator("#id_h-dotted_reports_to")
    field.fill("DPT-YW-N02, ")
    field.press_sequentially("运维部经")
    page.locator("#id_h-dotted_reports_to_suggestions [role=option]", has_text="DPT-YW-01").click()
    expect(field).to_have_value("DPT-YW-N02, DPT-YW-01")
    expect(field).to_be_focused()


def test_enter_in_a_text_box_still_saves(page, live_server, hr):
    log_in(page, live_server, "hannah-hr", "/positions/DPT-YW-03/edit/")
    page.fill("#id_h-title", "客户服务代表（热线）")
    page.press("#id_h-title", "Enter")
    page.wait_for_url(f"{live_server.url}/positions/DPT-YW-03/")
    expect(page.locator(".jd-title")).to_have_text("客户服务代表（热线）")


def test_an_error_at_the_bottom_is_summed_up_at_the_top_and_its_link_leads_to_the_field(page, live_server, hr):
    log_in(page, live_server, "hannah-hr", "/positions/DPT-YW-05/edit/")
    page.fill("#id_kpis-0-weight", "150")  # the KPI table, at the bottom of a long page
    page.fill("#id_kpis-0-standard", "部门工作计划按期完成")
    save(page)

    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    expect(summary.locator("h2")).to_have_text("未保存：请修正下方标出的问题。")
    link = summary.locator("a[href='#id_kpis-0-weight']")
    expect(link).to_contain_text("150")
    expect(page.locator(".messages")).to_have_count(0)

    link.click()
    weight = page.locator("#id_kpis-0-weight")
    expect(weight).to_be_focused()
    expect(weight).to_be_in_viewport()
    expect(weight).to_have_attribute("aria-invalid", "true")
    expect(weight).to_have_value("150")  # what was typed is kept

    summary.locator("a[href='#section-kpis']").first.click()  # a section's error: its first field
    expect(page.locator("#id_kpis-0-responsibility")).to_be_focused()


def test_a_3330_character_paste_is_kept_whole_counted_and_refused_by_the_server(clipboard_page, live_server):
    page = clipboard_page
    log_in(page, live_server, "hannah-hr", "/positions/DPT-YW-03/edit/")
    purpose = page.locator("#id_h-purpose")
    count = page.locator("#id_h-purpose_count")
    expect(page.locator("#id_h-purpose_helptext")).to_have_text("最多 2000 个字符。")
    expect(count).to_have_text("0 / 2,000 个字符")
    text = ("保障宽带网络稳定运行，及时处理客户投诉。" * 170)[:3330]

    paste(page, "#id_h-purpose", text)

    expect(purpose).to_have_value(text)  # not cut at 2,000
    expect(count).to_have_text("3,330 / 2,000 个字符：超出 1,330 个")
    expect(count).to_have_class(re.compile(r"\bover\b"))
    expect(page.locator("#id_h-purpose_count_live")).to_have_text("3,330 / 2,000 个字符：超出 1,330 个")  # announced
    save(page)

    assert page.url.endswith("/positions/DPT-YW-03/edit/")  # refused: nothing saved
    expect(page.locator(".field-purpose .errorlist")).to_have_text("最多 2000 个字符（当前为 3330 个）。")
    expect(purpose).to_have_value(text)  # as typed, for the user to shorten
    from positions.models import Position

    assert Position.objects.get(code="DPT-YW-03").purpose == ""


def test_a_row_gets_its_count_only_near_the_limit(page, live_server, hr):
    log_in(page, live_server, "hannah-hr", "/positions/DPT-YW-03/edit/")
    count = page.locator("#id_duties-0-text_count")
    expect(count).to_have_count(0)
    page.fill("#id_duties-0-text", "接" * 1900)
    expect(count).to_have_text("1,900 / 2,000 个字符")
    page.fill("#id_duties-0-text", "接" * 10)
    expect(count).to_be_hidden()


NUMBERED_LIST = [
    "1、接听和记录热线电话",
    "2. 进行投诉的派单和跟踪",
    "3）建立和更新客户档案",
    "（4）受理客户的各种投诉",
    "（五）不定期回访",
    "六、客户满意度调查",
    "⑦ 协助部门培训",
    "• 上级布置的其它工作",
]
UNNUMBERED = [
    "接听和记录热线电话",
    "进行投诉的派单和跟踪",
    "建立和更新客户档案",
    "受理客户的各种投诉",
    "不定期回访",
    "客户满意度调查",
    "协助部门培训",
    "上级布置的其它工作",
]


def test_an_eight_line_numbered_list_pasted_into_a_duty_becomes_eight_duties(clipboard_page, live_server):
    page = clipboard_page
    log_in(page, live_server, "hannah-hr", "/positions/DPT-YW-03/edit/")
    duties = page.locator("#section-duties")
    first_four = duty_texts(duties)[:4]

    paste(page, "#id_duties-4-text", "\n".join(NUMBERED_LIST))

    offer = duties.locator(".split-offer")
    expect(offer).to_contain_text("粘贴了 8 行。要把每行拆成一条吗？")
    expect(page.locator("#id_duties-4-text")).to_be_focused()  # the offer does not take the focus
    offer.get_by_role("button", name="拆成 8 条").click()

    expect(offer).to_have_count(0)
    assert duty_texts(duties) == [*first_four, *UNNUMBERED, ""]  # the empty row to add one stays last
    expect(page.locator("#id_duties-4-text")).to_be_focused()
    shares = duties.locator("input[name$='-share']").evaluate_all("els => els.map(e => e.value)")
    assert shares[5:13] == [""] * 8  # new rows get no time share
    page.select_option("#id_h-status", "draft")  # the new duties have no time share yet
    save(page)

    page.wait_for_url(f"{live_server.url}/positions/DPT-YW-03/")
    assert card_duties(page) == [*first_four, *UNNUMBERED]


def test_a_pasted_list_kept_as_one_keeps_its_line_breaks_on_the_card(clipboard_page, live_server):
    page = clipboard_page
    log_in(page, live_server, "hannah-hr", "/positions/DPT-YW-03/edit/")
    paste(page, "#id_duties-4-text", "上级布置的其它工作：\n1、临时接待\n2、数据统计")
    page.locator("#section-duties .split-offer").get_by_role("button", name="保留为一条").click()

    expect(page.locator("#id_duties-4-text")).to_have_value("上级布置的其它工作：\n1、临时接待\n2、数据统计")
    save(page)
    page.wait_for_url(f"{live_server.url}/positions/DPT-YW-03/")
    cell = page.locator(".jd-duties ol li").nth(4)
    expect(cell.locator("br")).to_have_count(2)
    assert cell.inner_text().split("\n") == ["上级布置的其它工作：", "1、临时接待", "2、数据统计"]


LIST_NUMBERS = {  # line pasted: what stays
    "1、接听电话": "接听电话",
    "1. 接听电话": "接听电话",
    "12) 接听电话": "接听电话",
    "1）接听电话": "接听电话",
    "（1）接听电话": "接听电话",
    "(2) 接听电话": "接听电话",
    "（一）接听电话": "接听电话",
    "十一、接听电话": "接听电话",
    "① 接听电话": "接听电话",
    "⑩接听电话": "接听电话",
    "• 接听电话": "接听电话",
    "·接听电话": "接听电话",
    "- 接听电话": "接听电话",
    "１．接听电话": "接听电话",
    "1.2 接听电话": "接听电话",
    "  3、 接听电话  ": "接听电话",
    "1.5小时内响应": "1.5小时内响应",
    "10:00前完成日报": "10:00前完成日报",
    "100%完成": "100%完成",
    "2024年计划": "2024年计划",
    "-5℃环境": "-5℃环境",
    "一线人员培训": "一线人员培训",
    "十分重要": "十分重要",
    "3G/4G网络维护": "3G/4G网络维护",
}


def test_list_numbers_are_stripped_and_numbers_that_begin_the_text_are_kept(page, live_server, hr):
    log_in(page, live_server, "hannah-hr", "/positions/DPT-YW-03/edit/")
    stripped = page.evaluate("lines => lines.map(window.portalEditor.stripListNumber)", list(LIST_NUMBERS))
    assert dict(zip(LIST_NUMBERS, stripped, strict=True)) == LIST_NUMBERS
    assert page.evaluate("window.portalEditor.pastedLines('1、甲\\r\\n\\r\\n  \\n2、乙\\n')") == ["甲", "乙"]


def test_hr_editor_assigns_a_holder_found_by_name_among_two_of_the_same_name(page, live_server, hr):
    from positions.models import Assignment, Position
    from tests.factories import AssignmentFactory, PersonFactory

    PersonFactory(employee_number="KF-101", name="朱琳")
    AssignmentFactory(
        person=PersonFactory(employee_number="JS-202", name="朱琳"), position=Position.objects.get(code="DPT-YW-N04")
    )
    log_in(page, live_server, "hannah-hr", "/positions/DPT-YW-05/")
    field = page.locator("#id_person")
    field.press_sequentially("朱琳")
    options = page.locator("#id_person_suggestions [role=option]")
    expect(options).to_have_count(2)
    expect(options.nth(0)).to_contain_text("朱琳 JS-202")
    expect(options.nth(0)).to_contain_text("技术支持部")
    expect(options.nth(1)).to_have_text("朱琳 KF-101 无岗位")
    options.nth(1).click()
    expect(field).to_have_value("KF-101")
    page.click("form.assign > button[type=submit]")

    page.wait_for_url(f"{live_server.url}/positions/DPT-YW-05/#holders")
    expect(page.locator("#holders .messages")).to_contain_text("朱琳")
    expect(page.locator("#holders .messages")).to_be_in_viewport()
    assert Assignment.objects.current().get(position__code="DPT-YW-05").person.employee_number == "KF-101"


def test_a_refused_holder_shows_its_error_beside_the_form_where_the_page_opens(page, live_server, hr):
    log_in(page, live_server, "hannah-hr", "/positions/DPT-YW-05/")
    page.fill("#id_person", "无名氏")
    page.click("form.assign > button[type=submit]")

    errors = page.locator("#holders .form-errors")
    expect(errors).to_be_focused()
    expect(errors).to_be_in_viewport()
    expect(page.locator("#holders .field-person .errorlist")).to_have_text("没有姓名或工号为 无名氏 的人员。")
    expect(page.locator("#id_person")).to_have_value("无名氏")
    expect(page.locator("main > .messages")).to_have_count(0)
    from tests.functional.test_accessibility import assert_accessible

    assert_accessible(page)


def test_the_editor_with_errors_choices_suggestions_a_count_and_a_paste_offer_is_accessible(
    clipboard_page, live_server
):
    from tests.functional.test_accessibility import assert_accessible

    page = clipboard_page
    log_in(page, live_server, "hannah-hr", "/positions/DPT-YW-05/edit/")
    page.fill("#id_h-reports_to", "客户服务")  # a title: refused, with the positions it may mean
    page.fill("#id_kpis-0-weight", "150")
    save(page)
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator(".field-reports_to .choices-found input[type=radio]")).to_have_count(2)
    page.fill("#id_h-purpose", "长" * 1900)
    expect(page.locator("#id_h-purpose_count")).to_be_visible()
    paste(page, "#id_duties-0-text", "\n".join(NUMBERED_LIST[:3]))
    expect(page.locator(".split-offer")).to_be_visible()
    page.fill("#id_h-dotted_reports_to", "")
    page.locator("#id_h-dotted_reports_to").press_sequentially("经理")
    expect(page.locator("#id_h-dotted_reports_to_suggestions")).to_be_visible()

    assert_accessible(page)
