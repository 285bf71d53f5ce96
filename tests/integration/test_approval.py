"""Review and approval, sign-off and the holders' acknowledgement (positions/services/approval.py)."""

import datetime
import re
from html import unescape
from importlib import import_module
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from portal.roles import HR_EDITOR, VIEWER
from positions import history
from positions.models import Acknowledgement, Person, Position, Proposal
from positions.quality import reviews_due
from positions.services import approval
from positions.services.editing import DocumentInvalid
from tests.conftest import make_user
from tests.helpers import document_of
from tests.integration.test_editor import open_editor
from tests.integration.test_history import SHANGHAI, Clock, shanghai
from tests.integration.transfers.test_jobs import DATABASE_QUEUE, work

CODE = "DPT-YW-03"
EDIT = f"/positions/{CODE}/edit/"


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def etag_of(client, code=CODE):
    return client.get(f"/api/positions/{code}/")["ETag"]


def propose_title(proposer_user, title="客户服务代表（热线）"):
    client = client_for(proposer_user)
    data = open_editor(client, EDIT)
    data["h-title"] = title
    data["change_comment"] = "热线岗位更名"
    response = client.post(EDIT, data)
    assert response.status_code == 302
    return Proposal.objects.get(position__code=CODE, status=Proposal.Status.PENDING), response


def test_a_proposers_change_to_a_published_description_waits_and_readers_keep_the_published_one(
    seed, proposer_user, viewer_user
):
    before = document_of(CODE)

    proposal, response = propose_title(proposer_user)

    assert response.url == f"/proposals/{proposal.pk}/"
    assert proposal.author == proposer_user and proposal.comment == "热线岗位更名"
    assert proposal.document["title"] == "客户服务代表（热线）"
    assert document_of(CODE) == before  # nothing published
    card = client_for(viewer_user).get(f"/positions/{CODE}/").content.decode()
    assert "客户服务代表（热线）" not in card
    page = client_for(proposer_user).get(f"/proposals/{proposal.pk}/").content.decode()
    assert "客户服务代表（热线）" in page and "approve" not in page  # the diff, but no decision for a proposer


def test_the_api_answers_a_proposers_write_with_202_and_the_proposal(seed, proposer_user):
    client = client_for(proposer_user)
    before = document_of(CODE)

    response = client.patch(
        f"/api/positions/{CODE}/", {"title": "新名称"}, content_type="application/json", HTTP_IF_MATCH=etag_of(client)
    )

    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "pending" and body["position"] == CODE and body["author"] == proposer_user.username
    assert body["document"]["title"] == "新名称" and body["url"] == f"/proposals/{body['proposal']}/"
    assert document_of(CODE) == before


def test_a_proposal_is_checked_like_a_save_and_a_bad_one_is_not_kept(seed, proposer_user):
    client = client_for(proposer_user)
    response = client.patch(
        f"/api/positions/{CODE}/",
        {"kpis": [{"responsibility": "只有一项", "weight": 50, "standard": "按时"}]},
        content_type="application/json",
        HTTP_IF_MATCH=etag_of(client),
    )
    assert response.status_code == 400 and response.json()["kpis"]
    assert not Proposal.objects.exists()


def test_an_approver_approves_and_the_change_is_published_with_its_sign_off(seed, proposer_user, hr_user):
    proposal, _response = propose_title(proposer_user)
    effective = timezone.localdate() - datetime.timedelta(days=7)  # a date in the past publishes at once too

    response = client_for(hr_user).post(
        f"/proposals/{proposal.pk}/decide/",
        {"decision": "approve", "comment": "同意", "effective_on": effective.isoformat()},
    )

    assert response.status_code == 302 and response.url == f"/positions/{CODE}/"
    position = Position.objects.get(code=CODE)
    assert position.title == "客户服务代表（热线）"
    assert (position.prepared_by, position.approved_by, position.effective_on) == (proposer_user, hr_user, effective)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.APPROVED and proposal.decided_by == hr_user
    latest = Position.history.filter(code=CODE).order_by("-history_date").first()
    assert latest.history_user == hr_user and "同意" in latest.history_change_reason
    assert latest.approved_by_id == hr_user.pk  # the version carries the sign-off
    card = client_for(hr_user).get(f"/positions/{CODE}/").content.decode()
    assert "peter-proposer" in card and effective.isoformat() in card


def test_returning_needs_a_reason_and_publishes_nothing(seed, proposer_user, hr_user):
    proposal, _response = propose_title(proposer_user)
    approver = client_for(hr_user)
    before = document_of(CODE)

    approver.post(f"/proposals/{proposal.pk}/decide/", {"decision": "return", "comment": ""})
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.PENDING

    approver.post(f"/proposals/{proposal.pk}/decide/", {"decision": "return", "comment": "名称不规范"})
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.RETURNED and proposal.decision_comment == "名称不规范"
    assert document_of(CODE) == before
    with pytest.raises(approval.ProposalRefused):
        approval.approve(proposal, hr_user)


