"""An unannounced reorganisation does not leak: a Viewer and a Manager never see a draft post, its
title, its code, its holder or a department that holds only drafts, on any page, file or API answer.

The leak test enumerates every URL pattern of the portal, so a new page is covered by default: a
pattern whose parameters it does not know how to fill fails the test until it is taught. Each URL is
fetched with the queries people use (a search for the secret title and for the holder's name, as
of today, every level), redirects are followed (a large chart PDF becomes a job), and every answer
is read as its reader gets it: HTML, JSON, SVG, the text of a PDF, the cells of a workbook.

The rest checks the decision of positions/visibility.py: a published post whose superior is a draft
hangs under the nearest readable superior, marked, on the chart, the diagram, the card, the list, the
API and as of a date; editors keep seeing the draft where it is.
"""

import io
import json
import re
import subprocess
from datetime import date

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from org_tree.models import Department
from positions.models import Assignment, Person, Position, Proposal
from positions.services.editing import Save, save_documents
from transfers import importing, jobs
from transfers.models import Job
from transfers.reading import read_upload

SECRET_CODE = "ZQX-7"
SECRET_TITLE = "机密筹建岗位甲"
SECRET_HOLDER = "保密人员乙"
SECRET_NUMBER = "SEC-901"
SECRET_DEPARTMENT = "机密筹建部"
ROSTER_TITLE = "机密协调员丁"
ROSTER_PERSON = "名册人员丙"
ROSTER_DEPARTMENT = "机密后勤部"
SECRETS = (SECRET_CODE, SECRET_TITLE, SECRET_HOLDER, SECRET_NUMBER, SECRET_DEPARTMENT, ROSTER_TITLE, ROSTER_PERSON,
           ROSTER_DEPARTMENT)  # fmt: skip


def roster_workbook():
    """A 花名册 as another HR system writes it: one newcomer under the manager of DPT-YW-04 (E0004)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "花名册"
    sheet.append(["工号", "姓名", "岗位", "部门", "直接上级工号"])
    sheet.append(["R-901", ROSTER_PERSON, ROSTER_TITLE, ROSTER_DEPARTMENT, "E0004"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def reorganisation(seed, manager_user, viewer_user, proposer_user, hr_user):
    """A draft post ZQX-7 slipped in between DPT-YW-04 and its deputy DPT-YW-05, in a department of its
    own, held by someone, named by a dotted line and a career path; and a roster's derived draft post."""
    js = Department.objects.get(code="YW-JS")
    Department.objects.create(code="DSEC", name=SECRET_DEPARTMENT, parent=js)
    save_documents(
        [
            Save(
                {
                    "code": SECRET_CODE,
                    "title": SECRET_TITLE,
                    "department": "DSEC",
                    "reports_to": "DPT-YW-04",
                    "status": "draft",
                    "purpose": "筹建新的业务单元。",
                }
            )
        ]
    )
    save_documents(
        [
            Save({"reports_to": SECRET_CODE}, code="DPT-YW-05"),
            Save({"dotted_reports_to": [SECRET_CODE]}, code="DPT-YW-03"),
            Save({"career": {"promotes_to": [SECRET_CODE], "rotates_with": []}}, code="DPT-YW-02"),
        ],
        require_complete_to_publish=False,
    )
    holder = Person.objects.create(employee_number=SECRET_NUMBER, name=SECRET_HOLDER)
    Assignment.objects.create(person=holder, position=Position.objects.get(code=SECRET_CODE))
    # A roster imported by a plain HR editor: its derived post is a draft, in a new department.
    report = importing.apply(read_upload("花名册.xlsx", roster_workbook()), proposer_user)
    assert not report.errors
    derived = Position.objects.get(title=ROSTER_TITLE)
    assert derived.status == Position.Status.DRAFT and derived.department.name == ROSTER_DEPARTMENT
    # A change to the draft waiting for approval, and the whole chart as a PDF each reader had the worker make.
    Proposal.objects.create(
        position=derived, document={"code": derived.code}, base_version=derived.version, author=proposer_user
    )
    for reader in (viewer_user, manager_user):
        job = jobs.start_chart_export(reader, None)
        jobs.run(job.pk)
        assert Job.objects.get(pk=job.pk).status == Job.Status.DONE
    return derived


# ---------------------------------------------------------------------------------------------
# Every URL pattern, filled


