"""The readable diff itself (positions/readable.py), line by line: what the proposal page, the history page
and the conflict panel show (their own tests check each page)."""

import pytest
from django.utils import translation

from positions.diffs import diff_documents
from positions.models import Position
from positions.readable import readable
from positions.services.editing import delete_position
from tests.helpers import document_of

CODE = "DPT-YW-03"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def shown(lines):
    """Each line and each of its columns as [label, before, after]."""
    rows = []
    for line in lines:
        rows.append([line.label, line.main.before, line.main.after])
        rows += [[f"{line.label} · {cell.label}", cell.before, cell.after] for cell in line.columns]
    return rows


def test_status_yes_no_and_numbers_are_shown_by_their_labels(seed, hr_user):
    before = document_of(CODE)
    after = {**before, "status": "draft", "has_description": False, "headcount": 3, "experience_years": 1}

    rows = shown(readable(diff_documents(before, after), hr_user))

    assert ["status", "Published", "Draft"] in rows
    assert ["job description on file", "yes", "no"] in rows
    assert ["headcount", "1", "3"] in rows
    assert ["years of experience", "—", "1 year or more"] in rows


def test_a_moved_and_a_removed_row_show_every_column(seed, hr_user):
    before = document_of(CODE)
    kpis = list(before["kpis"])
    after = {**before, "kpis": [kpis[1], kpis[0], kpis[2]]}  # the first two swap places, the fourth goes

    rows = shown(readable(diff_documents(before, after), hr_user))

    assert ["KPIs · row 4 removed", "客户调查", ""] in rows
    assert ["KPIs · row 4 removed · weight", "10%", ""] in rows
    assert ["KPIs · row 4 removed · performance standard", "按照公司和部门的要求及时高效的完成调查", ""] in rows
    assert rows[:3] == [
        ["KPIs · row 2 moved to 1", "进行维护派单和跟踪督促工作", "进行维护派单和跟踪督促工作"],
        ["KPIs · row 2 moved to 1 · weight", "30%", "30%"],
        [
            "KPIs · row 2 moved to 1 · performance standard",
            *["及时通知相关技术人员进行投诉处理,及时跟踪处理进度。"] * 2,
        ],
    ]
    assert not any("assessment cycle" in row[0] for row in rows)  # no KPI has a cycle: the card shows none


def test_a_duty_shows_its_time_share_once_any_duty_has_one(seed, hr_user):
    before = document_of(CODE)
    duties = [dict(duty) for duty in before["duties"]]
    plain = {**before, "duties": [*duties[:-1], {"text": "上级布置的其它工作（含值班）", "share": None}]}
    shared = {**before, "duties": [{**duty, "share": 20} for duty in duties]}

    assert [line.columns for line in readable(diff_documents(before, plain), hr_user)] == [[]]
    rows = shown(readable(diff_documents(before, shared), hr_user))
    assert ["duties · row 1 changed · time share", "—", "20%"] in rows


def test_a_deleted_post_is_named_by_its_last_version_and_an_unknown_code_as_written(seed, hr_user, viewer_user):
    Position.objects.filter(code="DPT-YW-N03").update(status=Position.Status.DRAFT)
    delete_position("DPT-YW-N07")  # published when it was deleted
    before = document_of(CODE)
    after = {**before, "dotted_reports_to": ["DPT-YW-N07", "DPT-YW-N03", "NEVER-WAS"]}

    for reader, names in (
        (hr_user, "故障品验收员 (DPT-YW-N07)、辅助采购助理 (DPT-YW-N03)、NEVER-WAS"),
        (viewer_user, "故障品验收员 (DPT-YW-N07)、(a post not yet published)、NEVER-WAS"),
    ):
        assert shown(readable(diff_documents(before, after), reader)) == [["dotted-line superiors", "—", names]]


def test_the_diff_reads_departments_and_posts_in_one_query_each(seed, hr_user, django_assert_num_queries):
    before = document_of(CODE)
    after = {**before, "department": "YW-JS", "reports_to": "DPT-YW-04", "dotted_reports_to": ["DPT-YW-01"]}
    changes = diff_documents(before, after)
    with django_assert_num_queries(2):  # departments, posts (none deleted: no history read)
        lines = readable(changes, hr_user)
    assert shown(lines)[0] == ["department", "客户服务部", "技术支持部"]
