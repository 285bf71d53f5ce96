"""The history of job descriptions: one version per position per user action, the history page and its
JSON, restoring a version, and the organisation as it was at an instant (`as_of`).

Time is the test clock's (positions/history.py `clock`): the seed is loaded at 2026-01-10 09:00 in
Shanghai and every later action happens at an instant the test names, so "when" can be asserted.
"""

import datetime
import re
from html import unescape
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db.models import Max
from django.test import Client

from positions import history
from positions.models import Assignment, Position
from positions.services.editing import Save, delete_position, save_documents
from positions.services.moves import move_position
from tests.factories import PersonFactory
from tests.integration.api.test_writing import current_etag, send
from tests.integration.test_editor import FormFields, fill, messages_of, open_editor, save, version_of
from tests.integration.test_editor import row as form_row

SHANGHAI = ZoneInfo("Asia/Shanghai")
SEED_FILE_COMMENT = "load_seed seed_yunwei.json"
REP = "DPT-YW-03"  # 客户服务代表: published, complete, no reports
DUTY_2 = "进行投诉的派单和处理的跟踪工作"  # the second of its duties, as the seed has it
DUTY_2_EDITED = "进行投诉的调度和处理的跟踪工作"
Version = Position.history.model


def shanghai(*args):
    return datetime.datetime(*args, tzinfo=SHANGHAI)


SEEDED = shanghai(2026, 1, 10, 9, 0)


class Clock:
    """What versions are stamped with: stands at `now` until the test moves it."""

    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(SEEDED)
    monkeypatch.setattr(history, "clock", clock)  # monkeypatch puts timezone.now back afterwards
    return clock


@pytest.fixture
def seed(clock, db):
    """The seed organisation, loaded by `manage.py load_seed` at SEEDED (overrides conftest's, whose time is now)."""
    call_command("load_seed", verbosity=0)


@pytest.fixture(autouse=True)
def english(client):
    """Messages and labels are read in English."""
    client.cookies["django_language"] = "en"


def last_id():
    return Version.objects.aggregate(last=Max("history_id"))["last"] or 0


def written_since(mark):
    """(code, type, login, when) of each version written after the version `mark`, by code."""
    return list(
        Version.objects.filter(history_id__gt=mark)
        .order_by("code")
        .values_list("code", "history_type", "history_user__username", "history_date")
    )


def newest(code):
    return history.versions_of(code).first()


# ---------------------------------------------------------------------------------------------------
# Each user action writes one version per position it changed


def test_load_seed_writes_a_created_version_of_every_seed_position_and_a_second_run_none(seed):
    codes = set(Position.objects.values_list("code", flat=True))
    assert len(codes) == 12
    versions = Version.objects.values_list(
        "code", "history_type", "history_user", "history_date", "history_change_reason"
    )
    assert sorted(versions) == sorted((code, "+", None, SEEDED, SEED_FILE_COMMENT) for code in codes)
    assert all(comment.startswith("load_seed") for *_rest, comment in versions)

    mark = last_id()
    call_command("load_seed", verbosity=0)
    assert written_since(mark) == []  # nothing changed, nothing recorded


def test_an_editor_save_writes_one_version_with_the_login_the_time_and_the_comment(hr_client, seed, clock):
    data = open_editor(hr_client, f"/positions/{REP}/edit/")
    fill(data, "duties", 1, text=DUTY_2_EDITED)
    data["change_comment"] = "派单改为调度"
    clock.now = shanghai(2026, 2, 1, 10, 0)
    mark = last_id()

    save(hr_client, f"/positions/{REP}/edit/", data)

    assert written_since(mark) == [(REP, "~", "hannah-hr", shanghai(2026, 2, 1, 10, 0))]
    version = newest(REP)
    assert version.history_change_reason == "派单改为调度"
    assert version.document["duties"][1]["text"] == DUTY_2_EDITED
    assert version.document["version"] == version_of(REP)


def test_an_editor_save_that_changes_nothing_writes_no_version(hr_client, seed):
    data = open_editor(hr_client, f"/positions/{REP}/edit/")
    mark = last_id()

    response = hr_client.post(f"/positions/{REP}/edit/", data, follow=True)

    assert "Nothing had changed." in messages_of(response)
    assert written_since(mark) == []


def test_a_refused_editor_save_writes_no_version(hr_client, seed, clock):
    data = open_editor(hr_client, f"/positions/{REP}/edit/")
    data["h-title"] = ""
    mark = last_id()
    assert hr_client.post(f"/positions/{REP}/edit/", data).status_code == 200  # the form again, with errors
    assert written_since(mark) == []

    stale = open_editor(hr_client, f"/positions/{REP}/edit/")
    with history.acting(comment="someone else"):
        save_documents([Save({"purpose": "受理客户报修。"}, code=REP)])
    mark = last_id()
    fill(stale, "duties", 1, text=DUTY_2_EDITED)
    response = hr_client.post(f"/positions/{REP}/edit/", stale)
    assert "Someone else saved this job description" in " ".join(messages_of(response))
    assert written_since(mark) == []


def test_an_api_patch_writes_one_version_by_the_caller(hr_client, seed, clock):
    clock.now = shanghai(2026, 2, 2, 9, 30)
    mark = last_id()

    response = send(
        hr_client, "patch", f"/api/positions/{REP}/", {"title": "客户服务专员"}, current_etag(hr_client, REP)
    )

    assert response.status_code == 200, response.json()
    assert written_since(mark) == [(REP, "~", "hannah-hr", shanghai(2026, 2, 2, 9, 30))]
    assert newest(REP).document["title"] == "客户服务专员"


