"""The approval rules for HR editors who are not approvers, and their limits (positions/services/approval.py).

README, "Approval": a change to a published job description, or publishing one, by an HR editor who
is not an approver waits for an approver. Moves on the chart ("move under…", drag and drop, the move
API) and deletes are structural and are not held. An Administrator's (and an approver's) own changes
publish at once. A proposal overtaken by another change to the job description can only be returned,
through the page and the service alike; holder changes do not overtake it.

Each test acts through the pages and the API as a user would, and checks what readers see, what the
history records and that no proposal is left behind where none belongs.
"""

import json

import pytest
from django.utils import timezone

from portal.roles import ADMINISTRATOR
from positions.models import Assignment, Person, Position, Proposal
from positions.services import approval
from tests.conftest import make_user
from tests.helpers import document_of
from tests.helpers import signed_in as client_for
from tests.integration.test_editor import open_editor

CODE = "DPT-YW-03"  # 客户服务代表: published, complete, a leaf under DPT-YW-02 客户服务部经理
LEAF = "DPT-YW-N03"  # 辅助采购助理: published, a leaf, no holders
OLD_SUPERIOR, NEW_SUPERIOR = "DPT-YW-02", "DPT-YW-04"
API_MOVE_BODY = {"reports_to": NEW_SUPERIOR}  # README: /api/positions/<code>/move/ takes {"reports_to": code}


def superior_of(code):
    return Position.objects.select_related("parent").get(code=code).parent.code


def latest_version(code):
    return Position.history.filter(code=code).order_by("-history_date", "-history_id").first()


def etag(client, code=CODE):
    return client.get(f"/api/positions/{code}/")["ETag"]


def api(client, method, url, body=None, if_match=None):
    headers = {"HTTP_IF_MATCH": if_match} if if_match else {}
    body = "" if body is None else json.dumps(body)
    return client.generic(method.upper(), url, body, content_type="application/json", **headers)


def propose_title(proposer_user, title="客户服务代表（热线）"):
    """The proposer renames CODE in the editor: a proposal, nothing published."""
    client = client_for(proposer_user)
    data = open_editor(client, f"/positions/{CODE}/edit/")
    data["h-title"] = title
    response = client.post(f"/positions/{CODE}/edit/", data)
    proposal = Proposal.objects.get(position__code=CODE, status=Proposal.Status.PENDING)
    assert response.status_code == 302 and response.url == f"/proposals/{proposal.pk}/"
    return proposal


@pytest.fixture
def readers(seed, viewer_user):
    return client_for(viewer_user)


# ---------------------------------------------------------------------------------------------
# Moves and deletes by an HR editor who is not an approver are not held


def assert_moved_at_once(proposer_user, readers):
    assert superior_of(CODE) == NEW_SUPERIOR
    assert not Proposal.objects.exists()
    version = latest_version(CODE)
    assert version.history_user == proposer_user and version.document["reports_to"] == NEW_SUPERIOR
    card = readers.get(f"/api/positions/{CODE}/").json()
    assert card["reports_to"] == NEW_SUPERIOR and card["status"] == "published"
    assert CODE in readers.get(f"/api/positions/{NEW_SUPERIOR}/").json()["direct_reports"]
    assert CODE not in readers.get(f"/api/positions/{OLD_SUPERIOR}/").json()["direct_reports"]


def test_a_move_under_another_superior_from_the_move_page_is_not_held_for_approval(seed, proposer_user, readers):
    response = client_for(proposer_user).post(f"/positions/{CODE}/move/", {"superior": NEW_SUPERIOR})

    assert response.status_code == 302 and response.url == f"/org/{CODE}/"
    assert_moved_at_once(proposer_user, readers)


