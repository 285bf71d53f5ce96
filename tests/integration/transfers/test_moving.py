"""Moving a whole organisation to a new server: `export_org`, then `import_org` into an empty database.

An Administrator expects it back as it was. With `import_org --keep-status`, new positions keep the
file's status: a published job description that is incomplete (the seed's DPT-YW-05) stays published
and flagged incomplete, with a warning naming it in the preview. Without the option, and in anyone
else's import, the rule stays: published incomplete becomes a draft, and an HR editor never publishes
an incomplete job description. Derived lists (`dotted_reports`) come out by code, the same on any
database, whatever order the links were made in.
"""

import io

import pytest
from django.core.management import call_command
from django.utils import translation

from org_tree.models import Department, Grade, JobCategory, JobFamily
from portal.roles import ADMINISTRATOR
from positions.documents import judged, load_positions, position_document
from positions.models import Assignment, JDTemplate, Person, Position, Proposal
from positions.services.editing import Save, save_documents
from tests.conftest import make_user
from tests.integration.transfers.workbooks import sheets_of, table, upload
from transfers import importing, writing

INCOMPLETE = "DPT-YW-05"  # the seed's deputy: its KPI table stops after the first line (README)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def documents():
    """Every position's document as the card and the API judge it (complete or not, and why)."""
    required = JDTemplate.current().required
    return {
        position.code: {k: v for k, v in judged(position_document(position), required).items() if k != "version"}
        for position in load_positions(Position.objects.all())
    }


def empty_the_database():
    """What a new server has: no organisation, no people, no history (logins and settings aside)."""
    Assignment.objects.all().delete()
    Person.objects.all().delete()
    Proposal.objects.all().delete()
    Position.objects.update(parent=None)  # a superior is protected while it has reports
    Position.objects.all().delete()
    Position.history.all().delete()
    Department.objects.update(parent=None)
    Department.objects.all().delete()
    Grade.objects.all().delete()
    JobFamily.objects.all().delete()
    JobCategory.objects.all().delete()
    assert not Position.objects.exists() and not Department.objects.exists()


def move(tmp_path, *options):
    """Export the organisation, empty the database, import the file with `options`: the command's output."""
    path = tmp_path / "organisation.xlsx"
    call_command("export_org", str(path), stdout=io.StringIO())
    empty_the_database()
    out = io.StringIO()
    call_command("import_org", str(path), *options, stdout=out, stderr=io.StringIO())
    return path, out.getvalue()


def changed(before, after):
    assert set(before) == set(after)
    return {
        code: sorted(k for k in before[code] if before[code][k] != after[code].get(k))
        for code in before
        if before[code] != after[code]
    }


# ---------------------------------------------------------------------------------------------
# The seed


def test_the_seed_moved_with_keep_status_comes_back_exactly_as_it_was(seed, tmp_path):
    before = documents()
    assert before[INCOMPLETE]["status"] == "published" and not before[INCOMPLETE]["complete"]

    path, out = move(tmp_path, "--keep-status")

    after = documents()
    assert changed(before, after) == {}
    assert after[INCOMPLETE]["status"] == "published"
    assert after[INCOMPLETE]["problems"] == before[INCOMPLETE]["problems"]  # still flagged, for the same reasons
    assert "new 16, changed 0, unchanged 0" in out  # 4 departments and 12 positions
    # Exported again, the file is the same, row for row.
    assert sheets_of(writing.export_workbook()) == sheets_of(path.read_bytes())


def test_the_seed_moved_without_the_option_drafts_its_incomplete_job_description_and_nothing_else(seed, tmp_path):
    before = documents()

    _path, out = move(tmp_path)

    assert changed(before, documents()) == {INCOMPLETE: ["status"]}
    assert Position.objects.get(code=INCOMPLETE).status == "draft"
    assert "Imported as an incomplete draft" in out


def test_a_dry_run_with_keep_status_warns_for_each_position_kept_published_and_writes_nothing(seed, tmp_path):
    path = tmp_path / "organisation.xlsx"
    call_command("export_org", str(path), stdout=io.StringIO())
    empty_the_database()
    out = io.StringIO()

    call_command("import_org", str(path), "--dry-run", "--keep-status", stdout=out)

    warnings = [line for line in out.getvalue().splitlines() if line.startswith("WARNING")]
    assert len(warnings) == 1, warnings
    assert f"{INCOMPLETE} stays published as in the file, though incomplete" in warnings[0]
    assert "sheet 岗位, row 7, column 状态" in warnings[0]  # DPT-YW-05's row of the positions sheet
    assert "weight" in warnings[0].lower()  # and why it is incomplete
    assert not Position.objects.exists()


