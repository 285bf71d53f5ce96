"""A real Chromium walks the portal the way an HR reader does."""

import pytest
from django.core.management import call_command

from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reader(transactional_db):
    from portal.roles import VIEWER

    call_command("load_seed", verbosity=0)
    return make_user("rita-reader", VIEWER)


def log_in(page, live_server, next_url="/org/"):
    page.goto(f"{live_server.url}{next_url}")
    assert "/accounts/login/" in page.url
    page.fill("#id_username", "rita-reader")
    page.fill("#id_password", PASSWORD)
    page.click("section.login button[type=submit]")
    page.wait_for_url(f"{live_server.url}{next_url}")


def kpi_table(page):
    rows = page.locator(".kpi-table tbody tr")
    return [[rows.nth(i).locator("td").nth(col).inner_text().strip() for col in (1, 2, 3)] for i in range(rows.count())]


def test_reader_expands_a_subtree_and_reads_a_kpi_table(page, live_server, reader):
    log_in(page, live_server)
    assert page.locator(".tree li").count() == 12
    page.click("button[data-expand=none]")  # start from a folded chart
    representative = page.locator("#p-DPT-YW-03 .box")
    assert not representative.is_visible()

    page.locator("#p-DPT-YW-N01 > details > summary").click()
    page.locator("#p-DPT-YW-01 > details > summary").click()
    page.locator("#p-DPT-YW-02 > details > summary").click()
    assert representative.is_visible()

    page.click("#p-DPT-YW-03 a.title")
    page.wait_for_url(f"{live_server.url}/positions/DPT-YW-03/")
    assert page.locator(".jd-title").inner_text() == "客户服务代表"
    assert kpi_table(page) == [
        ["接听和记录客户的24小时电话报修和投诉情况", "40%", "用语规范、接听及时、记录完整"],
        ["进行维护派单和跟踪督促工作", "30%", "及时通知相关技术人员进行投诉处理,及时跟踪处理进度。"],
        ["客户资料的建立和完善", "20%", "客户资料的完整和准确"],
        ["客户调查", "10%", "按照公司和部门的要求及时高效的完成调查"],
    ]
    assert page.locator(".kpi-table tfoot .total").inner_text() == "100%"


def test_subtrees_fold_without_javascript(browser, live_server, reader):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server)
    engineer = page.locator("#p-DPT-YW-N05 .box")
    assert engineer.is_visible()
    page.locator("#p-DPT-YW-05 > details > summary").click()  # a native <details> toggle
    assert not engineer.is_visible()
    context.close()


def test_chart_search_reveals_a_folded_position(page, live_server, reader):
    log_in(page, live_server)
    page.fill("#chart-q", "故障品")
    page.press("#chart-q", "Enter")
    page.wait_for_load_state()
    match = page.locator(".box.match")
    assert match.count() == 1 and match.is_visible()
    assert "DPT-YW-N07" in match.inner_text()


def test_the_card_prints_on_a4_with_chinese_text(page, live_server, reader, tmp_path):
    log_in(page, live_server, "/positions/DPT-YW-05/")
    page.emulate_media(media="print")
    assert not page.locator("header.topbar").is_visible()
    assert page.locator(".incomplete[role=status]").is_visible()
    pdf = tmp_path / "card.pdf"
    page.pdf(path=str(pdf), format="A4", prefer_css_page_size=True)
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000


def test_language_switch_turns_labels_english_and_keeps_content(page, live_server, reader):
    log_in(page, live_server, "/positions/DPT-YW-04/")
    assert page.locator(".jd-form th").first.inner_text() == "岗位名称"
    page.select_option("#language", "en")
    page.click(".language-switcher button")
    page.wait_for_load_state()
    assert page.locator(".jd-form th").first.inner_text() == "Position title"
    assert page.locator(".jd-title").inner_text() == "技术支持部经理"
