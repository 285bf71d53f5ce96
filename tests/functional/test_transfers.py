"""An Administrator imports new positions from the portal's template, in a real Chromium.

The import page (/transfers/, "导入/导出" in the menu) offers the template; the Administrator fills
its 岗位 and 考核标准 sheets with openpyxl, uploads the file, reads the error of its one bad row on
the job page (sheet, row, column and message), uploads the corrected file, checks the progress
counts and the preview, confirms, and finds the new positions on the org chart and in their
history under the file's name. The pages pass axe-core, and the upload form works from the keyboard.

Test settings run a job with django-tasks' ImmediateBackend once the upload's transaction commits,
so the job has usually ended when its page first loads; one test holds a job running to see
static/js/transfers.js follow it and reload the page when it ends.

The last two tests import files that fill in only what the template's instructions require, and
check that the posts come out as the instructions promise (see their docstrings).
"""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from openpyxl import load_workbook
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from portal.roles import ADMINISTRATOR
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT_MS = 10_000
CHOOSER_MS = 60_000  # the most a loaded machine may take to open the file chooser and fill the input
BLOCKING = ("serious", "critical")
USERNAME = "ada-admin"
SUPERIOR = "DPT-YW-04"  # 技术支持部经理 in fixtures/seed_yunwei.json, department YW-JS
UNKNOWN = "NO-SUCH-99"
GOOD_FILE = "new-network-posts.xlsx"
BAD_FILE = "new-network-posts-draft.xlsx"
CONFIRM = "确认并导入"
FORMAT_SHEETS = {
    "说明",
    "部门",
    "职位体系",
    "岗位",
    "岗位职责",
    "任职条件",
    "培训要求",
    "工作权限",
    "内部关系",
    "外部关系",
    "考核标准",
    "人员",
    "花名册",
    "示例",
}
ACCENT = "rgb(11, 105, 163)"  # --accent in static/css/portal.css: the primary button's colour

# By the template's Chinese headers: two new posts under DPT-YW-04. NEW-02 reports to NEW-01,
# created by the same file.
NEW_POSITIONS = [
    {
        "岗位编码": "NEW-01",
        "岗位名称": "网络运维主管",
        "部门编码": "YW-JS",
        "直接上级编码": SUPERIOR,
        "编制": 1,
        "状态": "草稿",
        "有岗位说明书": "是",
        "复审周期（月）": 12,
    },
    {
        "岗位编码": "NEW-02",
        "岗位名称": "网络运维专员",
        "部门编码": "YW-JS",
        "直接上级编码": "NEW-01",
        "编制": 2,
        "状态": "草稿",
        "复审周期（月）": 12,
    },
]
BAD_POSITION = {  # on row 4 of 岗位 (the header is row 1): its superior does not exist
    "岗位编码": "NEW-03",
    "岗位名称": "网络运维实习生",
    "部门编码": "YW-JS",
    "直接上级编码": UNKNOWN,
    "编制": 1,
    "状态": "草稿",
    "复审周期（月）": 12,
}
KPIS = [  # NEW-01's; the weights total 100
    {
        "岗位编码": "NEW-01",
        "序号": 1,
        "关键职责": "保障网络稳定运行",
        "权重": 60,
        "绩效标准": "全年可用率不低于99.9%",
        "考核周期": "月度",
    },
    {
        "岗位编码": "NEW-01",
        "序号": 2,
        "关键职责": "处理网络故障",
        "权重": 40,
        "绩效标准": "故障按时处理",
        "考核周期": "季度",
    },
]


@pytest.fixture
def administrator(seed):
    """An Administrator (the role's permissions only, not a superuser), over the seed organisation."""
    return make_user(USERNAME, ADMINISTRATOR)


def log_in(page, live_server, next_url="/org/"):
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.fill("#id_username", USERNAME)
    page.fill("#id_password", PASSWORD)
    page.click("section.login button[type=submit]")
    page.wait_for_url(f"{live_server.url}{next_url}")


