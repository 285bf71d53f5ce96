"""The org chart as a diagram: a top-down layout of boxes and elbow connectors, drawn as SVG.

One layout serves the page (inline SVG), the SVG file and the PDF (org_tree/paper.py), so they
never disagree. The layout is our own, a tidy tree on rectangles rather than Reingold–Tilford
contours: each subtree is a rectangle, subtrees sit side by side, a superior is centred over its
subordinates, and a superior with more than STACK_LIMIT subordinates stacks them in rows of
columns (the compact layout of org-chart tools), so no level grows unreadably wide; as many columns
as bring the stacked block, with its superior, closest to the shape of a landscape page
(STACK_ASPECT), so 12 reports stand 4 × 3 rather than 2 × 6 in a fifth of the width. Rectangles
cannot overlap by construction, which the tests check with the rest (tests/unit/test_diagram.py);
python-igraph's Reingold–Tilford would pack tighter but knows nothing of stacked columns, which
would have to be bolted on around it. The layout is linear in the number of boxes.

Coordinates are in SVG user units (px at 100 %); y grows downwards.
"""

from dataclasses import dataclass, field
from html import escape
from math import ceil, log

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

BOX_W, BOX_H = 196, 118
H_GAP = 20  # between subtrees side by side
V_GAP = 44  # between a box and the row of its subordinates
ROW_GAP = 18  # between stacked rows (room for the "move under…" link below a box)
TRUNK = 18  # room left of a stacked column for its trunk line
MARGIN = 16
STACK_LIMIT = 6  # more direct subordinates than this are stacked in columns
STACK_ASPECT = 297 / 210  # the width : height a stacked block (with its superior) is laid out towards: A4 landscape
DEFAULT_DEPTH, MAX_DEPTH = 3, 10
FONTS = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Zen Hei", sans-serif'


@dataclass
class Box:
    node: object  # org_tree.chart.Node
    x: float = 0
    y: float = 0
    hidden: int = 0  # subordinates below the last level drawn ("+12")
    continued_on: int | None = None  # paper: the page a cut-off branch continues on
    dotted_names: list = field(default_factory=list)  # dotted-line superiors not on the page

    @property
    def code(self):
        return self.node.code

    @property
    def cx(self):
        return self.x + BOX_W / 2

    @property
    def bottom(self):
        return self.y + BOX_H


@dataclass
class Layout:
    boxes: list  # in reading order: top-down, then left to right
    connectors: list  # polylines [(x, y), …], every segment horizontal or vertical
    dashed: list  # dotted-line connectors, orthogonal too
    width: float
    height: float
    parents: dict = field(default_factory=dict)  # code -> superior's code (among the boxes)


def clamp_depth(raw):
    """(depth, message): the levels to draw from a query parameter, and what was wrong with it."""
    if raw in (None, ""):
        return DEFAULT_DEPTH, ""
    try:
        depth = int(raw)
    except (TypeError, ValueError):
        return DEFAULT_DEPTH, _("“%(value)s” is not a number of levels: showing %(depth)d.") % {
            "value": str(raw)[:20],
            "depth": DEFAULT_DEPTH,
        }
    if depth < 1 or depth > MAX_DEPTH:
        clamped = min(max(depth, 1), MAX_DEPTH)
        return clamped, _("Levels go from 1 to %(max)d: showing %(depth)d.") % {"max": MAX_DEPTH, "depth": clamped}
    return depth, ""


def _tree(nodes, depth):
    """(roots, children) as indexes into `nodes` (tree order with levels), cut below `depth` levels."""
    if not nodes:
        return [], {}
    base = min(node.level for node in nodes)
    children, roots, path = {}, [], []
    for index, node in enumerate(nodes):
        while path and nodes[path[-1]].level >= node.level:
            path.pop()
        if node.level - base < depth:
            children[index] = []
            if path and path[-1] in children:
                children[path[-1]].append(index)
            elif not path:
                roots.append(index)
        path.append(index)
    return roots, children


