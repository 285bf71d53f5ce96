"""The permission matrix: every role × every page, form action, API endpoint and admin screen.

One table (MATRIX) names, for each request, the roles allowed to make it and the status an
allowed role gets. The tests are generated from it:
- each role gets exactly what the table allows: an allowed role gets the row's status, a
  refused one 403; anonymous pages go to the login page, anonymous API calls get 401 JSON,
  and the admin sends anyone who is not staff to its own login page;
- a write the table marks `held` is, from an HR editor who is not an approver, a proposal that
  changes no job description; every other allowed write makes no proposal;
- a forged write from a role without the right is refused and changes nothing in the database
  (snapshot(): every table, the history, roles, permissions and tokens included).

There are two HR editors: `proposer`, a plain HR editor, whose changes to published job
descriptions wait for approval, and `hr`, an HR editor an Administrator named approver.

Form posts carry what the browser would send: the form an Administrator is shown on the page
(management forms, hidden version and base, every field), with the change the row describes.
API writes carry `If-Match: *`, so that the permission, not the precondition, decides.
"""

import datetime
import json
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import Client
from rest_framework.authtoken.models import Token

from assessments.services.opening import open_cycle
from org_tree.models import Department, Grade, JobCategory, JobFamily
from portal.roles import APPROVER
from portal.roles import VIEWER as VIEWER_ROLE
from positions import history
from positions.models import (
    Assignment,
    JDTemplate,
    Person,
    Position,
    Proposal,
)
from positions.services.editing import Save, save_documents
from tests.helpers import snapshot
from transfers import jobs
from transfers.models import Job

ANONYMOUS, OUTSIDER, VIEWER, MANAGER = "anonymous", "outsider", "viewer", "manager"
PROPOSER, HR, ADMIN = "proposer", "hr", "admin"  # an HR editor; an HR editor named approver; an Administrator
ROLES = (ANONYMOUS, OUTSIDER, VIEWER, MANAGER, PROPOSER, HR, ADMIN)
USERS = {
    OUTSIDER: "outsider",
    VIEWER: "viewer_user",
    MANAGER: "manager_user",
    PROPOSER: "proposer_user",
    HR: "hr_user",
    ADMIN: "admin_user",
}

EVERYONE = frozenset(ROLES)
READERS = frozenset({VIEWER, MANAGER, PROPOSER, HR, ADMIN})
EDITORS = frozenset({PROPOSER, HR, ADMIN})  # create, edit, duplicate, delete, move, people
APPROVERS = frozenset({HR, ADMIN})  # decide proposals; change published job descriptions in the Django admin
STAFF = frozenset({PROPOSER, HR, ADMIN})  # may enter the Django admin
ADMINISTRATORS = frozenset({ADMIN})  # the JD template, logins and groups

PAGE, API, ADMIN_SITE, PUBLIC = "page", "api", "admin", "public"


@dataclass(frozen=True)
class Form:
    """The form an Administrator is shown at `page` (the one with the fields named in `having`), changed by `fill`."""

    page: str
    having: dict
    fill: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Row:
    method: str
    url: str  # may name {holder}, {newcomer}, {assignment}, {position}, {leaf}, {template}, {hr}, jobs and {cycle}: see `world`
    allowed: frozenset
    ok: object  # what an allowed role gets: a status, or {role: status} with "signed in" for the rest
    kind: str = PAGE
    data: object = None  # a Form for pages and the admin, a JSON body for the API
    headers: dict = field(default_factory=dict)
    held: bool = False  # a change to a published job description: the proposer's write is a proposal

    @property
    def id(self):
        return f"{self.method} {self.url}" + (" (script)" if self.headers else "")

    def ok_for(self, role):
        if isinstance(self.ok, dict):
            return self.ok.get(role, self.ok.get("signed in"))
        return self.ok

    @property
    def writes(self):
        return self.method not in ("GET", "HEAD")


@dataclass(frozen=True)
class Upload:
    """A file a form sends, the same bytes every time the test client reads it (it reads `name` and `read()`)."""

    name: str
    content: bytes

    def read(self):
        return self.content


CARD = "/positions/DPT-YW-03/"
# A positions CSV, as an HR editor uploads it: it renames one position.
POSITIONS_CSV = "岗位编码,岗位名称\r\nDPT-YW-03,客户服务代表（导入）\r\n".encode()
EDITOR_FIELDS = {"h-code": None, "duties-TOTAL_FORMS": None}