def test_a_write_with_a_token_is_recorded_as_the_tokens_user(seed, hr_user, clock):
    out = StringIO()
    call_command("api_token", hr_user.username, stdout=out)
    auth = {"HTTP_AUTHORIZATION": f"Token {out.getvalue().strip().splitlines()[-1]}"}
    script = Client()
    etag = script.get(f"/api/positions/{REP}/", **auth)["ETag"]
    clock.now = shanghai(2026, 2, 2, 9, 45)
    mark = last_id()

    response = send(script, "patch", f"/api/positions/{REP}/", {"purpose": "脚本写入"}, etag, **auth)

    assert response.status_code == 200
    assert written_since(mark) == [(REP, "~", "hannah-hr", shanghai(2026, 2, 2, 9, 45))]


def test_a_refused_api_patch_writes_no_version(hr_client, seed):
    etag = current_etag(hr_client, REP)
    mark = last_id()
    bad = send(
        hr_client, "patch", f"/api/positions/{REP}/", {"kpis": [{"responsibility": "甲", "weight": "abc"}]}, etag
    )
    stale = send(hr_client, "patch", f"/api/positions/{REP}/", {"title": "甲"}, '"999"')
    assert (bad.status_code, stale.status_code) == (400, 412)
    assert written_since(mark) == []


def test_a_move_on_the_page_writes_one_version_of_the_moved_post_only(hr_client, seed, clock):
    clock.now = shanghai(2026, 2, 3, 9, 0)
    mark = last_id()

    assert hr_client.post("/positions/DPT-YW-04/move/", {"superior": "DPT-YW-02", "confirmed": "1"}).status_code == 302

    assert written_since(mark) == [("DPT-YW-04", "~", "hannah-hr", shanghai(2026, 2, 3, 9, 0))]
    assert newest("DPT-YW-04").document["reports_to"] == "DPT-YW-02"


def test_a_refused_move_writes_no_version(hr_client, seed):
    mark = last_id()
    response = hr_client.post("/positions/DPT-YW-04/move/", {"superior": "DPT-YW-N06"})
    assert response.status_code == 200 and "would close the loop" in response.content.decode()
    assert written_since(mark) == []


def test_a_move_through_the_api_writes_one_version(hr_client, seed, clock):
    clock.now = shanghai(2026, 2, 3, 9, 5)
    mark = last_id()
    body = {"reports_to": "DPT-YW-04"}
    response = send(hr_client, "post", f"/api/positions/{REP}/move/", body, current_etag(hr_client, REP))
    assert response.status_code == 200
    assert written_since(mark) == [(REP, "~", "hannah-hr", shanghai(2026, 2, 3, 9, 5))]
    assert newest(REP).document["reports_to"] == "DPT-YW-04"


def test_a_delete_writes_a_deleted_version_of_the_post_and_one_for_each_report_it_moved(hr_client, seed, clock):
    clock.now = shanghai(2026, 2, 4, 9, 0)
    mark = last_id()

    response = hr_client.post(
        "/positions/DPT-YW-05/delete/", {"version": version_of("DPT-YW-05"), "reports_go_to": "DPT-YW-04"}
    )

    assert response.status_code == 302
    when = shanghai(2026, 2, 4, 9, 0)
    assert written_since(mark) == [
        ("DPT-YW-05", "-", "hannah-hr", when),
        ("DPT-YW-N05", "~", "hannah-hr", when),
        ("DPT-YW-N06", "~", "hannah-hr", when),
        ("DPT-YW-N07", "~", "hannah-hr", when),
    ]
    written = Version.objects.filter(history_id__gt=mark)
    assert len({version.action for version in written}) == 1  # one request, one action
    gone = newest("DPT-YW-05")
    assert gone.document["title"] == "技术支持部副经理" and len(gone.document["duties"]) == 5
    assert {newest(code).document["reports_to"] for code in ("DPT-YW-N05", "DPT-YW-N06", "DPT-YW-N07")} == {"DPT-YW-04"}


def test_assigning_and_ending_a_holder_each_write_one_version_with_the_holders_then(hr_client, seed, clock):
    PersonFactory(employee_number="E3001", name="周客服")
    clock.now = shanghai(2026, 2, 5, 9, 0)
    mark = last_id()
    hr_client.post(f"/positions/{REP}/holders/", {"person": "E3001", "kind": "primary", "started_on": ""})
    assert written_since(mark) == [(REP, "~", "hannah-hr", shanghai(2026, 2, 5, 9, 0))]
    assigned = newest(REP)
    assert assigned.document["holders"] == [{"employee_number": "E3001", "name": "周客服", "kind": "primary"}]

    clock.now = shanghai(2026, 2, 6, 9, 0)
    mark = last_id()
    assignment = Assignment.objects.get(person__employee_number="E3001")
    hr_client.post(f"/assignments/{assignment.pk}/end/", {"ended_on": "", "next": f"/positions/{REP}/#holders"})
    assert written_since(mark) == [(REP, "~", "hannah-hr", shanghai(2026, 2, 6, 9, 0))]
    assert newest(REP).document["holders"] == []
    assigned.refresh_from_db()
    assert assigned.document["holders"][0]["name"] == "周客服"  # the earlier version keeps its holder