def test_a_move_by_drag_and_drop_on_the_chart_is_not_held_for_approval(seed, proposer_user, readers):
    response = client_for(proposer_user).post(
        f"/positions/{CODE}/move/", {"superior": NEW_SUPERIOR}, HTTP_X_REQUESTED_WITH="fetch"
    )

    assert response.status_code == 200 and response.json() == {"moved": CODE, "superior": NEW_SUPERIOR, "with": 0}
    assert_moved_at_once(proposer_user, readers)


def test_a_move_through_the_api_is_not_held_for_approval(seed, proposer_user, readers):
    client = client_for(proposer_user)

    response = api(client, "post", f"/api/positions/{CODE}/move/", API_MOVE_BODY, if_match=etag(client))

    assert response.status_code == 200, response.content
    assert_moved_at_once(proposer_user, readers)


def test_the_superior_changed_in_the_editor_is_part_of_the_job_description_and_waits(seed, proposer_user):
    """The editor's 直接上级 field is saved with the text: there the move waits with the rest of the change."""
    client = client_for(proposer_user)
    data = open_editor(client, f"/positions/{CODE}/edit/")
    data["h-reports_to"] = NEW_SUPERIOR

    response = client.post(f"/positions/{CODE}/edit/", data)

    proposal = Proposal.objects.get(position__code=CODE)
    assert response.url == f"/proposals/{proposal.pk}/" and proposal.document["reports_to"] == NEW_SUPERIOR
    assert superior_of(CODE) == OLD_SUPERIOR


def assert_deleted_at_once(proposer_user, readers):
    assert not Position.objects.filter(code=LEAF).exists()
    assert not Proposal.objects.exists()
    version = latest_version(LEAF)
    assert (version.history_type, version.history_user) == ("-", proposer_user)
    assert readers.get(f"/positions/{LEAF}/").status_code == 404
    assert LEAF not in readers.get("/api/positions/DPT-YW-01/").json()["direct_reports"]


def test_a_delete_from_the_delete_page_is_not_held_for_approval(seed, proposer_user, readers):
    client = client_for(proposer_user)
    version = Position.objects.get(code=LEAF).version

    response = client.post(f"/positions/{LEAF}/delete/", {"version": version})

    assert response.status_code == 302 and response.url == "/positions/"
    assert_deleted_at_once(proposer_user, readers)


def test_a_delete_through_the_api_is_not_held_for_approval(seed, proposer_user, readers):
    client = client_for(proposer_user)

    response = api(client, "delete", f"/api/positions/{LEAF}/", if_match=etag(client, LEAF))

    assert response.status_code == 204, response.content
    assert_deleted_at_once(proposer_user, readers)


def test_a_delete_that_moves_the_reports_is_not_held_either(seed, proposer_user, readers):
    """DPT-YW-02's report DPT-YW-03 moves under DPT-YW-01 in the same action, and nothing waits."""
    client = client_for(proposer_user)
    version = Position.objects.get(code=OLD_SUPERIOR).version

    response = client.post(f"/positions/{OLD_SUPERIOR}/delete/", {"version": version, "reports_go_to": "DPT-YW-01"})

    assert response.status_code == 302
    assert not Position.objects.filter(code=OLD_SUPERIOR).exists()
    assert superior_of(CODE) == "DPT-YW-01" and not Proposal.objects.exists()
    assert readers.get(f"/api/positions/{CODE}/").json()["reports_to"] == "DPT-YW-01"


# ---------------------------------------------------------------------------------------------
# An Administrator's edits publish at once


COMPLETE_NEW_POST = {  # what the default JD template requires of a published job description
    "code": "ADM-NEW",
    "title": "质检专员",
    "reports_to": NEW_SUPERIOR,
    "status": "published",
    "duties": ["抽检维修后的设备"],
    "qualifications": ["熟悉网络设备"],
    "training": ["设备检测规范"],
    "kpis": [{"responsibility": "抽检合格率", "weight": 100, "standard": "不低于98%"}],
}


