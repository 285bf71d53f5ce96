"""The diagram's layout (org_tree/diagram.py) and its pagination (org_tree/paper.py), without a database.

Nodes are built directly as org_tree.chart.Node objects, in tree order with levels, from a nested
structure (a tree is the list of its subtrees); hypothesis draws random forests of them (fan-outs
from 0 to 30, up to 8 levels) and each layout and set of pages is checked against the invariants
the drawing relies on: boxes that never overlap, superiors above and centred over their
subordinates, orthogonal connectors that touch what they join, reading order, the depth cut,
dotted lines, and on paper every post exactly once with continuation marks that point both ways.
"""

import math
from collections import Counter, defaultdict

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from org_tree.chart import Node
from org_tree.diagram import (
    BOX_H,
    BOX_W,
    DEFAULT_DEPTH,
    MARGIN,
    MAX_DEPTH,
    STACK_ASPECT,
    STACK_LIMIT,
    V_GAP,
    _width,
    clamp_depth,
    fit,
    layout,
)
from org_tree.paper import HEADER_MM, MARGIN_MM, MIN_SCALE, PAPERS, PX_MM, paginate

EPS = 1e-6
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ---------------------------------------------------------------------------------------------
# Building nodes


def build(forest, base=0, title=None, dotted=None):
    """Nodes in tree order from `forest`, a list of trees, each tree the list of its subtrees.

    Codes are P0, P1, … in tree order; `title(i)` names node i (岗位i by default); `dotted` maps a
    node's index to its dotted-line superiors as (code, title, readable)."""
    nodes = []

    def grow(kids, level):
        index = len(nodes)
        node = Node(
            code=f"P{index}",
            title=title(index) if title else f"岗位{index}",
            department="运维部",
            headcount=1,
            status="published",
            has_description=True,
            level=level,
            descendants=0,
            holders=[],
            filled=0,
            problems=[],
            readable=True,
            dotted=list((dotted or {}).get(index, [])),
        )
        nodes.append(node)
        for kid in kids:
            grow(kid, level + 1)
        node.descendants = len(nodes) - index - 1

    for tree in forest:
        grow(tree, base)
    return nodes


def star(count):
    """A tree: one post with `count` direct subordinates."""
    return [[] for _ in range(count)]


def chain(length):
    """A tree: `length` posts, each the only subordinate of the one before."""
    tree = []
    for _ in range(length - 1):
        tree = [tree]
    return tree


@st.composite
def forests(draw, max_nodes=150, max_levels=8, max_roots=3):
    """1 to `max_roots` trees of at most `max_nodes` posts in all, `max_levels` levels deep, fan-outs 0-30."""
    remaining = [draw(st.integers(1, max_nodes))]

    def grow(level):
        remaining[0] -= 1
        if level + 1 >= max_levels or remaining[0] <= 0:
            return []
        fan_out = draw(st.one_of(st.integers(0, 4), st.integers(0, 30)))
        kids = []
        for _ in range(fan_out):
            if remaining[0] <= 0:
                break
            kids.append(grow(level + 1))
        return kids

    forest = []
    for _ in range(draw(st.integers(1, max_roots))):
        if remaining[0] <= 0:
            break
        forest.append(grow(0))
    return forest


def structure(nodes):
    """(base level, {index: superior's index}, {index: [subordinates' indexes in tree order]})."""
    base = min(node.level for node in nodes)
    superior, subordinates, path = {}, defaultdict(list), []
    for index, node in enumerate(nodes):
        while path and nodes[path[-1]].level >= node.level:
            path.pop()
        if path:
            superior[index] = path[-1]
            subordinates[path[-1]].append(index)
        path.append(index)
    return base, superior, subordinates


# ---------------------------------------------------------------------------------------------
# Geometry


def close(a, b):
    return abs(a - b) < EPS


def same_point(p, q):
    return close(p[0], q[0]) and close(p[1], q[1])