def admin_form(client, url):
    """What the admin change page's form would send."""
    html = client.get(url).content.decode()
    start = html.rindex("<form", 0, html.index('id="position_form"'))
    fields = FormFields()
    fields.state = "inside"  # FormFields looks for the editor's form; this slice starts at the admin's
    fields.feed(html[start:])
    return fields.fields


def test_a_change_in_the_django_admin_writes_one_version(client, seed, admin_user, clock):
    client.force_login(admin_user)
    url = f"/admin/positions/position/{Position.objects.get(code=REP).pk}/change/"
    data = admin_form(client, url)
    data["title"] = "客服代表（管理端）"
    clock.now = shanghai(2026, 2, 7, 9, 0)
    mark = last_id()

    assert client.post(url, data).status_code == 302

    assert written_since(mark) == [(REP, "~", "alice-admin", shanghai(2026, 2, 7, 9, 0))]
    assert newest(REP).document["title"] == "客服代表（管理端）"


def test_a_delete_in_the_django_admin_writes_a_deleted_version(client, seed, admin_user, clock):
    client.force_login(admin_user)
    clock.now = shanghai(2026, 2, 8, 9, 0)
    mark = last_id()
    url = f"/admin/positions/position/{Position.objects.get(code='DPT-YW-N03').pk}/delete/"

    assert client.post(url, {"post": "yes"}).status_code == 302

    assert written_since(mark) == [("DPT-YW-N03", "-", "alice-admin", shanghai(2026, 2, 8, 9, 0))]
    assert newest("DPT-YW-N03").document["title"] == "辅助采购助理"


def test_a_delete_in_the_django_admin_writes_a_version_of_each_post_that_pointed_at_it(client, seed, admin_user, clock):
    clock.now = shanghai(2026, 1, 20, 9, 0)
    with history.acting(admin_user):
        save_documents([Save({"dotted_reports_to": ["DPT-YW-N03"]}, code="DPT-YW-N04")])
    client.force_login(admin_user)
    clock.now = shanghai(2026, 2, 8, 9, 0)
    mark = last_id()

    client.post(f"/admin/positions/position/{Position.objects.get(code='DPT-YW-N03').pk}/delete/", {"post": "yes"})

    assert [code for code, *_rest in written_since(mark)] == ["DPT-YW-N03", "DPT-YW-N04"]
    assert history.document_as_of("DPT-YW-N04", shanghai(2026, 2, 9))["dotted_reports_to"] == []


def test_an_earlier_version_keeps_the_rows_as_they_were(hr_client, seed, clock):
    first = newest(REP)
    data = open_editor(hr_client, f"/positions/{REP}/edit/")
    fill(data, "duties", 1, text=DUTY_2_EDITED)
    fill(data, "kpis", 0, standard="用语规范")
    clock.now = shanghai(2026, 2, 1, 10, 0)
    save(hr_client, f"/positions/{REP}/edit/", data)

    first.refresh_from_db()
    assert first.document["duties"][1] == {"text": DUTY_2, "share": None}
    assert first.document["kpis"][0]["standard"] == "用语规范、接听及时、记录完整"
    edited = newest(REP).document
    assert edited["duties"][1]["text"] == DUTY_2_EDITED and edited["kpis"][0]["standard"] == "用语规范"
    assert [row["text"] for row in edited["duties"]] == [
        form_row(data, "duties", i)["text"] for i in range(5)
    ]  # every other row as it was


# ---------------------------------------------------------------------------------------------------
# The history page and its JSON


@pytest.fixture
def edited(hr_client, seed, clock):
    """DPT-YW-03 edited twice by hannah-hr: a duty on 1 Feb (with a comment), its title on 2 Feb."""
    data = open_editor(hr_client, f"/positions/{REP}/edit/")
    fill(data, "duties", 1, text=DUTY_2_EDITED)
    data["change_comment"] = "派单改为调度"
    clock.now = shanghai(2026, 2, 1, 10, 0)
    save(hr_client, f"/positions/{REP}/edit/", data)
    clock.now = shanghai(2026, 2, 2, 10, 0)
    send(hr_client, "patch", f"/api/positions/{REP}/", {"title": "客户服务专员"}, current_etag(hr_client, REP))
    return list(history.versions_of(REP))  # newest first


