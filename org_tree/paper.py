"""The diagram on paper: landscape pages, a tree too big for one page split by subtrees, as vector PDF.

Each page holds a subtree laid out by org_tree/diagram.py, as deep as fits at a readable scale.
A box whose subordinates did not fit names the page they continue on (续见第 n 页), and that page
names where it came from (接第 m 页). A post with more subordinates than one page holds has them
spread over several pages, the post repeated at the top of each. reportlab draws each page from
the same Layout as the page and the SVG (WeasyPrint drew the SVG faithfully, but at 25 ms a box a
10,000-post chart took four minutes; reportlab takes seconds).
"""

import io
from collections import deque
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _

from org_tree.diagram import BOX_H, BOX_W, H_GAP, MAX_DEPTH, ROW_GAP, TRUNK, V_GAP, layout

PAPERS = {"A4": (297, 210), "A3": (420, 297)}  # landscape, mm
MARGIN_MM = 10
HEADER_MM = 14
PX_MM = 25.4 / 96  # one CSS pixel in millimetres
MIN_SCALE = 0.62  # below this the 11px lines of a box print smaller than 5 pt
SHARE_SCALE = 0.72  # branches sharing a page are packed to print at least this large
LOOK_AHEAD = 300  # waiting branches considered for a shared page


@dataclass
class Page:
    root: object  # the Node at the top of the page
    layout: object
    scale: float
    number: int = 0
    came_from: tuple | None = None  # (page number, title of the superior whose branch this continues)
    part: tuple | None = None  # (part, parts) when a post's subordinates fill several pages


@dataclass
class _Pending:
    """A subtree waiting for its page; `page` is set when it gets one (the first, if split)."""

    nodes: list
    source: object = None  # the Page whose box continues here
    title: str = ""
    part: tuple | None = None
    whole: object = None  # for a part: the _Pending it is part of
    page: object = None


def _subtree(nodes, index):
    level, end = nodes[index].level, index + 1
    while end < len(nodes) and nodes[end].level > level:
        end += 1
    return nodes[index:end]


def _area(paper):
    width, height = PAPERS[paper]
    return (width - 2 * MARGIN_MM) / PX_MM, (height - 2 * MARGIN_MM - HEADER_MM) / PX_MM


def _scale(result, area):
    return min(1.0, area[0] / result.width, area[1] / result.height)


def _shelf(sizes, max_width, max_height):
    """Offsets packing boxes of `sizes` (width, height) in rows, left to right, or None if they do not fit."""
    offsets, x, y, row_height = [], 0.0, 0.0, 0.0
    for width, height in sizes:
        if width > max_width:
            return None
        if x and x + width > max_width:
            x, y, row_height = 0.0, y + row_height, 0.0
        offsets.append((x, y))
        x += width
        row_height = max(row_height, height)
    return offsets if y + row_height <= max_height else None


def _merge(layouts, offsets):
    """One Layout of `layouts` moved by `offsets`."""
    from org_tree.diagram import Layout

    boxes, connectors, dashed, parents = [], [], [], {}
    for result, (x, y) in zip(layouts, offsets, strict=True):
        for box in result.boxes:
            box.x, box.y = box.x + x, box.y + y
            boxes.append(box)
        connectors += [[(px + x, py + y) for px, py in line] for line in result.connectors]
        dashed += [[(px + x, py + y) for px, py in line] for line in result.dashed]
        parents.update(result.parents)
    boxes.sort(key=lambda box: (box.y, box.x))
    width = max(x + r.width for r, (x, _y) in zip(layouts, offsets, strict=True))
    height = max(y + r.height for r, (_x, y) in zip(layouts, offsets, strict=True))
    return Layout(boxes, connectors, dashed, width, height, parents)