def segments(line):
    return list(zip(line, line[1:], strict=False))


def orthogonal(line):
    return all(close(a[0], b[0]) or close(a[1], b[1]) for a, b in segments(line))


def on_segment(point, a, b):
    (x, y), (ax, ay), (bx, by) = point, a, b
    if close(ax, bx):
        return close(x, ax) and min(ay, by) - EPS <= y <= max(ay, by) + EPS
    return close(y, ay) and min(ax, bx) - EPS <= x <= max(ax, bx) + EPS


def on_edge(point, box):
    x, y = point
    inside_x = box.x - EPS <= x <= box.x + BOX_W + EPS
    inside_y = box.y - EPS <= y <= box.y + BOX_H + EPS
    on_vertical = (close(x, box.x) or close(x, box.x + BOX_W)) and inside_y
    on_horizontal = (close(y, box.y) or close(y, box.y + BOX_H)) and inside_x
    return on_vertical or on_horizontal


def crosses_inside(a, b, box):
    """Whether the orthogonal segment a-b runs through the inside of `box` (its edges do not count)."""
    if close(a[0], b[0]):
        x, low, high = a[0], min(a[1], b[1]), max(a[1], b[1])
        return box.x + EPS < x < box.x + BOX_W - EPS and max(low, box.y) < min(high, box.y + BOX_H) - EPS
    y, low, high = a[1], min(a[0], b[0]), max(a[0], b[0])
    return box.y + EPS < y < box.y + BOX_H - EPS and max(low, box.x) < min(high, box.x + BOX_W) - EPS


def overlapping_pairs(boxes):
    """Pairs of boxes whose BOX_W × BOX_H rectangles overlap (sharing an edge is not overlapping)."""
    ordered = sorted(boxes, key=lambda box: box.x)
    pairs = []
    for i, box in enumerate(ordered):
        for other in ordered[i + 1 :]:
            if other.x >= box.x + BOX_W - EPS:
                break
            if abs(other.y - box.y) < BOX_H - EPS:
                pairs.append((box.code, other.code))
    return pairs


# ---------------------------------------------------------------------------------------------
# The invariants of one layout