def version_table(html):
    """The cells of each row of the page's versions table, as text."""
    body = html.split('<table class="versions">', 1)[1].split("</tbody>", 1)[0].split("<tbody>", 1)[1]
    return [
        [unescape(re.sub(r"<[^>]+>|\s+", " ", cell)).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
        for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def test_the_history_page_lists_versions_newest_first_with_who_the_comment_and_what_changed(
    client, viewer_user, edited
):
    client.force_login(viewer_user)

    response = client.get(f"/positions/{REP}/history/")

    assert response.status_code == 200
    rows = [cells[:5] for cells in version_table(response.content.decode())]
    assert rows == [
        ["3", "2026-02-02 10:00:00", "hannah-hr", "", "position title"],
        ["2", "2026-02-01 10:00:00", "hannah-hr", "派单改为调度", "duties"],
        ["1", "2026-01-10 09:00:00", "system", SEED_FILE_COMMENT, "Created"],
    ]


def test_comparing_two_versions_shows_the_changed_chinese_line_character_by_character(hr_client, edited):
    title_change, duty_change, seeded = edited

    html = hr_client.get(f"/positions/{REP}/history/", {"a": seeded.history_id, "b": duty_change.history_id})

    assert "Changes from 2026-01-10 09:00:00 to 2026-02-01 10:00:00:" in html.content.decode()
    assert '<td colspan="2" class="chars">进行投诉的<del>派单</del><ins>调度</ins>和处理的跟踪工作</td>' in (
        html.content.decode()
    )
    assert "客户服务专员" not in html.content.decode().split('<table class="diff">')[1]  # the later title is not in it
    newest_first = hr_client.get(f"/positions/{REP}/history/").content.decode().split('<table class="diff">')[1]
    assert "<td>客户服务代表</td><td>客户服务专员</td>" in newest_first  # by default: the newest against the one before


def test_the_changes_of_one_version_are_against_the_version_just_before_it(hr_client, edited):
    _title_change, duty_change, _seeded = edited

    html = hr_client.get(f"/positions/{REP}/history/", {"b": duty_change.history_id}).content.decode()

    assert "Changes from 2026-01-10 09:00:00 to 2026-02-01 10:00:00:" in html
    assert "<del>派单</del><ins>调度</ins>" in html.split('<table class="diff">')[1]


def test_each_version_on_the_history_page_opens_the_card_as_it_was(hr_client, edited):
    html = hr_client.get(f"/positions/{REP}/history/").content.decode()
    links = [unescape(href) for href in re.findall(r'<a href="([^"]*)">View</a>', html)]

    assert len(links) == 3 and all(href.startswith(f"/positions/{REP}/?as_of=") for href in links)
    cards = [hr_client.get(href).content.decode() for href in links]
    assert ["客户服务专员" in card for card in cards] == [True, False, False]
    assert [DUTY_2_EDITED in card for card in cards] == [True, True, False]
    assert DUTY_2 in cards[2]


def test_the_history_of_a_draft_is_hidden_from_a_viewer(client, hr_user, viewer_user, seed):
    with history.acting(hr_user):
        save_documents([Save({"status": "draft"}, code=REP)])
    client.force_login(viewer_user)
    assert client.get(f"/positions/{REP}/history/").status_code == 404
    assert client.get(f"/api/positions/{REP}/history/").status_code == 404
    client.force_login(hr_user)
    assert client.get(f"/positions/{REP}/history/").status_code == 200


def test_a_viewer_does_not_read_a_draft_version_in_the_history(client, hr_user, viewer_user, seed, clock):
    with history.acting(hr_user):
        clock.now = shanghai(2026, 2, 1, 9, 0)
        save_documents([Save({"status": "draft", "purpose": "草稿：客服并入技术支持部"}, code=REP)])
    with history.acting(hr_user):
        clock.now = shanghai(2026, 2, 2, 9, 0)
        save_documents([Save({"status": "published", "purpose": "受理客户报修与投诉。"}, code=REP)])
    client.force_login(viewer_user)
    assert client.get(f"/positions/{REP}/", {"as_of": "2026-02-01"}).status_code == 404  # the draft, as of then

    page = client.get(f"/positions/{REP}/history/")

    assert page.status_code == 200
    assert "草稿：客服并入技术支持部" not in page.content.decode()


def diff_rows(html):
    """The rows of the page's diff table as text (a row's other columns read with the row's label)."""
    table = html.split('<table class="diff">', 1)[1].split("</table>", 1)[0].split("</thead>", 1)[1]
    return [
        [
            " ".join(unescape(re.sub(r"<[^>]+>", " ", cell)).split())
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)
        ]
        for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)
    ]


def test_the_history_diff_never_names_a_draft_post_to_a_reader_who_may_not_see_drafts(
    client, hr_user, viewer_user, manager_user, clock
):
    with history.acting(hr_user):
        clock.now = shanghai(2026, 2, 1, 9, 0)
        save_documents([Save({"status": "draft", "title": "秘密重组岗位"}, code="DPT-YW-N03")])
        clock.now = shanghai(2026, 2, 2, 9, 0)
        save_documents([Save({"dotted_reports_to": ["DPT-YW-N03", "DPT-YW-04"]}, code=REP)])

    for reader in (viewer_user, manager_user):
        client.force_login(reader)
        page = client.get(f"/positions/{REP}/history/").content.decode()
        # A hidden post is left out of the reader's versions (positions/visibility.py), so not even its
        # existence shows: the dotted line to DPT-YW-04 is all that changed for them.
        assert ["dotted-line superiors", "—", "技术支持部经理 (DPT-YW-04)"] in diff_rows(page)
        assert "DPT-YW-N03" not in page and "秘密重组岗位" not in page
    client.force_login(hr_user)
    page = client.get(f"/positions/{REP}/history/").content.decode()
    assert ["dotted-line superiors", "—", "秘密重组岗位 (DPT-YW-N03)、技术支持部经理 (DPT-YW-04)"] in diff_rows(page)


def test_the_history_diff_shows_every_column_of_a_changed_row_with_labels_and_values_as_on_the_card(
    client, viewer_user, hr_user, seed, clock
):
    kpis = [dict(kpi) for kpi in newest(REP).document["kpis"]]
    kpis[0].update(weight=30, cycle="monthly")
    kpis[1].update(weight=40)
    with history.acting(hr_user):
        clock.now = shanghai(2026, 2, 1, 9, 0)
        save_documents([Save({"kpis": kpis, "department": "YW-JS", "has_description": True}, code=REP)])
    client.force_login(viewer_user)

    rows = diff_rows(client.get(f"/positions/{REP}/history/").content.decode())

    assert ["department", "客户服务部", "技术支持部"] in rows
    first = rows.index(["KPIs · row 1 changed", "接听和记录客户的24小时电话报修和投诉情况"])
    assert rows[first + 1 : first + 4] == [
        ["KPIs · row 1 changed · weight", "40%", "30%"],
        ["KPIs · row 1 changed · performance standard", "用语规范、接听及时、记录完整", "用语规范、接听及时、记录完整"],
        ["KPIs · row 1 changed · assessment cycle", "—", "Monthly (月度)"],
    ]
    assert ["KPIs · row 2 changed · weight", "30%", "40%"] in rows