def assert_accessible(page):
    """No serious or critical axe-core violation; a failure names each rule, impact and element."""
    found = Axe().run(page).response["violations"]
    blocking = [violation for violation in found if violation["impact"] in BLOCKING]
    lines = [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(f"{' '.join(map(str, n['target']))} {n['html'][:100]}" for n in v["nodes"][:8])
        for v in blocking
    ]
    assert not blocking, f"{page.url}:\n" + "\n".join(lines)


def download_template(page, folder):
    """Click the template link of the import page; the downloaded file's path."""
    with page.expect_download() as info:
        page.locator("section.transfer-upload a[href$='/transfers/template.xlsx']").click()
    download = info.value
    assert download.failure() is None
    path = folder / download.suggested_filename
    download.save_as(path)
    return path


def fill(sheet, rows):
    """Append `rows` ({header: value}) under the sheet's header row, each value in its header's column
    (a required column's header carries a *: "岗位编码*" is the column 岗位编码)."""
    columns = {cell.value.rstrip("*"): cell.column for cell in sheet[1] if cell.value}
    for values in rows:
        row = sheet.max_row + 1
        for header, value in values.items():
            sheet.cell(row=row, column=columns[header], value=value)


def workbook_from(template, path, positions, kpis=KPIS):
    """The template with `positions` in its 岗位 sheet and `kpis` in its 考核标准 sheet, saved at `path`."""
    book = load_workbook(template)
    fill(book["岗位"], positions)
    fill(book["考核标准"], kpis)
    book.save(path)
    return path


def upload(page, live_server, path, here=False):
    """Upload `path` from the import page (or, `here`, from the upload box of the page shown)."""
    if not here:
        page.goto(f"{live_server.url}/transfers/")
    page.set_input_files("#id_file", str(path))
    page.get_by_role("button", name="上传并预览").click()
    return wait_for_job(page, live_server)


def wait_for_job(page, live_server):
    """The job page's URL, once its job has ended (transfers.js reloads the page then, if it was running)."""
    page.wait_for_url(re.compile(rf"^{re.escape(live_server.url)}/transfers/jobs/\d+/$"))
    expect(page.locator("#job-progress")).to_have_attribute("data-running", "false")
    return page.url


def confirm(page, live_server, press=None):
    """Confirm the previewed import (by a click, or by `press` on the focused button): the job page again."""
    button = page.get_by_role("button", name=CONFIRM)
    with page.expect_navigation():  # the confirmation redirects to this same page
        if press:
            button.focus()
            page.keyboard.press(press)
        else:
            button.click()
    return wait_for_job(page, live_server)


def assert_status(page, status):
    """The job has `status` (asked of its progress URL), and the page shows that status's label."""
    job = page.evaluate(
        "url => fetch(url, {headers: {Accept: 'application/json'}}).then(r => r.json())",
        page.locator("#job-progress").get_attribute("data-url"),
    )
    assert job["status"] == status, job
    assert not job["running"], job
    expect(page.locator("#job-progress .job-status")).to_have_text(job["label"])
    return job["label"]


def counts(page):
    """The progress counts the job page shows."""
    return {
        name: page.locator(f"#job-progress dd[data-count={name}]").inner_text().strip()
        for name in ("rows_read", "rows_validated", "rows_written")
    }


def problem_rows(page):
    """The cells (sheet, row, column, problem) of each row of the job page's errors table."""
    rows = page.locator("section[aria-labelledby=errors-title] table.problems tbody tr")
    return [[cell.strip() for cell in row.locator("td").all_inner_texts()] for row in rows.all()]


def preview_rows(page):
    """(sheet, row, code, name) of each row of the preview's rows table."""
    rows = page.locator("table.transfer-rows tbody tr")
    return [tuple(cell.strip() for cell in row.locator("td").all_inner_texts()[:4]) for row in rows.all()]