def check_layout(nodes, result, depth, stack_limit=STACK_LIMIT):
    base, superior, subordinates = structure(nodes)
    drawn = [i for i, node in enumerate(nodes) if node.level - base < depth]
    codes = [box.code for box in result.boxes]
    assert len(codes) == len(set(codes)), "a post drawn twice"
    assert sorted(codes) == sorted(nodes[i].code for i in drawn), "drawn: exactly the posts above the depth cut"
    box_of = {box.code: box for box in result.boxes}

    # Reading order: top-down, then left to right.
    assert [(box.y, box.x) for box in result.boxes] == sorted((box.y, box.x) for box in result.boxes)

    # Nothing overlaps, and everything fits in width × height.
    assert overlapping_pairs(result.boxes) == []
    for box in result.boxes:
        assert MARGIN - EPS <= box.x and box.x + BOX_W <= result.width - MARGIN + EPS, box.code
        assert MARGIN - EPS <= box.y and box.y + BOX_H <= result.height - MARGIN + EPS, box.code
    for line in result.connectors + result.dashed:
        for x, y in line:
            assert -EPS <= x <= result.width + EPS and -EPS <= y <= result.height + EPS, line

    # The superiors, as the layout reports them and as the boxes stand.
    assert result.parents == {nodes[i].code: nodes[superior[i]].code for i in drawn if i in superior}
    for i in drawn:
        if i in superior:
            assert box_of[nodes[i].code].y >= box_of[nodes[superior[i]].code].y + BOX_H - EPS, nodes[i].code

    # Depth cut: the last level drawn says how many are below; nothing above it hides anything.
    for box in result.boxes:
        last_level = box.node.level - base == depth - 1
        assert box.hidden == (box.node.descendants if last_level else 0), box.code

    # Connectors: orthogonal, of some length, never through a box, every end on a box or a line.
    vertical, horizontal = defaultdict(list), defaultdict(list)
    for number, line in enumerate(result.connectors):
        assert len(line) >= 2 and orthogonal(line), line
        for a, b in segments(line):
            assert not same_point(a, b), f"a connector segment of no length: {line}"
            assert not any(crosses_inside(a, b, box) for box in result.boxes), f"{line} runs through a box"
            if close(a[0], b[0]):
                vertical[round(a[0], 4)].append((number, a, b))
            else:
                horizontal[round(a[1], 4)].append((number, a, b))
    for number, line in enumerate(result.connectors):
        for end in (line[0], line[-1]):
            touching = any(on_edge(end, box) for box in result.boxes) or any(
                other != number and on_segment(end, a, b)
                for other, a, b in vertical.get(round(end[0], 4), []) + horizontal.get(round(end[1], 4), [])
            )
            assert touching, f"connector {line} ends in the air at {end}"
    starts = Counter((round(line[0][0], 4), round(line[0][1], 4)) for line in result.connectors)
    ends = {(round(line[-1][0], 4), round(line[-1][1], 4)): line for line in result.connectors}

    # A superior is centred over its subordinates, side by side up to stack_limit, stacked beyond.
    for i in drawn:
        kids = [box_of[nodes[k].code] for k in subordinates.get(i, []) if k in set(drawn)]
        top = box_of[nodes[i].code]
        if not kids:
            continue
        assert starts[(round(top.cx, 4), round(top.bottom, 4))], f"no stem from the bottom of {top.code}"
        if len(kids) <= stack_limit:
            assert {kid.y for kid in kids} == {top.y + BOX_H + V_GAP}, f"{top.code}'s subordinates not in one row"
            assert [kid.x for kid in kids] == sorted(kid.x for kid in kids), "subordinates out of order"
            assert close(top.cx, (kids[0].cx + kids[-1].cx) / 2), f"{top.code} not centred over its subordinates"
            for kid in kids:
                line = ends.get((round(kid.cx, 4), round(kid.y, 4)))
                assert line is not None, f"no line down to the top of {kid.code}"
        else:
            trunks = set()
            for kid in kids:
                line = ends.get((round(kid.x, 4), round(kid.y + BOX_H / 2, 4)))
                assert line is not None, f"no line from a trunk to the side of {kid.code}"
                assert close(line[0][1], line[-1][1]) and line[0][0] < kid.x, line
                trunks.add(round(line[0][0], 4))
            assert len(trunks) >= 2, f"{top.code}'s {len(kids)} subordinates not stacked in columns"
            assert close(top.cx, (min(trunks) + max(trunks)) / 2), f"{top.code} not centred over its trunks"
            rows = Counter(kid.y for kid in kids)
            assert len(rows) <= stack_limit, f"{top.code}: {len(rows)} rows of subordinates"
            assert max(rows.values()) <= len(trunks)
            assert min(rows) >= top.y + BOX_H + V_GAP - EPS

    # Dotted lines: dashed, orthogonal, from the side of the dotted-line superior to the box, when
    # both are drawn; named in the box otherwise.
    dashed = [list(line) for line in result.dashed]
    for line in dashed:
        assert len(line) >= 2 and orthogonal(line), line
    for box in result.boxes:
        named = []
        for code, title, _readable in box.node.dotted:
            other = box_of.get(code)
            if other is None:
                named.append(title or code)
                continue
            match = next(
                (
                    line
                    for line in dashed
                    if (same_point(line[-1], (box.cx, box.y)) or same_point(line[-1], (box.cx, box.bottom)))
                    and (close(line[0][0], other.x) or close(line[0][0], other.x + BOX_W))
                    and close(line[0][1], other.y + BOX_H / 2)
                ),
                None,
            )
            assert match is not None, f"no dashed line from {code} to {box.code}"
            dashed.remove(match)
        assert box.dotted_names == named, box.code
    assert dashed == [], "dashed lines for no dotted line"