def test_the_json_history_gives_each_version_newest_first(hr_client, edited):
    response = hr_client.get(f"/api/positions/{REP}/history/")

    assert response.status_code == 200
    versions = response.json()
    assert [list(version) for version in versions] == [["id", "at", "by", "comment", "summary", "version", "type"]] * 3
    assert versions == [
        {
            "id": edited[0].history_id,
            "at": "2026-02-02T10:00:00.000+08:00",
            "by": "hannah-hr",
            "comment": "",
            "summary": "position title",
            "version": 3,
            "type": "changed",
        },
        {
            "id": edited[1].history_id,
            "at": "2026-02-01T10:00:00.000+08:00",
            "by": "hannah-hr",
            "comment": "派单改为调度",
            "summary": "duties",
            "version": 2,
            "type": "changed",
        },
        {
            "id": edited[2].history_id,
            "at": "2026-01-10T09:00:00.000+08:00",
            "by": None,
            "comment": SEED_FILE_COMMENT,
            "summary": "Created",
            "version": 1,
            "type": "created",
        },
    ]


def test_the_history_of_a_deleted_post_stays_readable_and_an_unknown_code_is_404(hr_client, seed, clock):
    clock.now = shanghai(2026, 3, 1, 10, 0)
    hr_client.post("/positions/DPT-YW-N03/delete/", {"version": version_of("DPT-YW-N03")})

    types = [version["type"] for version in hr_client.get("/api/positions/DPT-YW-N03/history/").json()]
    assert types == ["deleted", "created"]
    page = hr_client.get("/positions/DPT-YW-N03/history/")
    assert page.status_code == 200 and '<span class="badge">deleted</span>' in page.content.decode()
    unknown = hr_client.get("/api/positions/NO-SUCH/history/")
    assert unknown.status_code == 404 and unknown.json()["detail"]
    assert hr_client.get("/positions/NO-SUCH/history/").status_code == 404


# ---------------------------------------------------------------------------------------------------
# Restoring a version


def job_description(document):
    """A version's document less its version number: what a restore must bring back."""
    return {key: value for key, value in document.items() if key != "version"}


def test_restoring_on_the_page_writes_a_new_version_holding_the_old_job_description(hr_client, edited, clock):
    seeded = edited[-1]
    clock.now = shanghai(2026, 2, 3, 10, 0)
    mark = last_id()

    response = hr_client.post(f"/positions/{REP}/history/{seeded.history_id}/restore/", follow=True)

    assert response.redirect_chain == [(f"/positions/{REP}/history/", 302)]
    assert f"{REP} is restored to the chosen version." in messages_of(response)
    assert written_since(mark) == [(REP, "~", "hannah-hr", shanghai(2026, 2, 3, 10, 0))]
    restored = newest(REP)
    assert restored.history_change_reason == "Restored the version of 2026-01-10 09:00:00."
    assert job_description(restored.document) == job_description(seeded.document)
    assert restored.document["version"] == 4 and version_of(REP) == 4


def test_restoring_through_the_api_answers_with_the_restored_document(hr_client, edited):
    seeded = edited[-1]
    mark = last_id()

    url = f"/api/positions/{REP}/history/{seeded.history_id}/restore/"
    assert hr_client.post(url).status_code == 428  # If-Match: the post's ETag, as for every write

    response = send(hr_client, "post", url, None, current_etag(hr_client, REP))

    assert response.status_code == 200
    assert response.json()["title"] == "客户服务代表" and response["ETag"] == '"4"'
    assert response.json()["duties"][1]["text"] == DUTY_2
    assert [(code, kind, by) for code, kind, by, _when in written_since(mark)] == [(REP, "~", "hannah-hr")]
    assert job_description(newest(REP).document) == job_description(seeded.document)


def refusal_of(response):
    assert response.status_code == 200
    (message,) = messages_of(response)
    return message


def test_a_restore_under_a_superior_deleted_since_is_refused_and_saves_nothing(hr_client, seed, clock):
    seeded = newest("DPT-YW-N05")  # reports to DPT-YW-05
    clock.now = shanghai(2026, 2, 1, 10, 0)
    delete_position("DPT-YW-05", reports_go_to="DPT-YW-04")
    before, mark = Position.objects.get(code="DPT-YW-N05").version, last_id()

    page = hr_client.post(f"/positions/DPT-YW-N05/history/{seeded.history_id}/restore/", follow=True)
    api = send(hr_client, "post", f"/api/positions/DPT-YW-N05/history/{seeded.history_id}/restore/", None, "*")

    message = refusal_of(page)
    assert message.startswith("This version cannot be restored: direct superior:") and "DPT-YW-05" in message
    assert api.status_code == 400 and "DPT-YW-05" in " ".join(api.json()["reports_to"])
    assert written_since(mark) == []
    position = Position.objects.get(code="DPT-YW-N05")
    assert (position.parent.code, position.version) == ("DPT-YW-04", before)


