"""The position document: one dict per job description, the same for the API, the card, exports and history.

A document is plain JSON (numbers exact to two places as JSON numbers, codes for every
reference) so it can be stored, compared and sent as it is. `load_positions()` reads
positions with everything their documents need in a fixed number of queries;
`position_document()` builds the document; `judged()` adds what the completeness rule
says (in the active language, so it is never stored).
"""

from collections import defaultdict

from django.db.models import Q

from portal.formatting import json_number
from positions.completeness import facts_from_document, judge

# Keys a writer may send (the API, imports, the editor, a restore). Everything else is derived.
HEADER_KEYS = (
    "code",
    "title",
    "department",
    "reports_to",
    "job_family",
    "grade",
    "headcount",
    "status",
    "has_description",
    "purpose",
    "education",
    "major",
    "experience_years",
    "work_environment",
    "review_months",
)
LIST_KEYS = ("internal_relations", "external_relations", "duties", "authorities", "qualifications", "training")
WRITABLE_KEYS = (*HEADER_KEYS, "dotted_reports_to", *LIST_KEYS, "career", "kpis")
# Derived keys: shown, never written.
READ_ONLY_KEYS = (
    "department_name",
    "job_family_name",
    "job_category",
    "job_category_name",
    "grade_name",
    "direct_reports",
    "dotted_reports",
    "holders",
    "filled",
    "version",
)


# What a document needs of the position row itself (select_related before load_positions()).
DOCUMENT_RELATED = ("department", "job_family__category", "grade")
ITEM_FIELDS = ("pk", "position_id", "kind", "order", "text", "share")
KPI_FIELDS = (
    "pk", "position_id", "order", "responsibility", "weight", "standard", "cycle",
    "metric", "unit", "direction", "target", "floor", "rule", "points",
)  # fmt: skip
# A KPI row's target keys as a row without a target has them: what a version saved before targets existed
# (its rows lack the keys) is read as (kpi_defaults()), in as-of views, diffs and restores alike.
KPI_TARGET_DEFAULTS = {
    "metric": "",
    "unit": "",
    "direction": "",
    "target": None,
    "floor": None,
    "rule": "direct",
    "points": None,
}


def _item_order(row):
    return (row[2], row[3])  # kind, order


def _kpi_order(row):
    return row[2]  # order


def _link_order(row):
    return (row[2], row[1], row[0])  # kind, order, pk


class Row(dict):
    """A stored row read as a record (a dict whose keys are also attributes): what a document is made from."""

    __getattr__ = dict.__getitem__