@pytest.fixture(params=["administrator by role", "superuser"])
def administrator(request, seed):
    """An Administrator as the role makes one (its group, not a superuser), and the superuser admin."""
    if request.param == "superuser":
        return request.getfixturevalue("admin_user")
    return make_user("ada-admin", ADMINISTRATOR, is_staff=True)


def test_an_administrators_edit_in_the_editor_publishes_at_once_signed_off_by_them(administrator, readers):
    client = client_for(administrator)
    data = open_editor(client, f"/positions/{CODE}/edit/")
    data["h-title"] = "客户服务专员"

    response = client.post(f"/positions/{CODE}/edit/", data)

    assert response.status_code == 302 and response.url == f"/positions/{CODE}/"
    assert not Proposal.objects.exists()
    position = Position.objects.get(code=CODE)
    assert (position.title, position.status) == ("客户服务专员", "published")
    assert (position.prepared_by, position.approved_by) == (administrator, administrator)
    assert position.effective_on == timezone.localdate()
    assert readers.get(f"/api/positions/{CODE}/").json()["title"] == "客户服务专员"


def test_an_administrators_api_write_publishes_at_once_with_200_not_202(administrator, readers):
    client = client_for(administrator)

    response = api(client, "patch", f"/api/positions/{CODE}/", {"purpose": "受理客户报修。"}, if_match=etag(client))

    assert response.status_code == 200 and response.json()["purpose"] == "受理客户报修。"
    assert not Proposal.objects.exists()
    assert readers.get(f"/api/positions/{CODE}/").json()["purpose"] == "受理客户报修。"


def test_an_administrator_publishes_a_draft_and_creates_a_published_post_at_once(administrator, readers):
    Position.objects.filter(code=CODE).update(status=Position.Status.DRAFT)
    client = client_for(administrator)

    published = api(client, "patch", f"/api/positions/{CODE}/", {"status": "published"}, if_match="*")
    created = api(client, "post", "/api/positions/", COMPLETE_NEW_POST)

    assert published.status_code == 200 and created.status_code == 201, (published.content, created.content)
    assert not Proposal.objects.exists()
    assert readers.get(f"/positions/{CODE}/").status_code == 200  # a reader sees it: it is published
    assert readers.get("/positions/ADM-NEW/").status_code == 200
    assert Position.objects.get(code="ADM-NEW").approved_by == administrator


def test_the_same_edit_by_an_hr_editor_who_is_not_an_approver_waits(seed, proposer_user, readers):
    """The contrast to the tests above: the rule is the approver's right, not the route."""
    client = client_for(proposer_user)

    response = api(client, "patch", f"/api/positions/{CODE}/", {"purpose": "受理客户报修。"}, if_match=etag(client))

    assert response.status_code == 202
    assert Proposal.objects.get().author == proposer_user
    assert readers.get(f"/api/positions/{CODE}/").json()["purpose"] != "受理客户报修。"


# ---------------------------------------------------------------------------------------------
# A proposal overtaken by another change can only be returned


def overtake(hr_user, change=None):
    """An approver changes CODE's job description after the proposal was made."""
    client = client_for(hr_user)
    body = change or {"purpose": "受理客户报修与投诉，并回访。"}
    response = api(client, "patch", f"/api/positions/{CODE}/", body, if_match=etag(client))
    assert response.status_code == 200, response.content
    return document_of(CODE)


def test_the_page_of_an_overtaken_proposal_offers_only_to_return_it(seed, proposer_user, hr_user):
    proposal = propose_title(proposer_user)
    overtake(hr_user)

    page = client_for(hr_user).get(f"/proposals/{proposal.pk}/").content.decode()

    assert "提交该申请后岗位说明书已有改动：只能退回。" in page
    assert 'value="approve"' not in page and 'value="return"' in page