def routes(patterns=None, prefix=""):
    """The route of every URL pattern but the Django admin's (readers are not staff: one check below)."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            yield from routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")


def values(world):
    """What each URL parameter is tried with: the secret post, its neighbours and everything tied to them."""
    from positions import history

    codes = [SECRET_CODE, world.code, "DPT-YW-04", "DPT-YW-05", "DPT-YW-03", "DPT-YW-02"]
    versions = list(history.versions_of("DPT-YW-05").values_list("history_id", flat=True)[:3]) + list(
        history.versions_of(SECRET_CODE).values_list("history_id", flat=True)[:1]
    )
    return {
        "code": codes,
        "number": [SECRET_NUMBER, "R-901", "E0004"],
        "version_id": versions,
        "pk": sorted(
            {
                *Person.objects.filter(employee_number__in=[SECRET_NUMBER, "R-901"]).values_list("pk", flat=True),
                *Assignment.objects.filter(position__status="draft").values_list("pk", flat=True),
                *Proposal.objects.values_list("pk", flat=True),
                *Job.objects.values_list("pk", flat=True),
            }
        ),
    }


# Searches use part of each secret, so that a page repeating the search (the box, "no match for …")
# is not mistaken for a leak, while a page that found the post would show the whole of it.
QUERIES = ("", "?q=筹建岗位", "?q=保密人员", "?q=协调员", "?q=ZQX", "?as_of={today}",
           "?depth=10&format=csv&page_size=500&status=draft")  # fmt: skip


def urls(world):
    """(route, address) of every pattern with every value of its parameters."""
    table = values(world)
    for route in routes():
        if route.endswith("^.*$"):  # the API's catch-all: any unknown address answers a JSON 404
            yield route, "/api/" + SECRET_CODE
            continue
        names = [name for _converter, name in PARAMETER.findall(route)]
        unknown = [name for name in names if name not in table]
        assert not unknown, f"{route}: teach this test how to fill {unknown} (see values())"
        assert "(?P" not in route, f"{route}: a regular expression pattern; teach this test to fill it"
        filled = [route]
        for name in names:
            filled = [
                re.sub(rf"<(?:\w+:)?{name}>", str(value), partial, count=1)
                for partial in filled
                for value in table[name]
            ]
        for url in filled:
            yield route, "/" + url.lstrip("^").rstrip("$")


def read(response, pdf_tools):
    """The text of an answer as its reader gets it."""
    kind = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if kind.startswith("application/pdf"):
        return subprocess.run(["pdftotext", "-", "-"], input=body, capture_output=True, check=True).stdout.decode()
    if "spreadsheetml" in kind:
        workbook = load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(
            str(cell) for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row if cell
        )
    text = body.decode("utf-8", errors="replace")
    if kind.startswith("application/json"):
        try:
            return json.dumps(json.loads(text), ensure_ascii=False)  # \u escapes spelled out
        except ValueError:
            return text
    return text


@pytest.mark.parametrize("role", ["viewer_user", "manager_user"])
def test_no_page_file_or_answer_names_a_draft_its_holder_or_its_department(
    request, reorganisation, role, pdf_tools, monkeypatch
):
    from org_tree import views as chart_views

    monkeypatch.setattr(chart_views, "PDF_IN_REQUEST", 5)  # the whole chart's PDF becomes a job, as a large one would
    user = request.getfixturevalue(role)
    client = Client()
    client.force_login(user)
    today = timezone.localdate().isoformat()
    fetched = 0
    for route, address in dict.fromkeys(urls(reorganisation)):
        for query in QUERIES:
            url = address + query.replace("{today}", today)
            response = client.get(url, follow=True)
            assert response.status_code < 500, f"{url}: {response.status_code}"
            text = read(response, pdf_tools)
            # The address the reader typed comes back in the page (the language switcher's `next`): that
            # is their own input, not a leak.
            for path in [address, *(hop for hop, _status in response.redirect_chain)]:
                text = text.replace(path.split("?")[0], "")
            for secret in SECRETS:
                assert secret not in text, f"{role} sees {secret!r} at {url} (pattern {route})"
            fetched += 1
            if response.status_code != 200:
                break  # refused or not found: a query string changes nothing
    assert fetched > 400  # every pattern, with its parameters and queries
    assert client.get("/admin/").status_code == 302  # the admin is for staff only


def test_the_leak_test_would_see_a_leak(reorganisation, hr_user, pdf_tools):
    """The same reading finds the secrets where they are meant to be seen: an editor's pages and files."""
    client = Client()
    client.force_login(hr_user)
    found = {secret: False for secret in SECRETS}
    for url in ("/org/", "/org/diagram/?depth=10", "/org/diagram.pdf", "/staffing/", "/positions/?status=draft",
                f"/positions/{SECRET_CODE}/", "/api/positions/?page_size=500", "/people/?q=人员"):  # fmt: skip
        text = read(client.get(url, follow=True), pdf_tools)
        for secret in SECRETS:
            found[secret] |= secret in text
    assert found == {secret: True for secret in SECRETS}