def test_a_restore_that_would_close_a_loop_is_refused_and_saves_nothing(hr_client, seed, clock):
    seeded = newest("DPT-YW-04")  # reports to DPT-YW-01
    clock.now = shanghai(2026, 2, 1, 10, 0)
    move_position("DPT-YW-04", "DPT-YW-N01")
    move_position("DPT-YW-01", "DPT-YW-05")  # now DPT-YW-01 is under DPT-YW-04
    mark = last_id()

    page = hr_client.post(f"/positions/DPT-YW-04/history/{seeded.history_id}/restore/", follow=True)
    api = send(hr_client, "post", f"/api/positions/DPT-YW-04/history/{seeded.history_id}/restore/", None, "*")

    loop = (
        "DPT-YW-04 cannot report to DPT-YW-01: that would close the loop DPT-YW-04 → DPT-YW-05 → DPT-YW-01 → DPT-YW-04."
    )
    assert refusal_of(page) == f"This version cannot be restored: direct superior: {loop}"
    assert api.status_code == 400 and api.json()["reports_to"] == [loop]
    assert written_since(mark) == []
    assert Position.objects.get(code="DPT-YW-04").parent.code == "DPT-YW-N01"


def test_a_deleted_post_brought_back_keeps_its_earlier_versions(hr_client, seed, clock):
    clock.now = shanghai(2026, 3, 1, 10, 0)
    delete_position("DPT-YW-N03")
    (deleted, seeded) = history.versions_of("DPT-YW-N03")
    clock.now = shanghai(2026, 3, 2, 10, 0)

    response = hr_client.post(f"/api/positions/DPT-YW-N03/history/{seeded.history_id}/restore/")

    assert response.status_code == 200 and response.json()["title"] == "辅助采购助理"
    types = [version["type"] for version in hr_client.get("/api/positions/DPT-YW-N03/history/").json()]
    assert types == ["created", "deleted", "created"]


# ---------------------------------------------------------------------------------------------------
# The organisation as of an instant

RENAMED = shanghai(2026, 2, 1, 0, 30, 0, 250_700)  # stamped at 00:30:00.250: versions keep milliseconds
N03_DELETED = shanghai(2026, 3, 1, 10, 0)
N08_CREATED = shanghai(2026, 3, 5, 10, 0)


@pytest.fixture
def timeline(seed, hr_user, clock):
    """Seeded on 10 Jan; DPT-YW-03 renamed 客户服务专员 early on 1 Feb (still 31 Jan in UTC); DPT-YW-N03
    deleted on 1 Mar; DPT-YW-N08 客户回访专员, a draft under DPT-YW-02, created on 5 Mar."""
    with history.acting(hr_user):
        clock.now = RENAMED
        save_documents([Save({"title": "客户服务专员"}, code=REP)])
    with history.acting(hr_user):
        clock.now = N03_DELETED
        delete_position("DPT-YW-N03")
    with history.acting(hr_user):
        clock.now = N08_CREATED
        document = {"code": "DPT-YW-N08", "title": "客户回访专员", "reports_to": "DPT-YW-02", "status": "draft"}
        save_documents([Save(document)])
    clock.now = shanghai(2026, 4, 1, 9, 0)


def api_as_of(client, code, as_of):
    return client.get(f"/api/positions/{code}/", {"as_of": as_of})


def test_as_of_a_day_the_api_gives_the_job_description_of_that_day(hr_client, timeline):
    before = api_as_of(hr_client, REP, "2026-01-31")
    after = api_as_of(hr_client, REP, "2026-02-01")

    assert before.status_code == 200 and before.json()["title"] == "客户服务代表"
    assert before.json()["as_of"] == "2026-01-31T23:59:59.999999+08:00"
    assert after.json()["title"] == "客户服务专员"
    assert hr_client.get(f"/api/positions/{REP}/").json()["title"] == "客户服务专员"


def test_a_day_ends_at_midnight_in_shanghai_not_in_utc(hr_client, timeline):
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert RENAMED.astimezone(datetime.UTC).date() == datetime.date(2026, 1, 31)  # the rename is on 31 Jan in UTC
    assert history.parse_as_of("2026-01-31") == shanghai(2026, 1, 31, 23, 59, 59, 999_999)

    assert api_as_of(hr_client, REP, "2026-01-31").json()["title"] == "客户服务代表"


def test_the_at_of_a_version_in_the_json_history_names_that_version_exactly(hr_client, timeline):
    at = hr_client.get(f"/api/positions/{REP}/history/").json()[0]["at"]
    assert at == "2026-02-01T00:30:00.250+08:00"

    assert api_as_of(hr_client, REP, at).json()["title"] == "客户服务专员"
    assert api_as_of(hr_client, REP, "2026-02-01T00:30:00.249+08:00").json()["title"] == "客户服务代表"
    assert api_as_of(hr_client, REP, "2026-01-31T16:30:00.250Z").json()["title"] == "客户服务专员"
    assert api_as_of(hr_client, REP, "2026-02-01T00:30:00.250").json()["title"] == "客户服务专员"  # no zone: Shanghai