@dataclass
class _Shape:
    """A laid-out subtree: its size, and its boxes and lines relative to its top-left corner."""

    width: float
    height: float
    box_x: float  # the root box's x
    items: list  # (index, x, y)
    lines: list  # polylines


def _shift(points, dx, dy):
    return [(x + dx, y + dy) for x, y in points]


def _stack_size(kids, columns):
    """(width, height) of `kids` stacked in rows of `columns`, with their trunks and gaps."""
    rows = ceil(len(kids) / columns)
    width = sum(max(kid.width for kid in kids[c::columns]) + TRUNK for c in range(columns)) + H_GAP * (columns - 1)
    height = sum(max(kid.height for kid in kids[r * columns : (r + 1) * columns]) for r in range(rows))
    return width, height + ROW_GAP * (rows - 1)


def stack_columns(kids, stack_limit, max_columns=None):
    """How many columns to stack `kids` (laid-out subtrees) in: at least 2, and enough that no more than
    `stack_limit` rows are needed; at most `max_columns` when given (paper.py: what a page holds).
    Among those, the number whose block, under its superior, comes closest to STACK_ASPECT, rows kept
    as full as that many rows allow (10 in 3 rows is 4 + 4 + 2, not 5 + 5 + 0)."""
    count = len(kids)
    fewest = max(2, ceil(count / stack_limit))
    most = max(fewest, min(count, max_columns or count))
    best, best_gap, tried = fewest, None, set()
    for columns in range(fewest, most + 1):
        columns = ceil(count / ceil(count / columns))  # the same rows, evenly filled
        if columns in tried:
            continue
        tried.add(columns)
        width, height = _stack_size(kids, columns)
        aspect = max(width, BOX_W) / (BOX_H + V_GAP + height)
        gap = abs(log(aspect / STACK_ASPECT))
        if best_gap is None or gap < best_gap - 1e-9:
            best, best_gap = columns, gap
        elif aspect > STACK_ASPECT:
            break  # wider only moves further from the shape: the aspect grows with the columns
    return best


def _layout_subtree(index, children, stack_limit, max_columns=None):
    kids = [_layout_subtree(child, children, stack_limit, max_columns) for child in children[index]]
    if not kids:
        return _Shape(BOX_W, BOX_H, 0, [(index, 0, 0)], [])
    top = BOX_H + V_GAP
    items, lines = [], []
    if len(kids) <= stack_limit:
        span = sum(kid.width for kid in kids) + H_GAP * (len(kids) - 1)
        width = max(BOX_W, span)
        x = (width - span) / 2
        centres = []
        for kid in kids:
            items += [(i, kx + x, ky + top) for i, kx, ky in kid.items]
            lines += [_shift(line, x, top) for line in kid.lines]
            centres.append(x + kid.box_x + BOX_W / 2)
            x += kid.width + H_GAP
        centre = (centres[0] + centres[-1]) / 2
        bus = BOX_H + V_GAP / 2
        lines.append([(centre, BOX_H), (centre, bus)])
        if len(centres) > 1:
            lines.append([(centres[0], bus), (centres[-1], bus)])
        lines += [[(c, bus), (c, top)] for c in centres]
        height = top + max(kid.height for kid in kids)
    else:
        # Stacked: rows of `columns` subordinates, each column with a trunk line on its left.
        columns = stack_columns(kids, stack_limit, max_columns)
        rows = ceil(len(kids) / columns)
        column_widths = [max(kid.width for kid in kids[c::columns]) + TRUNK for c in range(columns)]
        row_heights = [max(kid.height for kid in kids[r * columns : (r + 1) * columns]) for r in range(rows)]
        span = sum(column_widths) + H_GAP * (columns - 1)
        width = max(BOX_W, span)
        left = (width - span) / 2
        column_lefts = []
        for w in column_widths:
            column_lefts.append(left)
            left += w + H_GAP
        trunks = [x + TRUNK / 2 for x in column_lefts]
        bus = BOX_H + V_GAP / 2
        lowest = {}
        y = top
        for r in range(rows):
            for c in range(columns):
                number = r * columns + c
                if number >= len(kids):
                    break
                kid = kids[number]
                x = column_lefts[c] + TRUNK
                items += [(i, kx + x, ky + y) for i, kx, ky in kid.items]
                lines += [_shift(line, x, y) for line in kid.lines]
                middle = y + BOX_H / 2
                lines.append([(trunks[c], middle), (x + kid.box_x, middle)])
                lowest[c] = middle
            y += row_heights[r] + ROW_GAP
        centre = (trunks[0] + trunks[-1]) / 2
        lines.append([(centre, BOX_H), (centre, bus)])
        lines.append([(trunks[0], bus), (trunks[-1], bus)])
        lines += [[(trunks[c], bus), (trunks[c], lowest[c])] for c in lowest]
        height = y - ROW_GAP
    box_x = centre - BOX_W / 2
    items.insert(0, (index, box_x, 0))
    return _Shape(width, height, box_x, items, lines)