# ---------------------------------------------------------------------------------------------
# Where a draft's published reports hang


def reader(user):
    client = Client()
    client.force_login(user)
    return client


def test_on_the_chart_the_reports_of_a_draft_hang_under_the_nearest_readable_superior(reorganisation, viewer_user):
    html = reader(viewer_user).get("/org/DPT-YW-04/").content.decode()
    # DPT-YW-05's box is in DPT-YW-04's list of reports, marked, and its own reports stay under it.
    under_04 = html.split('data-code="DPT-YW-04"', 1)[1]
    box = re.search(r'<div class="box[^"]*" data-code="DPT-YW-05">.*?</div>', under_04).group()
    assert "hidden-superior" in box and "上级岗位未发布" in box
    assert under_04.index('data-code="DPT-YW-05"') < under_04.index('data-code="DPT-YW-N05"')
    assert "2 个直接下级" in html or "2 reports" in html  # DPT-YW-04: N04 and DPT-YW-05


def test_editors_see_the_draft_in_its_place(reorganisation, hr_user):
    html = reader(hr_user).get("/org/DPT-YW-04/").content.decode()
    assert html.index(f'data-code="{SECRET_CODE}"') < html.index('data-code="DPT-YW-05"')
    assert "hidden-superior" not in html


def test_the_diagram_connects_the_report_to_the_nearest_readable_superior(reorganisation, viewer_user, hr_user):
    from org_tree.chart import build_chart
    from org_tree.diagram import layout

    drawn = layout(build_chart(viewer_user, depth=10), depth=10)
    assert drawn.parents["DPT-YW-05"] == "DPT-YW-04"
    assert drawn.parents["DPT-YW-N05"] == "DPT-YW-05"
    assert SECRET_CODE not in drawn.parents
    box = next(box for box in drawn.boxes if box.code == "DPT-YW-05")
    from org_tree.diagram import box_lines

    assert "上级岗位未发布" in " ".join(box_lines(box).flags)
    assert layout(build_chart(hr_user, depth=10), depth=10).parents["DPT-YW-05"] == SECRET_CODE


def test_the_card_the_list_and_the_api_name_the_nearest_readable_superior(reorganisation, viewer_user):
    client = reader(viewer_user)
    card = client.get("/positions/DPT-YW-05/").content.decode()
    assert "技术支持部经理" in card.split('class="jd-superior"', 1)[1].split("</td>", 1)[0]
    assert "上级岗位未发布" in card
    document = client.get("/api/positions/DPT-YW-05/").json()
    assert document["reports_to"] == "DPT-YW-04" and document["superior_hidden"] is True
    superior = client.get("/api/positions/DPT-YW-04/").json()
    assert superior["direct_reports"] == ["DPT-YW-N04", "DPT-YW-05"]  # where the draft stood, in code order
    assert superior["superior_hidden"] is False
    assert client.get("/api/positions/DPT-YW-03/").json()["dotted_reports_to"] == []
    assert client.get("/api/positions/DPT-YW-02/").json()["career"]["promotes_to"] == []
    listed = client.get("/positions/", {"q": "技术支持部副经理"}).content.decode()
    assert "技术支持部经理" in listed and "上级岗位未发布" in listed


def test_as_of_a_date_the_same_rule_holds(reorganisation, viewer_user):
    client = reader(viewer_user)
    today = date.today().isoformat()
    document = client.get("/api/positions/DPT-YW-05/", {"as_of": today}).json()
    assert document["reports_to"] == "DPT-YW-04" and document["superior_hidden"] is True
    html = client.get("/org/DPT-YW-04/", {"as_of": today}).content.decode()
    assert SECRET_CODE not in html and "hidden-superior" in html
    assert client.get(f"/org/{SECRET_CODE}/", {"as_of": today}).status_code == 404


def test_readers_staffing_counts_only_published_posts(reorganisation, viewer_user, hr_user):
    viewer = reader(viewer_user).get("/api/staffing/").json()
    editor = reader(hr_user).get("/api/staffing/").json()
    drafts = Position.objects.filter(status="draft")
    assert editor["totals"]["headcount"] - viewer["totals"]["headcount"] == sum(p.headcount for p in drafts)
    assert {row["name"] for row in editor["results"]} - {row["name"] for row in viewer["results"]} == {
        SECRET_DEPARTMENT,
        ROSTER_DEPARTMENT,
    }


def test_a_manager_whose_only_post_is_a_draft_has_no_team_yet(reorganisation, manager_user):
    Assignment.objects.filter(person__user=manager_user).update(position=Position.objects.get(code=SECRET_CODE))
    client = reader(manager_user)
    assert client.get("/api/team/").json() == []
    assert "我的团队" not in client.get("/org/").content.decode()