# ---------------------------------------------------------------------------------------------
# A synthetic organisation


def test_a_synthetic_organisation_moved_with_keep_status_comes_back_as_it_was(db, tmp_path):
    call_command("synth_org", positions=200, seed=3, verbosity=0)
    before = documents()
    incomplete = {code for code, d in before.items() if d["status"] == "published" and not d["complete"]}
    assert incomplete, "the synthetic organisation should have published incomplete job descriptions"
    assert any(d["dotted_reports"] for d in before.values())

    path, out = move(tmp_path, "--keep-status")

    after = documents()
    assert changed(before, after) == {}
    assert sum(1 for line in out.splitlines() if "stays published as in the file" in line) == len(incomplete)
    assert sheets_of(writing.export_workbook()) == sheets_of(path.read_bytes())


def test_a_synthetic_organisation_moved_without_the_option_drafts_exactly_its_incomplete_published_posts(db, tmp_path):
    call_command("synth_org", positions=200, seed=3, verbosity=0)
    before = documents()
    incomplete = {code for code, d in before.items() if d["status"] == "published" and not d["complete"]}

    move(tmp_path)

    assert changed(before, documents()) == dict.fromkeys(incomplete, ["status"])


# ---------------------------------------------------------------------------------------------
# Who may keep the status, and of what


def incomplete_new_position():
    """A new position, published in the file, with no KPIs at all: incomplete."""
    return upload(
        "move.xlsx",
        table(
            "positions",
            [{"code": "MOVE-1", "title": "迁移岗位", "status": "已发布", "has_description": "是", "purpose": "迁移"}],
        ),
    )


@pytest.mark.parametrize(
    ("who", "status", "warning"),
    [
        ("administrator", "published", "MOVE-1 stays published as in the file, though incomplete"),
        ("command line", "published", "MOVE-1 stays published as in the file, though incomplete"),
        ("approver", "draft", "Imported as an incomplete draft"),
        ("hr editor", "draft", "Only an approver may publish a new job description"),
    ],
)
def test_only_an_administrator_keeps_an_incomplete_job_description_published(
    seed, hr_user, proposer_user, who, status, warning
):
    user = {
        "administrator": lambda: make_user("ada-admin", ADMINISTRATOR),
        "command line": lambda: None,
        "approver": lambda: hr_user,
        "hr editor": lambda: proposer_user,
    }[who]()

    preview = importing.preview(incomplete_new_position(), user, keep_status=True)
    report = importing.apply(incomplete_new_position(), user, keep_status=True)

    for result in (preview, report):
        assert result.errors == []
        assert [w.message for w in result.warnings if warning in w.message], result.warnings
        assert [(w.sheet, w.row, w.column) for w in result.warnings] == [("岗位", 2, "状态")]
    assert Position.objects.get(code="MOVE-1").status == status


def test_keep_status_leaves_positions_on_file_under_the_usual_rule(seed, admin_user):
    """The option is for posts that do not exist yet: a change that makes a published one incomplete still drafts it."""
    book = upload(
        "kpis.xlsx",
        table("positions", [{"code": "DPT-YW-03", "title": "客户服务代表"}]),
        table("kpis", [{"code": "DPT-YW-03", "line": 1, "responsibility": "客户回访", "weight": 50}]),
    )

    report = importing.apply(book, admin_user, keep_status=True)

    assert [w.message for w in report.warnings if "Imported as an incomplete draft" in w.message]
    assert Position.objects.get(code="DPT-YW-03").status == "draft"


def test_without_keep_status_an_administrator_gets_the_usual_rule(seed, admin_user):
    importing.apply(incomplete_new_position(), admin_user)
    assert Position.objects.get(code="MOVE-1").status == "draft"


# ---------------------------------------------------------------------------------------------
# Derived lists in a stable order


def test_dotted_line_reports_are_listed_by_code_whatever_order_the_links_were_made_in(seed):
    for code in ("ZZ-LAST", "MM-MIDDLE", "AA-FIRST"):  # made in reverse order of their codes
        save_documents([Save({"code": code, "title": code, "dotted_reports_to": ["DPT-YW-02"]})])

    (superior,) = load_positions(Position.objects.filter(code="DPT-YW-02"))

    assert position_document(superior)["dotted_reports"] == ["AA-FIRST", "MM-MIDDLE", "ZZ-LAST"]