def test_the_template_has_a_sheet_for_every_part_of_the_format(page, live_server, administrator, tmp_path):
    log_in(page, live_server)
    page.locator("header.topbar nav a", has_text="导入/导出").click()
    page.wait_for_url(f"{live_server.url}/transfers/")
    expect(page.locator("h1")).to_have_text("导入与导出")

    template = download_template(page, tmp_path)

    assert template.name == "organisation-template.xlsx"
    book = load_workbook(template)
    assert book.sheetnames[0] == "说明"  # the instructions first
    assert set(book.sheetnames) == FORMAT_SHEETS
    assert [cell.value for cell in book["岗位"][1]][:4] == ["岗位编码*", "岗位名称*", "部门编码", "直接上级编码"]
    kpi_headers = ["岗位编码*", "序号*", "关键职责*", "权重*", "绩效标准", "考核周期",
                   "指标名称", "单位", "方向", "目标值", "门槛值", "计分规则", "每次扣分"]  # fmt: skip
    assert [cell.value for cell in book["考核标准"][1]] == kpi_headers
    # Headers only: nothing to clear first. The examples are on a sheet of their own, never imported.
    assert all(sheet.max_row == 1 for sheet in book.worksheets[1:] if sheet.title != "示例")
    assert book["示例"].max_row > 20
    guide = {str(cell) for row in book["说明"].iter_rows(values_only=True) for cell in row if cell}
    assert {"岗位 (positions)", "考核标准 (KPIs)", "直接上级编码", "权重"} <= guide


