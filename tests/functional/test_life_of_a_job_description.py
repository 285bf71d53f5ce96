"""The life of a job description in a real Chromium: an HR editor proposes a change to a published
job description, a reader keeps seeing the published one, an approver approves it, the holder
acknowledges it, and the history page shows what changed."""

import pytest
from playwright.sync_api import expect

from tests.functional.test_accessibility import assert_accessible
from tests.functional.test_editing import log_in, save

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODE = "DPT-YW-04"  # held by mark-manager
NEW_TEXT = "负责技术支持部的年度计划与考核"


def test_proposal_approval_acknowledgement_and_history(
    browser, live_server, seed, proposer_user, hr_user, viewer_user, manager_user
):
    contexts = {name: browser.new_context() for name in ("proposer", "viewer", "approver", "holder")}
    pages = {name: context.new_page() for name, context in contexts.items()}

    # The HR editor (not an approver) changes the first duty of a published job description.
    proposer = pages["proposer"]
    log_in(proposer, live_server, "peter-proposer", f"/positions/{CODE}/edit/")
    first_duty = proposer.locator("#id_duties-0-text")
    old_text = first_duty.input_value()
    first_duty.fill(NEW_TEXT)
    proposer.fill("#id_change_comment", "更新年度计划职责")
    save(proposer)
    expect(proposer).to_have_url(f"{live_server.url}/proposals/{_proposal_id(proposer)}/")
    expect(proposer.locator("table.diff")).to_contain_text("考核")
    assert_accessible(proposer)

    # A reader still sees the published text.
    viewer = pages["viewer"]
    log_in(viewer, live_server, "victor-viewer", f"/positions/{CODE}/")
    expect(viewer.locator("main")).to_contain_text(old_text)
    expect(viewer.locator("main")).not_to_contain_text(NEW_TEXT)

    # The approver approves; the card now shows the new text and the sign-off.
    approver = pages["approver"]
    log_in(approver, live_server, "hannah-hr", "/proposals/")
    approver.click(f"a[href='/proposals/{_proposal_id(proposer)}/']")
    assert_accessible(approver)
    approver.fill("#id_comment", "同意")
    approver.click("button[value=approve]")
    expect(approver).to_have_url(f"{live_server.url}/positions/{CODE}/")
    expect(approver.locator("main")).to_contain_text(NEW_TEXT)
    expect(approver.locator(".sign-off-table")).to_contain_text("peter-proposer")
    viewer.reload()
    expect(viewer.locator("main")).to_contain_text(NEW_TEXT)

    # The holder acknowledges.
    holder = pages["holder"]
    log_in(holder, live_server, "mark-manager", f"/positions/{CODE}/")
    expect(holder.locator(".signatures")).to_contain_text("尚未确认")
    holder.click(".sign-off form button")
    expect(holder.locator(".signatures")).to_contain_text("已于")
    expect(holder.locator(".sign-off form button")).to_have_count(0)
    assert_accessible(holder)

    # The history shows the change, character by character, with who approved it.
    approver.goto(f"{live_server.url}/positions/{CODE}/history/")
    expect(approver.locator("table.versions tbody tr").first).to_contain_text("hannah-hr")
    expect(approver.locator("table.diff ins").first).to_be_visible()
    assert_accessible(approver)
    for context in contexts.values():
        context.close()


def _proposal_id(page):
    from positions.models import Proposal

    return Proposal.objects.latest("pk").pk