def test_only_approvers_decide(seed, proposer_user, viewer_user):
    proposal, _response = propose_title(proposer_user)
    for user in (proposer_user, viewer_user):
        response = client_for(user).post(f"/proposals/{proposal.pk}/decide/", {"decision": "approve"})
        assert response.status_code == 403
    assert client_for(viewer_user).get("/proposals/").status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.PENDING


def test_drafts_are_edited_directly_but_publishing_one_is_proposed(seed, proposer_user):
    Position.objects.filter(code=CODE).update(status=Position.Status.DRAFT)
    client = client_for(proposer_user)
    data = open_editor(client, EDIT)
    data["h-title"] = "草稿改名"
    data["h-status"] = "draft"
    assert client.post(EDIT, data).url == f"/positions/{CODE}/"
    assert Position.objects.get(code=CODE).title == "草稿改名"

    data = open_editor(client, EDIT)
    data["h-status"] = "published"
    response = client.post(EDIT, data)
    assert response.url.startswith("/proposals/")
    assert Position.objects.get(code=CODE).status == Position.Status.DRAFT


def test_a_proposer_cannot_create_a_published_post(seed, proposer_user):
    client = client_for(proposer_user)
    response = client.post(
        "/api/positions/",
        {"code": "NEW-1", "title": "新岗位", "status": "published"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["status"] == ["只有审批人可以发布新的岗位说明书：请保存为草稿。"]
    assert not Position.objects.filter(code="NEW-1").exists()


def test_an_approvers_own_change_publishes_at_once_and_is_signed_off_by_them(seed, hr_user):
    client = client_for(hr_user)
    data = open_editor(client, EDIT)
    data["h-title"] = "客户服务专员"
    assert client.post(EDIT, data).status_code == 302
    position = Position.objects.get(code=CODE)
    assert position.title == "客户服务专员"
    assert (position.prepared_by, position.approved_by, position.effective_on) == (
        hr_user,
        hr_user,
        timezone.localdate(),
    )


def test_a_holder_acknowledges_and_a_new_approval_asks_again(seed, manager_user, hr_user, proposer_user):
    code = "DPT-YW-04"  # manager_user holds it
    manager = client_for(manager_user)
    card = manager.get(f"/positions/{code}/").content.decode()
    assert "not yet acknowledged" in card or "尚未确认" in card
    assert "DPT-YW-04" in " ".join(c for items in approval.pending_acknowledgements().values() for c, _t, _n in items)

    assert manager.post(f"/positions/{code}/acknowledge/").status_code == 302
    ack = Acknowledgement.objects.get(position__code=code)
    assert ack.person == Person.objects.get(user=manager_user)
    assert ack.version == Position.objects.get(code=code).version
    pending = approval.pending_acknowledgements()
    assert all(c != code for items in pending.values() for c, _t, _n in items)

    # A newly approved version asks for the signature again.
    hr = client_for(hr_user)
    hr.patch(
        f"/api/positions/{code}/", {"purpose": "带领技术支持团队。"}, content_type="application/json", HTTP_IF_MATCH="*"
    )
    pending = approval.pending_acknowledgements()
    assert any(c == code for items in pending.values() for c, _t, _n in items)


def test_only_a_holder_may_acknowledge(seed, viewer_user):
    client = client_for(viewer_user)
    response = client.post("/positions/DPT-YW-04/acknowledge/")
    assert response.status_code == 403
    assert not Acknowledgement.objects.exists()
    assert client.get("/positions/DPT-YW-04/acknowledge/").status_code == 405


def test_the_worklist_lists_reviews_due_and_overdue(seed, hr_user):
    today = timezone.localdate()
    Position.objects.filter(code="DPT-YW-03").update(effective_on=today - datetime.timedelta(days=400))
    Position.objects.filter(code="DPT-YW-02").update(effective_on=today - datetime.timedelta(days=350))
    Position.objects.filter(code="DPT-YW-01").update(effective_on=today - datetime.timedelta(days=100))

    due = [code for code, _title, _when in reviews_due(today)]

    assert due == ["DPT-YW-03", "DPT-YW-02"]
    page = client_for(hr_user).get("/quality/").content.decode()
    assert "DPT-YW-03" in page and ("overdue" in page or "已逾期" in page)


def test_the_review_interval_is_part_of_the_job_description(seed, hr_user):
    client = client_for(hr_user)
    data = open_editor(client, EDIT)
    assert data["h-review_months"] == "12"
    data["h-review_months"] = "6"
    assert client.post(EDIT, data).status_code == 302
    assert Position.objects.get(code=CODE).review_months == 6
    assert client.get(f"/api/positions/{CODE}/").json()["review_months"] == 6
    refused = client.patch(
        f"/api/positions/{CODE}/", {"review_months": 0}, content_type="application/json", HTTP_IF_MATCH="*"
    )
    assert refused.status_code == 400 and refused.json()["review_months"]
    assert Position.objects.get(code=CODE).review_months == 6


@pytest.mark.parametrize("status", ["已发布", "发布", " published ", "Published"])
def test_no_spelling_of_published_lets_a_proposer_publish(seed, proposer_user, status):
    Position.objects.filter(code=CODE).update(status=Position.Status.DRAFT)
    client = client_for(proposer_user)
    response = client.patch(
        f"/api/positions/{CODE}/", {"status": status}, content_type="application/json", HTTP_IF_MATCH="*"
    )
    assert response.status_code in (202, 400)  # proposed, or not a status this language reads
    assert Position.objects.get(code=CODE).status == Position.Status.DRAFT


def test_a_proposer_cannot_publish_or_change_published_text_in_the_django_admin(seed, proposer_user):
    client = client_for(proposer_user)
    pk = Position.objects.get(code=CODE).pk
    page = client.get(f"/admin/positions/position/{pk}/change/")
    assert page.status_code == 200 and 'name="title"' not in page.content.decode()  # view only
    response = client.post(f"/admin/positions/position/{pk}/change/", {"title": "后台改名"})
    assert response.status_code == 403
    assert Position.objects.get(code=CODE).title != "后台改名"


def test_acknowledging_twice_keeps_one_signature(seed, manager_user):
    manager = client_for(manager_user)
    manager.post("/positions/DPT-YW-04/acknowledge/")
    manager.post("/positions/DPT-YW-04/acknowledge/")
    assert Acknowledgement.objects.filter(position__code="DPT-YW-04").count() == 1


def test_a_decision_must_be_approve_or_return_and_its_date_sensible(seed, proposer_user, hr_user):
    proposal, _response = propose_title(proposer_user)
    approver = client_for(hr_user)
    approver.post(f"/proposals/{proposal.pk}/decide/", {"decision": "maybe", "comment": "?"})
    approver.post(f"/proposals/{proposal.pk}/decide/", {"decision": "approve", "effective_on": "9999-12-31"})
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.PENDING
    assert client_for(hr_user).get("/quality/").status_code == 200


# ---------------------------------------------------------------------------------------------------
# What the approver reads: every field by its label, values as the card shows them (positions/readable.py)

NEW_KPI = {"responsibility": "客户回访", "weight": 10, "standard": "每季度回访一次", "cycle": "quarterly"}


def client_in(user, language):
    client = client_for(user)
    client.cookies["django_language"] = language
    return client


def cells_of(fragment):
    """The text of each <th>/<td> of each <tr> in an HTML fragment, as a screen reader reads them."""
    rows = []
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", fragment, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)
        rows.append([re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", cell))).strip() for cell in cells])
    return rows


def diff_table(html):
    """The rows of the page's first diff table, without its head."""
    return cells_of(html.split('<table class="diff">', 1)[1].split("</table>", 1)[0])[1:]


def propose(user, changes, code=CODE):
    client = client_for(user)
    response = client.patch(
        f"/api/positions/{code}/", changes, content_type="application/json", HTTP_IF_MATCH=etag_of(client, code)
    )
    assert response.status_code == 202, response.content
    return Proposal.objects.get(pk=response.json()["proposal"])


def kpis_with_a_new_row():
    kpis = [{k: v for k, v in kpi.items()} for kpi in document_of(CODE)["kpis"]]
    kpis[2]["weight"] = 10  # 客户资料的建立和完善: 20 -> 10
    return [*kpis, NEW_KPI]


@pytest.fixture
def readable_proposal(seed, proposer_user):
    return propose(
        proposer_user,
        {
            "department": "YW-JS",
            "education": "bachelor",
            "experience_years": 2,
            "dotted_reports_to": ["DPT-YW-04"],
            "kpis": kpis_with_a_new_row(),
        },
    )


def test_the_approver_reads_every_changed_field_by_its_label_with_values_as_the_card_shows_them(
    readable_proposal, hr_user
):
    html = client_in(hr_user, "en").get(f"/proposals/{readable_proposal.pk}/").content.decode()
    rows = diff_table(html)

    assert ["department", "客户服务部", "技术支持部"] in rows  # names, not YW-KF / YW-JS
    assert ["minimum education", "—", "Bachelor's degree (本科)"] in rows
    assert ["years of experience", "—", "2 years or more"] in rows
    assert ["dotted-line superiors", "—", "技术支持部经理 (DPT-YW-04)"] in rows
    # A changed KPI: every column, the changed one marked.
    changed = rows.index(["KPIs · row 3 changed", "客户资料的建立和完善"])
    assert rows[changed + 1 : changed + 5] == [
        ["KPIs · row 3 changed · weight", "20%", "10%"],
        ["KPIs · row 3 changed · performance standard", "客户资料的完整和准确", "客户资料的完整和准确"],
        ["KPIs · row 3 changed · assessment cycle", "—", "—"],  # shown: another KPI now has a cycle
        ["KPIs · row 5 added", "", "客户回访"],
    ]
    # A new KPI: every column, not only its key responsibility.
    assert rows[changed + 5 : changed + 8] == [
        ["KPIs · row 5 added · weight", "", "10%"],
        ["KPIs · row 5 added · performance standard", "", "每季度回访一次"],
        ["KPIs · row 5 added · assessment cycle", "", "Quarterly (季度)"],
    ]
    table = html.split('<table class="diff">', 1)[1].split("</table>", 1)[0]
    for raw in ("YW-JS", "YW-KF", "quarterly", "bachelor", "weight:", "standard:", "cycle:"):
        assert raw not in table


def test_the_diff_is_in_the_readers_language(readable_proposal, hr_user):
    html = client_in(hr_user, "zh-hans").get(f"/proposals/{readable_proposal.pk}/").content.decode()
    rows = diff_table(html)

    assert ["部门", "客户服务部", "技术支持部"] in rows
    assert ["最低学历", "—", "本科"] in rows
    assert ["工作经验（年）", "—", "2 年及以上"] in rows
    assert ["考核标准 · 修改第 3 行 · 权重", "20%", "10%"] in rows
    assert ["考核标准 · 新增第 5 行 · 考核周期", "", "季度"] in rows


def test_a_first_publication_shows_the_whole_job_description_as_the_card_draws_it(seed, proposer_user, hr_user):
    Position.objects.filter(code=CODE).update(status=Position.Status.DRAFT)
    proposal = propose(proposer_user, {"status": "published"})

    html = client_in(hr_user, "en").get(f"/proposals/{proposal.pk}/").content.decode()

    assert ["status", "Draft", "Published"] in diff_table(html)
    card = html.split('<section class="proposed-card"', 1)[1].split("</article>", 1)[0]
    assert "The job description as it will be published" in card and '<article class="jd-card"' in card
    text = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", card)))
    for shown in ("客户服务代表", "客户服务部", "接听和记录热线电话", "大专及以上学历", "用语规范、接听及时、记录完整"):
        assert shown in text
    assert "40%" in text and "客户服务部经理" in text  # KPI weights, and the superior by title


def test_a_change_to_a_published_description_shows_the_whole_proposed_card_on_request(readable_proposal, hr_user):
    html = client_in(hr_user, "en").get(f"/proposals/{readable_proposal.pk}/").content.decode()
    folded = html.split('<details class="proposed-card">', 1)[1].split("</details>", 1)[0]
    assert "The whole job description as proposed" in folded
    assert "技术支持部" in folded and "客户回访" in folded  # the card of the proposal, with its new department


# ---------------------------------------------------------------------------------------------------
# The menu: proposals waiting for the approver, proposals back with their author


def menu(client):
    html = client.get("/org/").content.decode()
    link = html.split('href="/proposals/">', 1)[1].split("</a>", 1)[0]
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", link))).strip()


def test_an_approver_sees_how_many_proposals_wait_in_the_menu(seed, proposer_user, hr_user):
    approver = client_in(hr_user, "en")
    assert menu(approver) == "Proposals"
    propose_title(proposer_user)
    propose(proposer_user, {"purpose": "为客户提供热线服务"}, code="DPT-YW-02")
    assert menu(approver) == "Proposals waiting for approval: 2"
    assert menu(client_in(proposer_user, "en")) == "Proposals"  # a plain HR editor decides nothing: no count


def test_a_returned_proposal_counts_in_its_authors_menu_until_it_is_withdrawn(seed, proposer_user, hr_user):
    proposal, _response = propose_title(proposer_user)
    approval.return_proposal(proposal, hr_user, comment="名称不规范")
    author = client_in(proposer_user, "en")
    assert menu(author) == "Proposals back with you: 1"

    response = author.post(f"/proposals/{proposal.pk}/withdraw/")

    assert response.status_code == 302 and response.url == "/proposals/?show=mine"
    assert menu(author) == "Proposals"
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.WITHDRAWN


# ---------------------------------------------------------------------------------------------------
# The author's own proposals: waiting, returned with the reason, revised, withdrawn


def test_an_authors_proposals_are_listed_under_mine_with_the_approvers_reason(seed, proposer_user, hr_user):
    returned, _response = propose_title(proposer_user)
    approval.return_proposal(returned, hr_user, comment="名称不规范，请按编制表命名")
    approved = propose(proposer_user, {"purpose": "为客户提供热线服务"}, code="DPT-YW-02")
    approval.approve(approved, hr_user, comment="同意")
    propose(proposer_user, {"purpose": "负责技术支持"}, code="DPT-YW-04")
    propose(make_user("other-proposer", HR_EDITOR), {"purpose": "他人的提议"}, code="DPT-YW-01")  # not theirs

    html = client_in(proposer_user, "en").get("/proposals/").content.decode()  # "Mine" is an author's first tab

    assert 'aria-current="page">Mine</a>' in html
    rows = {row[0]: row for row in cells_of(html.split("<tbody>", 1)[1])}
    assert set(rows) == {"客户服务代表 DPT-YW-03", "客户服务部经理 DPT-YW-02", "技术支持部经理 DPT-YW-04"}
    assert rows["客户服务代表 DPT-YW-03"][3] == "Returned"
    assert "名称不规范，请按编制表命名" in rows["客户服务代表 DPT-YW-03"][4]
    assert rows["客户服务代表 DPT-YW-03"][5] == "Revise Withdraw"
    assert rows["客户服务部经理 DPT-YW-02"][3] == "Approved" and "同意" in rows["客户服务部经理 DPT-YW-02"][4]
    assert rows["技术支持部经理 DPT-YW-04"][3] == "Waiting for approval"
    assert rows["技术支持部经理 DPT-YW-04"][5] == "Withdraw"


def test_a_plain_hr_editor_sees_everyones_waiting_proposals_but_decides_none(seed, proposer_user):
    colleague = make_user("other-proposer", HR_EDITOR)
    proposal = propose(colleague, {"purpose": "他人的提议"}, code="DPT-YW-01")
    client = client_in(proposer_user, "en")

    listed = client.get("/proposals/", {"show": "pending"}).content.decode()
    page = client.get(f"/proposals/{proposal.pk}/").content.decode()

    assert f'href="/proposals/{proposal.pk}/"' in listed
    assert 'name="decision"' not in page and "Withdraw" not in page and "Revise" not in page
    assert client.post(f"/proposals/{proposal.pk}/decide/", {"decision": "approve"}).status_code == 403
    assert client.post(f"/proposals/{proposal.pk}/withdraw/").status_code == 302  # refused: not theirs
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.PENDING


def test_an_approver_sees_the_waiting_proposals_first(seed, proposer_user, hr_user):
    proposal, _response = propose_title(proposer_user)
    html = client_in(hr_user, "en").get("/proposals/").content.decode()
    assert 'aria-current="page">Waiting for me</a>' in html and f'href="/proposals/{proposal.pk}/"' in html


# ---------------------------------------------------------------------------------------------------
# Revising a returned proposal: the editor opens with its content; saving proposes it again


def test_a_returned_proposal_opens_in_the_editor_and_is_resubmitted_as_a_new_proposal_linked_to_the_old(
    seed, proposer_user, hr_user
):
    old, _response = propose_title(proposer_user, title="客户服务代表（热线）")
    approval.return_proposal(old, hr_user, comment="名称不规范")
    author = client_in(proposer_user, "en")
    revise = f"{EDIT}?proposal={old.pk}"

    page = author.get(revise)
    data = open_editor(author, revise)

    assert "Revising proposal" in page.content.decode() and "名称不规范" in page.content.decode()
    assert data["h-title"] == "客户服务代表（热线）"  # nothing to type again
    data["h-title"] = "热线客户服务代表"
    data["change_comment"] = "按编制表更名"
    response = author.post(revise, data)

    new = Proposal.objects.get(status=Proposal.Status.PENDING)
    assert response.status_code == 302 and response.url == f"/proposals/{new.pk}/"
    assert new.revises == old and new.document["title"] == "热线客户服务代表" and new.comment == "按编制表更名"
    old.refresh_from_db()
    assert old.status == Proposal.Status.REVISED
    assert menu(author) == "Proposals"  # the returned one no longer counts
    assert Position.objects.get(code=CODE).title == "客户服务代表"  # nothing published
    old_page = author.get(f"/proposals/{old.pk}/").content.decode()
    assert f'href="/proposals/{new.pk}/"' in old_page and "?proposal=" not in old_page
    assert f'href="/proposals/{old.pk}/"' in author.get(f"/proposals/{new.pk}/").content.decode()


def test_revising_after_the_post_changed_keeps_those_changes_and_shows_them(seed, proposer_user, hr_user):
    old, _response = propose_title(proposer_user, title="客户服务代表（热线）")
    approval.return_proposal(old, hr_user, comment="请等岗位目的更新后再提")
    client_for(hr_user).patch(
        f"/api/positions/{CODE}/",
        {"purpose": "受理客户报修与投诉。"},
        content_type="application/json",
        HTTP_IF_MATCH="*",
    )
    author = client_in(proposer_user, "en")
    revise = f"{EDIT}?proposal={old.pk}"

    html = author.get(revise).content.decode()
    data = open_editor(author, revise)

    banner = html.split('<section class="revising"', 1)[1].split("</section>", 1)[0]
    assert ["purpose", "—", "受理客户报修与投诉。"] in diff_table(banner)
    assert data["h-title"] == "客户服务代表（热线）" and data["h-purpose"] == "受理客户报修与投诉。"
    assert data["h-version"] == str(Position.objects.get(code=CODE).version)
    assert author.post(revise, data).status_code == 302
    new = Proposal.objects.get(status=Proposal.Status.PENDING)
    assert new.document["purpose"] == "受理客户报修与投诉。" and new.document["title"] == "客户服务代表（热线）"
    assert not approval.is_stale(new)


def test_a_proposal_is_revised_once_and_only_by_its_author(seed, proposer_user, hr_user):
    old, _response = propose_title(proposer_user)
    approval.return_proposal(old, hr_user, comment="名称不规范")
    author = client_in(proposer_user, "en")
    revise = f"{EDIT}?proposal={old.pk}"
    stale_form = open_editor(author, revise)
    data = open_editor(author, revise)
    data["h-title"] = "热线客户服务代表"
    assert author.post(revise, data).status_code == 302

    again = author.post(revise, stale_form)  # the same returned proposal, revised already
    other = client_in(make_user("other-proposer", HR_EDITOR), "en").get(revise)

    assert again.status_code == 302 and again.url == f"/proposals/{old.pk}/"
    assert Proposal.objects.filter(revises=old).count() == 1
    assert other.status_code == 302 and other.url == f"/proposals/{old.pk}/"
    assert author.get(f"{EDIT}?proposal=999999").status_code == 404
    assert author.get(f"/positions/DPT-YW-02/edit/?proposal={old.pk}").status_code == 404  # another post's


def test_only_its_author_withdraws_a_proposal_and_only_while_it_waits_or_is_returned(seed, proposer_user, hr_user):
    proposal, _response = propose_title(proposer_user)
    with pytest.raises(approval.ProposalRefused):
        approval.withdraw(proposal, hr_user)
    approval.withdraw(proposal, proposer_user)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.WITHDRAWN
    with pytest.raises(approval.ProposalRefused):
        approval.approve(proposal, hr_user)
    with pytest.raises(approval.ProposalRefused):
        approval.withdraw(proposal, proposer_user)
    assert client_for(make_user("vera-viewer", VIEWER)).post(f"/proposals/{proposal.pk}/withdraw/").status_code == 403


# ---------------------------------------------------------------------------------------------------
# An approval dated later: the published version stays in force until that day, then the change applies
# as an action of its own. Time is the history's test clock (tests/integration/test_history.py).

APPROVED_AT = shanghai(2026, 2, 1, 10, 0)
EFFECTIVE = datetime.date(2026, 3, 1)
NEW_TITLE = "客户服务专员"


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(shanghai(2026, 1, 10, 9, 0))
    monkeypatch.setattr(history, "clock", clock)
    return clock


@pytest.fixture
def scheduled(clock, db, proposer_user, hr_user):
    """The seed loaded on 2026-01-10; on 2026-02-01 a proposal to rename DPT-YW-03, approved for 2026-03-01."""
    call_command("load_seed", verbosity=0)
    clock.now = APPROVED_AT
    proposal, _response = propose_title(proposer_user, title=NEW_TITLE)
    response = client_in(hr_user, "en").post(
        f"/proposals/{proposal.pk}/decide/",
        {"decision": "approve", "comment": "同意，三月起执行", "effective_on": EFFECTIVE.isoformat()},
        follow=True,
    )
    assert "Approved: the change to DPT-YW-03 takes effect on 2026-03-01" in response.content.decode()
    proposal.refresh_from_db()
    return proposal


def title_as_of(client, day):
    html = client.get(f"/positions/{CODE}/", {"as_of": day}).content.decode()
    return html.split('<td class="jd-title">', 1)[1].split("</td>", 1)[0]


def test_an_approval_dated_later_keeps_the_published_version_in_force_until_that_day(scheduled, viewer_user, hr_user):
    assert scheduled.status == Proposal.Status.SCHEDULED and scheduled.effective_on == EFFECTIVE
    position = Position.objects.get(code=CODE)
    assert position.title == "客户服务代表" and position.effective_on is None
    reader = client_in(viewer_user, "en")
    card = reader.get(f"/positions/{CODE}/").content.decode()
    assert "A new version of this job description takes effect on 2026-03-01" in card
    assert f'href="/proposals/{scheduled.pk}/"' not in card  # readers are told, not shown the proposal
    assert NEW_TITLE not in card
    approver = client_in(hr_user, "en")
    assert f'href="/proposals/{scheduled.pk}/"' in approver.get(f"/positions/{CODE}/").content.decode()
    page = approver.get(f"/proposals/{scheduled.pk}/").content.decode()
    assert "Approved and scheduled for 2026-03-01" in page
    listed = approver.get("/proposals/", {"show": "scheduled"}).content.decode()
    assert "scheduled for 2026-03-01" in listed and f'href="/proposals/{scheduled.pk}/"' in listed
    assert not approval.apply_due(today=datetime.date(2026, 2, 28))  # the day before: nothing applies


def test_on_its_day_the_change_applies_as_the_systems_own_action_and_the_as_of_views_follow(
    scheduled, clock, viewer_user, proposer_user, hr_user
):
    clock.now = shanghai(2026, 3, 1, 0, 5)
    out = StringIO()
    call_command("apply_due_changes", stdout=out)

    assert out.getvalue() == f"DPT-YW-03: took effect (proposal {scheduled.pk}, effective 2026-03-01)\n"
    position = Position.objects.get(code=CODE)
    assert position.title == NEW_TITLE
    assert (position.prepared_by, position.approved_by, position.effective_on) == (proposer_user, hr_user, EFFECTIVE)
    scheduled.refresh_from_db()
    assert scheduled.status == Proposal.Status.APPROVED and scheduled.applied_at is not None
    newest = history.versions_of(CODE).first()
    assert newest.history_user is None and newest.history_date == shanghai(2026, 3, 1, 0, 5)
    assert newest.history_change_reason == "同意，三月起执行"  # the approver's words, as typed
    reader = client_in(viewer_user, "en")
    rows = reader.get(f"/positions/{CODE}/history/").content.decode()
    first = cells_of(rows.split('<table class="versions">', 1)[1].split("</table>", 1)[0])[1]
    assert first[1:4] == [
        "2026-03-01 00:05:00",
        "system",
        "Took effect as approved by hannah-hr on 2026-02-01. 同意，三月起执行",
    ]
    assert "takes effect on" not in reader.get(f"/positions/{CODE}/").content.decode()
    # The card and the chart as of a date follow the dates: the version is recorded when it applies.
    assert title_as_of(reader, "2026-02-28") == "客户服务代表"
    assert title_as_of(reader, "2026-03-01") == NEW_TITLE
    chart_before = reader.get("/org/", {"as_of": "2026-02-28"}).content.decode()
    chart_after = reader.get("/org/", {"as_of": "2026-03-01"}).content.decode()
    assert "客户服务代表" in chart_before and NEW_TITLE not in chart_before
    assert NEW_TITLE in chart_after and "客户服务代表" not in chart_after

    # Running it again applies nothing twice.
    again = StringIO()
    call_command("apply_due_changes", stdout=again)
    assert again.getvalue() == "Nothing is due.\n"
    assert history.versions_of(CODE).count() == 2  # the seed's, and the one that took effect


def test_a_scheduled_change_overtaken_by_another_edit_is_not_applied_and_goes_back_to_its_author(
    scheduled, clock, proposer_user, hr_user
):
    clock.now = shanghai(2026, 2, 10, 9, 0)
    edit = client_for(hr_user).patch(
        f"/api/positions/{CODE}/",
        {"purpose": "受理客户报修与投诉。"},
        content_type="application/json",
        HTTP_IF_MATCH="*",
    )
    assert edit.status_code == 200
    clock.now = shanghai(2026, 3, 1, 0, 5)
    out = StringIO()
    call_command("apply_due_changes", stdout=out)

    assert "not applied" in out.getvalue()
    position = Position.objects.get(code=CODE)
    assert position.title == "客户服务代表" and position.purpose == "受理客户报修与投诉。"  # never overwritten
    scheduled.refresh_from_db()
    assert scheduled.status == Proposal.Status.OVERTAKEN and scheduled.applied_at is None
    assert history.versions_of(CODE).first().history_date == shanghai(2026, 2, 10, 9, 0)
    author = client_in(proposer_user, "en")
    assert menu(author) == "Proposals back with you: 1"
    page = author.get(f"/proposals/{scheduled.pk}/").content.decode()
    assert "Not applied on 2026-03-01: the job description changed after the approval." in page
    assert f"{EDIT}?proposal={scheduled.pk}" in page  # to be revised
    listed = client_in(hr_user, "en").get("/proposals/", {"show": "overtaken"}).content.decode()
    assert f'href="/proposals/{scheduled.pk}/"' in listed


def test_an_approver_calls_back_a_scheduled_change_before_its_day(scheduled, clock, hr_user, proposer_user):
    response = client_in(hr_user, "en").post(
        f"/proposals/{scheduled.pk}/decide/", {"decision": "return", "comment": "生效日期改为四月"}
    )
    assert response.status_code == 302
    scheduled.refresh_from_db()
    assert scheduled.status == Proposal.Status.RETURNED and scheduled.decision_comment == "生效日期改为四月"
    clock.now = shanghai(2026, 3, 1, 0, 5)
    assert approval.apply_due() == []
    assert Position.objects.get(code=CODE).title == "客户服务代表"


def test_an_approval_dated_later_is_checked_now_like_a_save(seed, proposer_user, hr_user):
    proposal, _response = propose_title(proposer_user)
    Proposal.objects.filter(pk=proposal.pk).update(document={**proposal.document, "reports_to": "NO-SUCH-POST"})
    with pytest.raises(DocumentInvalid):
        approval.approve(proposal, hr_user, effective_on=timezone.localdate() + datetime.timedelta(days=30))
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.PENDING


@pytest.fixture
def queue(settings, transactional_db):
    settings.TASKS = DATABASE_QUEUE
    return DBTaskResult.objects


def test_the_task_worker_applies_a_scheduled_change_on_its_day_and_not_before(
    queue, seed, proposer_user, hr_user, monkeypatch
):
    proposal, _response = propose_title(proposer_user, title=NEW_TITLE)
    effective = timezone.localdate() + datetime.timedelta(days=3)

    assert approval.approve(proposal, hr_user, comment="同意", effective_on=effective) is None

    (task,) = queue.all()
    assert task.args_kwargs == {"args": [proposal.pk], "kwargs": {}}
    midnight = datetime.datetime.combine(effective, datetime.time.min, tzinfo=SHANGHAI)
    assert task.run_after == midnight  # from the first moment of its day in the portal's time zone
    work()
    assert queue.get().status == "READY" and Position.objects.get(code=CODE).title != NEW_TITLE

    # Its day comes: the worker finds the task due, and the portal's clock says the date has come.
    monkeypatch.setattr(history, "clock", lambda: midnight + datetime.timedelta(minutes=1))
    queue.update(run_after=timezone.now() - datetime.timedelta(seconds=1))
    work()

    assert queue.get().status == "SUCCESSFUL"
    assert Position.objects.get(code=CODE).title == NEW_TITLE
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.APPROVED
    assert history.versions_of(CODE).first().history_date == midnight + datetime.timedelta(minutes=1)


# ---------------------------------------------------------------------------------------------------
# What the portal says in the history is composed in the reader's language; people's words stay as typed


def test_the_approval_note_is_in_the_readers_language_on_the_history_page_its_json_and_the_audit_log(
    seed, proposer_user, hr_user, admin_user
):
    proposal, _response = propose_title(proposer_user)
    approval.approve(proposal, hr_user, comment="同意")
    said = {
        "en": "Approved the proposal of peter-proposer. 同意",
        "zh-hans": "批准了 peter-proposer 的变更申请。 同意",
    }
    for language, comment in said.items():
        reader = client_in(hr_user, language)
        page = reader.get(f"/positions/{CODE}/history/").content.decode()
        first = cells_of(page.split('<table class="versions">', 1)[1].split("</table>", 1)[0])[1]
        assert first[3] == comment
        assert reader.get(f"/api/positions/{CODE}/history/").json()[0]["comment"] == comment
        auditor = client_in(admin_user, language)
        audit = auditor.get("/audit/", {"position": CODE}).content.decode()
        assert comment in unescape(audit)
        assert comment in auditor.get("/audit/", {"position": CODE, "format": "csv"}).content.decode("utf-8-sig")
    stored = history.versions_of(CODE).first()
    assert stored.note == {"kind": "approved", "author": "peter-proposer"} and stored.history_change_reason == "同意"


def test_approval_comments_stored_before_notes_existed_become_notes(seed):
    from django.apps import apps

    split_notes = import_module("positions.migrations.0011_approval_comments_become_notes").split_notes
    versions = history.versions_of(CODE)
    chinese, english = versions.first(), Position.history.filter(code="DPT-YW-02").first()
    Position.history.filter(pk=chinese.pk).update(history_change_reason="批准了 王芳 的变更申请。 同意")
    Position.history.filter(pk=english.pk).update(history_change_reason="Approved the proposal of Wang Fang.")

    split_notes(apps, None)

    chinese.refresh_from_db()
    english.refresh_from_db()
    assert (chinese.note, chinese.history_change_reason) == ({"kind": "approved", "author": "王芳"}, "同意")
    assert (english.note, english.history_change_reason) == ({"kind": "approved", "author": "Wang Fang"}, None)
