"""Job families and grades: the matrix page, the list's filters, and the JD template that decides completeness."""

import pytest

from positions.models import JDTemplate, Position
from tests.factories import (
    DepartmentFactory,
    GradeFactory,
    JobCategoryFactory,
    JobFamilyFactory,
    PositionFactory,
    complete_position,
)


@pytest.fixture
def architecture(db):
    technical = JobCategoryFactory(code="T", name="技术类")
    management = JobCategoryFactory(code="M", name="管理类")
    network = JobFamilyFactory(code="NET", name="网络运维", category=technical)
    leaders = JobFamilyFactory(code="LEAD", name="运维管理", category=management)
    p3, p5 = GradeFactory(code="P3", rank=3), GradeFactory(code="P5", rank=5)
    m2 = GradeFactory(code="M2", rank=6)
    for grade in (p3, p5):
        grade.categories.set([technical])
    m2.categories.set([management])
    ops = DepartmentFactory(code="OPS", name="运维部")
    sales = DepartmentFactory(code="SAL", name="销售部")
    engineers = [
        PositionFactory(code=f"ENG-{n}", title=f"工程师{n}", job_family=network, grade=p3, department=ops)
        for n in range(7)
    ]
    PositionFactory(code="SENIOR", title="高级工程师", job_family=network, grade=p5, department=sales)
    PositionFactory(code="HEAD", title="运维经理", job_family=leaders, grade=m2, department=ops)
    PositionFactory(code="LOOSE", title="未分类岗位")
    PositionFactory(code="SECRET", title="草稿岗位", job_family=network, grade=p3, status=Position.Status.DRAFT)
    return {"network": network, "p3": p3, "p5": p5, "m2": m2, "ops": ops, "engineers": engineers}


def matrix_rows(response):
    """{family code (None: no family): row} over every table of the matrix."""
    return {
        (row.family.code if row.family else None): row for ladder in response.context["ladders"] for row in ladder.rows
    }


def ladders(response):
    """[(title, [family codes], [grade codes, None for "no grade"])], one per table, in page order."""
    return [
        (
            ladder.title,
            [row.family.code if row.family else None for row in ladder.rows],
            [grade.code if grade else None for grade in ladder.columns],
        )
        for ladder in response.context["ladders"]
    ]


def test_the_matrix_puts_each_position_in_its_family_and_grade(viewer_client, architecture):
    response = viewer_client.get("/architecture/")
    assert response.status_code == 200
    counts = {
        family: {(c.grade.code if c.grade else None): c.count for c in row.cells if c.count}
        for family, row in matrix_rows(response).items()
    }
    assert counts == {"NET": {"P3": 7, "P5": 1}, "LEAD": {"M2": 1}, None: {None: 1}}  # the draft is not counted
    html = response.content.decode()
    network, p3 = architecture["network"], architecture["p3"]
    assert f"/positions/?job_family={network.pk}&amp;grade={p3.pk}" in html
    assert "and 2 more" in html or "还有 2 个" in html  # five shown of seven


@pytest.fixture
def ladders_interleaved(architecture):
    """Three ladders whose ranks interleave (O1 P3 O2 P5 M2), two categories on one ladder (技术类 and 营销类
    on P3, P5), and a grade for every category (G9). Categories come in their order, then by code."""
    technical = architecture["network"].category
    operations = JobCategoryFactory(code="O", name="操作类", order=9)
    drivers = JobFamilyFactory(code="DRV", name="驾驶", category=operations)
    sales = JobCategoryFactory(code="S", name="营销类", order=1)
    selling = JobFamilyFactory(code="SELL", name="销售", category=sales)
    o1, o2 = GradeFactory(code="O1", rank=2), GradeFactory(code="O2", rank=4)
    for grade in (o1, o2):
        grade.categories.set([operations])
    for grade in (architecture["p3"], architecture["p5"]):
        grade.categories.set([technical, sales])
    GradeFactory(code="G9", rank=99)  # no categories named: it applies to every one
    PositionFactory(code="DRIVER", title="司机", job_family=drivers, grade=o1)
    PositionFactory(code="SELLER", title="销售代表", job_family=selling, grade=architecture["p3"])
    return architecture


def test_each_ladder_is_a_table_of_its_own_grades_so_no_ranks_interleave(viewer_client, ladders_interleaved):
    response = viewer_client.get("/architecture/")

    assert ladders(response) == [
        ("管理类", ["LEAD"], ["M2", "G9", None]),
        ("技术类、营销类", ["NET", "SELL"], ["P3", "P5", "G9", None]),
        ("操作类", ["DRV"], ["O1", "O2", "G9", None]),
        ("未设职种", [None], [None]),  # "No job family", in the default language
    ]
    for ladder in response.context["ladders"]:  # no cell that cannot hold a position
        assert all(cell.applies for row in ladder.rows for cell in row.cells), ladder.title
    html = response.content.decode()
    assert [anchor for anchor in ("ladder-1", "ladder-2", "ladder-3", "no-family") if f'href="#{anchor}"' in html] == [
        "ladder-1",
        "ladder-2",
        "ladder-3",
        "no-family",
    ]


