"""定岗定编: headcount against primary holders per department, alone and rolled up, on the page and in JSON."""

import pytest

from org_tree.models import Department
from org_tree.staffing import staffing_table
from tests.factories import AssignmentFactory, DepartmentFactory, PersonFactory, PositionFactory


@pytest.fixture
def organisation(db):
    """HQ (one post, 2 places, 1 holder) over Sales (3 places, 4 holders) and IT (2 places, 0 holders + 1 concurrent)."""
    hq = DepartmentFactory(code="HQ", name="总部")
    sales = DepartmentFactory(code="SALES", name="销售部", parent=hq)
    it = DepartmentFactory(code="IT", name="信息部", parent=hq)
    boss = PositionFactory(code="P-BOSS", department=hq, headcount=2)
    AssignmentFactory(position=boss)
    seller = PositionFactory(code="P-SELL", department=sales, headcount=3, parent=boss)
    for _ in range(4):
        AssignmentFactory(position=seller)
    admin = PositionFactory(code="P-IT", department=it, headcount=2, parent=boss)
    AssignmentFactory(position=admin, kind="concurrent", person=PersonFactory())  # does not fill headcount
    PositionFactory(code="P-NONE", headcount=1)  # a post without a department
    return {"hq": hq, "sales": sales, "it": it}


def figures(row, part):
    figure = getattr(row, part)
    return (figure.headcount, figure.filled, figure.vacant, figure.over)


def test_each_department_has_its_own_figures_and_the_roll_up(organisation, hr_user):
    rows = {row.department.code if row.department else None: row for row in staffing_table(hr_user)}
    assert figures(rows["HQ"], "own") == (2, 1, 1, 0)
    assert figures(rows["SALES"], "own") == (3, 4, 0, 1)
    assert figures(rows["IT"], "own") == (2, 0, 2, 0)  # a concurrent holder fills no headcount
    assert figures(rows["HQ"], "total") == (7, 5, 3, 1)
    assert figures(rows[None], "own") == (1, 0, 1, 0)


def test_rows_come_in_department_tree_order_with_posts_without_a_department_last(organisation, hr_user):
    codes = [row.department.code if row.department else None for row in staffing_table(hr_user)]
    assert codes == ["HQ", "IT", "SALES", None]


def test_a_department_filter_shows_its_subtree_only(organisation, hr_user):
    rows = staffing_table(hr_user, under=Department.objects.get(code="SALES"))
    assert [row.department.code for row in rows] == ["SALES"]
    assert rows[0].level == 0


def test_the_page_shows_the_figures_and_links_to_the_positions(viewer_client, organisation):
    html = viewer_client.get("/staffing/").content.decode()
    assert "销售部" in html and "信息部" in html
    assert f"/positions/?department={organisation['sales'].pk}&amp;scope=own" in html
    assert 'class="num over">1<' in html


def test_the_json_has_the_same_figures(viewer_client, organisation):
    data = viewer_client.get("/api/staffing/").json()
    hq = data["results"][0]
    assert hq == {
        "department": "HQ",
        "name": "总部",
        "parent": None,
        "level": 0,
        "positions": 1,
        "headcount": 2,
        "filled": 1,
        "vacant": 1,
        "over": 0,
        "headcount_total": 7,
        "filled_total": 5,
        "vacant_total": 3,
        "over_total": 1,
    }
    assert data["totals"] == {"headcount": 8, "filled": 5, "vacant": 4, "over": 1}
    sales = viewer_client.get("/api/staffing/", {"department": organisation["sales"].pk}).json()
    assert [row["department"] for row in sales["results"]] == ["SALES"]


def test_a_malformed_department_filter_is_a_clear_400(viewer_client, organisation):
    response = viewer_client.get("/api/staffing/", {"department": "x"})
    assert response.status_code == 400
    assert response.json()["department"]
    assert viewer_client.get("/staffing/", {"department": "x"}).status_code == 200


def test_the_staffing_table_costs_the_same_whatever_the_size(viewer_client, organisation, django_assert_num_queries):
    from tests.integration.test_query_counts import REQUEST_OVERHEAD

    # +1 departments, +1 positions with their primary holder counts, +1 the department menu, +1 which
    # departments hold only drafts (positions/visibility.py; none here, so no second query for their tree)
    with django_assert_num_queries(REQUEST_OVERHEAD + 4):
        viewer_client.get("/staffing/")
    for n in range(20):
        AssignmentFactory(position=PositionFactory(department=organisation["it"], code=f"P-X{n}"))
    with django_assert_num_queries(REQUEST_OVERHEAD + 4):
        viewer_client.get("/staffing/")