MATRIX = [
    # Public: the way in.
    Row("GET", "/", EVERYONE, 302, PUBLIC),
    Row("GET", "/accounts/login/", EVERYONE, {ANONYMOUS: 200, "signed in": 302}, PUBLIC),
    # Reading: every role.
    Row("GET", "/org/", READERS, 200),
    Row("GET", "/org/DPT-YW-01/", READERS, 200),
    # The org chart as a diagram and its SVG file. (Its PDF needs a CJK font, which a row cannot ask
    # for: tests/integration/test_diagram_pages.py checks who gets the PDF.)
    Row("GET", "/org/diagram/", READERS, 200),
    Row("GET", "/org/diagram.svg", READERS, 200),
    Row("GET", "/org/DPT-YW-01/diagram/", READERS, 200),
    Row("GET", "/org/DPT-YW-01/diagram.svg", READERS, 200),
    Row("GET", "/org/DPT-YW-01/diagram/?as_of=2100-01-01", READERS, 200),
    Row("GET", "/staffing/", READERS, 200),
    Row("GET", "/architecture/", READERS, 200),
    Row("GET", "/positions/", READERS, 200),
    Row("GET", CARD, READERS, 200),
    Row("GET", "/team/", READERS, 200),
    # History: every reader sees versions and the organisation as of a date; HR editors restore.
    Row("GET", "/positions/DPT-YW-05/history/", READERS, 200),
    Row("GET", "/positions/DPT-YW-05/history/?a={version}", READERS, 200),
    Row("GET", "/positions/DPT-YW-05/?as_of=2100-01-01", READERS, 200),
    Row("GET", "/org/?as_of=2100-01-01", READERS, 200),
    Row("POST", "/positions/DPT-YW-05/history/{version}/restore/", EDITORS, 302, held=True),
    # Approval: HR editors see proposals; approvers (Administrators, and the HR editor named approver)
    # decide; only a post's holder acknowledges its job description.
    Row("GET", "/proposals/", EDITORS, 200),
    Row("GET", "/proposals/{proposal}/", EDITORS, 200),
    Row("POST", "/proposals/{proposal}/decide/", APPROVERS, 302, data={"decision": "return", "comment": "权限测试"}),
    Row("POST", "/positions/DPT-YW-04/acknowledge/", frozenset({MANAGER}), 302),
    # The audit log: Administrators.
    Row("GET", "/audit/", ADMINISTRATORS, 200),
    Row("GET", "/audit/?format=csv", ADMINISTRATORS, 200),
    # Editing job descriptions: HR editors and Administrators.
    Row("GET", "/positions/new/", EDITORS, 200),
    Row("GET", "/positions/DPT-YW-03/edit/", EDITORS, 200),
    Row("GET", "/positions/DPT-YW-03/duplicate/", EDITORS, 200),
    Row("GET", "/positions/DPT-YW-N03/delete/", EDITORS, 200),
    Row("GET", "/positions/DPT-YW-03/move/", EDITORS, 200),
    Row("GET", "/quality/", EDITORS, 200),
    Row(
        "POST",
        "/positions/new/",
        EDITORS,
        302,
        data=Form(
            "/positions/new/?under=DPT-YW-02",
            EDITOR_FIELDS,
            {"h-code": "PERM-NEW", "h-title": "权限测试岗位", "h-headcount": "1", "h-status": "draft"},
        ),
    ),
    Row(
        "POST",
        "/positions/DPT-YW-03/edit/",
        EDITORS,
        302,
        data=Form("/positions/DPT-YW-03/edit/", EDITOR_FIELDS, {"h-purpose": "受理客户报修与投诉，及时解决客户问题。"}),
        held=True,
    ),
    Row(
        "POST",
        "/positions/DPT-YW-03/duplicate/",
        EDITORS,
        302,
        data=Form(
            "/positions/DPT-YW-03/duplicate/", EDITOR_FIELDS, {"h-code": "PERM-DUP", "h-title": "客户服务代表（二）"}
        ),
    ),
    Row(
        "POST",
        "/positions/DPT-YW-N03/delete/",
        EDITORS,
        302,
        data=Form("/positions/DPT-YW-N03/delete/", {"version": None}),
    ),
    Row(
        "POST",
        "/positions/DPT-YW-03/move/",
        EDITORS,
        302,
        data=Form("/positions/DPT-YW-03/move/", {"superior": None}, {"superior": "DPT-YW-04"}),
    ),
    Row(  # drag and drop on the chart
        "POST",
        "/positions/DPT-YW-03/move/",
        EDITORS,
        200,
        data=Form("/positions/DPT-YW-03/move/", {"superior": None}, {"superior": "DPT-YW-04"}),
        headers={"X-Requested-With": "fetch"},
    ),
    # People and the posts they hold: HR editors and Administrators.
    Row("GET", "/people/", EDITORS, 200),
    # The pickers' suggestions: positions for every reader (drafts only for editors), people for HR.
    Row("GET", "/lookup/positions/?q=DPT", READERS, 200),
    Row("GET", "/lookup/people/?q=E", EDITORS, 200),
    Row("GET", "/people/new/", EDITORS, 200),
    Row("GET", "/people/{holder}/", EDITORS, 200),
    Row(
        "POST",
        "/positions/DPT-YW-03/holders/",
        EDITORS,
        302,
        data=Form(CARD, {"person": None, "kind": None}, {"person": "E-PERM-2"}),
    ),
    Row(
        "POST",
        "/assignments/{assignment}/end/",
        EDITORS,
        302,
        data=Form("/people/{holder}/", {"ended_on": None}, {"ended_on": "2025-06-30"}),
    ),
    # Assessment cycles: HR editors and Administrators open, follow and close them.
    Row("GET", "/assessments/cycles/", EDITORS, 200),
    Row("GET", "/assessments/cycles/new/", EDITORS, 200),
    Row("GET", "/assessments/cycles/{cycle}/", EDITORS, 200),
    Row(
        "POST",
        "/assessments/cycles/new/",
        EDITORS,
        302,
        data=Form(
            "/assessments/cycles/new/",
            {"name": None},
            {"name": "2027 年度", "kpi_cycle": "yearly", "starts_on": "2027-01-01", "ends_on": "2027-12-31"},
        ),
    ),
    Row("POST", "/assessments/cycles/{cycle}/close/", EDITORS, 302),
    Row(
        "POST",
        "/people/new/",
        EDITORS,
        302,
        data=Form("/people/new/", {"employee_number": None}, {"employee_number": "E-PERM-9", "name": "赵新人"}),
    ),
    Row(
        "POST",
        "/people/{holder}/",
        EDITORS,
        302,
        data=Form("/people/{holder}/", {"action": "save"}, {"name": "李工程师（改）"}),
    ),
    Row(
        "POST",
        "/people/{newcomer}/",
        EDITORS,
        302,
        data=Form("/people/{newcomer}/", {"action": "assign"}, {"position": "DPT-YW-03", "kind": "concurrent"}),
    ),
    # The JD template: Administrators only.
    Row("GET", "/settings/jd-template/", ADMINISTRATORS, 200),
    Row(
        "POST",
        "/settings/jd-template/",
        ADMINISTRATORS,
        302,
        data=Form("/settings/jd-template/", {"duties": None}, {"work_environment": "required"}),
    ),
    # Import and export: HR editors and Administrators. A job is its user's: Administrators see
    # everyone's, but only the user who previewed an import confirms it or previews it again.
    Row("GET", "/transfers/", EDITORS, 200),
    Row("POST", "/transfers/", EDITORS, 302, data={"file": Upload("positions.csv", POSITIONS_CSV)}),
    Row("GET", "/transfers/template.xlsx", EDITORS, 200),
    Row("GET", "/transfers/export/", EDITORS, 200),
    Row("GET", "/transfers/export/?format=csv", EDITORS, 200),
    Row("GET", "/transfers/export/?scope=staffing", EDITORS, 200),
    # A reader may follow the chart PDFs they asked for (org_tree's diagram.pdf): others' jobs are 404 to them.
    # The jobs below are the approver HR editor's: to the other HR editor they are someone else's.
    Row("GET", "/transfers/jobs/{job}/", READERS, {HR: 200, ADMIN: 200, "signed in": 404}),
    Row("GET", "/transfers/jobs/{job}/progress/", READERS, {HR: 200, ADMIN: 200, "signed in": 404}),
    Row("POST", "/transfers/jobs/{job}/confirm/", EDITORS, {HR: 302, "signed in": 404}),
    Row("POST", "/transfers/jobs/{job}/again/", EDITORS, {HR: 302, "signed in": 404}),
    Row("GET", "/transfers/jobs/{export}/download/", READERS, {HR: 200, ADMIN: 200, "signed in": 404}),
    Row("GET", "/transfers/jobs/{admin_job}/", READERS, {ADMIN: 200, "signed in": 404}),
    Row("GET", "/transfers/jobs/{admin_job}/progress/", READERS, {ADMIN: 200, "signed in": 404}),
    Row("POST", "/transfers/jobs/{admin_job}/confirm/", EDITORS, {ADMIN: 302, "signed in": 404}),
    # The JSON API.
    Row("GET", "/api/positions/", READERS, 200, API),
    Row(
        "POST",
        "/api/positions/",
        EDITORS,
        201,
        API,
        {"code": "PERM-API", "title": "接口权限岗位", "reports_to": "DPT-YW-02", "status": "draft", "duties": ["一"]},
    ),
    Row("GET", "/api/positions/DPT-YW-03/", READERS, 200, API),
    Row(
        "PUT",
        "/api/positions/DPT-YW-03/",
        EDITORS,
        {PROPOSER: 202, "signed in": 200},  # 202: the proposal
        API,
        {"title": "客户服务代表", "reports_to": "DPT-YW-02", "status": "draft", "duties": ["接听电话"]},
        held=True,
    ),
    Row(
        "PATCH",
        "/api/positions/DPT-YW-03/",
        EDITORS,
        {PROPOSER: 202, "signed in": 200},
        API,
        {"purpose": "受理客户报修与投诉。"},
        held=True,
    ),
    Row("DELETE", "/api/positions/DPT-YW-N03/", EDITORS, 204, API),
    Row("POST", "/api/positions/DPT-YW-03/move/", EDITORS, 200, API, {"reports_to": "DPT-YW-04"}),
    Row("GET", "/api/positions/DPT-YW-03/holders/", READERS, 200, API),
    Row("POST", "/api/positions/DPT-YW-03/holders/", EDITORS, 201, API, {"employee_number": "E-PERM-2"}),
    Row("POST", "/api/assignments/{assignment}/end/", EDITORS, 200, API, {"ended_on": "2025-06-30"}),
    Row("GET", "/api/people/", EDITORS, 200, API),
    Row("POST", "/api/people/", EDITORS, 201, API, {"employee_number": "E-PERM-9", "name": "赵新人"}),
    Row("GET", "/api/people/E-PERM-1/", EDITORS, 200, API),
    Row("PUT", "/api/people/E-PERM-1/", EDITORS, 200, API, {"employee_number": "E-PERM-1", "name": "李工程师（改）"}),
    Row("PATCH", "/api/people/E-PERM-1/", EDITORS, 200, API, {"name": "李工程师（改）"}),
    # HEAD runs the GET handler: it must be refused to whoever GET is refused to.
    Row("HEAD", "/api/positions/DPT-YW-03/", READERS, 200, API),
    Row("HEAD", "/api/people/", EDITORS, 200, API),
    Row("HEAD", "/api/people/E-PERM-1/", EDITORS, 200, API),
    Row("GET", "/api/positions/DPT-YW-05/history/", READERS, 200, API),
    Row("GET", "/api/positions/?as_of=2100-01-01", READERS, 200, API),
    Row(
        "POST",
        "/api/positions/DPT-YW-05/history/{version}/restore/",
        EDITORS,
        {PROPOSER: 202, "signed in": 200},
        API,
        held=True,
    ),
    Row("GET", "/api/team/", READERS, 200, API),
    Row("GET", "/api/staffing/", READERS, 200, API),
    Row("GET", "/api/openapi.json", READERS, 200, API),
    # The Django admin: HR editors are staff with the content permissions; Administrators are superusers.
    # An HR editor who is not an approver may not change a published job description's text there.
    Row("GET", "/admin/", STAFF, 200, ADMIN_SITE),
    Row("GET", "/admin/positions/position/", STAFF, 200, ADMIN_SITE),
    Row("GET", "/admin/positions/position/add/", STAFF, 200, ADMIN_SITE),
    Row("GET", "/admin/positions/position/{position}/change/", STAFF, 200, ADMIN_SITE),
    Row("GET", "/admin/positions/position/{leaf}/delete/", STAFF, 200, ADMIN_SITE),
    Row("GET", "/admin/positions/descriptionitem/", STAFF, 200, ADMIN_SITE),
    Row("GET", "/admin/positions/person/", STAFF, 200, ADMIN_SITE),
    Row("GET", "/admin/positions/assignment/", STAFF, 200, ADMIN_SITE),
    Row("GET", "/admin/org_tree/department/", STAFF, 200, ADMIN_SITE),
    Row("GET", "/admin/org_tree/jobcategory/", STAFF, 200, ADMIN_SITE),
    Row("GET", "/admin/org_tree/jobfamily/", STAFF, 200, ADMIN_SITE),
    Row("GET", "/admin/org_tree/grade/", STAFF, 200, ADMIN_SITE),
    Row("GET", "/admin/assessments/kpi/", STAFF, 200, ADMIN_SITE),
    # HR editors may look at the JD template in the admin (their role has "view" on it), not change it.
    Row("GET", "/admin/positions/jdtemplate/", STAFF, 200, ADMIN_SITE),
    Row("GET", "/admin/positions/jdtemplate/{template}/change/", STAFF, 200, ADMIN_SITE),
    Row(
        "POST",
        "/admin/positions/jdtemplate/{template}/change/",
        ADMINISTRATORS,
        302,
        ADMIN_SITE,
        Form(
            "/admin/positions/jdtemplate/{template}/change/",
            {"sections": None},
            {"sections": json.dumps({"work_environment": "required"})},
        ),
    ),
    Row("GET", "/admin/auth/user/", ADMINISTRATORS, 200, ADMIN_SITE),
    Row("GET", "/admin/auth/user/add/", ADMINISTRATORS, 200, ADMIN_SITE),
    Row("GET", "/admin/auth/group/", ADMINISTRATORS, 200, ADMIN_SITE),
    Row("GET", "/admin/authtoken/tokenproxy/", ADMINISTRATORS, 200, ADMIN_SITE),
    Row("GET", "/admin/axes/accessattempt/", ADMINISTRATORS, 200, ADMIN_SITE),
    Row(
        "POST",
        "/admin/positions/position/{position}/change/",
        APPROVERS,
        302,
        ADMIN_SITE,
        Form(
            "/admin/positions/position/{position}/change/",
            {"code": None, "title": None},
            {"title": "客户服务代表（改）"},
        ),
    ),
    Row(
        "POST",
        "/admin/positions/position/{leaf}/delete/",
        STAFF,
        302,
        ADMIN_SITE,
        Form("/admin/positions/position/{leaf}/delete/", {"post": None}),
    ),
    Row(  # a login of one's own making, with a password
        "POST",
        "/admin/auth/user/add/",
        ADMINISTRATORS,
        302,
        ADMIN_SITE,
        Form(
            "/admin/auth/user/add/",
            {"username": None},
            {"username": "mallory", "password1": "Zebra-Orbit-4412", "password2": "Zebra-Orbit-4412"},
        ),
    ),
    Row(  # an HR editor making themself a superuser
        "POST",
        "/admin/auth/user/{hr}/change/",
        ADMINISTRATORS,
        302,
        ADMIN_SITE,
        Form("/admin/auth/user/{hr}/change/", {"username": None}, {"is_superuser": "on"}),
    ),
]


