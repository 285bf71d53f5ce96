"""Every page the portal serves passes axe-core in Chromium with no serious or critical violation.

Each page is opened by the role that can see it, in the default language (Simplified Chinese),
with JavaScript on, in the states a user meets it in: forms also after a refusal, the editor
after a lost race and with a row marked for removal, the chart and the move page after a search.
A failure names each violation's rule, impact and elements, so it says what to fix.
"""

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe

from positions.models import Person
from positions.services.editing import Save, save_documents
from tests.conftest import PASSWORD
from tests.helpers import document_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BLOCKING = ("serious", "critical")
USERS = {"admin": "alice-admin", "hr": "hannah-hr", "manager": "mark-manager", "viewer": "victor-viewer"}


@pytest.fixture
def portal(seed, admin_user, hr_user, manager_user, viewer_user):
    """The seed organisation and one login per role (the manager holds DPT-YW-04 as 王经理, E0004)."""


def log_in(page, live_server, role):
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", USERS[role])
    page.fill("#id_password", PASSWORD)
    page.click("section.login button[type=submit]")
    page.wait_for_url(f"{live_server.url}/org/")


# Page states reached by acting on the page (each takes the page and the live server's URL).


def failed_login(page, url):
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", "victor-viewer")
    page.fill("#id_password", "wrong password")
    page.click("section.login button[type=submit]")
    page.wait_for_selector("section.login p.error")


def refused_save(page, url):
    """The editor after publishing an incomplete job description was refused: errors at the fields."""
    page.goto(f"{url}/positions/DPT-YW-05/edit/")
    page.fill("#id_kpis-0-weight", "90")
    page.click("form.editor button.primary")
    page.wait_for_selector("#section-kpis .errorlist")


def lost_race(page, url):
    """The editor after someone else saved first: the conflict panel above the kept input."""
    page.goto(f"{url}/positions/DPT-YW-04/edit/")
    other = document_of("DPT-YW-04")
    other["purpose"] = "保障宽带网络稳定运行"
    other["duties"][2]["text"] = "负责与运维部其它部门及客户服务部的协调工作"
    save_documents([Save(other, code="DPT-YW-04")])
    page.fill("#id_h-title", "技术支持部主管")
    page.click("form.editor button.primary")
    page.wait_for_selector("section.conflict")


def row_removed(page, url):
    """The editor with a duty marked Remove (it stays on screen, struck through, until the save)."""
    page.goto(f"{url}/positions/DPT-YW-03/edit/")
    page.check("#id_duties-4-DELETE")
    page.wait_for_selector("#section-duties .row.removed")


def target_refused(page, url):
    """The editor after a KPI's target was refused (a linear rule without a floor): its fields open, the error there."""
    page.goto(f"{url}/positions/DPT-YW-03/edit/")
    page.locator("#section-kpis details.cell-folded summary").first.click()
    page.select_option("#id_kpis-0-rule", "linear")
    page.select_option("#id_kpis-0-direction", "higher")
    page.fill("#id_kpis-0-target", "95")
    page.click("form.editor button.primary")
    page.wait_for_selector("#id_kpis-0-floor_error")


def card_with_targets(page, url):
    """A card whose KPIs carry targets of each rule, shown with the performance standard."""
    kpis = document_of("DPT-YW-03")["kpis"]
    kpis[0] |= {"metric": "客户满意度", "unit": "%", "direction": "higher", "target": 95, "floor": 80, "rule": "linear"}
    kpis[1] |= {"metric": "差错", "unit": "次", "rule": "deduction", "points": 5}
    save_documents([Save({"kpis": kpis}, code="DPT-YW-03")])
    page.goto(f"{url}/positions/DPT-YW-03/")


def refused_delete(page, url):
    """Deleting a post whose reports would go to an unknown position: the refusal above the form."""
    page.goto(f"{url}/positions/DPT-YW-02/delete/")
    page.fill("#id_reports_go_to", "NO-SUCH-POST")
    page.click("form.confirm button.danger")
    page.wait_for_selector("main .errorlist")