def test_administrator_imports_two_new_positions_after_correcting_a_bad_row(page, live_server, administrator, tmp_path):
    log_in(page, live_server, "/transfers/")
    template = download_template(page, tmp_path)

    # 1. A file with one bad row: NEW-03 reports to a position nobody has. Nothing is written.
    upload(page, live_server, workbook_from(template, tmp_path / BAD_FILE, [*NEW_POSITIONS, BAD_POSITION]))

    expect(page.locator("h1")).to_have_text(f"导入: {BAD_FILE}")
    assert_status(page, "refused")
    assert counts(page) == {"rows_read": "5", "rows_validated": "5", "rows_written": "0"}  # 3 positions, 2 KPIs
    expect(page.locator("#errors-title")).to_have_text("1 个错误：未导入任何内容")
    errors = problem_rows(page)
    assert len(errors) == 1, errors
    sheet, row, column, message = errors[0]
    assert (sheet, row, column) == ("岗位", "4", "直接上级编码"), errors
    assert UNKNOWN in message, message
    expect(page.get_by_role("button", name=CONFIRM)).to_have_count(0)  # nothing to confirm

    # 2. The corrected file, uploaded from the refused import's page, under its errors: the bad row taken
    # out. Its preview lists the new rows, where they go.
    expect(page.get_by_role("heading", name="上传改正后的文件")).to_be_visible()
    job_url = upload(page, live_server, workbook_from(template, tmp_path / GOOD_FILE, NEW_POSITIONS), here=True)

    expect(page.locator("h1")).to_have_text(f"导入: {GOOD_FILE}")
    assert_status(page, "previewed")
    assert counts(page) == {"rows_read": "4", "rows_validated": "4", "rows_written": "0"}
    expect(page.locator("#errors-title")).to_have_count(0)
    expect(page.locator("ul.totals li").first).to_have_text("新增: 2")
    expect(page.locator("table.transfer-rows tbody tr.status-new")).to_have_count(2)
    assert preview_rows(page) == [("岗位", "2", "NEW-01", "网络运维主管"), ("岗位", "3", "NEW-02", "网络运维专员")]
    placed = page.locator("table.transfer-rows tbody tr.status-new td:last-child")
    expect(placed.nth(0)).to_have_text(re.compile(r"部门: 技术支持部 \(YW-JS\)\s*直接上级: DPT-YW-04 技术支持部经理"))
    expect(placed.nth(1)).to_have_text(re.compile(r"部门: 技术支持部 \(YW-JS\)\s*直接上级: NEW-01 网络运维主管"))
    expect(page.get_by_role("button", name=CONFIRM)).to_have_css("background-color", ACCENT)  # the primary action
    assert page.goto(f"{live_server.url}/positions/NEW-01/").status == 404  # not written before Confirm
    page.goto(job_url)

    assert confirm(page, live_server) == job_url
    imported = assert_status(page, "applied")
    assert imported == "已导入"
    assert counts(page) == {"rows_read": "4", "rows_validated": "4", "rows_written": "2"}
    expect(page.get_by_role("button", name=CONFIRM)).to_have_count(0)  # applied once

    # The import page lists both jobs, newest first, with their status.
    page.goto(f"{live_server.url}/transfers/")
    jobs = page.locator("section[aria-labelledby=jobs-title] table.list tbody tr")
    expect(jobs).to_have_count(2)
    expect(jobs.nth(0).locator("td").nth(2)).to_have_text(GOOD_FILE)
    expect(jobs.nth(0).locator("td").nth(4)).to_have_text(imported)
    expect(jobs.nth(1).locator("td").nth(2)).to_have_text(BAD_FILE)

    # 3. The new positions on the org chart, where the file put them.
    page.goto(f"{live_server.url}/org/")
    expect(page.locator(f"#p-{SUPERIOR} #p-NEW-01 > .box[data-code='NEW-01']")).to_contain_text("网络运维主管")
    expect(page.locator("#p-NEW-01 #p-NEW-02 > .box[data-code='NEW-02']")).to_contain_text("网络运维专员")
    expect(page.locator("#p-NEW-03")).to_have_count(0)

    # 4. ... and in their history: one version each, by the Administrator, under the file's name.
    for code in ("NEW-01", "NEW-02"):
        page.goto(f"{live_server.url}/positions/{code}/history/")
        versions = page.locator("table.versions tbody tr")
        expect(versions).to_have_count(1)
        expect(versions.first.locator("td").nth(2)).to_have_text(USERNAME)
        expect(versions.first.locator("td").nth(3)).to_have_text(f"从 {GOOD_FILE} 导入")

    # The KPIs came with NEW-01.
    page.goto(f"{live_server.url}/positions/NEW-01/")
    expect(page.locator(".jd-kpis .kpi-table tbody tr")).to_have_count(2)
    expect(page.locator(".jd-kpis .kpi-table tfoot .total")).to_have_text("100%")


def test_the_job_page_follows_a_running_job_and_shows_its_result(page, live_server, administrator):
    """transfers.js updates the counts while the job runs, and reloads the page when it ends."""
    from transfers.models import Job

    job = Job.objects.create(
        kind=Job.Kind.IMPORT,
        user=administrator,
        file_name=GOOD_FILE,
        status=Job.Status.VALIDATING,
        rows_read=4,
        rows_total=4,
        rows_validated=1,
    )
    log_in(page, live_server, job.get_absolute_url())
    progress = page.locator("#job-progress")
    expect(progress).to_have_attribute("data-running", "true")
    expect(progress.locator(".job-status")).to_have_text("正在检查每一行")
    assert counts(page) == {"rows_read": "4", "rows_validated": "1", "rows_written": "0"}
    page.evaluate("window.stillTheSamePage = true")

    Job.objects.filter(pk=job.pk).update(rows_validated=3)
    expect(progress.locator("dd[data-count=rows_validated]")).to_have_text("3")  # polled, not reloaded
    assert page.evaluate("window.stillTheSamePage === true")

    report = {
        "totals": {"new": 1, "changed": 0, "unchanged": 0, "proposed": 0, "deleted": 0, "errors": 0, "warnings": 0},
        "rows": [{"sheet": "岗位", "row": 2, "key": "NEW-01", "label": "网络运维主管", "status": "new", "changes": []}],
        "problems": [],
    }
    Job.objects.filter(pk=job.pk).update(status=Job.Status.PREVIEWED, rows_validated=4, report=report)
    expect(progress).to_have_attribute("data-running", "false")  # reloaded with the result
    assert page.evaluate("window.stillTheSamePage === undefined")
    assert_status(page, "previewed")
    assert counts(page) == {"rows_read": "4", "rows_validated": "4", "rows_written": "0"}
    assert preview_rows(page) == [("岗位", "2", "NEW-01", "网络运维主管")]
    expect(page.get_by_role("button", name=CONFIRM)).to_be_visible()