# ---------------------------------------------------------------------------------------------
# The organisation every case runs on: the seed, one user per role, a holder and a newcomer.


@pytest.fixture
def world(seed, admin_user, hr_user, proposer_user, manager_user, viewer_user, outsider):
    """The seed with every role's user, 李工程师 (E-PERM-1) holding DPT-YW-N04, 赵员工 (E-PERM-2) holding
    nothing, DPT-YW-05 in two versions (`version`: the first), the HR editor's previewed import (`job`)
    and finished export (`export`), the Administrator's previewed import (`admin_job`) and an open cycle (`cycle`)."""
    holder = Person.objects.create(employee_number="E-PERM-1", name="李工程师")
    assignment = Assignment.objects.create(person=holder, position=Position.objects.get(code="DPT-YW-N04"))
    newcomer = Person.objects.create(employee_number="E-PERM-2", name="赵员工")
    template, _ = JDTemplate.objects.get_or_create(pk=JDTemplate.SINGLETON)
    # DPT-YW-05 gets a second version, so restoring its first (the seed's) changes something.
    first = Position.history.filter(code="DPT-YW-05").order_by("history_date").first()
    save_documents([Save({"title": "部门经理（权限测试：第二个版本）"}, code="DPT-YW-05")])
    proposal = Proposal.objects.create(
        position=Position.objects.get(code="DPT-YW-03"), document={"title": "提议的名称"}, base_version=1
    )
    # The jobs are run here as the worker would: their tasks wait for a commit that a test never makes.
    job = jobs.start_import(hr_user, "positions.csv", POSITIONS_CSV)
    admin_job = jobs.start_import(admin_user, "positions.csv", POSITIONS_CSV)
    export = jobs.start_export(hr_user, "")
    for started in (job, admin_job, export):
        jobs.run(started.pk)
    # An open cycle: 李工程师 and 王经理 (the manager) are assessed in their posts.
    cycle = open_cycle(
        name="2026 年度", kpi_cycle="yearly", starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2026, 12, 31)
    )
    assert list(Job.objects.order_by("pk").values_list("status", flat=True)) == ["previewed", "previewed", "done"]
    return {
        "version": first.history_id,
        "proposal": proposal.pk,
        "holder": holder.pk,
        "newcomer": newcomer.pk,
        "assignment": assignment.pk,
        "position": Position.objects.get(code="DPT-YW-03").pk,
        "leaf": Position.objects.get(code="DPT-YW-N03").pk,
        "template": template.pk,
        "hr": hr_user.pk,
        "job": job.pk,
        "admin_job": admin_job.pk,
        "export": export.pk,
        "cycle": cycle.pk,
    }