def layout(nodes, depth=DEFAULT_DEPTH, stack_limit=STACK_LIMIT, max_columns=None):
    """The Layout of `nodes` (org_tree.chart.Node in tree order), `depth` levels from the top one(s);
    a stacked block has at most `stack_limit` rows and, when given, `max_columns` columns."""
    roots, children = _tree(nodes, depth)
    boxes, connectors, parents = [], [], {}
    x = MARGIN
    height = 0
    for root in roots:
        shape = _layout_subtree(root, children, stack_limit, max_columns)
        for index, bx, by in shape.items:
            box = Box(nodes[index], x=bx + x, y=by + MARGIN)
            if not children[index] and nodes[index].descendants:
                box.hidden = nodes[index].descendants
            boxes.append(box)
        connectors += [_shift(line, x, MARGIN) for line in shape.lines]
        x += shape.width + H_GAP * 2
        height = max(height, shape.height)
    for parent, kids in children.items():
        for kid in kids:
            parents[nodes[kid].code] = nodes[parent].code
    boxes.sort(key=lambda box: (box.y, box.x))
    width = max(x - H_GAP * 2 + MARGIN, BOX_W + 2 * MARGIN) if roots else 2 * MARGIN
    result = Layout(boxes, connectors, [], width, height + 2 * MARGIN, parents)
    _dotted_lines(result)
    return result


def _dotted_lines(result):
    """Dashed connectors for dotted lines whose two ends are drawn; the others are named in the box."""
    by_code = {box.code: box for box in result.boxes}
    for box in result.boxes:
        for code, title, _readable in box.node.dotted:
            other = by_code.get(code)
            if other is None:
                box.dotted_names.append(title or code)
                continue
            # From the side of the dotted-line superior, across, then down (or up) to the box.
            start_x = other.x + BOX_W if other.cx < box.cx else other.x
            start_y = other.y + BOX_H / 2
            end_y = box.y if other.y + BOX_H / 2 < box.y else box.bottom
            result.dashed.append([(start_x, start_y), (box.cx, start_y), (box.cx, end_y)])


# ---------------------------------------------------------------------------------------------
# Drawing


def _width(text):
    """Rough rendered width in em: CJK and full-width characters are one, others about half."""
    return sum(1 if ord(ch) > 0x2E7F else 0.56 for ch in text)


def fit(text, em, lines=1):
    """`text` cut into at most `lines` lines of `em` wide, the last ending in … when cut."""
    out, current, width = [], "", 0.0
    for ch in text:
        w = 1 if ord(ch) > 0x2E7F else 0.56
        if width + w > em:
            out.append(current)
            if len(out) == lines:
                last = out[-1]
                while last and _width(last) + 1 > em:
                    last = last[:-1]
                out[-1] = last + "…"
                return out
            current, width = "", 0.0
        current += ch
        width += w
    if current or not out:
        out.append(current)
    return out


