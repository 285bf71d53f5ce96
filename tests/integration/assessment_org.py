"""A small organisation with one assessment and a user in every role towards it (the assessment tests share it).

BIG > TOP > MID > STAFF (and PEER under MID); DOT is STAFF's dotted-line superior; ELSE stands apart.
Sam holds STAFF (assessed), Sue MID (superior), Rex TOP (second level), Dot DOT (dotted line), Pat PEER,
Mia BIG as a Manager (STAFF is in her subtree), Vic BIG too but only a Viewer (a post gives no sight
of the subtree). They are all Viewers otherwise."""

import datetime

from assessments.models import KPI, Assessment
from assessments.services.opening import open_cycle
from portal.roles import MANAGER, VIEWER
from positions import history
from positions.models import Position, PositionLink
from tests.conftest import make_user
from tests.factories import AssignmentFactory, DepartmentFactory, PersonFactory, complete_position

# Who -> the post they hold and their role group (None: no post).
PEOPLE = {
    "sam": ("STAFF", VIEWER),
    "sue": ("MID", VIEWER),
    "rex": ("TOP", VIEWER),
    "dot": ("DOT", VIEWER),
    "pat": ("PEER", VIEWER),
    "mia": ("BIG", MANAGER),
    "vic": ("BIG", VIEWER),
}


def assessment_org(*, self_weight=20):
    """Build the organisation, open a yearly cycle; returns ({who: user}, the assessment of Sam at STAFF)."""
    dept = DepartmentFactory(code="OPS", name="运营部")
    big = complete_position(code="BIG", department=dept)
    top = complete_position(code="TOP", parent=big, department=dept)
    mid = complete_position(code="MID", parent=top, department=dept)
    complete_position(code="STAFF", parent=mid, department=dept)
    complete_position(code="PEER", parent=mid, department=dept)
    complete_position(code="DOT", parent=big, department=dept)
    complete_position(code="ELSE", department=dept)
    PositionLink.objects.create(
        source=Position.objects.get(code="STAFF"), target=Position.objects.get(code="DOT"), kind="dotted"
    )
    users = {}
    for who, (code, role) in PEOPLE.items():
        user = make_user(who, role)
        person = PersonFactory(name=who.title(), user=user)
        AssignmentFactory(person=person, position=Position.objects.get(code=code))
        users[who] = user
    history.record(Position.objects.values_list("pk", flat=True))
    open_cycle(
        name="2026 年度",
        kpi_cycle=KPI.Cycle.YEARLY,
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
        self_weight=self_weight,
    )
    return users, Assessment.objects.select_related("cycle", "person", "position").get(position_code="STAFF")