class FormReader(HTMLParser):
    """The fields each <form> on a page submits, as a browser would (not those inside <template>)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self.current, self.template_depth = [], None, 0
        self.textarea = self.select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "template":
            self.template_depth += 1
        if self.template_depth:
            return
        if tag == "form":
            self.current = {
                "method": (attrs.get("method") or "get").lower(),
                "action": attrs.get("action"),
                "fields": [],
            }
            self.forms.append(self.current)
        if self.current is None or "disabled" in attrs or not attrs.get("name") and tag != "option":
            return
        fields = self.current["fields"]
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            fields.append([attrs["name"], attrs.get("value", "on" if kind in ("checkbox", "radio") else "")])
        elif tag == "textarea":
            self.textarea = [attrs["name"], ""]
            fields.append(self.textarea)
        elif tag == "select":
            self.select = {"name": attrs["name"], "multiple": "multiple" in attrs, "options": [], "chosen": []}
        elif tag == "option" and self.select is not None:
            value = attrs.get("value", "")
            self.select["options"].append(value)
            if "selected" in attrs:
                self.select["chosen"].append(value)

    def handle_endtag(self, tag):
        if tag == "template":
            self.template_depth -= 1
        if self.template_depth:
            return
        if tag == "form":
            self.current = None
        elif tag == "textarea" and self.textarea is not None:
            self.textarea[1] = self.textarea[1].removeprefix("\n")  # as browsers do: the first newline is markup
            self.textarea = None
        elif tag == "select" and self.select is not None:
            chosen = self.select["chosen"] or ([] if self.select["multiple"] else self.select["options"][:1])
            if self.current is not None:
                self.current["fields"].extend([self.select["name"], value] for value in chosen)
            self.select = None

    def handle_data(self, data):
        if self.textarea is not None and not self.template_depth:
            self.textarea[1] += data


def form_data(form, ids):
    """What the browser sends from `form.page` as seen by an Administrator, with `form.fill` typed in."""
    reader = Client()
    reader.force_login(get_user_model().objects.get(username="alice-admin"))
    response = reader.get(form.page.format(**ids))
    assert response.status_code == 200, f"{form.page} gives {response.status_code}"
    parser = FormReader()
    parser.feed(response.content.decode())
    for candidate in parser.forms:
        values = {}
        for name, value in candidate["fields"]:
            values.setdefault(name, []).append(value)
        if candidate["method"] == "post" and all(
            name in values and (wanted is None or wanted in values[name]) for name, wanted in form.having.items()
        ):
            values.pop("csrfmiddlewaretoken", None)
            values.update({name: [value] for name, value in form.fill.items()})
            return {name: value[0] if len(value) == 1 else value for name, value in values.items()}
    raise AssertionError(f"{form.page} shows no form with {sorted(form.having)}")


def filled_in(row, ids):
    """The row with the form it posts read off the page (an Administrator's view of it) and filled in."""
    if not isinstance(row.data, Form):
        return row
    return Row(row.method, row.url, row.allowed, row.ok, row.kind, form_data(row.data, ids), row.headers, row.held)


def send(client, row, ids):
    url = row.url.format(**ids)
    headers = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in row.headers.items()}
    if row.kind == API:
        if row.writes:
            headers["HTTP_IF_MATCH"] = "*"
        body = json.dumps(row.data) if row.data is not None else ""
        return client.generic(row.method, url, body, content_type="application/json", **headers)
    if row.method == "GET":
        return client.get(url, **headers)
    if row.method == "HEAD":
        return client.head(url, **headers)
    return client.post(url, row.data or {}, **headers)