def test_the_first_table_starts_with_filled_cells(viewer_client, ladders_interleaved):
    """The complaint: O1, P1, O2… across, so the first screen of a family's row was all shaded cells."""
    response = viewer_client.get("/architecture/")

    first = response.context["ladders"][0]
    row = first.rows[0]
    assert row.family.code == "LEAD" and row.cells[0].grade.code == "M2" and row.cells[0].count == 1
    html = response.content.decode()
    first_table = html[html.index('id="ladder-1"') : html.index('id="ladder-2"')]
    assert "not-applicable" not in first_table and "O1" not in first_table and "P3" not in first_table
    second = html[html.index('id="ladder-2"') : html.index('id="ladder-3"')]
    assert second.index(">P3<") < second.index(">P5<") and "O1" not in second and "O2" not in second


def test_a_position_on_a_grade_that_no_longer_applies_keeps_its_place_in_a_shaded_column(
    viewer_client, ladders_interleaved
):
    ladders_interleaved["p5"].categories.set([JobCategoryFactory(code="X", name="其他类")])  # P5 moves away

    response = viewer_client.get("/architecture/")

    title, _families, grades = ladders(response)[1]
    assert title == "技术类、营销类" and grades == ["P3", "P5", "G9", None]  # SENIOR still holds P5
    p5 = matrix_rows(response)["NET"].cells[1]
    assert p5.grade.code == "P5" and p5.count == 1 and not p5.applies
    assert 'class="cell not-applicable filled"' in response.content.decode()


def test_the_matrix_filters_by_department(viewer_client, architecture):
    response = viewer_client.get("/architecture/", {"department": architecture["ops"].pk})
    rows = {family: row.total for family, row in matrix_rows(response).items()}
    assert rows == {"NET": 7, "LEAD": 1}


def test_editors_see_drafts_in_the_matrix(hr_client, architecture):
    assert matrix_rows(hr_client.get("/architecture/"))["NET"].total == 9


def test_the_list_filters_by_family_grade_and_education(viewer_client, architecture):
    Position.objects.filter(code="SENIOR").update(education="master")
    network, p5 = architecture["network"], architecture["p5"]
    html = viewer_client.get("/positions/", {"job_family": network.pk, "grade": p5.pk}).content.decode()
    assert "高级工程师" in html and "工程师0" not in html
    html = viewer_client.get("/positions/", {"education": "master"}).content.decode()
    assert "高级工程师" in html and "运维经理" not in html
    codes = [p["code"] for p in viewer_client.get("/api/positions/", {"job_family": network.pk}).json()["results"]]
    assert sorted(codes) == sorted([f"ENG-{n}" for n in range(7)] + ["SENIOR"])


def test_search_covers_the_new_text(viewer_client, architecture):
    Position.objects.filter(code="HEAD").update(purpose="确保全网七乘二十四小时稳定运行", major="通信工程")
    assert "运维经理" in viewer_client.get("/positions/", {"q": "七乘二十四"}).content.decode()
    assert "运维经理" in viewer_client.get("/positions/", {"q": "通信工程"}).content.decode()


def test_an_administrator_makes_a_section_required_and_every_page_agrees(client, seed, admin_user):
    client.force_login(admin_user)
    form = {key: state for key, state in JDTemplate.current().states().items()}
    form["purpose"] = "required"
    response = client.post("/settings/jd-template/", form, follow=True)
    assert response.status_code == 200
    assert JDTemplate.current().required >= {"purpose", "duties"}
    # The seed's four complete descriptions now lack a purpose: card, list, chart and API agree.
    card = client.get("/positions/DPT-YW-04/").content.decode()
    assert "岗位目的" in card or "Purpose" in card
    api = client.get("/api/positions/DPT-YW-04/").json()
    assert api["complete"] is False and len(api["problems"]) == 1
    assert api["problems"][0] in client.get("/positions/", {"q": "DPT-YW-04"}).content.decode()
    chart = client.get("/org/").content.decode()
    assert chart.count('class="box incomplete') == 5


def test_a_section_not_used_is_not_required(client, seed, admin_user):
    client.force_login(admin_user)
    form = {key: state for key, state in JDTemplate.current().states().items()}
    form["kpis"] = "off"
    client.post("/settings/jd-template/", form)
    assert client.get("/api/positions/DPT-YW-03/").json()["complete"] is True
    # KPIs that exist are still judged: the deputy's cut-off table still weighs 0%.
    assert client.get("/api/positions/DPT-YW-05/").json()["complete"] is False


def test_a_bad_template_choice_is_refused_at_its_field(client, seed, admin_user):
    client.force_login(admin_user)
    form = {key: state for key, state in JDTemplate.current().states().items()}
    form["training"] = "mandatory"
    response = client.post("/settings/jd-template/", form)
    assert response.status_code == 200
    assert response.context["form"].errors["training"]
    assert JDTemplate.current().state("training") == "required"


def test_complete_synthetic_positions_are_unaffected_by_optional_sections(viewer_client, db):
    position = complete_position()
    assert viewer_client.get(f"/api/positions/{position.code}/").json()["complete"] is True