def load_positions(positions):
    """Positions with the rows their documents need, in six queries whatever their number.

    `positions` is a queryset (read with DOCUMENT_RELATED) or a list already read with it.

    Each position gets `_doc_items`, `_doc_kpis`, `_doc_children`, `_doc_links` (kind, code),
    `_doc_link_rows`, `_doc_incoming` (kind, code; by code) and `_doc_holders`; `position.related`
    maps the code of every position it names to (title, status), for links on the card.
    """
    from assessments.models import KPI
    from positions.models import Assignment, DescriptionItem, Position, PositionLink

    if hasattr(positions, "select_related"):
        positions = list(positions.select_related(*DOCUMENT_RELATED))
    positions = list(positions)
    if not positions:
        return positions
    ids = [p.pk for p in positions]
    wanted = set(ids)
    items, kpis, children, links, incoming, holders = (defaultdict(list) for _ in range(6))
    # Rows are read as plain records, not model instances (a page of 50 positions has ~1,000 of them),
    # and sorted here: compiling ORDER BY costs Django more than sorting a few rows costs Python.
    for row in sorted(
        DescriptionItem.objects.filter(position__in=ids).order_by().values_list(*ITEM_FIELDS), key=_item_order
    ):
        items[row[1]].append(Row(zip(ITEM_FIELDS, row, strict=True)))
    for row in sorted(KPI.objects.filter(position__in=ids).order_by().values_list(*KPI_FIELDS), key=_kpi_order):
        kpis[row[1]].append(Row(zip(KPI_FIELDS, row, strict=True)))
    link_rows = sorted(
        PositionLink.objects.filter(Q(source__in=ids) | Q(target__in=ids))
        .order_by()
        .values_list("pk", "order", "kind", "source_id", "target_id"),
        key=_link_order,
    )
    # Direct reports, superiors and linked posts: one query for their codes, titles and statuses
    # (self-joins would cost more to plan than to run).
    named = {p.parent_id for p in positions if p.parent_id}
    named.update(source for _, _, _, source, _ in link_rows)
    named.update(target for _, _, _, _, target in link_rows)
    posts, related = {}, defaultdict(dict)
    for pk, parent_id, _lft, code, title, status in sorted(
        Position.objects.filter(Q(parent__in=ids) | Q(pk__in=named))
        .order_by()
        .values_list("pk", "parent_id", "lft", "code", "title", "status"),
        key=lambda row: row[2],
    ):
        posts[pk] = (code, title, status)
        if parent_id in wanted:
            children[parent_id].append(code)
            related[parent_id][code] = (title, status)
    link_instances = defaultdict(list)
    for pk, order, kind, source_id, target_id in link_rows:
        if source_id in wanted:
            code, title, status = posts[target_id]
            links[source_id].append((kind, code))
            link_instances[source_id].append(
                Row(pk=pk, order=order, kind=kind, source_id=source_id, target_id=target_id)
            )
            related[source_id][code] = (title, status)
        if target_id in wanted:
            code, title, status = posts[source_id]
            incoming[target_id].append((kind, code))
            related[target_id][code] = (title, status)
    for position_id, kind, number, name in sorted(
        Assignment.objects.current()
        .filter(position__in=ids)
        .order_by()
        .values_list("position_id", "kind", "person__employee_number", "person__name"),
        key=lambda row: (row[1] != "primary", row[3]),  # primary before concurrent, then by name
    ):
        holders[position_id].append({"employee_number": number, "name": name, "kind": kind})
    for position in positions:
        position._doc_items = items[position.pk]
        position._doc_kpis = kpis[position.pk]
        position._doc_children = children[position.pk]
        position._doc_links = links[position.pk]
        position._doc_link_rows = link_instances[position.pk]
        # Links to it, by the linking post's code: their own order (link order, pk) differs between
        # databases once an organisation is exported and imported, the codes do not (history.py sorts alike).
        position._doc_incoming = sorted(incoming[position.pk])  # (kind, code)
        position._doc_holders = holders[position.pk]
        position.related = related[position.pk]
        position.superior_code = None
        if position.parent_id:
            code, title, status = posts[position.parent_id]
            position.superior_code = code
            position.related[code] = (title, status)
    return positions


def position_document(position, with_ids=False):
    """The document of a position read by load_positions().

    `with_ids`: every row as an object carrying its id (the editor's form), so a save can
    match rows by identity rather than by place.
    """
    from positions.models import LINE_SECTIONS, DescriptionItem, PositionLink

    by_kind = defaultdict(list)
    for item in position._doc_items:
        by_kind[item.kind].append(item)
    links = defaultdict(list)
    for kind, code in position._doc_links:
        links[kind].append(code)
    family, grade, department = position.job_family, position.grade, position.department
    document = {
        "code": position.code,
        "title": position.title,
        "department": department.code if department else None,
        "department_name": department.name if department else None,
        "reports_to": position.superior_code,
        "dotted_reports_to": links[PositionLink.Kind.DOTTED],
        "direct_reports": list(position._doc_children),
        "dotted_reports": [code for kind, code in position._doc_incoming if kind == PositionLink.Kind.DOTTED],
        "job_family": family.code if family else None,
        "job_family_name": family.name if family else None,
        "job_category": family.category.code if family else None,
        "job_category_name": family.category.name if family else None,
        "grade": grade.code if grade else None,
        "grade_name": grade.name if grade else None,
        "headcount": position.headcount,
        "review_months": position.review_months,
        "status": position.status,
        "has_description": position.has_description,
        "purpose": position.purpose,
        "education": position.education,
        "major": position.major,
        "experience_years": position.experience_years,
        "work_environment": position.work_environment,
    }
    for key, kind in LINE_SECTIONS:
        rows = by_kind[kind]
        if kind == DescriptionItem.Kind.DUTY:
            document[key] = [{"text": row.text, "share": json_number(row.share)} for row in rows]
        else:
            document[key] = [row.text for row in rows]
        if with_ids:
            document[key] = [
                {"id": row.pk, **(line if isinstance(line, dict) else {"text": line})}
                for row, line in zip(rows, document[key], strict=True)
            ]
    document["career"] = {
        "promotes_to": links[PositionLink.Kind.PROMOTION],
        "rotates_with": links[PositionLink.Kind.ROTATION],
    }
    document["kpis"] = [
        {
            "responsibility": kpi.responsibility,
            "weight": json_number(kpi.weight),
            "standard": kpi.standard,
            "cycle": kpi.cycle,
            "metric": kpi.metric,
            "unit": kpi.unit,
            "direction": kpi.direction,
            "target": json_number(kpi.target),
            "floor": json_number(kpi.floor),
            "rule": kpi.rule,
            "points": json_number(kpi.points),
            **({"id": kpi.pk} if with_ids else {}),
        }
        for kpi in position._doc_kpis
    ]
    document["holders"] = [dict(holder) for holder in position._doc_holders]
    document["filled"] = sum(1 for holder in position._doc_holders if holder["kind"] == "primary")
    document["version"] = position.version
    return document


