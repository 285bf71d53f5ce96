"""The seed organisation: the scrape reconstructed, and loading it twice changes nothing."""

import json
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command

from assessments.models import KPI
from org_tree.models import Department
from positions.models import DescriptionItem, Position, PositionLink
from positions.services.loading import load_organisation
from tests.helpers import document_of, texts

SCRAPE = settings.BASE_DIR / "fixtures" / "source" / "om-department-job-descriptions.txt"
SEED_FILE = settings.BASE_DIR / "fixtures" / "seed_yunwei.json"

# OCR mistakes in the scrape and what the form really says.
OCR_FIXES = {
    "提咼": "提高",
    "咼效": "高效",
    "头际": "实际",
    "人贝": "人员",
    "计戈": "计划",
    "培训来自百度文库求": "培训要求",
}

REPORTING_LINES = {
    "DPT-YW-N01": ("分管领导", None),
    "DPT-YW-01": ("运维部经理", "DPT-YW-N01"),
    "DPT-YW-02": ("客户服务部经理", "DPT-YW-01"),
    "DPT-YW-03": ("客户服务代表", "DPT-YW-02"),
    "DPT-YW-04": ("技术支持部经理", "DPT-YW-01"),
    "DPT-YW-05": ("技术支持部副经理", "DPT-YW-04"),
    "DPT-YW-N02": ("增值业务部经理", "DPT-YW-01"),
    "DPT-YW-N03": ("辅助采购助理", "DPT-YW-01"),
    "DPT-YW-N04": ("技术工程师", "DPT-YW-04"),
    "DPT-YW-N05": ("网络管理工程师", "DPT-YW-05"),
    "DPT-YW-N06": ("成品验收员", "DPT-YW-05"),
    "DPT-YW-N07": ("故障品验收员", "DPT-YW-05"),
}


def normalised_scrape():
    text = re.sub(r"\s+", "", SCRAPE.read_text(encoding="utf-8"))
    for wrong, right in OCR_FIXES.items():
        text = text.replace(wrong, right)
    return text


def found_in(text, source):
    """Whole, or as two pieces that the scrape's fragmenting separated."""
    if text in source:
        return True
    return any(text[:cut] in source and text[cut:] in source for cut in range(4, len(text) - 3))


@pytest.fixture
def document():
    return json.loads(SEED_FILE.read_text(encoding="utf-8"))


def test_every_reporting_line_of_the_seed_is_a_position(seed):
    positions = {
        p.code: (p.title, p.parent.code if p.parent else None) for p in Position.objects.select_related("parent")
    }
    assert positions == REPORTING_LINES


def test_posts_named_only_in_reporting_lines_have_no_description(seed):
    undescribed = set(Position.objects.filter(has_description=False).values_list("title", flat=True))
    assert undescribed == {
        "分管领导",
        "增值业务部经理",
        "辅助采购助理",
        "技术工程师",
        "网络管理工程师",
        "成品验收员",
        "故障品验收员",
    }


def test_departments_form_the_om_tree(seed):
    children = {d.name for d in Department.objects.get(name="运维部").get_children()}
    assert children == {"客户服务部", "技术支持部", "增值业务部"}
    assert Position.objects.get(code="DPT-YW-03").department.name == "客户服务部"
    assert Position.objects.get(code="DPT-YW-05").department.name == "技术支持部"


def test_manager_card_keeps_the_seed_order_and_clean_text(seed):
    manager = document_of("DPT-YW-01")
    assert texts(manager["duties"]) == [
        "全面负责部门工作,制订部门工作计划及进度目标;",
        "合理调配部门人、财、物,组织参加公司内外有关宽带完美服务联盟运行维护方面的协调、谈判、实施、培训和服务等工作;",
        "向部门员工传达公司精神,向公司管理层反映部门员工意见、建议;",
        "协调部门内部关系,指导并考核本部门员工的工作,提高工作效率;",
        "协调本部门与其他部门的关系;",
        "负责宽带完美服务联盟运行维护各项工作制度的编制。",
    ]
    assert manager["qualifications"][-1] == "具有较全面的技术、管理知识。"
    assert manager["training"] == ["公司制度;宽带完美服务联盟规程文件和流程文件"]
    kpis = [(k["responsibility"], Decimal(k["weight"])) for k in manager["kpis"]]
    assert kpis == [
        ("根据公司年度经营计划,制订部门工作计划,全面管理部门工作", Decimal("35")),
        ("合理控制和支配部门人、财、物相关资源", Decimal("25")),
        ("考核本部门员工工作、提高工作效率", Decimal("10")),
        ("组织员工培训、提高员工创新意识", Decimal("10")),
        ("工作指导与协调", Decimal("20")),
    ]