def refused_move(page, url):
    page.goto(f"{url}/positions/DPT-YW-04/move/")
    page.fill("#id_superior", "DPT-YW-N05")  # under its own report: a loop
    page.click("form.move-form button.primary")
    page.wait_for_selector("main .errorlist")


def refused_person(page, url):
    """A new person given a login that already belongs to someone: the refusal above the form."""
    page.goto(f"{url}/people/new/")
    page.fill("#id_employee_number", "E0099")
    page.fill("#id_name", "张三")
    page.fill("#id_login", "mark-manager")
    page.click("main form button[type=submit]")
    page.wait_for_selector("main .errorlist")


def person_page(page, url):
    page.goto(f"{url}/people/{Person.objects.get(employee_number='E0004').pk}/")


def refused_cycle(page, url):
    """Opening a cycle with weights that do not total 100 and a cap above 150: errors at the fields."""
    page.goto(f"{url}/assessments/cycles/new/")
    page.fill("#id_name", "2026 年度")
    page.fill("#id_starts_on", "2026-01-01")
    page.fill("#id_ends_on", "2026-12-31")
    page.fill("#id_self_weight", "120")
    page.fill("#id_cap", "151")
    page.click("main form button[type=submit]")
    page.wait_for_selector("main .errorlist")


def cycle_page(page, url):
    """An open cycle of the seed organisation: one post assessed (the only one held), one left out (a draft)."""
    import datetime

    from assessments.services.opening import open_cycle
    from positions.models import Assignment, Position

    holder = Person.objects.create(employee_number="E0100", name="李员工")
    Assignment.objects.create(person=holder, position=Position.objects.get(code="DPT-YW-03"))
    save_documents([Save({"status": "draft"}, code="DPT-YW-N03")])  # left out: no published job description
    cycle = open_cycle(
        name="2026 年度", kpi_cycle="yearly", starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2026, 12, 31)
    )
    page.goto(f"{url}{cycle.get_absolute_url()}")


def open_assessment():
    """A cycle (self 20 %, superior 80 %) assessing the manager (王经理) at DPT-YW-04: they fill in their own."""
    import datetime

    from assessments.models import Assessment
    from assessments.services.opening import open_cycle

    open_cycle(
        name="2026 年度",
        kpi_cycle="yearly",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
        self_weight=20,
    )
    return Assessment.objects.get(position_code="DPT-YW-04")


def assessment_page(page, url):
    page.goto(f"{url}{open_assessment().get_absolute_url()}")


def refused_scores(page, url):
    """The assessment page after the person typed a word for a score: the error at the field, a summary."""
    page.goto(f"{url}{open_assessment().get_absolute_url()}")
    page.fill("#lines-1-self_score", "优秀")
    page.click("main button[value=save]")
    page.wait_for_selector("main .error-summary")


def my_assessments(page, url):
    open_assessment()
    page.goto(f"{url}/assessments/mine/")


