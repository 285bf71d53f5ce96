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
# +1 the JD template; and for a reader who may not see drafts, +1 the posts of the chart they may not see
# (positions/visibility.py: left out, their reports hung under the nearest readable superior).
CHART = 4 + 1


def test_the_org_chart_costs_the_same_at_any_size(reader, tree, django_assert_num_queries):
    with django_assert_num_queries(REQUEST_OVERHEAD + CHART):
        assert reader.get("/org/").status_code == 200


def test_a_subtree_chart_costs_the_same_at_any_size(reader, tree, django_assert_num_queries):
    # +1 the root, +1 its ancestors (breadcrumb), and the chart's
    with django_assert_num_queries(REQUEST_OVERHEAD + 2 + CHART):
        assert reader.get(f"/org/{tree[1].code}/").status_code == 200


def test_the_list_costs_the_same_at_any_size(reader, tree, django_assert_num_queries):
    # +1 count for the pager, +1 the page of positions with department, superior, family and grade,
    # +1 its holders, +1 the JD template, +1 the department menu, +1 the job family menu, +1 the grade menu,
    # +1 the departments that hold only drafts (none here: no second query to read the department tree)
    with django_assert_num_queries(REQUEST_OVERHEAD + 8):
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
    # reports, links (both ways) and holders; +1 the JD template; +1 the holders' signatures (published);
    # +1 the changes approved to take effect later (everyone is told)
    with django_assert_num_queries(REQUEST_OVERHEAD + 9):
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
# holders, +1 their dotted-line superiors, +1 the JD template, +1 the posts under it the reader may not see.
DIAGRAM = 6


@pytest.mark.parametrize("depth", [3, 10])
def test_the_diagram_of_the_top_levels_costs_the_same_at_any_size(
    reader, synthetic_top, depth, django_assert_num_queries
):
    top, size = synthetic_top
    with django_assert_num_queries(REQUEST_OVERHEAD + DIAGRAM):
        response = reader.get(f"/org/{top}/diagram/", {"depth": depth})
    assert response.status_code == 200
    boxes = response.content.decode().count('<g class="box')
    if depth == 10:  # ten levels: every post of the tree a reader may see (synth_org leaves some drafts), drawn
        from positions.models import Position

        assert boxes == Position.objects.filter(status=Position.Status.PUBLISHED).count() > size * 0.9
    else:
        assert 10 < boxes < 150


def test_a_subtree_diagram_costs_the_same_at_any_size(reader, tree, django_assert_num_queries):
    # +1 the post, +1 its ancestors (breadcrumb), and the chart's
    with django_assert_num_queries(REQUEST_OVERHEAD + 2 + CHART):
        assert reader.get(f"/org/{tree[1].code}/diagram/").status_code == 200


def test_the_diagram_svg_costs_the_same_at_any_size(reader, tree, django_assert_num_queries):
    # A file has no menu, so no "My team" query; then the chart's
    with django_assert_num_queries(API_OVERHEAD + CHART):
        assert reader.get("/org/diagram.svg", {"depth": 10}).status_code == 200


def test_a_subtree_diagram_svg_costs_the_same_at_any_size(reader, tree, django_assert_num_queries):
    # No menu; +1 the post, +1 its ancestors (which the file does not use), and the chart's
    with django_assert_num_queries(API_OVERHEAD + 2 + CHART):
        assert reader.get(f"/org/{tree[1].code}/diagram.svg").status_code == 200