def test_approving_an_overtaken_proposal_through_the_page_is_refused_and_publishes_nothing(
    seed, proposer_user, hr_user
):
    proposal = propose_title(proposer_user)
    after = overtake(hr_user)
    approver = client_for(hr_user)

    response = approver.post(
        f"/proposals/{proposal.pk}/decide/",
        {"decision": "approve", "comment": "同意", "effective_on": timezone.localdate().isoformat()},
        follow=True,
    )

    assert response.redirect_chain == [(f"/proposals/{proposal.pk}/", 302)]
    assert f"提交该申请后 {CODE} 已有改动；请退回，以便重新提交。" in response.content.decode()
    assert document_of(CODE) == after  # the approver's change stands; the proposal's title is not published
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.PENDING and proposal.decided_by is None


def test_returning_an_overtaken_proposal_through_the_page_works(seed, proposer_user, hr_user):
    proposal = propose_title(proposer_user)
    after = overtake(hr_user)

    response = client_for(hr_user).post(
        f"/proposals/{proposal.pk}/decide/", {"decision": "return", "comment": "已有新版本，请重新提出"}
    )

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by, proposal.decision_comment) == (
        Proposal.Status.RETURNED,
        hr_user,
        "已有新版本，请重新提出",
    )
    assert document_of(CODE) == after


def test_the_service_refuses_to_approve_an_overtaken_proposal_but_returns_it(seed, proposer_user, hr_user):
    proposal = propose_title(proposer_user)
    after = overtake(hr_user)

    with pytest.raises(approval.ProposalRefused, match=CODE):
        approval.approve(proposal, hr_user, comment="同意")
    assert approval.is_stale(proposal)
    returned = approval.return_proposal(proposal, hr_user, comment="已有新版本")

    assert returned.status == Proposal.Status.RETURNED
    assert document_of(CODE) == after


def test_a_move_on_the_chart_overtakes_a_proposal_so_approving_it_cannot_move_the_post_back(
    seed, proposer_user, hr_user
):
    """The proposal's document names the superior it was made under; approving it would undo the move."""
    proposal = propose_title(proposer_user)
    moved = client_for(hr_user).post(f"/positions/{CODE}/move/", {"superior": NEW_SUPERIOR})
    assert moved.status_code == 302

    with pytest.raises(approval.ProposalRefused, match=CODE):
        approval.approve(proposal, hr_user)
    assert superior_of(CODE) == NEW_SUPERIOR


# ---------------------------------------------------------------------------------------------
# Holder changes do not overtake a proposal


def test_assigning_and_ending_holders_through_the_pages_does_not_overtake_a_proposal(seed, proposer_user, hr_user):
    proposal = propose_title(proposer_user)
    hr = client_for(hr_user)
    Person.objects.create(employee_number="E-APR-1", name="周专员")
    Person.objects.create(employee_number="E-APR-2", name="吴专员")
    before = Position.objects.get(code=CODE).version

    for number in ("E-APR-1", "E-APR-2"):
        assigned = hr.post(f"/positions/{CODE}/holders/", {"person": number, "kind": "primary"})
        assert assigned.status_code == 302
    ending = Assignment.objects.get(person__employee_number="E-APR-2", position__code=CODE)
    assert hr.post(f"/assignments/{ending.pk}/end/", {"ended_on": timezone.localdate().isoformat()}).status_code == 302

    assert Position.objects.get(code=CODE).version == before + 3  # each holder change is a version
    assert not approval.is_stale(proposal)
    page = hr.get(f"/proposals/{proposal.pk}/").content.decode()
    assert "只能退回" not in page and 'value="approve"' in page

    response = hr.post(
        f"/proposals/{proposal.pk}/decide/",
        {"decision": "approve", "comment": "同意", "effective_on": timezone.localdate().isoformat()},
    )

    assert response.status_code == 302 and response.url == f"/positions/{CODE}/"
    position = Position.objects.get(code=CODE)
    assert position.title == "客户服务代表（热线）" and position.approved_by == hr_user
    holders = [(h["employee_number"], h["kind"]) for h in document_of(CODE)["holders"]]
    assert holders == [("E-APR-1", "primary")]  # approving the text kept the holders as they are now