def test_fragments_are_attributed_to_the_right_position(seed):
    """The scrape interleaves pages: the 协助 duties and the 五年 qualifications belong to the deputy."""
    support, deputy = document_of("DPT-YW-04"), document_of("DPT-YW-05")
    assert texts(support["duties"])[3] == "负责技术支持部内部培训计划、方案、考核文档的编制"
    assert support["qualifications"][0].endswith("三年以上技术服务或相关管理工作经验")
    assert texts(deputy["duties"])[3:] == ["协助培训计划、方案、考核文档的编制", "协助检查、考核本部门人员的工作"]
    assert deputy["qualifications"][0].endswith("五年以上技术服务或相关管理工作经验")
    assert deputy["qualifications"][3] == "较好的文字功底,能够撰写部门技术文档。"
    assert [k["weight"] for k in support["kpis"]] == [50, 30, 20]
    assert document_of("DPT-YW-03")["qualifications"][2] == "会流利的普通话,具有良好的客户沟通能力"


@pytest.mark.parametrize(
    ("code", "weights"),
    [
        ("DPT-YW-01", [35, 25, 10, 10, 20]),
        ("DPT-YW-02", [50, 40, 10]),
        ("DPT-YW-03", [40, 30, 20, 10]),
        ("DPT-YW-04", [50, 30, 20]),
    ],
)
def test_complete_positions_weigh_exactly_100(seed, code, weights):
    position = document_of(code)
    assert [k["weight"] for k in position["kpis"]] == weights
    assert position["kpi_weight_total"] == 100
    assert position["problems"] == []


def test_deputy_kpi_table_is_cut_off_and_flagged_not_invented(seed):
    deputy = document_of("DPT-YW-05")
    (kpi,) = deputy["kpis"]
    assert kpi["responsibility"] == "根据运维部总体工作计划,协助制订技术支持部工作计划,协助管理、协调、合理安排部门工作"
    assert kpi["weight"] is None and kpi["standard"] == ""
    assert not deputy["complete"]
    assert len(deputy["problems"]) == 3  # no weight, no standard, total 0% instead of 100%


def test_no_scrape_debris_is_stored(document):
    text = json.dumps(document, ensure_ascii=False)
    for debris in ["咼", "头际", "人贝", "计 戈", "计戈", "百度", "文库", "运行维 护", "应 用"]:
        assert debris not in text
    every_string = [
        s for p in document["positions"] for key in ("duties", "qualifications", "training") for s in p[key]
    ]
    every_string += [s for p in document["positions"] for k in p["kpis"] for s in (k["responsibility"], k["standard"])]
    assert not [s for s in every_string if re.search(r"\s", s)], "line-break spaces left in the text"


def test_every_stored_sentence_comes_from_the_scrape(document):
    source = normalised_scrape()
    for position in document["positions"]:
        for key in ("duties", "qualifications"):
            for number, text in enumerate(position[key], start=1):
                assert f"{number}、{text}" in source, (position["code"], key, number, text)
        for text in position["training"]:
            assert text in source
        for kpi in position["kpis"]:
            assert found_in(kpi["responsibility"], source), kpi
            if kpi["standard"]:
                assert found_in(kpi["standard"], source), kpi
            if kpi["weight"]:
                assert f"{kpi['weight']}%" in source


def snapshot():
    return (
        list(Position.objects.order_by("code").values()),
        list(DescriptionItem.objects.order_by("pk").values()),
        list(KPI.objects.order_by("pk").values()),
        list(Department.objects.order_by("code").values()),
        list(PositionLink.objects.order_by("pk").values()),
    )


def test_loading_the_seed_twice_changes_nothing(seed):
    before = snapshot()
    call_command("load_seed", verbosity=0)
    assert snapshot() == before


def test_a_second_load_reports_every_position_unchanged(seed, document):
    report = load_organisation(document)
    assert not report.changed
    assert len(report.unchanged) == 12