# ---------------------------------------------------------------------------------------------
# Layout


@PROPERTY
@given(forest=forests(), depth=st.integers(1, 10), base=st.integers(0, 3))
@example(forest=[star(30)], depth=2, base=0)
@example(forest=[star(7)], depth=3, base=0)
@example(forest=[chain(12)], depth=10, base=0)
@example(forest=[[star(8), [], star(30), chain(3)]], depth=4, base=2)
def test_layout_invariants(forest, depth, base):
    nodes = build(forest, base)
    check_layout(nodes, layout(nodes, depth), depth)


@PROPERTY
@given(forest=forests(max_nodes=80), depth=st.integers(1, 10), stack_limit=st.integers(1, 12))
def test_layout_invariants_for_any_stack_limit(forest, depth, stack_limit):
    """paper.py lays out crowded posts with stack_limit set to the rows a page holds."""
    nodes = build(forest)
    check_layout(nodes, layout(nodes, depth, stack_limit=stack_limit), depth, stack_limit)


@PROPERTY
@given(forest=forests(max_nodes=60), depth=st.integers(1, 10), data=st.data())
def test_dotted_lines(forest, depth, data):
    """Both ends drawn: a dashed orthogonal connector; otherwise the title (or code) is named in the box."""
    plain = build(forest)
    count = len(plain)
    links = data.draw(
        st.lists(
            st.tuples(
                st.integers(0, count - 1),
                st.one_of(st.integers(0, count - 1), st.just(-1), st.just(-2)),
            ),
            max_size=12,
        )
    )
    dotted = defaultdict(list)
    for source, target in links:
        if target == source:
            continue
        if target == -1:
            dotted[source].append(("ELSEWHERE-1", "别处的岗位", True))  # not in the nodes at all
        elif target == -2:
            dotted[source].append(("ELSEWHERE-2", "", False))  # no title: the code is named
        else:
            dotted[source].append((f"P{target}", f"岗位{target}", True))
    nodes = build(forest, dotted=dotted)
    check_layout(nodes, layout(nodes, depth), depth)


def test_dotted_line_between_drawn_boxes_is_dashed_and_one_below_the_cut_is_named():
    #   P0 ── P1 ── P2
    #      └─ P3
    nodes = build([[[[]], []]], dotted={3: [("P1", "岗位1", True), ("P2", "岗位2", True)]})
    result = layout(nodes, depth=2)
    p1, p3 = (next(box for box in result.boxes if box.code == code) for code in ("P1", "P3"))
    assert len(result.dashed) == 1
    line = result.dashed[0]
    assert orthogonal(line)
    assert same_point(line[0], (p1.x + BOX_W, p1.y + BOX_H / 2))  # from P1's side facing P3
    assert same_point(line[-1], (p3.cx, p3.y)) or same_point(line[-1], (p3.cx, p3.bottom))
    assert p3.dotted_names == ["岗位2"]  # P2 is below the depth cut


def test_thirty_subordinates_are_stacked_much_narrower_than_thirty_boxes():
    nodes = build([star(30)])
    result = layout(nodes, depth=2)
    check_layout(nodes, result, 2)
    assert result.width < 30 * BOX_W / 3
    kids = [box for box in result.boxes if box.code != "P0"]
    assert len({kid.y for kid in kids}) > 1, "stacked in rows"
    assert len({kid.y for kid in kids}) <= STACK_LIMIT
    side_by_side = layout(build([star(STACK_LIMIT)]), depth=2)
    assert len({box.y for box in side_by_side.boxes}) == 2, f"{STACK_LIMIT} subordinates stand in one row"


def stacked_grid(result, top="P0"):
    """(columns, rows) of the subordinates of `top`, as drawn."""
    kids = [box for box in result.boxes if result.parents.get(box.code) == top]
    return len({box.x for box in kids}), len({box.y for box in kids})


