"""The HR worklist in Chromium: an HR editor narrows it to a department with the menu, follows the table of
contents to a section, sees a fix waiting for approval and opens its proposal; axe finds nothing serious."""

import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from org_tree.models import Department
from positions.models import Proposal
from tests.conftest import PASSWORD
from tests.functional.test_accessibility import assert_accessible
from tests.integration.test_worklist import complete_the_deputy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def waiting_fix(seed, proposer_user, hr_user):
    """The deputy's KPI completed by an HR editor who is not an approver: a proposal waits."""
    proposer = Client()
    proposer.force_login(proposer_user)
    complete_the_deputy(proposer)
    return Proposal.objects.get(status=Proposal.Status.PENDING)


def test_an_hr_editor_narrows_the_worklist_and_follows_it_to_a_waiting_fix(page, live_server, waiting_fix, hr_user):
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/accounts/login/?next=/quality/")
    page.fill("#id_username", hr_user.username)
    page.fill("#id_password", PASSWORD)
    page.click("section.login button[type=submit]")
    page.wait_for_url(f"{live_server.url}/quality/")
    assert_accessible(page)

    support = Department.objects.get(name="技术支持部")
    page.select_option("#id_department", str(support.pk))
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url(re.compile(rf".*/quality/\?department={support.pk}$"))
    expect(page.locator("h1")).to_have_text("待办清单: 技术支持部")
    codes = page.locator("section.worklist-section .code").all_inner_texts()
    assert codes and "DPT-YW-N01" not in codes and "DPT-YW-02" not in codes  # other departments are gone

    toc = page.locator("nav.worklist-toc")
    toc.get_by_role("link", name="考核标准权重合计不为 100%").click()
    page.wait_for_url(re.compile(r".*#kpi-weight-total$"))
    group = page.locator("#kpi-weight-total")
    expect(group).to_be_in_viewport()
    expect(group.locator("li")).to_have_text(
        re.compile(r"技术支持部副经理 DPT-YW-05 · 考核标准权重合计为 0%，而非 100%。 · 修改待审批")
    )

    group.get_by_role("link", name="修改待审批").click()
    page.wait_for_url(f"{live_server.url}/proposals/{waiting_fix.pk}/")
    assert_accessible(page)
    page.go_back()
    page.wait_for_url(re.compile(r".*/quality/.*"))
    assert_accessible(page)