def client_for(role, request):
    client = Client()
    if role != ANONYMOUS:
        client.force_login(request.getfixturevalue(USERS[role]))
    return client


def assert_refused(response, row, role, ids):
    """A refusal: the login page for anonymous pages, 401 JSON for the API, the admin's login for non-staff."""
    url = row.url.format(**ids)
    if row.kind == ADMIN_SITE and role not in STAFF:
        assert response.status_code == 302, response.status_code
        assert response.url == f"/admin/login/?next={quote(url)}"
    elif role == ANONYMOUS and row.kind == PAGE:
        assert response.status_code == 302, response.status_code
        assert response.url == f"/accounts/login/?next={quote(url)}"
    elif role == ANONYMOUS and row.kind == API:
        assert response.status_code == 401, response.status_code
        assert response["Content-Type"].endswith("json")
        if row.method != "HEAD":  # HEAD answers have no body
            assert json.loads(response.content)["detail"]
    else:
        assert response.status_code == 403, response.status_code
        if row.kind == API and row.method != "HEAD":
            assert json.loads(response.content)["detail"]


# What a proposal must leave as it was: the job descriptions, their rows and their history.
JOB_DESCRIPTIONS = ("positions.Position", "positions.DescriptionItem", "assessments.KPI", "positions.PositionLink",
                    "positions.HistoricalPosition")  # fmt: skip


