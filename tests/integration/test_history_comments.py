"""History comments are kept whole, whatever reaches them: what an editor or an approver types (500
characters), what the portal composes around it ("Approved the proposal of <name>."), an import's file
name (255 characters) and a restore's note. Each path is driven through its real entry point, at its limit.

The comment column was varchar(100): PostgreSQL refused the 101st character with a server error (SQLite
does not enforce lengths, so these tests prove the fix on PostgreSQL, as CI runs them).
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.roles import HR_EDITOR
from positions.models import Position, Proposal
from tests.conftest import make_user
from tests.helpers import signed_in as client_for
from tests.integration.test_editor import open_editor
from tests.integration.transfers.test_pages import edited_workbook, rename_and_add, the_job
from transfers.models import Job

CODE = "DPT-YW-03"
EDIT = f"/positions/{CODE}/edit/"
TYPED = ("因热线业务调整而修改岗位名称与职责。" * 28)[:496] + "改动说明"  # 500 characters, the forms' limit
assert len(TYPED) == 500


def latest_comment(code=CODE):
    version = Position.history.filter(code=code).order_by("-history_date", "-history_id").first()
    return version.history_change_reason


def comment_in_the_api(client, code=CODE):
    """The newest version's comment as GET /api/positions/<code>/history/ gives it."""
    response = client.get(f"/api/positions/{code}/history/")
    assert response.status_code == 200
    return response.json()[0]["comment"]


@pytest.fixture
def long_named_proposer(seed):
    """An HR editor who is not an approver, whose name is as long as a login's name may be (150 + 150)."""
    return make_user("p" * 150, HR_EDITOR, is_staff=True, first_name="名" * 150, last_name="姓" * 150)


def propose(user, comment):
    client = client_for(user)
    data = open_editor(client, EDIT)
    data["h-title"] = "客户服务代表（热线）"
    data["change_comment"] = comment
    response = client.post(EDIT, data)
    assert response.status_code == 302, response.status_code
    return Proposal.objects.get(position__code=CODE, status=Proposal.Status.PENDING)


@pytest.mark.parametrize("length", [101, 500])
def test_an_editors_what_changed_is_kept_whole_in_the_history(seed, hr_user, length):
    client = client_for(hr_user)
    data = open_editor(client, EDIT)
    data["h-purpose"] = "新的岗位目的"
    data["change_comment"] = TYPED[:length]

    response = client.post(EDIT, data)

    assert response.status_code == 302
    assert latest_comment() == TYPED[:length]
    assert comment_in_the_api(client) == TYPED[:length]
    assert TYPED[:length] in client.get(f"/positions/{CODE}/history/").content.decode()


@pytest.mark.parametrize(
    ("language", "note"),
    [("zh-hans", "批准了 {name} 的变更申请。"), ("en", "Approved the proposal of {name}.")],
)
def test_an_approvers_comment_of_500_characters_follows_the_longest_authors_name_whole(
    long_named_proposer, hr_user, language, note
):
    proposal = propose(long_named_proposer, TYPED)
    approver = client_for(hr_user, language)

    response = approver.post(
        f"/proposals/{proposal.pk}/decide/", {"decision": "approve", "comment": TYPED, "effective_on": ""}
    )

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.APPROVED and proposal.decision_comment == TYPED
    expected = note.format(name=long_named_proposer.get_full_name()) + " " + TYPED
    assert len(expected) > 800
    # What the portal says is kept apart from what the approver typed (positions/history.py's notes) and
    # composed in the reader's language when shown; both are whole.
    assert latest_comment() == TYPED
    assert comment_in_the_api(approver) == expected


def test_a_restore_through_the_api_proposed_and_approved_with_500_characters_keeps_both_notes(
    seed, proposer_user, hr_user
):
    first = Position.history.filter(code=CODE).order_by("history_date").first()
    author = client_for(hr_user)
    data = open_editor(author, EDIT)
    data["h-purpose"] = "改过的岗位目的"
    assert author.post(EDIT, data).status_code == 302
    proposer = client_for(proposer_user)
    etag = proposer.get(f"/api/positions/{CODE}/")["ETag"]

    response = proposer.post(f"/api/positions/{CODE}/history/{first.history_id}/restore/", HTTP_IF_MATCH=etag)

    assert response.status_code == 202
    proposal = Proposal.objects.get(pk=response.json()["proposal"])
    assert proposal.comment.startswith("恢复为")
    decided = author.post(f"/proposals/{proposal.pk}/decide/", {"decision": "approve", "comment": TYPED})
    assert decided.status_code == 302
    assert latest_comment() == TYPED
    assert comment_in_the_api(author).endswith(" " + TYPED) and "批准了" in comment_in_the_api(author)


def test_a_restore_from_the_history_page_is_commented(seed, hr_user):
    first = Position.history.filter(code=CODE).order_by("history_date").first()
    client = client_for(hr_user)
    data = open_editor(client, EDIT)
    data["h-purpose"] = "改过的岗位目的"
    assert client.post(EDIT, data).status_code == 302
    version = Position.objects.get(code=CODE).version

    response = client.post(f"/positions/{CODE}/history/{first.history_id}/restore/", {"version": str(version)})

    assert response.status_code == 302
    assert latest_comment().startswith("恢复为") and first.history_date.strftime("%Y-%m-%d") in latest_comment()


def test_an_import_of_a_file_with_a_255_character_name_is_recorded_under_the_whole_name(
    seed, hr_user, django_capture_on_commit_callbacks
):
    name = "二〇二六年度运维部岗位说明书修订稿" * 14 + "最终版（人力资源部审定，请勿外传）" + ".xlsx"
    name = name[:250] + ".xlsx"
    assert len(name) == 255
    client = client_for(hr_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/transfers/", {"file": SimpleUploadedFile(name, edited_workbook(rename_and_add))})
    job = the_job(response)
    assert job.status == Job.Status.PREVIEWED, (job.status, job.message)
    assert job.file_name == name

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/transfers/jobs/{job.pk}/confirm/")

    job.refresh_from_db()
    assert job.status == Job.Status.APPLIED, (job.status, job.message)
    assert latest_comment() == f"从 {name} 导入"
    assert name in comment_in_the_api(client)