def test_twelve_reports_stand_four_by_three_using_the_width():
    """The complaint: 12 reports stacked 2 × 6, a tall strip in a fifth of the width."""
    nodes = build([star(12)])
    result = layout(nodes, depth=2)
    check_layout(nodes, result, 2)

    assert stacked_grid(result) == (4, 3)
    assert result.width > 4 * BOX_W  # twice the 2-column strip's width
    assert 1 < result.width / result.height < 2  # landscape, like the page and the screen it is shown on
    assert [box.code for box in result.boxes[1:5]] == ["P1", "P2", "P3", "P4"]  # read across, then down


@pytest.mark.parametrize("count", range(STACK_LIMIT + 1, 6 * STACK_LIMIT + 1))
def test_a_stack_is_as_close_to_a_landscape_page_as_its_rows_allow(count):
    """Of every number of columns the rows allow, the one chosen gives the block (with its superior) the
    shape closest to STACK_ASPECT."""
    nodes = build([star(count)])
    result = layout(nodes, depth=2)
    columns, rows = stacked_grid(result)

    def gap(result):  # the shape of the superior and its block, inside the diagram's margins
        return abs(math.log((result.width - 2 * MARGIN) / (result.height - 2 * MARGIN) / STACK_ASPECT))

    assert 2 <= columns and rows <= STACK_LIMIT and rows == math.ceil(count / columns)
    for other in range(max(2, math.ceil(count / STACK_LIMIT)), count + 1):
        alternative = _shape_with(nodes, other)
        assert gap(result) <= gap(alternative) + 1e-9, (count, columns, other)


def _shape_with(nodes, columns):
    """The layout of a star with its stack forced to `columns` columns (the rows that follow)."""
    rows = math.ceil((len(nodes) - 1) / columns)
    return layout(nodes, depth=2, stack_limit=rows, max_columns=columns)


def test_a_page_caps_the_columns_of_a_stack():
    nodes = build([star(30)])
    assert stacked_grid(layout(nodes, depth=2, stack_limit=15, max_columns=2)) == (2, 15)
    assert stacked_grid(layout(nodes, depth=2, stack_limit=10, max_columns=3)) == (3, 10)
    assert stacked_grid(layout(nodes, depth=2, stack_limit=6, max_columns=4)) == (5, 6)  # the rows' limit wins


def test_single_subordinate_stands_right_under_its_superior():
    nodes = build([chain(3)])
    result = layout(nodes, depth=3)
    check_layout(nodes, result, 3)
    assert len({box.cx for box in result.boxes}) == 1


def test_depth_cut_counts_what_is_hidden():
    #   P0 ── P1 ── P2 ── P3
    #            └─ P4
    #      └─ P5
    nodes = build([[[[[]], []], []]])
    result = layout(nodes, depth=2)
    hidden = {box.code: box.hidden for box in result.boxes}
    assert hidden == {"P0": 0, "P1": 3, "P5": 0}


def test_depth_cut_nodes_from_a_cut_query_keep_their_counts():
    """build_chart(depth=…) leaves the deeper nodes out but keeps each node's descendant count."""
    nodes = build([[[[[]], []], star(4)]])
    cut = [node for node in nodes if node.level < 2]
    result = layout(cut, depth=2)
    assert {box.code: box.hidden for box in result.boxes} == {"P0": 0, "P1": 3, "P5": 4}


def test_several_roots_stand_side_by_side():
    nodes = build([star(2), [], star(8)])
    result = layout(nodes, depth=3)
    check_layout(nodes, result, 3)
    roots = [box for box in result.boxes if box.node.level == 0]
    assert len(roots) == 3 and len({box.y for box in roots}) == 1


def test_no_nodes():
    result = layout([], depth=3)
    assert result.boxes == [] and result.connectors == [] and result.width >= 0 and result.height >= 0


# ---------------------------------------------------------------------------------------------
# Text and depth