def proposals(state):
    return {row["id"]: row for row in state["positions.Proposal"]}


def cases(rows, roles):
    """One test case per row and role, named "role: METHOD url"."""
    return [pytest.param(row, role, id=f"{role}: {row.id}") for row in rows for role in roles]


@pytest.mark.parametrize(("row", "role"), cases(MATRIX, ROLES))
def test_each_role_gets_exactly_what_the_table_allows(world, request, row, role):
    client, row = client_for(role, request), filled_in(row, world)
    before = snapshot() if row.writes else None  # a whole-database snapshot costs ~12 ms: only writes need one
    response = send(client, row, world)
    if role not in row.allowed:
        assert_refused(response, row, role, world)
        return
    assert response.status_code == row.ok_for(role), response.status_code
    if not row.writes:
        return
    after = snapshot()
    if response.status_code == 404:  # not theirs: another user's import job
        assert after == before, "a write answered 404 changed something"
        return
    assert after != before, "an allowed write changed nothing"
    made = [proposal for pk, proposal in proposals(after).items() if pk not in proposals(before)]
    if role == PROPOSER and row.held:
        assert [proposal["author_id"] for proposal in made] == [request.getfixturevalue(USERS[PROPOSER]).pk]
        changed = [table for table in JOB_DESCRIPTIONS if after[table] != before[table]]
        assert not changed, f"a proposal changed {changed}"
    else:
        assert not made, "a write that is not held for approval made a proposal"


