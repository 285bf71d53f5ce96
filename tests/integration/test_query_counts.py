"""Pages and API lists cost a fixed number of queries, whatever the size of the tree or the card."""

import pytest

from tests.factories import ItemFactory, KPIFactory, build_tree

pytestmark = pytest.mark.django_db

# Every request by a logged-in reader costs these:
#   1 SAVEPOINT and 7 RELEASE: the request's own transaction (ATOMIC_REQUESTS) inside the test's,
#   2 session, 3 user, 4 the user's permissions, 5 the user's group permissions,
#   6 the positions the user holds (the "My team" links in the menu).
REQUEST_OVERHEAD = 7
API_OVERHEAD = REQUEST_OVERHEAD - 1  # JSON has no menu, so no "My team" query


@pytest.fixture(params=[7, 40], ids=["small-tree", "larger-tree"])
def tree(request):
    return build_tree(request.param)


@pytest.fixture
def reader(client, viewer_user):
    client.force_login(viewer_user)
    return client


def test_the_org_chart_costs_the_same_at_any_size(reader, tree, django_assert_num_queries):
    # +1 positions with their completeness facts, +1 their holders
    with django_assert_num_queries(REQUEST_OVERHEAD + 2):
        assert reader.get("/org/").status_code == 200


def test_a_subtree_chart_costs_the_same_at_any_size(reader, tree, django_assert_num_queries):
    # +1 the root, +1 its ancestors (breadcrumb), +1 positions, +1 holders
    with django_assert_num_queries(REQUEST_OVERHEAD + 4):
        assert reader.get(f"/org/{tree[1].code}/").status_code == 200


def test_the_list_costs_the_same_at_any_size(reader, tree, django_assert_num_queries):
    # +1 count for the pager, +1 the page of positions with facts, department and superior, +1 departments filter
    with django_assert_num_queries(REQUEST_OVERHEAD + 3):
        assert reader.get("/positions/").status_code == 200


def test_the_api_list_costs_the_same_at_any_size(reader, tree, django_assert_num_queries):
    # +1 count, +1 page, +4 prefetches: items, KPIs, direct reports, holders
    with django_assert_num_queries(API_OVERHEAD + 6):
        response = reader.get("/api/positions/", {"page_size": 500})
    assert response.json()["count"] == len(tree)


@pytest.mark.parametrize("extra_rows", [0, 30])
def test_the_card_costs_the_same_whatever_its_length(reader, tree, extra_rows, django_assert_num_queries):
    position = tree[1]
    for n in range(extra_rows):
        ItemFactory(position=position, order=100 + n)
        KPIFactory(position=position, order=100 + n, weight=None)
    # +1 position with facts, department and superior; +4 prefetches: items, KPIs, direct reports, holders
    with django_assert_num_queries(REQUEST_OVERHEAD + 5):
        assert reader.get(f"/positions/{position.code}/").status_code == 200


def test_the_api_card_costs_the_same_whatever_its_length(reader, tree, django_assert_num_queries):
    # +1 position with facts, department and superior; +4 prefetches: items, KPIs, direct reports, holders
    with django_assert_num_queries(API_OVERHEAD + 5):
        assert reader.get(f"/api/positions/{tree[0].code}/").status_code == 200
