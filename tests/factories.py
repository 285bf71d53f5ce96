"""factory_boy factories for positions, their job-description rows and KPIs."""

from decimal import Decimal

import factory

from assessments.models import KPI
from org_tree.models import Department, Grade, JobCategory, JobFamily
from positions.models import Assignment, DescriptionItem, Person, Position, PositionLink
from positions.services.facts import managed, refresh_facts


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    code = factory.Sequence(lambda n: f"D{n:04d}")
    name = factory.Sequence(lambda n: f"部门{n}")


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position

    code = factory.Sequence(lambda n: f"T-{n:05d}")
    title = factory.Sequence(lambda n: f"岗位{n}")
    status = Position.Status.PUBLISHED


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DescriptionItem

    kind = DescriptionItem.Kind.DUTY
    order = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"职责{n}")


class KPIFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KPI

    order = factory.Sequence(lambda n: n + 1)
    responsibility = factory.Sequence(lambda n: f"关键职责{n}")
    weight = Decimal("50")
    standard = "按时完成"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    employee_number = factory.Sequence(lambda n: f"E{n:05d}")
    name = factory.Sequence(lambda n: f"员工{n}")


class AssignmentFactory(factory.django.DjangoModelFactory):
    """A person holding a post (primary unless told otherwise)."""

    class Meta:
        model = Assignment

    person = factory.SubFactory(PersonFactory)
    kind = Assignment.Kind.PRIMARY


class JobCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JobCategory

    code = factory.Sequence(lambda n: f"C{n:03d}")
    name = factory.Sequence(lambda n: f"职类{n}")


class JobFamilyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JobFamily

    category = factory.SubFactory(JobCategoryFactory)
    code = factory.Sequence(lambda n: f"F{n:03d}")
    name = factory.Sequence(lambda n: f"职种{n}")


class GradeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grade

    code = factory.Sequence(lambda n: f"G{n}")
    name = factory.Sequence(lambda n: f"职级{n}")
    rank = factory.Sequence(lambda n: n)


class LinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PositionLink

    kind = PositionLink.Kind.DOTTED


def complete_position(parent=None, department=None, duties=2, kpis=2, **fields):
    """A published position with a complete job description (KPI weights summing to 100)."""
    position = PositionFactory(parent=parent, department=department, **fields)
    with managed():  # its facts are counted once, below, rather than after every row
        for n in range(1, duties + 1):
            ItemFactory(position=position, kind=DescriptionItem.Kind.DUTY, order=n)
        ItemFactory(position=position, kind=DescriptionItem.Kind.QUALIFICATION, order=1, text="大专及以上学历")
        ItemFactory(position=position, kind=DescriptionItem.Kind.TRAINING, order=1, text="公司制度")
        weights = [Decimal(100) // kpis] * kpis
        weights[0] += Decimal(100) - sum(weights)
        for n, weight in enumerate(weights, start=1):
            KPIFactory(position=position, order=n, weight=weight)
    refresh_facts(Position.objects.filter(pk=position.pk))
    return position


def build_tree(size, span=3):
    """A complete, breadth-first tree of `size` positions; returns them in creation order."""
    root = complete_position()
    nodes = [root]
    index = 0
    while len(nodes) < size:
        parent = nodes[index]
        for _ in range(span):
            if len(nodes) >= size:
                break
            nodes.append(complete_position(parent=Position.objects.get(pk=parent.pk)))
        index += 1
    return nodes
