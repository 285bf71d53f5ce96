"""The data migrations, run on real data: holders become people holding posts, and facts are counted."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from positions.completeness import facts_from_document
from positions.documents import load_positions, position_document
from positions.models import Assignment, Person, Position

BEFORE_PEOPLE = ("positions", "0003_sections_people_links")


def migrate(target=None):
    """Migrate positions to `target`, or everything to the latest migration; returns that state's apps."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    targets = [target] if target else executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_in_time(transactional_db):
    """Go back to before people existed (and come forward again whatever the test does)."""

    def go_back():
        return migrate(BEFORE_PEOPLE)

    yield go_back
    migrate()


def test_holders_of_the_seed_become_people_with_primary_posts(back_in_time, django_user_model):
    call_command("load_seed", verbosity=0)
    login = django_user_model.objects.create_user("wang")
    ids = dict(Position.objects.values_list("code", "pk"))
    Holder = back_in_time().get_model("positions", "Holder")
    Holder.objects.create(position_id=ids["DPT-YW-04"], name="王经理", user_id=login.pk)
    Holder.objects.create(position_id=ids["DPT-YW-05"], name="王经理", user_id=login.pk)  # the same login twice
    Holder.objects.create(position_id=ids["DPT-YW-03"], name="李客服")
    Holder.objects.create(position_id=ids["DPT-YW-03"], name="李客服")  # a namesake without a login

    migrate()

    assert Person.objects.count() == 3
    wang = Person.objects.get(user=login)
    assert wang.name == "王经理" and wang.employee_number.startswith("H")
    posts = {a.position.code: a.kind for a in wang.assignments.select_related("position")}
    assert posts == {"DPT-YW-04": "primary", "DPT-YW-05": "concurrent"}
    kinds = sorted(Assignment.objects.filter(position__code="DPT-YW-03").values_list("kind", flat=True))
    assert kinds == ["primary", "primary"]
    assert Assignment.objects.filter(ended_on__isnull=True).count() == 4


def test_holders_of_a_synthetic_organisation_all_migrate(back_in_time):
    call_command("synth_org", positions=200, verbosity=0)
    held = sorted(Assignment.objects.values_list("position_id", "person__name"))
    old = back_in_time()  # going back turns the assignments into holders
    old.get_model("positions", "Assignment").objects.all().delete()
    old.get_model("positions", "Person").objects.all().delete()
    assert sorted(old.get_model("positions", "Holder").objects.values_list("position_id", "name")) == held

    migrate()

    assert len(held) > 100
    assert Person.objects.count() == len(held)
    migrated = sorted(Assignment.objects.values_list("position_id", "person__name", "kind"))
    assert migrated == sorted((position, name, "primary") for position, name in held)
    assert len(set(Person.objects.values_list("employee_number", flat=True))) == len(held)


def test_the_facts_migration_counts_every_position_as_the_documents_do(back_in_time):
    call_command("load_seed", verbosity=0)
    call_command("synth_org", positions=200, verbosity=0)
    back_in_time()

    migrate()

    for position in load_positions(Position.objects.all()):
        assert position.stored_facts() == facts_from_document(position_document(position)), position.code
