"""Review and approval, sign-off and the holders' acknowledgement (positions/services/approval.py)."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from positions.models import Acknowledgement, Person, Position, Proposal
from positions.quality import reviews_due
from positions.services import approval
from tests.helpers import document_of
from tests.integration.test_editor import open_editor

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
    effective = timezone.localdate() + datetime.timedelta(days=7)

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
