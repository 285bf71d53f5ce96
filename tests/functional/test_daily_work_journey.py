"""A day of an HR team's work, in a real Chromium, in Chinese (issue 15's journey): an HR editor who is
not an approver pastes a long 岗位目的 and a numbered list, meets an error at the bottom of a long form,
mends it and proposes the change; moving a team detaches nothing without a choice; the approver returns
the proposal, the author finds it, revises and resubmits it, and the approver approves it for a later
date, which readers see on the card while the published version stays in force. Every page on the way
passes axe-core."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from positions.models import Position, Proposal
from tests.functional.test_accessibility import assert_accessible
from tests.functional.test_editing import NUMBERED_LIST, UNNUMBERED, duty_texts, log_in, paste, save

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODE = "DPT-YW-03"
LONG_PURPOSE = ("受理宽带用户的报修与投诉，及时派单并跟踪处理，保障客户满意。" * 120)[:3330]
PURPOSE = "受理宽带用户的报修与投诉，及时派单并跟踪处理，保障客户满意。"


def test_a_day_of_hr_work_from_a_long_paste_to_a_change_approved_for_a_later_date(
    browser, live_server, seed, proposer_user, hr_user, viewer_user
):
    author_context, approver_context = browser.new_context(), browser.new_context()
    author_context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    author, approver = author_context.new_page(), approver_context.new_page()
    effective = timezone.localdate() + datetime.timedelta(days=25)

    # 1. A 3,330-character purpose pasted whole, counted against its limit; an eight-line list split into duties.
    log_in(author, live_server, "peter-proposer", f"/positions/{CODE}/edit/")
    paste(author, "#id_h-purpose", LONG_PURPOSE)
    expect(author.locator("#id_h-purpose")).to_have_value(LONG_PURPOSE)
    expect(author.locator("#id_h-purpose_count")).to_have_text("3,330 / 2,000 个字符：超出 1,330 个")
    duties = author.locator("#section-duties")
    existing = duty_texts(duties)[:5]
    paste(author, "#id_duties-5-text", "\n".join(NUMBERED_LIST))
    duties.locator(".split-offer").get_by_role("button", name="拆成 8 条").click()
    assert [text for text in duty_texts(duties) if text] == [*existing, *UNNUMBERED]

    # 2. A KPI weight at the bottom of the page breaks the 100% total: the error is summed up at the top.
    author.fill("#id_kpis-0-weight", "50")
    save(author)
    summary = author.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    expect(summary.locator("a[href='#id_h-purpose']")).to_contain_text("最多 2000 个字符")
    expect(summary).to_contain_text("110%")
    assert_accessible(author)
    summary.locator("a[href^='#section-kpis'], a[href^='#id_kpis']").first.click()
    expect(author.locator("#section-kpis :focus")).to_have_count(1)
    expect(author.locator("#id_h-purpose")).to_have_value(LONG_PURPOSE)  # kept, not cut, for the author to shorten
    assert [text for text in duty_texts(duties) if text] == [*existing, *UNNUMBERED]  # the split rows are kept too
    assert Position.objects.get(code=CODE).purpose == ""  # nothing was saved

    # 3. Mended and saved: a published job description, so the change waits for the approver.
    author.fill("#id_h-purpose", PURPOSE)
    author.fill("#id_kpis-0-weight", "40")
    author.fill("#id_change_comment", "补充岗位目的，职责逐条列明")
    save(author)
    first = Proposal.objects.get()
    expect(author).to_have_url(f"{live_server.url}/proposals/{first.pk}/")
    diff = author.locator("table.diff")
    expect(diff).to_contain_text("岗位目的")
    expect(diff).to_contain_text(UNNUMBERED[0])
    assert_accessible(author)

    # 4. Moving a manager's post: "move" without a choice detaches nothing, and asks nothing of the tree.
    author.goto(f"{live_server.url}/positions/DPT-YW-04/move/")
    author.click("form.move-form button.primary")
    expect(author.locator("form.move-form .errorlist")).to_contain_text("设为最高层岗位")
    assert_accessible(author)
    assert Position.objects.get(code="DPT-YW-04").parent.code == "DPT-YW-01"

    # 5. The approver returns the change with a reason; the author finds it in the menu and revises it.
    log_in(approver, live_server, "hannah-hr", f"/proposals/{first.pk}/")
    expect(approver.locator("table.diff")).to_contain_text("岗位目的")
    approver.fill("#id_comment", "职责第 6 条起请写明服务时限")
    approver.click("button[value=return]")
    author.goto(f"{live_server.url}/org/")
    menu = author.locator("header.topbar nav a[href='/proposals/']")
    expect(menu).to_contain_text("1")
    menu.click()
    returned = author.locator(f"tr:has(a[href='/proposals/{first.pk}/'])")
    expect(returned).to_contain_text("职责第 6 条起请写明服务时限")
    returned.get_by_role("link", name="修改").click()
    expect(author.locator("#id_h-purpose")).to_have_value(PURPOSE)  # nothing to type again
    author.fill("#id_duties-5-text", UNNUMBERED[0] + "，24 小时内响应")
    save(author)
    second = Proposal.objects.get(status=Proposal.Status.PENDING)
    assert second.revises_id == first.pk

    # 6. Approved for a later date: the published version stays in force, and the card says when the new one comes.
    approver.goto(f"{live_server.url}/proposals/{second.pk}/")
    approver.fill("#id_effective_on", effective.isoformat())
    approver.click("button[value=approve]")
    expect(approver.locator("p.scheduled")).to_contain_text(effective.isoformat())
    assert_accessible(approver)
    reader_context = browser.new_context()
    reader = reader_context.new_page()
    log_in(reader, live_server, "victor-viewer", f"/positions/{CODE}/")
    expect(reader.locator("p.scheduled")).to_contain_text(effective.isoformat())
    expect(reader.locator(".jd-purpose")).to_have_count(0)  # still the published version: no purpose yet
    assert_accessible(reader)
    assert Position.objects.get(code=CODE).purpose == ""
    for context in (author_context, approver_context, reader_context):
        context.close()