INK, MUTED, ACCENT, WARN, LINE, DASH = "#1f2933", "#3e4c59", "#1c5f91", "#9c4221", "#7b8794", "#486581"
DRAFT_DASH = ' stroke-dasharray="4 3"'
CENTRED_BOLD = ' text-anchor="middle" font-weight="bold"'


def _text(x, y, text, cls, size, fill=INK, extra=""):
    return f'<text x="{x:.1f}" y="{y:.1f}" class="{cls}" font-size="{size}" fill="{fill}"{extra}>{escape(text)}</text>'


@dataclass
class BoxLines:
    """What a box says, line by line, for every drawing of it (SVG and PDF)."""

    band: str  # colour of the left band: complete, incomplete, no description
    texts: list  # (text, baseline y from the box top, font size, colour)
    classes: list  # the SVG class of each text
    people: str
    staffing: str
    flags: list


def box_lines(box):
    n = box.node
    concurrent = pgettext("short mark", "concurrent")
    people = "、".join(name if primary else f"{name}（{concurrent}）" for name, primary in n.holders) or _("Vacant")
    staffing = f"{n.filled}/{n.headcount}"
    if n.open_headcount > 0:
        staffing += " · " + ngettext("%(open)s open", "%(open)s open", n.open_headcount) % {"open": n.open_headcount}
    elif n.open_headcount < 0:
        staffing += " · " + _("over headcount")
    flags = []
    if n.problems:
        flags.append(_("Incomplete") if n.has_description else _("No description"))
    if n.is_draft:
        flags.append(_("Draft"))
    if getattr(n, "superior_hidden", False):
        flags.append(_("Superior not published"))
    if box.dotted_names:
        flags.append(_("Dotted: %(names)s") % {"names": "、".join(box.dotted_names)})
    texts, classes = [], []
    title_lines = fit(n.title, 11.5, 2)
    for number, line in enumerate(title_lines):
        texts.append((line, 18 + number * 16, 14, INK))
        classes.append("title")
    dy = 18 + len(title_lines) * 16
    texts += [
        (f"{n.code} · {fit(n.department or '—', 7)[0]}", dy, 11, MUTED),
        (fit(people, 15.5)[0], dy + 15, 11, MUTED),
        (fit(staffing, 15.5)[0], dy + 30, 11, MUTED),
    ]
    classes += ["meta", "people", "staffing"]
    if flags:  # a line of their own, short of the "+N" badge in the corner
        texts.append((fit(" ".join(flags), 11.5 if box.hidden else 15.5)[0], dy + 45, 11, WARN))
        classes.append("flags")
    band = WARN if n.problems and n.has_description else "#9aa5b1" if n.problems else ACCENT
    return BoxLines(band, texts, classes, people, staffing, flags)


def _polyline(line):
    return '<polyline points="' + " ".join(f"{x:.1f},{y:.1f}" for x, y in line) + '"/>'


