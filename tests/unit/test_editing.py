"""Saving a job description through the one service: rows in place, one version per change, clear refusals."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from assessments.models import KPI
from positions.models import Assignment, DescriptionItem, Position, PositionLink
from positions.services.editing import DocumentInvalid, Save, VersionConflict, save_documents
from tests.factories import (
    AssignmentFactory,
    GradeFactory,
    JobFamilyFactory,
    PersonFactory,
    PositionFactory,
    complete_position,
)
from tests.helpers import document_of, texts

pytestmark = pytest.mark.django_db


def save(code, document, **options):
    return save_documents([Save(document, code=code, **options)])


def duty_rows(position):
    return list(position.items.filter(kind=DescriptionItem.Kind.DUTY).order_by("order").values_list("pk", "text"))


def test_editing_a_line_keeps_its_row():
    position = complete_position(duties=3)
    before = duty_rows(position)
    save(position.code, {"duties": [before[0][1], "改写后的职责", before[2][1]]})
    after = duty_rows(position)
    assert [pk for pk, _ in after] == [pk for pk, _ in before]
    assert after[1][1] == "改写后的职责"


def test_rows_sent_with_ids_are_matched_by_id_so_a_reorder_moves_them():
    position = complete_position(duties=3)
    (a, a_text), (b, b_text), (c, c_text) = duty_rows(position)
    save(position.code, {"duties": [{"id": c, "text": c_text}, {"id": a, "text": a_text}, {"text": "新职责"}]})
    after = duty_rows(position)
    assert after[:2] == [(c, c_text), (a, a_text)]
    assert after[2][1] == "新职责" and after[2][0] not in (a, b, c)
    assert not DescriptionItem.objects.filter(pk=b).exists()


def test_a_row_id_of_another_position_does_not_take_that_row():
    mine, theirs = complete_position(duties=1), complete_position(duties=1)
    (their_row, their_text), *_ = duty_rows(theirs)
    save(mine.code, {"duties": [{"id": their_row, "text": "我的职责"}]})
    assert duty_rows(theirs) == [(their_row, their_text)]
    assert texts(document_of(mine.code)["duties"]) == ["我的职责"]


def test_each_change_is_one_version_and_no_change_is_none():
    position = complete_position()
    assert Position.objects.get(pk=position.pk).version == 1
    save(
        position.code,
        {
            "title": "新名称",
            "duties": ["一", "二"],
            "kpis": [{"responsibility": "甲", "weight": 100, "standard": "达标"}],
        },
    )
    assert Position.objects.get(pk=position.pk).version == 2
    result = save(position.code, {"title": "新名称", "duties": ["一", "二"]})
    assert result.unchanged == [position.code]
    assert Position.objects.get(pk=position.pk).version == 2


def test_a_writer_who_started_from_an_older_version_is_refused_and_nothing_is_written():
    position = complete_position()
    save(position.code, {"title": "别人改的"}, expected_version=1)
    with pytest.raises(VersionConflict) as caught:
        save(position.code, {"title": "我改的", "purpose": "新目的"}, expected_version=1)
    assert caught.value.current == 2
    fresh = Position.objects.get(pk=position.pk)
    assert (fresh.title, fresh.purpose, fresh.version) == ("别人改的", "", 2)


def test_a_partial_document_leaves_everything_else_alone():
    position = complete_position(duties=2, kpis=2)
    before = document_of(position.code)
    save(position.code, {"purpose": "保障网络稳定运行。"})
    after = document_of(position.code)
    assert after["purpose"] == "保障网络稳定运行。"
    assert {k: v for k, v in after.items() if k not in ("purpose", "version")} == {
        k: v for k, v in before.items() if k not in ("purpose", "version")
    }


def test_every_new_section_round_trips_through_the_document():
    family = JobFamilyFactory()
    grade = GradeFactory()
    grade.categories.set([family.category])
    boss = PositionFactory(code="BOSS")
    PositionFactory(code="PEER")
    position = complete_position(parent=boss, duties=2)
    document = {
        "job_family": family.code,
        "grade": grade.code,
        "purpose": "为何设岗",
        "internal_relations": ["财务部：预算"],
        "external_relations": ["设备厂商"],
        "duties": [{"text": "一", "share": 60}, {"text": "二", "share": "40%"}],
        "authorities": ["审批权"],
        "education": "本科",
        "major": "通信工程",
        "experience_years": "3",
        "work_environment": "机房",
        "dotted_reports_to": ["PEER"],
        "career": {"promotes_to": ["BOSS"], "rotates_with": "PEER"},
        "kpis": [{"responsibility": "甲", "weight": "100", "standard": "达标", "cycle": "季度"}],
    }
    save(position.code, document)
    saved = document_of(position.code)
    assert saved["job_family"] == family.code and saved["grade"] == grade.code
    assert saved["duties"] == [{"text": "一", "share": 60}, {"text": "二", "share": 40}]
    assert saved["duty_share_total"] == 100
    assert (saved["education"], saved["experience_years"]) == ("bachelor", 3)
    assert saved["dotted_reports_to"] == ["PEER"]
    assert saved["career"] == {"promotes_to": ["BOSS"], "rotates_with": ["PEER"]}
    assert saved["kpis"][0]["cycle"] == "quarterly"
    assert document_of("PEER")["dotted_reports"] == [position.code]
    assert saved["complete"], saved["problems"]


def test_a_new_position_is_created_under_its_superior():
    boss = PositionFactory(code="BOSS")
    result = save_documents([Save({"code": "NEW-1", "title": "新岗位", "reports_to": "BOSS"})])
    assert result.created == ["NEW-1"]
    assert Position.objects.get(code="NEW-1").parent == boss
    assert Position.objects.get(code="NEW-1").status == Position.Status.DRAFT


def messages(code, document, language="en"):
    with translation.override(language), pytest.raises(DocumentInvalid) as caught:
        save(code, document)
    return caught.value.errors


BAD_INPUT = [
    ({"status": "published", "kpis": [{"responsibility": "甲", "weight": 90, "standard": "x"}]}, "kpis", "90%"),
    (
        {"status": "published", "duties": [{"text": "一", "share": 60}, {"text": "二", "share": 30}]},
        "duties",
        "90%",
    ),
    ({"status": "published", "duties": [{"text": "一", "share": 60}, {"text": "二"}]}, "duties", "no time share"),
    ({"experience_years": -1}, "experience_years", "whole number from 0 to 60"),
    ({"experience_years": "三年"}, "experience_years", "whole number from 0 to 60"),
    ({"experience_years": 2.5}, "experience_years", "whole number from 0 to 60"),
    ({"dotted_reports_to": ["SELF"]}, "dotted_reports_to", "its own dotted-line superior"),
    ({"career": {"promotes_to": ["SELF"]}}, "career.promotes_to", "lead back"),
    ({"kpis": [{"responsibility": "甲", "weight": 150}]}, "kpis.1.weight", "at most 100"),
    ({"kpis": [{"responsibility": "甲", "weight": -5}]}, "kpis.1.weight", "more than 0"),
    ({"kpis": [{"responsibility": "甲", "weight": "12.345"}]}, "kpis.1.weight", "two decimal places"),
    ({"kpis": [{"responsibility": "甲", "weight": "abc"}]}, "kpis.1.weight", "not a number"),
    ({"duties": [{"text": "一", "share": "1e400"}]}, "duties.1.share", "at most 100"),
    ({"kpis": [{"responsibility": "", "weight": 10}]}, "kpis.1.responsibility", "cannot be empty"),
    ({"title": "   "}, "title", "cannot be empty"),
    ({"title": "长" * 201}, "title", "At most 200 characters"),
    ({"code": "A B"}, "code", "letters, digits"),
    ({"code": "ＡＢ１"}, "code", "letters, digits"),
    ({"code": "A/B"}, "code", "letters, digits"),
    ({"education": "小学"}, "education", "is not one of"),
    ({"kpis": [{"responsibility": "甲", "cycle": "每天"}]}, "kpis.1.cycle", "is not one of"),
    ({"reports_to": "NOPE"}, "reports_to", "Unknown position NOPE"),
    ({"reports_to": "SELF"}, "reports_to", "cannot report to itself"),
    ({"headcount": "many"}, "headcount", "whole number"),
    ({"duties": "not a list"}, "duties", "Give a list"),
]


@pytest.mark.parametrize(("document", "field", "phrase"), BAD_INPUT)
def test_bad_input_is_refused_at_the_field_in_both_languages_and_nothing_is_saved(document, field, phrase):
    position = PositionFactory(code="SELF", status=Position.Status.DRAFT)
    before = document_of("SELF")
    english = messages("SELF", document)
    assert phrase in " ".join(english[field]), english
    chinese = messages("SELF", document, "zh-hans")
    assert re.search(r"[\u4e00-\u9fff]", " ".join(chinese[field])), chinese
    assert chinese[field] != english[field]
    assert document_of("SELF") == before
    assert Position.objects.get(pk=position.pk).version == 1


def test_a_grade_that_does_not_apply_to_the_family_is_refused_at_the_grade():
    family = JobFamilyFactory(category__name="技术类")
    management = GradeFactory(code="M3")
    management.categories.set([JobFamilyFactory().category])
    position = PositionFactory(job_family=family)
    errors = messages(position.code, {"grade": "M3"})
    assert "does not apply to the job family" in errors["grade"][0]


def test_publishing_an_incomplete_description_is_refused_with_every_reason():
    position = PositionFactory(status=Position.Status.DRAFT)
    errors = messages(position.code, {"status": "published", "duties": ["一"]})
    assert "A published job description must be complete" in errors["status"][0]
    assert errors["kpis"] == ["No KPIs (考核标准) are listed."]
    assert errors["qualifications"] == ["No qualifications (任职条件) are listed."]


def test_a_reporting_loop_is_refused_with_its_chain():
    top = PositionFactory(code="TOP")
    middle = PositionFactory(code="MID", parent=top)
    PositionFactory(code="LOW", parent=Position.objects.get(pk=middle.pk))
    errors = messages("TOP", {"reports_to": "LOW"})
    assert errors["reports_to"] == ["TOP cannot report to LOW: that would close the loop TOP → MID → LOW → TOP."]


def test_a_person_cannot_hold_two_primary_posts():
    person = PersonFactory()
    AssignmentFactory(person=person, position=PositionFactory())
    second = Assignment(person=person, position=PositionFactory(), kind=Assignment.Kind.PRIMARY)
    for language, phrase in (("en", "already holds a primary post"), ("zh-hans", "主岗")):
        with translation.override(language):
            with pytest.raises(ValidationError) as caught:
                second.full_clean()
            assert phrase in " ".join(caught.value.message_dict["kind"])
    second.kind = Assignment.Kind.CONCURRENT
    second.full_clean()


def test_links_keep_their_rows_and_go_when_removed():
    a, b, c = PositionFactory(code="A"), PositionFactory(code="B"), PositionFactory(code="C")
    save("A", {"dotted_reports_to": ["B", "C"]})
    kept = PositionLink.objects.get(source=a, target=c).pk
    save("A", {"dotted_reports_to": ["C"]})
    assert list(PositionLink.objects.filter(source=a).values_list("pk", "target__code", "order")) == [(kept, "C", 1)]
    assert KPI.objects.count() == 0 and b.pk and c.pk