def test_the_way_in_sends_a_signed_in_user_on_to_the_chart_and_anyone_else_to_the_login_page(world, request):
    assert Client().get("/", follow=True).redirect_chain == [("/org/", 302), ("/accounts/login/?next=/org/", 302)]
    for role in (OUTSIDER, VIEWER, HR):
        response = client_for(role, request).get("/accounts/login/")
        assert (response.status_code, response.url) == (302, "/org/")


@pytest.mark.parametrize(
    ("row", "role"),
    [
        case
        for row in MATRIX
        if row.writes
        for case in cases([row], [role for role in ROLES if role not in row.allowed])
    ],
)
def test_a_forged_write_from_a_role_without_the_right_is_refused_and_changes_nothing(world, request, row, role):
    client, row = client_for(role, request), filled_in(row, world)
    before = snapshot()
    response = send(client, row, world)
    assert_refused(response, row, role, world)
    assert snapshot() == before


@pytest.mark.parametrize("role", [VIEWER, MANAGER])
def test_a_reader_cannot_find_out_through_head_who_is_on_file(world, request, role):
    """HEAD runs the GET handler, so it is checked by GET's rule: its headers must not tell who is on file."""
    client = client_for(role, request)
    somebody, nobody = client.head("/api/people/?q=李工程师"), client.head("/api/people/?q=王五")
    assert (somebody.status_code, nobody.status_code) == (403, 403)
    assert client.head("/api/people/E-PERM-1/").status_code == client.head("/api/people/E-NOBODY/").status_code