def test_import_pages_have_no_serious_or_critical_accessibility_violation(page, live_server, administrator, tmp_path):
    log_in(page, live_server, "/transfers/")
    assert_accessible(page)  # the import page, no jobs yet

    template = download_template(page, tmp_path)
    upload(page, live_server, workbook_from(template, tmp_path / BAD_FILE, [*NEW_POSITIONS, BAD_POSITION]))
    expect(page.locator("#errors-title")).to_be_visible()
    assert_accessible(page)  # the job page with its errors

    upload(page, live_server, workbook_from(template, tmp_path / GOOD_FILE, NEW_POSITIONS))
    expect(page.locator("table.transfer-rows tbody tr.status-new")).to_have_count(2)
    expect(page.get_by_role("button", name=CONFIRM)).to_be_visible()
    assert_accessible(page)  # the job page with the preview and the Confirm button

    confirm(page, live_server)
    assert_status(page, "applied")
    assert_accessible(page)  # the job page of the applied import

    page.goto(f"{live_server.url}/transfers/")
    expect(page.locator("section[aria-labelledby=jobs-title] table.list tbody tr")).to_have_count(2)
    assert_accessible(page)  # the import page listing jobs


def test_the_delete_missing_checkbox_sits_beside_its_label(page, live_server, administrator):
    log_in(page, live_server, "/transfers/")
    checkbox = page.locator("#id_delete_missing")
    label = page.locator("label[for=id_delete_missing]")
    box, text = checkbox.bounding_box(), label.bounding_box()

    assert box["width"] < 30, box  # a box, not stretched across the form
    gap = text["x"] - (box["x"] + box["width"])
    assert 0 <= gap < 16, (box, text)  # the label follows it on the right ...
    middle = box["y"] + box["height"] / 2
    assert text["y"] <= middle <= text["y"] + text["height"], (box, text)  # ... on the same line
    label.click()  # and the label ticks it
    expect(checkbox).to_be_checked()