# (id, role, path or a function that brings the page to the state checked)
PAGES = [
    ("login", None, "/accounts/login/?next=/org/"),
    ("login-failed", None, failed_login),
    ("chart", "hr", "/org/"),
    ("chart-as-viewer", "viewer", "/org/"),
    ("chart-search", "hr", "/org/?q=验收"),
    ("subtree", "hr", "/org/DPT-YW-04/"),
    ("list", "hr", "/positions/"),
    ("list-filtered", "hr", "/positions/?q=客户&department=YW&status=published&scope=own"),
    ("card", "hr", "/positions/DPT-YW-05/"),
    ("card-as-viewer", "viewer", "/positions/DPT-YW-03/"),
    ("print-view", "viewer", "/positions/DPT-YW-03/?print=1"),
    ("editor-new", "hr", "/positions/new/?under=DPT-YW-04"),
    ("editor-edit", "hr", "/positions/DPT-YW-05/edit/"),
    ("editor-refused", "hr", refused_save),
    ("editor-conflict", "hr", lost_race),
    ("editor-row-removed", "hr", row_removed),
    ("editor-target-refused", "hr", target_refused),
    ("card-with-targets", "viewer", card_with_targets),
    ("duplicate", "hr", "/positions/DPT-YW-03/duplicate/"),
    ("delete", "admin", "/positions/DPT-YW-02/delete/"),
    ("delete-with-holders", "admin", "/positions/DPT-YW-04/delete/"),
    ("delete-refused", "admin", refused_delete),
    ("move", "hr", "/positions/DPT-YW-05/move/"),
    ("move-search", "hr", "/positions/DPT-YW-05/move/?q=经理"),
    ("move-refused", "hr", refused_move),
    ("people", "hr", "/people/"),
    ("people-search", "hr", "/people/?q=王"),
    ("person-new", "hr", "/people/new/"),
    ("person-new-refused", "hr", refused_person),
    ("person", "hr", person_page),
    ("team", "manager", "/team/"),
    ("quality", "hr", "/quality/"),
    ("staffing", "viewer", "/staffing/"),
    ("architecture", "viewer", "/architecture/"),
    ("jd-template", "admin", "/settings/jd-template/"),
    ("audit", "admin", "/audit/"),
    ("audit-refused-filters", "admin", "/audit/?since=2026-02-30&department=99999"),
    ("cycles", "hr", "/assessments/cycles/"),
    ("cycle-new", "hr", "/assessments/cycles/new/"),
    ("cycle-new-refused", "hr", refused_cycle),
    ("cycle", "hr", cycle_page),
    ("my-assessments", "manager", my_assessments),
    ("assessment", "manager", assessment_page),
    ("assessment-refused", "manager", refused_scores),
    ("not-found", "viewer", "/positions/NO-SUCH-POST/"),
    ("forbidden", "viewer", "/positions/DPT-YW-03/edit/"),
]


def describe(found):
    """One line per violation: rule, impact, what it asks, and the elements (selector and markup)."""
    lines = []
    for violation in found:
        nodes = "; ".join(
            f"{' '.join(map(str, node['target']))} {node['html'][:100]}" for node in violation["nodes"][:8]
        )
        more = f" (+{len(violation['nodes']) - 8} more)" if len(violation["nodes"]) > 8 else ""
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} -> {nodes}{more}")
    return "\n".join(lines)


def assert_accessible(page):
    found = Axe().run(page).response["violations"]
    blocking = [violation for violation in found if violation["impact"] in BLOCKING]
    assert not blocking, f"{page.url}:\n{describe(blocking)}"
    return found


@pytest.mark.parametrize(("role", "visit"), [pytest.param(role, visit, id=name) for name, role, visit in PAGES])
def test_page_has_no_serious_or_critical_accessibility_violation(page, live_server, portal, role, visit):
    if role:
        log_in(page, live_server, role)
    if callable(visit):
        visit(page, live_server.url)
    else:
        response = page.goto(f"{live_server.url}{visit}")
        assert response.status in (200, 403, 404)
    page.wait_for_load_state()
    assert_accessible(page)


def test_lock_out_page_has_no_serious_or_critical_accessibility_violation(page, live_server, portal, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    page.goto(f"{live_server.url}/accounts/login/")
    for password in ("wrong password", "wrong again"):
        page.fill("#id_username", "victor-viewer")
        page.fill("#id_password", password)
        page.click("section.login button[type=submit]")
        page.wait_for_load_state()
    assert page.locator("section.login[role=alert] h1").inner_text() == "登录失败次数过多"
    assert_accessible(page)


def test_the_not_found_and_forbidden_pages_answer_with_their_status(page, live_server, portal):
    log_in(page, live_server, "viewer")
    assert page.goto(f"{live_server.url}/positions/NO-SUCH-POST/").status == 404
    assert page.goto(f"{live_server.url}/positions/DPT-YW-03/edit/").status == 403