def test_a_deleted_post_is_there_until_its_deletion_and_a_later_post_only_from_its_creation(hr_client, timeline):
    assert api_as_of(hr_client, "DPT-YW-N03", "2026-02-28").json()["title"] == "辅助采购助理"
    assert api_as_of(hr_client, "DPT-YW-N03", "2026-03-01T09:59:59.999+08:00").status_code == 200
    assert api_as_of(hr_client, "DPT-YW-N03", "2026-03-01").status_code == 404
    assert hr_client.get("/api/positions/DPT-YW-N03/").status_code == 404
    assert api_as_of(hr_client, "DPT-YW-N08", "2026-03-04").status_code == 404
    assert api_as_of(hr_client, "DPT-YW-N08", "2026-03-05").json()["reports_to"] == "DPT-YW-02"
    superior_then = api_as_of(hr_client, "DPT-YW-02", "2026-03-04").json()["direct_reports"]
    superior_later = api_as_of(hr_client, "DPT-YW-02", "2026-03-05").json()["direct_reports"]
    assert (superior_then, superior_later) == ([REP], [REP, "DPT-YW-N08"])


CHART_ORDER = ["DPT-YW-N01", "DPT-YW-01", "DPT-YW-02", REP, "DPT-YW-04", "DPT-YW-05", "DPT-YW-N05", "DPT-YW-N06",
               "DPT-YW-N07", "DPT-YW-N04", "DPT-YW-N02", "DPT-YW-N03"]  # fmt: skip


def test_the_list_as_of_pages_through_the_organisation_then_in_chart_order(hr_client, timeline):
    pages = [hr_client.get("/api/positions/", {"as_of": "2026-02-15", "page_size": 5, "page": n}) for n in (1, 2, 3)]

    assert [page.status_code for page in pages] == [200] * 3
    first = pages[0].json()
    assert (first["count"], first["pages"], first["as_of"]) == (12, 3, "2026-02-15T23:59:59.999999+08:00")
    assert [d["code"] for page in pages for d in page.json()["results"]] == CHART_ORDER
    assert first["results"][3]["title"] == "客户服务专员"
    assert hr_client.get("/api/positions/", {"as_of": "2026-02-15", "page": 4}).status_code == 404
    later = hr_client.get("/api/positions/", {"as_of": "2026-03-06", "page_size": 50}).json()
    assert "DPT-YW-N03" not in [d["code"] for d in later["results"]] and later["count"] == 12
    drafts = hr_client.get("/api/positions/", {"as_of": "2026-03-06", "status": "draft"}).json()
    assert [d["code"] for d in drafts["results"]] == ["DPT-YW-N08"]


def test_the_list_page_as_of_shows_the_positions_of_that_day_with_a_banner(hr_client, viewer_user, timeline):
    page = hr_client.get("/positions/", {"as_of": "2026-02-15"}).content.decode()
    assert 'class="as-of"' in page and "2026-02-15 23:59:59" in page
    assert "客户服务专员" in page and "DPT-YW-N03" in page and "DPT-YW-N08" not in page
    assert f"/positions/{REP}/?as_of=2026-02-15T23%3A59%3A59.999999%2B08%3A00" in page  # rows lead to the past
    found = hr_client.get("/positions/", {"as_of": "2026-03-06", "q": "回访"}).content.decode()
    assert "DPT-YW-N08" in found and "DPT-YW-N03" not in found
    viewer = Client()
    viewer.force_login(viewer_user)
    hidden = viewer.get("/positions/", {"as_of": "2026-03-06", "q": "回访"}).content.decode()
    assert "DPT-YW-N08" not in hidden  # a draft then is not shown to a Viewer
    assert hr_client.get("/positions/", {"as_of": "2026-01-09"}).status_code == 400


def test_the_list_as_of_refuses_the_other_filters(hr_client, timeline):
    response = hr_client.get("/api/positions/", {"as_of": "2026-02-15", "q": "经理", "department": "YW"})
    assert response.status_code == 400
    assert response.json() == {
        "department": ["This filter cannot be combined with as_of."],
        "q": ["This filter cannot be combined with as_of."],
    }


@pytest.mark.parametrize(
    ("value", "says"),
    [
        (
            "2026-01-09",
            "The history starts at 2026-01-10 09:00:00; there is nothing to show as of 2026-01-09 23:59:59.",
        ),
        ("2026-01-10T08:59:59+08:00", "The history starts at 2026-01-10 09:00:00"),
        ("2026-02-30", "“2026-02-30” is not a date (YYYY-MM-DD) or an ISO 8601 time"),
        ("last tuesday", "“last tuesday” is not a date (YYYY-MM-DD) or an ISO 8601 time"),
    ],
)
def test_an_as_of_the_history_cannot_answer_is_a_400_saying_why(hr_client, timeline, value, says):
    detail = api_as_of(hr_client, REP, value)
    listing = hr_client.get("/api/positions/", {"as_of": value})
    card = hr_client.get(f"/positions/{REP}/", {"as_of": value})
    chart = hr_client.get("/org/", {"as_of": value})

    for response in (detail, listing):
        assert response.status_code == 400 and list(response.json()) == ["as_of"]
        assert response.json()["as_of"][0].startswith(says)
    for response in (card, chart):
        assert response.status_code == 400
        html = unescape(response.content.decode())
        assert "No organisation at that time" in html and says in html


BOX = re.compile(
    r'<div class="box[^"]*" data-code="([^"]+)"><span class="code">[^<]*</span> '
    r'<(?:a|span) class="title"(?: href="([^"]*)")?>([^<]*)<'
)


def boxes(response):
    """{code: (title, link to its card)} of the chart's boxes."""
    assert response.status_code == 200
    return {code: (unescape(title), unescape(href)) for code, href, title in BOX.findall(response.content.decode())}