# ---------------------------------------------------------------------------------------------
# The snapshot itself: it must see every change a forged write could make. Each change below was
# invisible to the snapshot of positions, rows, people, users, proposals and jobs it replaces.


def viewer_login():
    return get_user_model().objects.get(username="victor-viewer")


def permission(codename):
    return Permission.objects.get(codename=codename)


def new_grade_and_category():
    return (
        Grade.objects.create(code="FORGED-G", name="伪造职级", rank=99),
        JobCategory.objects.create(code="FORGED-C", name="伪造职类"),
    )


# name: (what is there before the snapshot, given the world; the change, given what that returned)
FORGED_CHANGES = {
    "a version in the history": (None, lambda _: history.record([Position.objects.get(code="DPT-YW-03").pk])),
    "a role given to a login": (None, lambda _: viewer_login().groups.add(Group.objects.get(name=APPROVER))),
    "a permission given to a login": (
        None,
        lambda _: viewer_login().user_permissions.add(permission("change_position")),
    ),
    "a permission given to a role": (
        None,
        lambda _: Group.objects.get(name=VIEWER_ROLE).permissions.add(permission("change_position")),
    ),
    "an API token": (None, lambda _: Token.objects.create(user=viewer_login())),
    "a department": (None, lambda _: Department.objects.create(code="FORGED", name="伪造部门")),
    "a department renamed": (None, lambda _: Department.objects.filter(code="YW-KF").update(name="伪造部门")),
    "a job category": (None, lambda _: JobCategory.objects.create(code="FORGED-C", name="伪造职类")),
    "a job family": (
        lambda: JobCategory.objects.create(code="FORGED-C", name="伪造职类"),
        lambda category: JobFamily.objects.create(category=category, code="FORGED-F", name="伪造职族"),
    ),
    "a grade": (None, lambda _: Grade.objects.create(code="FORGED-G", name="伪造职级", rank=99)),
    "a category a grade applies to": (new_grade_and_category, lambda pair: pair[0].categories.add(pair[1])),
    "an entry in the admin's log": (
        None,
        lambda _: LogEntry.objects.log_actions(viewer_login().pk, [Position.objects.get(code="DPT-YW-03")], CHANGE),
    ),
}


@pytest.mark.parametrize(("prepare", "change"), FORGED_CHANGES.values(), ids=FORGED_CHANGES.keys())
def test_the_snapshot_sees_every_kind_of_forged_change(world, prepare, change):
    prepared = prepare() if prepare else None
    before = snapshot()
    change(prepared)
    assert snapshot() != before


def test_the_snapshot_holds_every_table_a_write_could_change(world):
    tables = set(snapshot())
    assert {
        "positions.Position", "positions.DescriptionItem", "assessments.KPI", "positions.PositionLink",
        "positions.HistoricalPosition", "positions.Proposal", "positions.Acknowledgement", "positions.Person",
        "positions.Assignment", "positions.JDTemplate", "auth.User", "auth.Group", "auth.User_groups",
        "auth.Permission", "auth.Group_permissions", "auth.User_user_permissions", "authtoken.Token",
        "org_tree.Department", "org_tree.JobCategory", "org_tree.JobFamily", "org_tree.Grade",
        "org_tree.Grade_categories", "transfers.Job", "admin.LogEntry",
    } <= tables  # fmt: skip
    assert "sessions.Session" not in tables  # signing in writes it
