"""The whole 岗位说明书 on the card, the chart and the API; the seed's cards show only what the seed has."""

import re

import pytest

from positions.services.editing import Save, save_documents
from tests.factories import AssignmentFactory, GradeFactory, JobFamilyFactory, PersonFactory

FULL = {
    "purpose": "保障全网稳定运行。",
    "internal_relations": ["客户服务部：故障派单"],
    "external_relations": ["设备厂商：备件"],
    "duties": [{"text": "负责网络巡检", "share": 70}, {"text": "处理故障", "share": 30}],
    "authorities": ["网络变更审批权"],
    "education": "bachelor",
    "major": "通信工程",
    "experience_years": 3,
    "training": ["设备厂商认证培训"],
    "work_environment": "机房，需夜间值班",
    "qualifications": ["熟悉路由交换"],
    "kpis": [{"responsibility": "网络可用率", "weight": 100, "standard": "≥99.9%", "cycle": "monthly"}],
    "dotted_reports_to": ["DPT-YW-02"],
    "career": {"promotes_to": ["DPT-YW-04"], "rotates_with": ["DPT-YW-03"]},
}
ORDER = [
    "jd-purpose",
    "jd-relations",
    "jd-duties",
    "jd-authorities",
    "jd-qualifications",
    "jd-training",
    "jd-environment",
    "jd-career",
    "jd-kpis",
]


@pytest.fixture
def full(seed):
    family = JobFamilyFactory(name="网络运维", category__name="技术类")
    grade = GradeFactory(code="P5", name="高级")
    grade.categories.set([family.category])
    save_documents([Save({**FULL, "job_family": family.code, "grade": grade.code}, code="DPT-YW-N05")])
    AssignmentFactory(position_id=_pk("DPT-YW-N05"), person=PersonFactory(name="赵工"))
    AssignmentFactory(position_id=_pk("DPT-YW-N05"), person=PersonFactory(name="钱兼"), kind="concurrent")
    return "DPT-YW-N05"


def _pk(code):
    from positions.models import Position

    return Position.objects.get(code=code).pk


def test_the_card_lays_the_sections_out_in_the_order_of_a_chinese_form(viewer_client, full):
    html = viewer_client.get(f"/positions/{full}/").content.decode()
    found = [name for name in ORDER if f'class="jd-form {name}"' in html or f'class="jd-section {name}"' in html]
    assert found == ORDER
    positions = [html.index(f'{name}"') for name in ORDER]
    assert positions == sorted(positions)
    assert "技术类 / 网络运维" in html and "P5 高级" in html
    assert "70%" in html and "时间占比" in html or "Time share" in html
    assert "本科" in html and "通信工程" in html
    assert "考核周期" in html or "Assessment cycle" in html
    assert re.search(r"钱兼<span class=\"concurrent\"", html)
    assert 'href="/positions/DPT-YW-02/"' in html  # the dotted-line superior, linked


def test_the_dotted_line_shows_on_both_cards(viewer_client, full):
    html = viewer_client.get("/positions/DPT-YW-02/").content.decode()
    assert 'class="jd-dotted-reports"' in html and "网络管理工程师" in html


@pytest.mark.parametrize("code", ["DPT-YW-01", "DPT-YW-03", "DPT-YW-05", "DPT-YW-N01"])
def test_the_seeds_cards_show_no_section_the_seed_does_not_have(viewer_client, seed, code):
    html = viewer_client.get(f"/positions/{code}/").content.decode()
    for name in ("jd-purpose", "jd-authorities", "jd-environment", "jd-career", "jd-profile", "jd-dotted", "jd-family"):
        assert name not in html, name
    assert "duty-table" not in html and 'class="cycle"' not in html


def test_the_chart_marks_concurrent_holders_and_names_dotted_line_superiors(viewer_client, full):
    html = viewer_client.get("/org/").content.decode()
    box = html[html.index('id="p-DPT-YW-N05"') :][:1500]
    assert "赵工" in box and "钱兼" in box and 'class="concurrent"' in box
    assert "has-dotted" in box and 'href="/positions/DPT-YW-02/"' in box


def test_a_concurrent_holder_does_not_fill_a_place_on_the_chart(viewer_client, full):
    from positions.models import Position

    Position.objects.filter(code=full).update(headcount=2)
    html = viewer_client.get("/org/").content.decode()
    box = html[html.index('id="p-DPT-YW-N05"') :][:1500]
    assert "缺编 1 人" in box


def test_the_api_gives_every_new_field(viewer_client, full):
    data = viewer_client.get(f"/api/positions/{full}/").json()
    for key in (
        "purpose",
        "authorities",
        "work_environment",
        "education",
        "major",
        "experience_years",
        "job_family",
        "grade",
        "dotted_reports_to",
        "career",
        "internal_relations",
        "external_relations",
    ):
        assert data[key], key
    assert data["holders"] == [
        {"employee_number": data["holders"][0]["employee_number"], "name": "赵工", "kind": "primary"},
        {"employee_number": data["holders"][1]["employee_number"], "name": "钱兼", "kind": "concurrent"},
    ]
    assert data["filled"] == 1 and data["duty_share_total"] == 100 and data["complete"] is True


def test_the_openapi_description_documents_every_field_the_api_gives(viewer_client, full):
    schema = viewer_client.get("/api/openapi.json").json()["components"]["schemas"]["Position"]
    data = viewer_client.get(f"/api/positions/{full}/").json()
    assert set(data) == set(schema["properties"])
    for key in ("job_family", "grade", "education", "dotted_reports_to", "career", "holders"):
        assert schema["properties"][key].get("description") or schema["properties"][key].get("properties")