def kpi_defaults(document):
    """`document` with every KPI row holding the target keys (KPI_TARGET_DEFAULTS where it lacks them);
    the document itself when nothing is missing (today's documents), else a copy."""
    kpis = document.get("kpis") if isinstance(document, dict) else None
    if not kpis or all(not isinstance(row, dict) or "rule" in row for row in kpis):
        return document
    filled = [{**KPI_TARGET_DEFAULTS, **row} if isinstance(row, dict) else row for row in kpis]
    return {**document, "kpis": filled}


def judged(document, required):
    """`document` with its totals and what the completeness rule says of it (`required`: JDTemplate.required)."""
    facts = facts_from_document(document)
    problems = judge(facts, required)
    return {
        **document,
        "duty_share_total": json_number(facts["duty_share_total"]) if facts["n_duties_shared"] else None,
        "kpi_weight_total": json_number(facts["kpi_weight_total"]),
        "complete": not problems,
        "problems": problems,
        # True when the direct superior is a post the reader may not see (positions/visibility.py):
        # reports_to then names the nearest one they may.
        "superior_hidden": document.get("superior_hidden", False),
    }


def field_labels():
    """Labels of a document's keys and row fields, in the active language."""
    from django.utils.translation import gettext as _

    return {
        "document": _("job description"),
        "code": _("position code"),
        "title": _("position title"),
        "department": _("department"),
        "reports_to": _("direct superior"),
        "dotted_reports_to": _("dotted-line superiors"),
        "job_family": _("job family"),
        "grade": _("grade"),
        "headcount": _("headcount"),
        "review_months": _("review interval (months)"),
        "status": _("status"),
        "has_description": _("job description on file"),
        "purpose": _("purpose"),
        "education": _("minimum education"),
        "major": _("major"),
        "experience_years": _("years of experience"),
        "work_environment": _("work environment"),
        "career": _("career paths"),
        "career.promotes_to": _("promotion paths"),
        "career.rotates_with": _("rotation paths"),
        "internal_relations": _("internal relations"),
        "external_relations": _("external relations"),
        "duties": _("duties"),
        "authorities": _("authorities"),
        "qualifications": _("qualifications"),
        "training": _("training requirements"),
        "kpis": _("KPIs"),
        "holders": _("holders"),
        "text": _("text"),
        "share": _("time share"),
        "responsibility": _("key responsibility"),
        "weight": _("weight"),
        "standard": _("performance standard"),
        "cycle": _("assessment cycle"),
        "metric": _("metric name (指标名称)"),
        "unit": _("unit (单位)"),
        "direction": _("direction (方向)"),
        "target": _("target value (目标值)"),
        "floor": _("floor (门槛值)"),
        "rule": _("scoring rule (计分规则)"),
        "points": _("points per occurrence (每次扣分)"),
        "targets": _("target and scoring (目标与计分)"),
        "id": _("row"),
    }


def describe(key):
    """Where an error key points, for people: "kpis.2.weight" -> "KPIs, row 2, weight"."""
    from django.utils.translation import gettext as _

    labels = field_labels()
    if key in labels:
        return labels[key]
    parts = key.split(".")
    if len(parts) >= 2 and parts[1].isdigit():
        section = labels.get(parts[0], parts[0])
        if len(parts) == 2:
            return _("%(section)s, row %(row)s") % {"section": section, "row": parts[1]}
        return _("%(section)s, row %(row)s, %(field)s") % {
            "section": section,
            "row": parts[1],
            "field": labels.get(parts[2], parts[2]),
        }
    return key