TEXT = st.text(alphabet="运维部经理技术支持工程师客户服务代表abcXYZ 0123-()（）·…", max_size=60)


@settings(max_examples=300, deadline=None)
@given(text=TEXT, em=st.floats(2, 30), lines=st.integers(1, 3))
@example(text="运维部客户服务部高级技术支持工程师兼网络管理员", em=11.5, lines=2)
@example(text="Senior Network Operations Engineer (Night Shift)", em=11.5, lines=2)
@example(text="", em=11.5, lines=2)
@example(text="一二三四五六七八九十一", em=11.5, lines=1)
def test_fit_never_exceeds_its_width(text, em, lines):
    out = fit(text, em, lines)
    assert 1 <= len(out) <= lines
    for line in out:
        assert _width(line) <= em + EPS, (line, em)
    if "".join(out) != text:
        # Cut: the last line ends in …, and what is shown is the start of the text.
        assert out[-1].endswith("…")
        assert text.startswith("".join(out)[:-1])
        assert len(out) == lines
    else:
        assert sum(_width(line) for line in out) == pytest.approx(_width(text))


def test_fit_examples():
    assert fit("技术支持部经理", 11.5) == ["技术支持部经理"]
    assert fit("运维部客户服务部高级技术支持工程师", 11.5, 2) == ["运维部客户服务部高级技", "术支持工程师"]
    cut = fit("运维部客户服务部高级技术支持工程师兼网络管理员和采购", 11.5, 2)
    assert len(cut) == 2 and cut[1].endswith("…")
    one = fit("一二三四五六七八九十一二", 7)
    assert one == ["一二三四五六…"]


@pytest.mark.parametrize(
    ("raw", "depth", "complains"),
    [
        ("abc", DEFAULT_DEPTH, True),
        ("0", 1, True),
        ("-4", 1, True),
        ("99", MAX_DEPTH, True),
        ("11", MAX_DEPTH, True),
        ("", DEFAULT_DEPTH, False),
        (None, DEFAULT_DEPTH, False),
        ("5", 5, False),
        ("1", 1, False),
        ("10", 10, False),
        ("2.5", DEFAULT_DEPTH, True),
        ("9" * 400, MAX_DEPTH, True),
    ],
)
def test_clamp_depth(raw, depth, complains):
    got, message = clamp_depth(raw)
    assert got == depth
    assert bool(message) == complains
    assert len(message) < 200  # a long value is cut short in the message


# ---------------------------------------------------------------------------------------------
# Pages


def area(paper):
    width, height = PAPERS[paper]
    return (width - 2 * MARGIN_MM) / PX_MM, (height - 2 * MARGIN_MM - HEADER_MM) / PX_MM


