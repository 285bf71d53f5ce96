"""The read-only JSON API and its OpenAPI description."""

import pytest

# The seed's KPIs have no targets: the keys are there, empty, the rule direct.
NO_TARGET = {"metric": "", "unit": "", "direction": "", "target": None, "floor": None, "rule": "direct", "points": None}


def test_a_position_has_every_documented_field(viewer_client, seed):
    spec = viewer_client.get("/api/openapi.json").json()
    data = viewer_client.get("/api/positions/DPT-YW-04/").json()
    assert set(data) == set(spec["components"]["schemas"]["Position"]["properties"])
    assert data["code"] == "DPT-YW-04"
    assert data["title"] == "技术支持部经理"
    assert data["department"] == "YW-JS" and data["department_name"] == "技术支持部"
    assert data["reports_to"] == "DPT-YW-01"
    assert data["direct_reports"] == ["DPT-YW-05", "DPT-YW-N04"]
    assert data["duties"][0] == {"text": "全面负责处理技术支持部各项日常事务", "share": None}
    assert len(data["duties"]) == 6 and len(data["qualifications"]) == 3
    assert data["training"] == ["公司制度;宽带完美服务联盟规程文件和流程文件"]
    assert data["kpis"][2] == {
        "responsibility": "制订员工培训计划,提高员工业务水平",
        "weight": 20,
        "standard": "结合部门实际工作,及时提出并组织培训。",
        "cycle": "",
        **NO_TARGET,
    }
    assert data["kpi_weight_total"] == 100
    assert data["complete"] is True and data["problems"] == []


def test_the_deputy_is_incomplete_with_reasons(viewer_client, seed):
    data = viewer_client.get("/api/positions/DPT-YW-05/").json()
    assert data["kpis"] == [
        {
            "responsibility": "根据运维部总体工作计划,协助制订技术支持部工作计划,协助管理、协调、合理安排部门工作",
            "weight": None,
            "standard": "",
            "cycle": "",
            **NO_TARGET,
        }
    ]
    assert data["kpi_weight_total"] == 0
    assert data["complete"] is False
    assert len(data["problems"]) == 3


def test_the_root_reports_to_nobody(viewer_client, seed):
    data = viewer_client.get("/api/positions/DPT-YW-N01/").json()
    assert data["reports_to"] is None
    assert data["complete"] is False and data["duties"] == []


def test_the_list_is_in_chart_order_and_paged(viewer_client, seed):
    first = viewer_client.get("/api/positions/", {"page_size": 5}).json()
    assert first["count"] == 12 and first["pages"] == 3 and first["page"] == 1
    assert [p["code"] for p in first["results"]] == ["DPT-YW-N01", "DPT-YW-01", "DPT-YW-02", "DPT-YW-03", "DPT-YW-04"]
    last = viewer_client.get("/api/positions/", {"page_size": 5, "page": 3}).json()
    assert len(last["results"]) == 2


def test_json_is_utf8_chinese_not_escapes(viewer_client, seed):
    response = viewer_client.get("/api/positions/DPT-YW-03/")
    assert response["Content-Type"] == "application/json"
    assert "客户服务代表".encode() in response.content


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"page": "x"}, 400),
        ({"page": "99"}, 404),
        ({"page_size": "0"}, 400),
        ({"page_size": "100000"}, 400),
        ({"page_size": "-1"}, 400),
        ({"department": "abc"}, 400),
        ({"status": "archived"}, 400),
        ({"q": "\x00"}, 400),
    ],
)
def test_bad_parameters_get_a_json_error_naming_the_parameter(viewer_client, seed, params, status):
    response = viewer_client.get("/api/positions/", params)
    assert response.status_code == status
    body = response.json()
    assert set(params) & set(body) or "detail" in body, body


def test_problems_follow_the_users_language(viewer_client, seed):
    viewer_client.cookies["django_language"] = "en"
    problems = viewer_client.get("/api/positions/DPT-YW-05/").json()["problems"]
    assert "1 KPI has no weight." in problems


def test_the_openapi_description_is_valid_and_matches_what_the_api_gives(viewer_client, seed):
    from openapi_spec_validator import validate

    spec = viewer_client.get("/api/openapi.json").json()
    validate(spec)
    assert spec["openapi"].startswith("3.1")
    assert {"/api/positions/", "/api/positions/{code}/", "/api/people/", "/api/team/", "/api/staffing/"} <= set(
        spec["paths"]
    )
    listing = viewer_client.get("/api/positions/").json()
    page_schema = spec["components"]["schemas"]["PositionPage"]
    assert set(page_schema["properties"]) == set(listing)
    position_schema = spec["components"]["schemas"]["Position"]
    for position in listing["results"]:
        assert set(position_schema["properties"]) == set(position)
