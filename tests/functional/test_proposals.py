"""A proposal's round trip in a real Chromium, in Chinese: an HR editor proposes a change, the approver
reads it and returns it with a reason, the author finds it from the menu, revises and resubmits it,
and the approver approves it with a later effective date, so the card says when it takes effect.
Every proposal page the journey meets passes axe-core."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from positions.models import Position, Proposal
from tests.functional.test_accessibility import assert_accessible
from tests.functional.test_editing import log_in, save

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODE = "DPT-YW-03"
FIRST_TRY, SECOND_TRY = "客户服务代表（热线）", "热线客户服务代表"


def menu_link(page):
    return page.locator("header.topbar nav a[href='/proposals/']")


def test_a_returned_proposal_is_found_revised_resubmitted_and_approved_for_a_later_date(
    browser, live_server, seed, proposer_user, hr_user
):
    author_context, approver_context = browser.new_context(), browser.new_context()
    author, approver = author_context.new_page(), approver_context.new_page()
    effective = timezone.localdate() + datetime.timedelta(days=30)

    # The HR editor (not an approver) renames the post: a proposal.
    log_in(author, live_server, "peter-proposer", f"/positions/{CODE}/edit/")
    author.fill("#id_h-title", FIRST_TRY)
    author.fill("#id_change_comment", "热线岗位更名")
    save(author)
    first = Proposal.objects.get()
    expect(author).to_have_url(f"{live_server.url}/proposals/{first.pk}/")
    expect(author.locator("table.diff")).to_contain_text(f"岗位名称客户服务代表{FIRST_TRY}")
    assert_accessible(author)

    # The approver finds it counted in the menu, reads it, and returns it with a reason.
    log_in(approver, live_server, "hannah-hr", "/org/")
    expect(menu_link(approver)).to_have_text("变更申请 待审批：1")
    menu_link(approver).click()
    approver.click(f"a[href='/proposals/{first.pk}/']")
    expect(approver.locator("details.proposed-card summary")).to_have_text("申请中的完整岗位说明书")
    assert_accessible(approver)
    approver.fill("#id_comment", "名称不规范，请按编制表命名")
    approver.click("button[value=return]")
    expect(approver.locator("ul.messages")).to_contain_text("已退回")

    # The author finds it from the menu, with the reason, and revises it without typing it all again.
    author.goto(f"{live_server.url}/org/")
    expect(menu_link(author)).to_have_text("变更申请 退回给您：1")
    menu_link(author).click()
    returned = author.locator(f"tr:has(a[href='/proposals/{first.pk}/'])")
    expect(returned).to_contain_text("已退回")
    expect(returned).to_contain_text("名称不规范，请按编制表命名")
    assert_accessible(author)
    returned.get_by_role("link", name="修改").click()
    expect(author.locator("section.revising")).to_contain_text("名称不规范，请按编制表命名")
    expect(author.locator("#id_h-title")).to_have_value(FIRST_TRY)
    assert_accessible(author)
    author.fill("#id_h-title", SECOND_TRY)
    author.fill("#id_change_comment", "按编制表更名")
    save(author)
    second = Proposal.objects.get(status=Proposal.Status.PENDING)
    expect(author).to_have_url(f"{live_server.url}/proposals/{second.pk}/")
    expect(author.locator("main")).to_contain_text(f"本申请修改自第 {first.pk} 号申请")
    expect(menu_link(author)).to_have_text("变更申请")  # resubmitted: it no longer counts

    # The approver approves it with a later effective date: the published version stays in force until then.
    approver.goto(f"{live_server.url}/proposals/{second.pk}/")
    assert_accessible(approver)
    approver.fill("#id_comment", "同意")
    approver.fill("#id_effective_on", effective.isoformat())
    approver.click("button[value=approve]")
    expect(approver).to_have_url(f"{live_server.url}/positions/{CODE}/")
    notice = approver.locator("p.scheduled")
    expect(notice).to_contain_text(f"该岗位说明书的新版本将于 {effective.isoformat()} 生效")
    expect(approver.locator(".jd-title")).to_have_text("客户服务代表")
    assert_accessible(approver)
    approver.goto(f"{live_server.url}/proposals/?show=scheduled")
    expect(approver.locator(f"tr:has(a[href='/proposals/{second.pk}/'])")).to_contain_text(
        f"定于 {effective.isoformat()} 生效"
    )
    assert_accessible(approver)
    assert Position.objects.get(code=CODE).title == "客户服务代表"
    for context in (author_context, approver_context):
        context.close()