def check_pages(nodes, pages, paper):
    base, superior, _subordinates = structure(nodes)
    superior_code = {nodes[i].code: nodes[above].code for i, above in superior.items()}
    assert pages, "no pages"
    assert [page.number for page in pages] == list(range(1, len(pages) + 1))
    by_number = {page.number: page for page in pages}
    width, height = area(paper)
    node_of = {node.code: node for node in nodes}
    appearances = defaultdict(list)  # code -> [(page number, box)]
    root_pages = defaultdict(list)  # code -> numbers of the pages it heads
    for page in pages:
        roots = [root.code for root in page.roots]
        assert page.root.code == roots[0]
        assert len(roots) == len(set(roots))
        codes = [box.code for box in page.layout.boxes]
        assert len(codes) == len(set(codes)), f"page {page.number} draws a post twice"
        for code in roots:
            assert code in codes, f"page {page.number} is headed by {code} but does not draw it"
            root_pages[code].append(page.number)
            node = node_of[code]
            if node.level == base:
                assert code not in page.origins
            else:
                assert code in page.origins, f"page {page.number} does not say where {code} comes from"
        assert (page.came_from is None) == (not page.origins)
        if page.came_from is not None:
            assert page.came_from in page.origins.values()
        for box in page.layout.boxes:
            appearances[box.code].append((page.number, box))
            assert box.hidden == 0, f"{box.code} on page {page.number} hides {box.hidden} with no page for them"
            if box.code not in roots:
                # A post's superior is drawn with it on the page.
                assert page.layout.parents.get(box.code) == superior_code.get(box.code), box.code

        # The layout fits the paper at the page's scale, at a readable scale unless a post's
        # subordinates had to be spread over parts.
        result, scale = page.layout, page.scale
        assert 0 < scale <= 1
        assert result.width * scale <= width + EPS and result.height * scale <= height + EPS, page.number
        assert scale == pytest.approx(min(1.0, width / result.width, height / result.height))
        if page.part is None:
            assert scale >= MIN_SCALE - EPS, f"page {page.number} printed at {scale:.2f}"
        assert overlapping_pairs(result.boxes) == [], f"boxes overlap on page {page.number}"
        for box in result.boxes:
            assert -EPS <= box.x and box.x + BOX_W <= result.width + EPS
            assert -EPS <= box.y and box.y + BOX_H <= result.height + EPS
        for line in result.connectors + result.dashed:
            assert orthogonal(line)

        # Every continuation mark points to a page headed by the box, which points back.
        for box in result.boxes:
            if box.continued_on is None:
                continue
            assert box.code not in roots, "a page's own head continues elsewhere"
            target = by_number.get(box.continued_on)
            assert target is not None, f"{box.code} continues on page {box.continued_on}, which does not exist"
            assert box.code in [root.code for root in target.roots]
            assert target.origins[box.code][0] == page.number
            assert target.came_from is not None

    for node in nodes:
        code = node.code
        elsewhere = [(number, box) for number, box in appearances[code] if number not in root_pages[code]]
        heads = root_pages[code]
        if not heads:
            assert len(elsewhere) == 1, f"{code} drawn {len(elsewhere)} times"
            assert elsewhere[0][1].continued_on is None
            continue
        assert len(appearances[code]) == len(heads) + len(elsewhere)
        if len(heads) > 1:
            # Its subordinates fill several pages, one after the other, each saying which part it is.
            assert heads == list(range(heads[0], heads[0] + len(heads))), heads
            assert [by_number[number].part for number in heads] == [(n, len(heads)) for n in range(1, len(heads) + 1)]
        if node.level == base:
            assert elsewhere == [], f"{code} heads the chart but is drawn elsewhere too"
        else:
            assert len(elsewhere) == 1, f"{code} heads page {heads} and is drawn {len(elsewhere)} times elsewhere"
            number, box = elsewhere[0]
            assert box.continued_on == heads[0]
            assert by_number[heads[0]].origins[code][0] == number
    return appearances


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(forest=forests(max_nodes=500, max_roots=2), paper=st.sampled_from(["A4", "A3"]))
@example(forest=[chain(14)], paper="A4")
@example(forest=[[[[], []] for _ in range(60)]], paper="A4")
@example(forest=[[[[[[[], [], [[[], [], []], []], [[], []]], [], [[[], [], [], []], [], [[], [], []]]]]]]], paper="A4")
@example(forest=[[star(30) for _ in range(30)]], paper="A4")
@example(forest=[[star(12) for _ in range(9)], chain(9), star(3)], paper="A3")
def test_pagination_invariants(forest, paper):
    nodes = build(forest)
    check_pages(nodes, paginate(nodes, paper), paper)


def test_a_small_chart_fits_one_page():
    nodes = build([[star(2), []]])
    pages = paginate(nodes, "A4")
    assert len(pages) == 1
    assert pages[0].scale == 1 and pages[0].came_from is None and pages[0].part is None
    assert {box.code for box in pages[0].layout.boxes} == {node.code for node in nodes}