def test_the_chart_as_of_shows_a_banner_and_the_boxes_of_that_day(hr_client, timeline):
    response = hr_client.get("/org/", {"as_of": "2026-01-20"})

    html = response.content.decode()
    assert "As of 2026-01-20 23:59:59: the organisation as it was then." in html
    then = boxes(response)
    assert set(then) == set(CHART_ORDER)  # DPT-YW-N03 still there, DPT-YW-N08 not yet
    title, card = then[REP]
    assert title == "客户服务代表" and card.startswith(f"/positions/{REP}/?as_of=")
    assert 'class="move"' not in html  # the past cannot be rearranged
    followed = hr_client.get(card).content.decode()
    assert "<h1" in followed and "客户服务代表" in followed and "As of 2026-01-20 23:59:59" in followed

    later = boxes(hr_client.get("/org/", {"as_of": "2026-03-06"}))
    assert set(later) == set(CHART_ORDER) - {"DPT-YW-N03"} | {"DPT-YW-N08"}
    assert later[REP][0] == "客户服务专员"


def test_a_part_of_the_chart_as_of_holds_the_reports_of_that_day(hr_client, timeline):
    assert set(boxes(hr_client.get("/org/DPT-YW-02/", {"as_of": "2026-01-20"}))) == {"DPT-YW-02", REP}
    assert set(boxes(hr_client.get("/org/DPT-YW-02/", {"as_of": "2026-03-06"}))) == {"DPT-YW-02", REP, "DPT-YW-N08"}
    assert hr_client.get("/org/DPT-YW-N08/", {"as_of": "2026-01-20"}).status_code == 404


def test_the_card_as_of_shows_the_post_as_it_was_with_a_banner_and_no_edit_actions(hr_client, timeline):
    current = hr_client.get(f"/positions/{REP}/").content.decode()
    assert f"/positions/{REP}/edit/" in current and 'id="holders"' in current

    response = hr_client.get(f"/positions/{REP}/", {"as_of": "2026-01-20"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "As of 2026-01-20 23:59:59: this is the job description as it was then." in html
    assert "客户服务代表" in html and "客户服务专员" not in html
    assert f"/positions/{REP}/edit/" not in html and 'id="holders"' not in html
    assert DUTY_2 in html


def test_the_card_of_a_deleted_post_as_of_before_its_deletion(hr_client, timeline):
    response = hr_client.get("/positions/DPT-YW-N03/", {"as_of": "2026-02-15"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "辅助采购助理" in html and "As of 2026-02-15 23:59:59" in html
    assert "Show the current one" not in html  # there is none
    assert hr_client.get("/positions/DPT-YW-N03/", {"as_of": "2026-03-02"}).status_code == 404


def test_the_card_as_of_lists_the_reports_of_that_day(hr_client, timeline):
    def reports(as_of):
        html = hr_client.get("/positions/DPT-YW-02/", {"as_of": as_of}).content.decode()
        return unescape(re.sub(r"<[^>]+>", "", html.split('class="jd-reports">', 1)[1].split("</td>", 1)[0]))

    assert "客户服务代表" in reports("2026-01-20") and "客户回访专员" not in reports("2026-03-04")
    assert "客户服务专员" in reports("2026-03-06") and "客户回访专员" in reports("2026-03-06")


def test_two_actions_within_one_millisecond_leave_only_the_later_version_as_of_then(seed, hr_user, clock):
    for microsecond, title in ((100, "甲"), (900, "乙")):
        clock.now = shanghai(2026, 4, 1, 9, 0, 0, microsecond)
        with history.acting(hr_user):
            save_documents([Save({"title": title}, code=REP)])

    documents = history.documents_as_of(shanghai(2026, 4, 1, 9, 0, 1))

    assert [d["title"] for d in documents if d["code"] == REP] == ["乙"]


@pytest.mark.parametrize("value", ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+14:00", "2026-02-30", "x" * 5000])
def test_as_of_values_at_the_edges_of_the_calendar_are_a_400_not_a_server_error(hr_client, seed, value):
    for url in ("/api/positions/", f"/api/positions/{REP}/", "/org/", f"/positions/{REP}/", "/positions/"):
        assert hr_client.get(url, {"as_of": value}).status_code == 400, url


def test_the_audit_log_refuses_dates_out_of_range_without_a_server_error(admin_client, seed):
    for params in ({"until": "9999-12-31"}, {"since": "0001-01-01"}, {"since": "0001-01-01", "format": "csv"}):
        assert admin_client.get("/audit/", params).status_code == 200


def test_after_a_superior_is_renamed_the_as_of_card_names_it_as_the_chart_does(hr_client, seed, clock):
    clock.now = shanghai(2026, 4, 1, 9, 0)
    save_documents([Save({"code": "DPT-YW-N01X"}, code="DPT-YW-N01")])
    clock.now = shanghai(2026, 4, 2, 9, 0)
    now = "2026-11-30"
    chart = hr_client.get("/org/", {"as_of": now}).content.decode()
    superior = [d for d in hr_client.get("/api/positions/", {"as_of": now, "page_size": 50}).json()["results"]]
    children = [d["code"] for d in superior if d["reports_to"] == "DPT-YW-N01X"]
    assert "DPT-YW-N01X" in chart and children
    assert all(d["reports_to"] != "DPT-YW-N01" for d in superior)
