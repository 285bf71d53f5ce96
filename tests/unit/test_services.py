"""Loading an organisation document: any order, clear errors, nothing half-saved."""

import pytest
from django.utils import translation

from positions.models import Position
from positions.services.loading import OrganisationError, load_organisation

pytestmark = pytest.mark.django_db


def doc(*positions, departments=()):
    return {"departments": list(departments), "positions": list(positions)}


def test_children_may_come_before_their_superiors():
    load_organisation(
        doc(
            {"code": "C", "title": "组员", "reports_to": "B"},
            {"code": "B", "title": "组长", "reports_to": "A"},
            {"code": "A", "title": "经理"},
        )
    )
    assert [p.code for p in Position.objects.get(code="C").get_ancestors()] == ["A", "B"]


def test_a_changed_reporting_line_moves_the_subtree():
    load_organisation(doc({"code": "A", "title": "经理"}, {"code": "B", "title": "组长", "reports_to": "A"}))
    load_organisation(doc({"code": "X", "title": "另一经理"}))
    report = load_organisation(doc({"code": "B", "title": "组长", "reports_to": "X"}))
    assert report.updated == ["B"]
    assert Position.objects.get(code="B").parent.code == "X"
    assert Position.objects.get(code="A").get_descendant_count() == 0


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (
            doc({"code": "A", "title": "经理", "reports_to": "NOPE"}),
            "Position A: direct superior: Unknown position NOPE.",
        ),
        (doc({"code": "A", "title": "经理", "department": "D9"}), "Position A: department: Unknown department D9."),
        (doc({"code": "A", "title": ""}), "Position 1 (A): position title is missing."),
        (doc({"title": "无编号"}), "Position 1 (?): position code is missing."),
        (
            doc({"code": "A", "title": "甲", "reports_to": "B"}, {"code": "B", "title": "乙", "reports_to": "A"}),
            "Position A: direct superior: A cannot report to B: that would close the loop A → B → A.",
        ),
        (
            doc({"code": "A", "title": "甲", "kpis": [{"responsibility": "x", "weight": "abc"}]}),
            "Position A: KPIs, row 1, weight: “abc” is not a number: give a percentage such as 25 or 12.5.",
        ),
    ],
)
def test_bad_documents_say_what_is_wrong_and_where(document, expected):
    with translation.override("en"), pytest.raises(OrganisationError) as caught:
        load_organisation(document)
    assert expected in caught.value.messages


def test_an_invalid_row_saves_nothing():
    with translation.override("en"), pytest.raises(OrganisationError) as caught:
        load_organisation(
            doc(
                {"code": "A", "title": "经理"},
                {"code": "B", "title": "组长", "reports_to": "A", "kpis": [{"responsibility": "x", "weight": "150"}]},
            )
        )
    assert any(message.startswith("Position B: KPIs, row 1, weight:") for message in caught.value.messages)
    assert not Position.objects.exists()


def test_a_code_listed_twice_is_refused():
    with translation.override("en"), pytest.raises(OrganisationError) as caught:
        load_organisation(doc({"code": "A", "title": "甲"}, {"code": "A", "title": "乙"}))
    assert caught.value.messages == ["Position A: position code: Code A appears more than once."] * 2


def test_a_long_reporting_chain_loads(settings):
    chain = [
        {"code": f"L{n}", "title": "层级", "reports_to": f"L{n - 1}" if n else None} for n in range(1100)
    ]  # past Python's recursion limit of 1,000
    load_organisation(doc(*reversed(chain)))
    assert Position.objects.get(code="L1099").level == 1099