def test_a_branch_sharing_a_page_is_not_drawn_again_under_its_neighbour():
    """Page 3 holds P17 (two levels of it: P18 and P24 continue on page 4) and beside it the whole
    branch of P8, continued from page 2. P24's branch is P24, P25-P27, and nothing of P8's."""
    forest = [[[[[[[], [], [[[], [], []], []], [[], []]], [], [[[], [], [], []], [], [[], [], []]]]]]]]
    nodes = build(forest)
    assert (nodes[8].level, nodes[24].level, nodes[17].level) == (6, 5, 4)
    pages = paginate(nodes, "A4")
    drawn = Counter(box.code for page in pages for box in page.layout.boxes if box.code not in page_roots(page))
    assert drawn["P9"] == 1 and drawn["P8"] <= 1, [(page.number, page_roots(page)) for page in pages]
    for page in pages:
        if "P24" in page_roots(page):
            assert "P8" not in {box.code for box in page.layout.boxes}, f"page {page.number} draws P8 under P24"
            assert page.layout.parents.get("P8") != "P24"
    check_pages(nodes, pages, "A4")


def page_roots(page):
    return [root.code for root in page.roots]


def test_a_deep_chain_continues_on_later_pages():
    nodes = build([chain(25)])
    pages = paginate(nodes, "A4")
    check_pages(nodes, pages, "A4")
    assert len(pages) > 1
    assert pages[0].root.code == "P0", "page 1 holds the top post"


def test_a_wide_organisation_continues_on_later_pages():
    nodes = build([[[star(10) for _ in range(6)] for _ in range(6)]])
    pages = paginate(nodes, "A4")
    check_pages(nodes, pages, "A4")
    assert len(pages) > 1
    assert any(box.continued_on for page in pages for box in page.layout.boxes)


@pytest.mark.parametrize("paper", ["A4", "A3"])
def test_three_hundred_subordinates_are_split_into_parts(paper):
    nodes = build([[[], star(300), []]])  # P2 heads 300 posts
    pages = paginate(nodes, paper)
    appearances = check_pages(nodes, pages, paper)
    parts = [page for page in pages if page.root.code == "P2"]
    assert len(parts) > 1
    assert all(page.part is not None for page in parts)
    assert [page.part for page in parts] == [(n, len(parts)) for n in range(1, len(parts) + 1)]
    assert {page.origins["P2"][0] for page in parts} == {1}
    kids = {f"P{i}" for i in range(3, 303)}
    drawn_on_parts = Counter(box.code for page in parts for box in page.layout.boxes if box.code in kids)
    assert set(drawn_on_parts) == kids and set(drawn_on_parts.values()) == {1}
    assert all(len(appearances[code]) == 1 for code in kids)
    assert all(page.scale >= MIN_SCALE - EPS for page in parts)


def test_three_hundred_subordinates_of_the_top_post():
    nodes = build([star(300)])
    pages = paginate(nodes, "A4")
    check_pages(nodes, pages, "A4")
    assert len(pages) == math.ceil(300 / max(1, sum(1 for box in pages[0].layout.boxes) - 1))
    assert all(page.root.code == "P0" and page.came_from is None for page in pages)


def test_nodes_cut_at_a_depth_make_no_pages_of_lonely_boxes():
    """The PDF of `depth` levels (diagram_pdf, export_chart --depth) gives paginate nodes whose
    deepest ones still count their subordinates: those show "+N" where they stand; a page of its
    own for each, holding nothing but the same box again, helps no one."""
    nodes = build([[star(5), star(5), star(5)]])
    cut = [node for node in nodes if node.level < 2]
    pages = paginate(cut, "A4")
    assert [[box.code for box in page.layout.boxes] for page in pages[1:]] == []
    assert len(pages) == 1
    assert {box.code: box.hidden for box in pages[0].layout.boxes} == {"P0": 0, "P1": 5, "P7": 5, "P13": 5}


def test_paginate_nothing():
    assert paginate([], "A4") == []