@pytest.fixture
def proposals(tree, hr_user, proposer_user):
    """A third of the posts have a proposal waiting, and as many have one returned to its author."""
    from positions.models import Proposal

    for node in tree[: len(tree) // 3]:
        for status in (Proposal.Status.PENDING, Proposal.Status.RETURNED):
            Proposal.objects.create(position=node, document={}, base_version=1, author=proposer_user, status=status)
    return tree


# The menu of an HR editor: +1 the worklist's count (the stamp it is cached under: the newest change and the
# number of posts), +1 the proposals waiting for the approver and those back with their author (one query).
EDITOR_MENU = 2


@pytest.mark.parametrize("who", ["approver", "author"])
def test_an_editors_menu_costs_two_queries_whatever_the_number_of_proposals(
    client, proposals, hr_user, proposer_user, who, django_assert_num_queries
):
    client.force_login(hr_user if who == "approver" else proposer_user)
    assert client.get("/org/").status_code == 200  # the worklist count is counted once, then cached
    # The chart's but the JD template, which the first page left in the cache for a few seconds, and but the
    # hidden posts, which an editor does not have (they see drafts).
    with django_assert_num_queries(REQUEST_OVERHEAD + CHART - 2 + EDITOR_MENU):
        html = client.get("/org/").content.decode()
    count = len(proposals) // 3
    assert f"{count}</span>" in html.split('href="/proposals/">', 1)[1].split("</a>", 1)[0]


@pytest.fixture
def worklist_work(tree):
    """Work in every section of the worklist, growing with the tree: every post in one department, every
    other one a draft, and of those every other one with a change waiting for approval that publishes it;
    every third holder with a login that has not signed; every fifth post overdue for review."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from org_tree.models import Department
    from positions.models import Assignment, Position, Proposal
    from tests.helpers import document_of

    department = Department.objects.create(code="QC", name="质检部")
    Position.objects.update(department=department)
    for index, node in enumerate(tree):
        if index % 4 == 1:
            Proposal.objects.create(position=node, document=document_of(node.code), base_version=1)
        if index % 2 == 1:
            Position.objects.filter(pk=node.pk).update(status=Position.Status.DRAFT)
        if index % 5 == 0:
            Position.objects.filter(pk=node.pk).update(effective_on=timezone.localdate().replace(year=2000))
    for index, assignment in enumerate(Assignment.objects.select_related("person")):
        if index % 3 == 0:
            assignment.person.user = get_user_model().objects.create_user(f"holder{index}")
            assignment.person.save()
    return department


def test_the_worklist_costs_the_same_at_any_size(client, hr_user, worklist_work, django_assert_num_queries):
    from django.core.cache import cache

    from positions.models import Proposal

    client.force_login(hr_user)
    cache.clear()  # the menu's count and the JD template are worked out afresh, as after a change
    # +1 the department chosen in the filter, +1 the JD template, +1 the pending proposals' documents,
    # +1 the primary holders, +1 the positions with their stored facts (one pass for the job descriptions,
    # staffing and reviews due), +1 the holders who have not acknowledged;
    # the menu's count: +1 the state of the positions and proposals it is cached under, and as the cache
    # is cold +1 the pending proposals' documents and +1 the positions with their facts;
    # +1 the department menu; +1 the menu's proposals waiting for the approver and back with their author
    with django_assert_num_queries(REQUEST_OVERHEAD + 11):
        response = client.get("/quality/", {"department": worklist_work.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<a class="waiting"') == Proposal.objects.count() > 0
    assert 'id="reviews-due"' in html and 'id="unsigned-1"' in html


def test_the_job_architecture_costs_the_same_at_any_size(reader, tree, django_assert_num_queries):
    from positions.models import Position
    from tests.factories import GradeFactory, JobCategoryFactory, JobFamilyFactory

    categories = [JobCategoryFactory(code=f"C{n}", name=f"类{n}") for n in range(3)]
    families = [JobFamilyFactory(code=f"F{n}", name=f"族{n}", category=categories[n % 3]) for n in range(len(tree))]
    for n, category in enumerate(categories):
        for step in range(1, 4):
            GradeFactory(code=f"G{n}{step}", rank=10 * step + n).categories.set([category])
    for node, family in zip(tree, families, strict=True):
        Position.objects.filter(pk=node.pk).update(job_family=family)
    # +1 the grades joined to the categories they apply to, +1 the job families with their category,
    # +1 the positions' family, grade, code and title; +1 the department menu, +1 the departments that hold
    # only drafts (positions/visibility.py; none here, so no second query for the department tree)
    with django_assert_num_queries(REQUEST_OVERHEAD + 5):
        response = reader.get("/architecture/")
    assert response.status_code == 200
    assert len(response.context["ladders"]) == 3


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