def paginate(nodes, paper="A4", progress=None):
    """Pages for `nodes` (one subtree, or the whole organisation, in tree order), numbered in order."""
    if not nodes:
        return []
    area = _area(paper)
    top = min(node.level for node in nodes)
    queue = deque(_Pending(_subtree(nodes, i)) for i, node in enumerate(nodes) if node.level == top)
    # How many subordinates of one post a page holds, stacked in columns at the smallest scale.
    rows = max(1, int((area[1] / MIN_SCALE - BOX_H - V_GAP - 32 + ROW_GAP) // (BOX_H + ROW_GAP)))
    columns = max(1, int((area[0] / MIN_SCALE - 32 + H_GAP) // (BOX_W + TRUNK + H_GAP)))
    capacity = rows * columns
    pages = []

    def _whole(pending):
        """The layout of a waiting branch drawn whole, if it fits a shared page; None otherwise."""
        if pending.part is not None:
            return None
        if not hasattr(pending, "whole_layout"):
            result = layout(pending.nodes, MAX_DEPTH)
            fits = not any(box.hidden for box in result.boxes) and _scale(result, area) >= SHARE_SCALE
            pending.whole_layout = result if fits else None
        return pending.whole_layout

    while queue:
        item = queue.popleft()
        sub = item.nodes
        chosen = None
        for depth in range(min(MAX_DEPTH, max(n.level for n in sub) - sub[0].level + 1), 1, -1):
            result = layout(sub, depth)
            if _scale(result, area) >= MIN_SCALE:
                chosen = result
                break
        if chosen is None and len(sub) > 1:
            kids = [i for i, node in enumerate(sub) if node.level == sub[0].level + 1]
            if len(kids) > capacity and item.part is None:
                # Its subordinates fill several pages: the post heads each, with a share of them.
                chunks = [kids[i : i + capacity] for i in range(0, len(kids), capacity)]
                pieces = []
                for n, chunk in enumerate(chunks, start=1):
                    end = chunk[-1] + len(_subtree(sub, chunk[-1]))
                    pieces.append(
                        _Pending([sub[0], *sub[chunk[0] : end]], item.source, item.title, (n, len(chunks)), item)
                    )
                queue.extendleft(reversed(pieces))
                continue
            chosen = layout(sub, 2, stack_limit=rows, max_columns=columns)  # no wider than the page holds
        chosen = chosen or layout(sub, 1)
        group = [item]
        if item.part is None:
            # Branches that fit whole share a page, packed in rows, rather than one page each: the
            # first that fit among the next ones waiting (page numbers are given at the end).
            shelf_w, shelf_h = area[0] / SHARE_SCALE, area[1] / SHARE_SCALE
            shelved = [chosen]
            for candidate in list(islice(queue, LOOK_AHEAD)):
                whole = _whole(candidate)
                if whole is None:
                    continue
                if _shelf([(r.width, r.height) for r in (*shelved, whole)], shelf_w, shelf_h) is None:
                    continue
                shelved.append(whole)
                sub = sub + candidate.nodes
                group.append(candidate)
                queue.remove(candidate)
            if len(shelved) > 1:
                chosen = _merge(shelved, _shelf([(r.width, r.height) for r in shelved], shelf_w, shelf_h))
        page = Page(sub[0], chosen, _scale(chosen, area), part=item.part)
        page.sources = [(member.source, member.title, member.nodes[0].code) for member in group]
        page.roots = [member.nodes[0] for member in group]
        for member in group:
            member.page = page
        if item.whole is not None and item.whole.page is None:
            item.whole.page = page
        # Only the page's own branch can be cut (branches sharing it are whole); a cut box whose reports
        # are among the nodes continues on a page of its own, one cut by `depth` keeps its "+N".
        own = item.nodes
        position_of = {id(node): i for i, node in enumerate(own)}
        for box in chosen.boxes:
            if box.hidden and box.node is not own[0] and id(box.node) in position_of:
                branch = _subtree(own, position_of[id(box.node)])
                if len(branch) > 1:
                    pending = _Pending(branch, page, box.node.title)
                    box.pending = pending
                    queue.append(pending)
        pages.append(page)
        if progress is not None:
            progress(len(pages), len(pages) + len(queue))
    for number, page in enumerate(pages, start=1):
        page.number = number
    for page in pages:
        page.origins = {code: (source.number, title) for source, title, code in page.sources if source is not None}
        if page.origins:
            page.came_from = next(iter(page.origins.values()))
        for box in page.layout.boxes:
            pending = getattr(box, "pending", None)
            if pending is not None:
                box.continued_on, box.hidden = pending.page.number, 0  # on paper, the page says where they are
    return pages


# A CJK TrueType font to embed (reportlab embeds TrueType outlines; the CFF-based Noto CJK cannot be).
FONT_FILES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
FONT = "CJK"


class FontMissing(Exception):
    """No CJK TrueType font on this machine: Chinese cannot be embedded in a PDF."""


def _register_font():
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    for path in FONT_FILES:
        if Path(path).exists():
            pdfmetrics.registerFont(TTFont(FONT, path, subfontIndex=0))
            return
    raise FontMissing(_("No Chinese font to embed in the PDF is installed (e.g. the Debian package fonts-wqy-zenhei)."))


def _colour(hex_colour):
    from reportlab.lib.colors import HexColor

    return HexColor(hex_colour)


def _draw_page(canvas, page, total, paper, title, stamp):
    """One page: its header, then the diagram scaled into the page, y flipped (PDF counts upwards)."""
    from org_tree import diagram as d

    width_mm, height_mm = PAPERS[paper]
    mm = 72 / 25.4
    page_w, page_h = width_mm * mm, height_mm * mm
    canvas.bookmarkPage(f"page-{page.number}")
    left, top = MARGIN_MM * mm, page_h - MARGIN_MM * mm
    canvas.setFillColor(_colour(d.INK))
    canvas.setFont(FONT, 11)
    heading = "、".join(f"{root.title} {root.code}" for root in page.roots[:4])
    if len(page.roots) > 4:
        heading += " …"
    canvas.drawString(left, top - 10, heading)
    origin = [
        _("continued from page %(page)d (%(title)s)") % {"page": number, "title": superior}
        for number, superior in dict.fromkeys(page.origins.values())
    ][:4]
    if page.part:
        origin.append(_("part %(part)d of %(parts)d") % {"part": page.part[0], "parts": page.part[1]})
    canvas.setFont(FONT, 8)
    canvas.setFillColor(_colour(d.MUTED))
    if origin:
        canvas.drawString(left, top - 22, " · ".join(origin))
        if page.came_from:
            canvas.linkRect("", f"page-{page.came_from[0]}", (left, top - 25, left + 200, top - 14), relative=0)
    right = page_w - MARGIN_MM * mm
    canvas.drawRightString(right, top - 10, f"{title} · {stamp}")
    canvas.drawRightString(right, top - 22, _("page %(page)d of %(pages)d") % {"page": page.number, "pages": total})
    canvas.setStrokeColor(_colour("#9aa5b1"))
    canvas.setLineWidth(0.5)
    canvas.line(left, top - 27, right, top - 27)

    result, scale = page.layout, min(page.scale, 1.0) * (25.4 / 96) * mm  # layout px -> PDF points
    origin_y = top - HEADER_MM * mm

    def X(x):
        return left + x * scale

    def Y(y):
        return origin_y - y * scale

    def polyline(line):
        path = canvas.beginPath()
        path.moveTo(X(line[0][0]), Y(line[0][1]))
        for x, y in line[1:]:
            path.lineTo(X(x), Y(y))
        canvas.drawPath(path, stroke=1, fill=0)

    canvas.setLineWidth(1.2 * scale)
    canvas.setStrokeColor(_colour(d.LINE))
    for line in result.connectors:
        polyline(line)
    if result.dashed:
        canvas.setStrokeColor(_colour(d.DASH))
        canvas.setDash(6 * scale, 4 * scale)
        for line in result.dashed:
            polyline(line)
        canvas.setDash()
    for box in result.boxes:
        lines = d.box_lines(box)
        n = box.node
        x, y = X(box.x), Y(box.y + d.BOX_H)
        canvas.setFillColor(_colour("#ffffff"))
        canvas.setStrokeColor(_colour(d.WARN if getattr(n, "match", False) else "#9aa5b1"))
        if n.is_draft:
            canvas.setDash(4 * scale, 3 * scale)
        canvas.roundRect(x, y, d.BOX_W * scale, d.BOX_H * scale, 4 * scale, stroke=1, fill=1)
        canvas.setDash()
        canvas.setFillColor(_colour(lines.band))
        canvas.rect(x, y, 4 * scale, d.BOX_H * scale, stroke=0, fill=1)
        for text, dy, size, colour in lines.texts:
            canvas.setFillColor(_colour(colour))
            canvas.setFont(FONT, size * scale)
            canvas.drawString(X(box.x + 10), Y(box.y + dy), text)
        if len(page.origins) > 1 and box.code in page.origins:
            canvas.setFillColor(_colour(d.WARN))
            canvas.setFont(FONT, 10 * scale)
            canvas.drawString(X(box.x), Y(box.y - 4), _("from page %(page)d") % {"page": page.origins[box.code][0]})
        if box.hidden:  # cut by the depth asked for: the count of what is below, as on the screen
            canvas.setFillColor(_colour(d.ACCENT))
            canvas.roundRect(
                X(box.x + d.BOX_W - 52), Y(box.y + d.BOX_H - 4), 46 * scale, 18 * scale, 9 * scale, stroke=0, fill=1
            )
            canvas.setFillColor(_colour("#ffffff"))
            canvas.setFont(FONT, 11 * scale)
            canvas.drawCentredString(X(box.x + d.BOX_W - 29), Y(box.y + d.BOX_H - 9), f"+{box.hidden}")
        if box.continued_on:
            label = _("Continued on page %(page)d") % {"page": box.continued_on}
            canvas.setFillColor(_colour(d.WARN))
            canvas.setFont(FONT, 10 * scale)
            canvas.drawString(X(box.x + 10), Y(box.y + d.BOX_H + 13), label)
            canvas.linkRect(
                "",
                f"page-{box.continued_on}",
                (X(box.x), Y(box.y + d.BOX_H + 16), X(box.x + d.BOX_W), Y(box.y + d.BOX_H)),
                relative=0,
            )


def render_pdf(nodes, *, paper="A4", title="", progress=None):
    """PDF bytes of the diagram of `nodes` over as many landscape pages as it needs, and the page count.

    Drawn with reportlab from the same Layout as the page and the SVG: vector lines and boxes,
    text as text in an embedded (subset) CJK font, and links from a continued branch to its page.
    """
    from reportlab.lib.pagesizes import A3, A4, landscape
    from reportlab.pdfgen.canvas import Canvas

    _register_font()
    title = title or _("Org chart")
    pages = paginate(nodes, paper)
    out = io.BytesIO()
    canvas = Canvas(
        out,
        pagesize=landscape({"A4": A4, "A3": A3}[paper]),
        pageCompression=1,
        initialFontName=FONT,
        initialFontSize=10,
    )
    canvas.setTitle(title)
    canvas.setCreator("Job-description portal")
    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    for page in pages:
        _draw_page(canvas, page, len(pages), paper, title, stamp)
        canvas.showPage()
        if progress is not None:
            progress(page.number, len(pages))
    canvas.save()
    return out.getvalue(), len(pages)
