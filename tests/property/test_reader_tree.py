"""What a reader sees of any tree with drafts anywhere in it is the tree with the drafts taken out and
each published post hung under its nearest published superior: the same on the live chart (tree
numbers and hidden ranges), at any depth, on the chart as of now (superiors walked in Python), and in
the documents' reporting lines (positions/visibility.py). Each answer is compared with a plain
recursive model of the rule, computed from the parent links alone.
"""

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from org_tree.chart import build_chart, build_chart_as_of
from positions import history
from positions.documents import load_positions, position_document
from positions.models import Position
from positions.visibility import redact
from tests.factories import PositionFactory

# A tree as a list of (superior index or None, published?) in creation order: a superior comes first.
TREES = st.integers(min_value=1, max_value=24).flatmap(
    lambda size: st.tuples(
        *[
            st.tuples(st.one_of(st.none(), st.integers(0, index - 1)) if index else st.none(), st.booleans())
            for index in range(size)
        ]
    )
)


def model(tree):
    """{code: (readable superior code or None, superior hidden?, level, posts below)} of the published posts."""
    codes = [f"P-{index:02d}" for index in range(len(tree))]
    published = {codes[i] for i, (_parent, shown) in enumerate(tree) if shown}
    parent = {codes[i]: (codes[p] if p is not None else None) for i, (p, _shown) in enumerate(tree)}
    seen = {}
    for code in published:
        above, hidden = parent[code], False
        while above is not None and above not in published:
            above, hidden = parent[above], True
        seen[code] = [above, hidden]
    for code in published:  # levels and sizes by the readable superiors
        level, above = 0, seen[code][0]
        while above is not None:
            level, above = level + 1, seen[above][0]
        seen[code].append(level)
    for code in published:
        below = 0
        for other in published:
            above = seen[other][0]
            while above is not None and above != code:
                above = seen[above][0]
            below += above == code
        seen[code].append(below)
    return {code: tuple(values) for code, values in seen.items()}


def build(tree):
    created = []
    for index, (parent, shown) in enumerate(tree):
        superior = Position.objects.get(pk=created[parent].pk) if parent is not None else None
        created.append(
            PositionFactory(
                code=f"P-{index:02d}",
                parent=superior,
                status=Position.Status.PUBLISHED if shown else Position.Status.DRAFT,
            )
        )
    history.record(position.pk for position in created)


def chart_model(nodes):
    """The same shape from a chart's nodes (tree order with levels)."""
    result, path = {}, []
    for node in nodes:
        while path and path[-1].level >= node.level:
            path.pop()
        result[node.code] = (path[-1].code if path else None, node.superior_hidden, node.level, node.descendants)
        path.append(node)
    return result


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tree=TREES, depth=st.integers(min_value=1, max_value=4))
def test_readers_see_the_tree_with_drafts_taken_out(viewer_user, hr_user, tree, depth):
    try:
        with transaction.atomic():
            build(tree)
            expected = model(tree)
            assert chart_model(build_chart(viewer_user)) == expected
            cut = chart_model(build_chart(viewer_user, depth=depth))
            assert {code: values[:3] for code, values in cut.items()} == {
                code: values[:3] for code, values in expected.items() if values[2] < depth
            }
            assert all(cut[code][3] == expected[code][3] for code in cut)  # "+N" counts only what readers see
            for code in expected:  # a subtree drawn from any published post, to the same depth
                root = Position.objects.get(code=code)
                under = {other for other in expected if _reader_chain(expected, other, code)}
                cut = chart_model(build_chart(viewer_user, root=root, depth=depth))
                assert {other: level - root.level for other, (_s, _h, level, _b) in cut.items()} == {
                    other: expected[other][2] - expected[code][2]
                    for other in under
                    if expected[other][2] - expected[code][2] < depth
                }
            as_of = chart_model(build_chart_as_of(viewer_user, history.clock()))
            assert as_of == expected
            documents = redact(viewer_user, [position_document(p) for p in load_positions(Position.objects.all())])
            by_code = {document["code"]: document for document in documents}
            for code, (superior, hidden, _level, _below) in expected.items():
                assert by_code[code]["reports_to"] == superior
                assert by_code[code].get("superior_hidden", False) == hidden
                reports = [other for other, values in expected.items() if values[0] == code]
                assert sorted(by_code[code]["direct_reports"]) == sorted(reports)
            # Editors see every post where it is.
            assert len(build_chart(hr_user)) == len(tree)
            raise _RolledBack
    except _RolledBack:
        pass


def _reader_chain(expected, code, root):
    """Whether `root` is `code` or one of its readable superiors, in the model."""
    while code is not None and code != root:
        code = expected[code][0]
    return code == root


class _RolledBack(Exception):
    pass