def render_svg(result, *, query_string="", depth=DEFAULT_DEPTH, movable=False, standalone=False, title=""):
    """The layout as SVG: boxes are links to cards (top-down, left to right), "+N" links to the
    diagram under a box; `standalone` makes a file of its own (XML declaration, fonts, styles)."""
    card = reverse("positions:detail", args=["0CODE0"])
    under = reverse("org_tree:diagram-subtree", args=["0CODE0"])
    move = reverse("positions:move", args=["0CODE0"])
    suffix = escape(query_string)
    sep = "&amp;" if query_string else "?"
    move_label = _("Move under…")
    parts = []
    if standalone:
        parts.append('<?xml version="1.0" encoding="UTF-8"?>\n')
    w, h = ceil(result.width), ceil(result.height)
    parts.append(
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" class="diagram" '
        f'width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family=\'{FONTS}\' lang="zh-CN">'
    )
    if standalone:
        parts.append(f"<title>{escape(title or _('Org chart'))}</title>")
    parts.append(f'<g class="connectors" aria-hidden="true" fill="none" stroke="{LINE}" stroke-width="1.5">')
    for line in result.connectors:
        parts.append(_polyline(line))
    parts.append("</g>")
    if result.dashed:
        parts.append(
            f'<g class="dotted-lines" aria-hidden="true" fill="none" stroke="{DASH}" stroke-width="1.5" '
            'stroke-dasharray="6 4">'
        )
        for line in result.dashed:
            parts.append(_polyline(line))
        parts.append("</g>")
    for box in result.boxes:
        n = box.node
        code = escape(n.code)
        classes = "box"
        if n.problems:
            classes += " incomplete" if n.has_description else " undescribed"
        if n.is_draft:
            classes += " draft"
        if getattr(n, "match", False):
            classes += " match"
        x, y = box.x, box.y
        parts.append(f'<g class="{classes}" data-code="{code}">')
        lines = box_lines(box)
        outline = WARN if getattr(n, "match", False) else "#9aa5b1"
        body = [
            f'<rect class="frame" x="{x:.1f}" y="{y:.1f}" width="{BOX_W}" height="{BOX_H}" rx="4" fill="#fff" '
            f'stroke="{outline}" stroke-width="{3 if getattr(n, "match", False) else 1}"'
            f"{DRAFT_DASH if n.is_draft else ''}/>",
            f'<rect class="band" x="{x:.1f}" y="{y:.1f}" width="4" height="{BOX_H}" fill="{lines.band}"/>',
        ]
        for (text, dy, size, colour), cls in zip(lines.texts, lines.classes, strict=True):
            extra = ' font-weight="bold"' if cls == "title" else ""
            body.append(_text(x + 10, y + dy, text, cls, size, colour, extra))
        people, staffing = lines.people, lines.staffing
        label = ", ".join([f"{n.title} ({n.code})", n.department or "", people, staffing, *lines.flags])
        body.insert(0, f"<title>{escape(label)}</title>")
        if n.readable:
            href = card.replace("0CODE0", code) + suffix
            parts.append(f'<a href="{href}" aria-label="{escape(label)}">{"".join(body)}</a>')
        else:
            parts.append(f'<g aria-label="{escape(label)}">{"".join(body)}</g>')
        if box.hidden:
            more = f"+{box.hidden}"
            href = under.replace("0CODE0", code) + suffix + f"{sep}depth={max(depth, 2)}"
            more_label = ngettext(
                "%(count)s more position below: show the diagram under %(title)s",
                "%(count)s more positions below: show the diagram under %(title)s",
                box.hidden,
            ) % {"count": box.hidden, "title": n.title}
            parts.append(
                f'<a class="more" href="{href}" aria-label="{escape(more_label)}">'
                f'<rect x="{x + BOX_W - 52:.1f}" y="{y + BOX_H - 22:.1f}" width="46" height="18" rx="9" '
                f'fill="{ACCENT}"/>'
                + _text(x + BOX_W - 29, y + BOX_H - 9, more, "more-label", 11, "#fff", CENTRED_BOLD)
                + "</a>"
            )
        if box.continued_on:
            parts.append(
                _text(
                    x + 10,
                    y + BOX_H + 13,
                    _("Continued on page %(page)d") % {"page": box.continued_on},
                    "cont",
                    10,
                    WARN,
                )
            )
        if movable:
            parts.append(
                f'<a class="move" href="{move.replace("0CODE0", code)}">'
                + _text(x + 10, y + BOX_H + 12, move_label, "move-label", 10, ACCENT, ' text-decoration="underline"')
                + "</a>"
            )
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)
