"""Pages and API lists cost a fixed number of queries, whatever the size of the tree or the card."""

import pytest

from tests.factories import AssignmentFactory, ItemFactory, KPIFactory, LinkFactory, build_tree

pytestmark = pytest.mark.django_db

# Every request by a logged-in reader costs these:
#   1 SAVEPOINT and 7 RELEASE: the request's own transaction (ATOMIC_REQUESTS) inside the test's,
#   2 session, 3 user, 4 the user's permissions, 5 the user's group permissions,
#   6 the positions the user holds (the "My team" links in the menu).
REQUEST_OVERHEAD = 7
API_OVERHEAD = REQUEST_OVERHEAD - 1  # JSON has no menu, so no "My team" query


@pytest.fixture(params=[7, 40], ids=["small-tree", "larger-tree"])
def tree(request):
    """A tree whose every third post has a holder and every fifth a concurrent one and a dotted line."""
    nodes = build_tree(request.param)
    for index, node in enumerate(nodes):
        if index % 3 == 0:
            AssignmentFactory(position=node)
        if index % 5 == 0 and index:
            AssignmentFactory(position=node, kind="concurrent")
            LinkFactory(source=node, target=nodes[0], kind="dotted")
            LinkFactory(source=node, target=nodes[1], kind="promotion")
    return nodes


@pytest.fixture
def reader(client, viewer_user):
    client.force_login(viewer_user)
    return client


# The chart: +1 positions with their stored completeness facts, +1 holders, +1 dotted-line superiors,
# +1 the JD template.
CHART = 4


def test_the_org_chart_costs_the_same_at_any_size(reader, tree, django_assert_num_queries):
    with django_assert_num_queries(REQUEST_OVERHEAD + CHART):
        assert reader.get("/org/").status_code == 200


def test_a_subtree_chart_costs_the_same_at_any_size(reader, tree, django_assert_num_queries):
    # +1 the root, +1 its ancestors (breadcrumb), and the chart's
    with django_assert_num_queries(REQUEST_OVERHEAD + 2 + CHART):
        assert reader.get(f"/org/{tree[1].code}/").status_code == 200


def test_the_list_costs_the_same_at_any_size(reader, tree, django_assert_num_queries):
    # +1 count for the pager, +1 the page of positions with department, superior, family and grade,
    # +1 its holders, +1 the JD template, +1 the department menu, +1 the job family menu, +1 the grade menu
    with django_assert_num_queries(REQUEST_OVERHEAD + 7):
        assert reader.get("/positions/").status_code == 200


def test_the_api_list_costs_the_same_at_any_size(reader, tree, django_assert_num_queries):
    # +1 count, +1 page, +5 for the documents: lines, KPIs, direct reports, links, holders; +1 the JD template
    with django_assert_num_queries(API_OVERHEAD + 8):
        response = reader.get("/api/positions/", {"page_size": 500})
    assert response.json()["count"] == len(tree)


@pytest.mark.parametrize("extra_rows", [0, 30])
def test_the_card_costs_the_same_whatever_its_length(reader, tree, extra_rows, django_assert_num_queries):
    position = tree[1]
    for n in range(extra_rows):
        ItemFactory(position=position, order=100 + n)
        KPIFactory(position=position, order=100 + n, weight=None)
    # +1 the position with department, superior, family, grade and sign-off; +5 its lines, KPIs, direct
    # reports, links (both ways) and holders; +1 the JD template; +1 the holders' signatures (published)
    with django_assert_num_queries(REQUEST_OVERHEAD + 8):
        assert reader.get(f"/positions/{position.code}/").status_code == 200


def test_the_api_card_costs_the_same_whatever_its_length(reader, tree, django_assert_num_queries):
    # the card's seven
    with django_assert_num_queries(API_OVERHEAD + 7):
        assert reader.get(f"/api/positions/{tree[0].code}/").status_code == 200


@pytest.fixture(params=[150, 600], ids=["synthetic-150", "synthetic-600"])
def synthetic_top(request):
    """The top post of a synthetic organisation of so many positions (`manage.py synth_org`), and that number."""
    from django.core.management import call_command

    from positions.models import Position

    call_command("synth_org", positions=request.param, seed=3, verbosity=0)
    return Position.objects.get(code__startswith="SYN-", parent=None).code, request.param


# The diagram under a post: +1 the post; its ancestors for the breadcrumb cost nothing for a top post
# (mptt knows it has none); +1 the positions of its top levels with their completeness facts, +1 their
# holders, +1 their dotted-line superiors, +1 the JD template.
DIAGRAM = 5


@pytest.mark.parametrize("depth", [3, 10])
def test_the_diagram_of_the_top_levels_costs_the_same_at_any_size(
    reader, synthetic_top, depth, django_assert_num_queries
):
    top, size = synthetic_top
    with django_assert_num_queries(REQUEST_OVERHEAD + DIAGRAM):
        response = reader.get(f"/org/{top}/diagram/", {"depth": depth})
    assert response.status_code == 200
    boxes = response.content.decode().count('<g class="box')
    if depth == 10:
        assert boxes == size  # ten levels: every post of the tree, drawn
    else:
        assert 10 < boxes < 150


def test_a_subtree_diagram_costs_the_same_at_any_size(reader, tree, django_assert_num_queries):
    # +1 the post, +1 its ancestors (breadcrumb), +1 the positions with their facts, +1 holders,
    # +1 dotted-line superiors, +1 the JD template
    with django_assert_num_queries(REQUEST_OVERHEAD + 2 + CHART):
        assert reader.get(f"/org/{tree[1].code}/diagram/").status_code == 200


def test_the_diagram_svg_costs_the_same_at_any_size(reader, tree, django_assert_num_queries):
    # A file has no menu, so no "My team" query; then the chart's four
    with django_assert_num_queries(API_OVERHEAD + CHART):
        assert reader.get("/org/diagram.svg", {"depth": 10}).status_code == 200


def test_a_subtree_diagram_svg_costs_the_same_at_any_size(reader, tree, django_assert_num_queries):
    # No menu; +1 the post, +1 its ancestors (which the file does not use), and the chart's four
    with django_assert_num_queries(API_OVERHEAD + 2 + CHART):
        assert reader.get(f"/org/{tree[1].code}/diagram.svg").status_code == 200


# The pickers' suggestions (JSON for editor.js; no menu, so no "My team" query) cost one query whatever
# the size: +1 the best matches with their departments.
def test_position_suggestions_cost_the_same_at_any_size(reader, tree, django_assert_num_queries):
    with django_assert_num_queries(API_OVERHEAD + 1):
        response = reader.get("/lookup/positions/", {"q": "岗位"})
    assert len(response.json()["results"]) == min(10, len(tree))


@pytest.mark.parametrize("people", [3, 40])
def test_person_suggestions_cost_the_same_whoever_matches(hr_client, people, django_assert_num_queries):
    from tests.factories import PersonFactory

    holders = [AssignmentFactory(person=PersonFactory(name=f"张{n}")) for n in range(people)]
    AssignmentFactory(person=holders[0].person, kind="concurrent")
    # +1 the best matches, +1 the posts they hold now with their departments
    with django_assert_num_queries(API_OVERHEAD + 2):
        response = hr_client.get("/lookup/people/", {"q": "张"})
    assert len(response.json()["results"]) == min(10, people)