def tab_to(page, selector, limit=60):
    """Press Tab until the focused element matches `selector`; fail after `limit` presses."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement !== null && document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"{selector} cannot be reached with Tab ({limit} presses)")


def test_the_upload_form_is_reached_and_submitted_with_the_keyboard(page, live_server, administrator, tmp_path):
    log_in(page, live_server, "/transfers/")
    good = workbook_from(download_template(page, tmp_path), tmp_path / GOOD_FILE, NEW_POSITIONS)
    page.goto(f"{live_server.url}/transfers/")  # focus starts at the top of the page

    tab_to(page, "#id_file")
    file_input = page.get_by_label("工作簿或 CSV 文件")
    expect(file_input).to_be_focused()  # the focused input is named by its label
    # Space opens the file chooser, as a click would; the person picks the file in it. On a loaded
    # machine headless Chromium has twice let one Space press go by without opening the chooser (the
    # input focused, its value still empty a minute later); a person would press again, and so does
    # the test, at most three times: a keyboard that never opens it still fails.
    for _attempt in range(3):
        try:
            with page.expect_file_chooser(timeout=CHOOSER_MS // 3) as chooser:
                page.keyboard.press("Space")
            break
        except PlaywrightTimeoutError:
            expect(file_input).to_be_focused()
    else:
        pytest.fail("Space on the focused file input never opened the file chooser")
    chooser.value.set_files(str(good))
    expect(file_input).to_have_value(re.compile(rf"[\\/]{re.escape(GOOD_FILE)}$"), timeout=CHOOSER_MS)
    expect(file_input).to_be_focused()  # the chooser gives focus back to the input, where Tab goes on from
    tab_to(page, "section.transfer-upload form button[type=submit]", limit=5)
    page.keyboard.press("Enter")

    wait_for_job(page, live_server)
    expect(page.locator("h1")).to_have_text(f"导入: {GOOD_FILE}")
    assert_status(page, "previewed")
    expect(page.locator("table.transfer-rows tbody tr.status-new")).to_have_count(2)
    confirm(page, live_server, press="Enter")  # the Confirm button works from the keyboard too
    assert_status(page, "applied")


# Filling in the template as its instructions say (the 说明 sheet, and README's table, whose
# required columns are in bold): optional columns left empty take their defaults.


def import_file(page, live_server, path):
    """Upload `path`, expect a preview without errors, confirm it, and expect it imported."""
    upload(page, live_server, path)
    errors = problem_rows(page)
    assert errors == [], f"the preview refused a file that follows the template: {errors}"
    assert_status(page, "previewed")
    confirm(page, live_server)
    assert_status(page, "applied")


def test_a_new_position_needs_only_the_required_columns_of_the_template(page, live_server, administrator, tmp_path):
    """Only 岗位编码 and 岗位名称 are required (the 说明 sheet, README); 编制 and 复审周期（月） are not.

    Left empty, they take the model's defaults (headcount 1, a review every 12 months): transfers/
    importing.py reads an empty cell in those columns as "not given" (KEEP_WHEN_EMPTY), where it
    once refused it with "此单元格必填。" (This cell is required.).
    """
    from positions.models import Position

    log_in(page, live_server, "/transfers/")
    template = download_template(page, tmp_path)
    guide = load_workbook(template)["说明"]
    required = {row[1] for row in guide.iter_rows(values_only=True) if row[1] and len(row) > 3 and row[3]}
    assert {"岗位编码", "岗位名称"} <= required
    assert not {"编制", "复审周期（月）"} & required

    columns = {"岗位编码", "岗位名称", "部门编码", "直接上级编码", "状态", "有岗位说明书"}
    rows = [{header: value for header, value in row.items() if header in columns} for row in NEW_POSITIONS]
    import_file(page, live_server, workbook_from(template, tmp_path / GOOD_FILE, rows))

    created = {p.code: (p.headcount, p.review_months) for p in Position.objects.filter(code__startswith="NEW-")}
    assert created == {"NEW-01": (1, 12), "NEW-02": (1, 12)}  # the model's defaults


def test_kpis_imported_for_a_new_position_are_on_its_card(page, live_server, administrator, tmp_path):
    """A file that gives a new position KPIs gives it a job description, as the editor's service rules.

    The template's 有岗位说明书 column is optional (是/否). Left empty, it is "not given", and the KPIs
    the row carries put a job description on file, so the card shows them. (The import once read the
    empty cell as 否: the KPIs were stored, but the card said 暂无岗位说明书 and showed none of them.)
    """
    log_in(page, live_server, "/transfers/")
    template = download_template(page, tmp_path)
    rows = [{header: value for header, value in row.items() if header != "有岗位说明书"} for row in NEW_POSITIONS]
    import_file(page, live_server, workbook_from(template, tmp_path / GOOD_FILE, rows))

    page.goto(f"{live_server.url}/positions/NEW-01/")
    expect(page.locator(".jd-kpis .kpi-table tbody tr")).to_have_count(2)
    expect(page.locator(".jd-kpis .kpi-table tfoot .total")).to_have_text("100%")
