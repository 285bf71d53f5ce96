"""Saving job descriptions: check documents, then write only what differs, rows in place.

Every writer goes through `save_documents()`: `load_seed`, the editor, the API, restores
and imports. One call is one user action, in one transaction:

1. `parse()` checks each (whole or partial) document and normalises it; errors are keyed
   by where they are (`kpis.2.weight`: the weight of the second KPI).
2. The stored positions are read and locked (the tree lock first when the save can change
   the tree), merged with what was sent, and checked as a whole: references, grades that
   fit the family, loops in the reporting lines, and publishing only when complete.
3. Each position's rows are updated in place (matched by `id` when the sent rows carry ids,
   as the editor's do; by order otherwise), new rows created, removed rows deleted; each
   changed job description has its version bumped once, and a writer that started from an
   older version is refused (VersionConflict) before anything is written.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import KPI
from org_tree.models import Department, Grade, JobFamily
from portal.bulk import bulk_insert, bulk_update
from portal.formatting import json_number
from portal.locking import lock_tree
from portal.models import TREE_FIELDS, renumber
from portal.text import control_character, control_character_message
from positions import history
from positions.completeness import facts_from_document, judge_by_section
from positions.documents import load_positions, position_document
from positions.models import (
    CODE_PATTERN,
    LINE_SECTIONS,
    STORED_FACTS,
    DescriptionItem,
    JDTemplate,
    Position,
    PositionLink,
)
from positions.services import facts
from positions.services.moves import MoveRefused, loop_message, place

# Orders are unique per position and kind: rows that change place step aside first.
ORDER_OFFSET = 1_000_000
# Up to this many structural changes (new posts, new superiors, new codes) mptt moves each node
# under the tree lock; beyond it the tree is renumbered once from the parent links (a bulk load).
FEW_STRUCTURAL_CHANGES = 20
# A line, a purpose, a work environment. The JD template asks for a purpose of one to three sentences,
# and the longest cell of 18 real job descriptions in Word (handbooks, forms) holds 990 characters, a whole
# section in one cell: 2,000 is room to spare, and what the API, imports, the history and the
# model (TextField max_length) already agree on.
TEXT_LIMIT = 2000
CODE_LIMIT = 40
NAME_LIMIT = 200  # a title, a major
# Codes whose card address is one of the portal's own pages (/positions/new/).
RESERVED_CODES = {"new", "diagram"}  # /positions/new/, /org/diagram/
EDUCATION_ALIASES = {
    "不限": "any",
    "高中": "secondary",
    "中专": "secondary",
    "高中/中专": "secondary",
    "大专": "associate",
    "专科": "associate",
    "本科": "bachelor",
    "硕士": "master",
    "研究生": "master",
    "博士": "doctor",
}
CYCLE_ALIASES = {"月度": "monthly", "季度": "quarterly", "半年度": "half-yearly", "年度": "yearly"}
CYCLES = dict(KPI.Cycle.choices)
STATUS_ALIASES = {"草稿": "draft", "已发布": "published", "发布": "published"}
LINK_KEYS = (
    ("dotted_reports_to", PositionLink.Kind.DOTTED),
    ("career.promotes_to", PositionLink.Kind.PROMOTION),
    ("career.rotates_with", PositionLink.Kind.ROTATION),
)


class DocumentInvalid(Exception):
    """Documents that cannot be saved. `errors` maps where ("title", "kpis.2.weight") to messages;
    for a save of several documents, `by_document` holds each one's errors by its index."""

    def __init__(self, by_document):
        self.by_document = {index: dict(errors) for index, errors in by_document.items() if errors}
        self.errors = next(iter(self.by_document.values()), {}) if len(self.by_document) == 1 else {}
        lines = [
            f"{key}: {' '.join(messages)}" for errors in self.by_document.values() for key, messages in errors.items()
        ]
        super().__init__("; ".join(lines))


class VersionConflict(Exception):
    """Someone saved the job description after the writer loaded it; nothing was written."""

    def __init__(self, code, expected, current):
        self.code, self.expected, self.current = code, expected, current
        super().__init__(
            _(
                "%(code)s was saved by someone else in the meantime (now version %(current)s; you started from version %(expected)s)."
            )
            % {"code": code, "current": current, "expected": expected}
        )


@dataclass
class Save:
    """One document to save: `code` names the stored position it replaces (None to create one)."""

    document: dict
    code: str | None = None
    expected_version: int | None = None
    # Existing data restored as it was (an Administrator moving a whole organisation): a published
    # job description keeps its status even when incomplete, flagged as such wherever it is shown.
    keep_status: bool = False


@dataclass
class SaveResult:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    positions: dict = field(default_factory=dict)  # code -> Position, as saved
    documents: list = field(default_factory=list)  # the documents as saved, in the order given
    before: dict = field(default_factory=dict)  # index -> the stored document it replaced (None: created)
    drafted: dict = field(default_factory=dict)  # index -> problems, for incomplete_as_draft

    @property
    def changed(self):
        return bool(self.created or self.updated)


class Errors(defaultdict):
    def __init__(self):
        super().__init__(list)

    def add(self, key, message):
        self[key].append(str(message))


# ---------------------------------------------------------------------------------------------
# 1. Parsing one document.


def _text(value, key, errors, *, required=False, limit=TEXT_LIMIT):
    if value is None:
        value = ""
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        errors.add(key, _("Give this as text, not as a number, a list or an object."))
        return ""
    text = str(value).replace("\r\n", "\n").strip()
    if character := control_character(text):  # documents come from files and commands too, not only requests
        errors.add(key, control_character_message(character))
        return ""
    if required and not text:
        errors.add(key, _("This cannot be empty."))
    if len(text) > limit:
        errors.add(
            key, _("At most %(limit)d characters (this has %(length)d).") % {"limit": limit, "length": len(text)}
        )
    return text


def _decimal_or_error(value, key, errors, message):
    """`value` as a Decimal, or None with `message` (text, or a function giving it: built only when needed)."""
    if isinstance(value, bool) or isinstance(value, dict | list):
        errors.add(key, message() if callable(message) else message)
        return None
    text = str(value).strip().rstrip("%％").strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        errors.add(key, message() if callable(message) else message)
        return None
    return number


def _percent(value, key, errors):
    """An exact percentage, more than 0 and at most 100, two decimal places at most; None when empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = _decimal_or_error(
        value,
        key,
        errors,
        lambda: _("“%(value)s” is not a number: give a percentage such as 25 or 12.5.") % {"value": value},
    )
    if number is None:
        return None
    if not Decimal(0) < number <= Decimal(100):
        errors.add(key, _("Give a percentage more than 0 and at most 100, not %(value)s.") % {"value": value})
        return None
    if number != number.quantize(Decimal("0.01")):
        errors.add(key, _("Give at most two decimal places, not %(value)s.") % {"value": value})
        return None
    return json_number(number)


def _whole(value, key, errors, *, high, message):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = _decimal_or_error(value, key, errors, message)
    if number is None:
        return None
    if number != number.to_integral_value() or not 0 <= number <= high:
        errors.add(key, message)
        return None
    return int(number)


def _choice(value, key, errors, choices, aliases):
    text = str(value if value is not None else "").strip()
    if not text:
        return ""
    if text in choices:
        return text
    if text in aliases:
        return aliases[text]
    by_label = {str(label): code for code, label in choices.items()}
    if text in by_label:
        return by_label[text]
    errors.add(
        key,
        _("“%(value)s” is not one of: %(choices)s.") % {"value": text, "choices": "、".join([*choices, *aliases])},
    )
    return ""


def _code_list(value, key, errors):
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = re.split(r"[,，;；、\s]+", value)
    if not isinstance(value, list | tuple):
        errors.add(key, _("Give a list of position codes."))
        return []
    codes = []
    for code in value:
        code = str(code).strip() if isinstance(code, str | int) else ""
        if character := control_character(code):
            errors.add(key, control_character_message(character))
            return []
        if code and code not in codes:
            codes.append(code)
    return codes


def _rows(value, key, errors):
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        errors.add(key, _("Give a list."))
        return []
    return list(value)


def _row_id(raw, key, errors):
    if not isinstance(raw, dict) or raw.get("id") in (None, ""):
        return None
    try:
        return int(raw["id"])
    except (TypeError, ValueError):
        errors.add(key, _("The row id %(id)s is not a whole number.") % {"id": raw["id"]})
        return None


def parse(document, *, is_new):
    """Check a whole (`is_new`) or partial document; returns (values, errors).

    Values keep the document's shape, normalised: stripped text, codes for references,
    JSON numbers for percentages, rows as dicts with an optional `id`. Only the keys the
    document has are parsed, so a partial document leaves the rest alone; references are
    checked against the database later.
    """
    errors = Errors()
    if not isinstance(document, dict):
        errors.add("document", _("Give the job description as an object."))
        return {}, errors
    present = set(document) | ({"code", "title"} if is_new else set())
    values = {}
    if "code" in present:
        code = _text(document.get("code"), "code", errors, required=True, limit=CODE_LIMIT)
        if code and not re.match(CODE_PATTERN, code):
            errors.add("code", _("Use letters, digits, '-', '_' or '.' only, starting with a letter or digit."))
        elif code.lower() in RESERVED_CODES:
            errors.add(
                "code", _("“%(code)s” is reserved for the portal's own pages; choose another code.") % {"code": code}
            )
        values["code"] = code
    if "title" in present:
        values["title"] = _text(document.get("title"), "title", errors, required=True, limit=NAME_LIMIT)
    for key in ("department", "reports_to", "job_family", "grade"):
        if key in present:
            values[key] = _text(document.get(key), key, errors, limit=100) or None
    if "headcount" in present:
        headcount = _whole(
            document.get("headcount"),
            "headcount",
            errors,
            high=100000,
            message=_("Headcount is a whole number from 0 to 100000."),
        )
        values["headcount"] = 1 if headcount is None else headcount
    if "review_months" in present:
        months = _whole(
            document.get("review_months"),
            "review_months",
            errors,
            high=120,
            message=_("The review interval is a whole number of months from 1 to 120."),
        )
        if months == 0:
            errors.add("review_months", _("The review interval is a whole number of months from 1 to 120."))
        values["review_months"] = months or 12
    if "status" in present:
        status = _choice(document.get("status"), "status", errors, dict(Position.Status.choices), STATUS_ALIASES)
        values["status"] = status or Position.Status.DRAFT
    if "has_description" in present:
        flag = document.get("has_description")
        if flag not in (True, False, 0, 1):
            errors.add("has_description", _("Give true or false."))
        values["has_description"] = bool(flag)
    for key in ("purpose", "work_environment"):
        if key in present:
            values[key] = _text(document.get(key), key, errors)
    if "major" in present:
        values["major"] = _text(document.get("major"), "major", errors, limit=NAME_LIMIT)
    if "education" in present:
        values["education"] = _choice(
            document.get("education"), "education", errors, dict(Position.Education.choices), EDUCATION_ALIASES
        )
    if "experience_years" in present:
        values["experience_years"] = _whole(
            document.get("experience_years"),
            "experience_years",
            errors,
            high=60,
            message=_("Years of experience must be a whole number from 0 to 60."),
        )
    if "dotted_reports_to" in present:
        values["dotted_reports_to"] = _code_list(document.get("dotted_reports_to"), "dotted_reports_to", errors)
    if "career" in present:
        career = document.get("career") or {}
        if not isinstance(career, dict):
            errors.add("career", _("Give promotes_to and rotates_with as lists of position codes."))
            career = {}
        values["career"] = {
            name: _code_list(career.get(name), f"career.{name}", errors) for name in ("promotes_to", "rotates_with")
        }
    for key, kind in LINE_SECTIONS:
        if key in present:
            values[key] = _parse_lines(document.get(key), key, kind, errors)
    if "kpis" in present:
        values["kpis"] = _parse_kpis(document.get("kpis"), errors)
    return values, errors


def _parse_lines(value, key, kind, errors):
    lines = []
    for number, raw in enumerate(_rows(value, key, errors), start=1):
        where = f"{key}.{number}"
        text = raw.get("text") if isinstance(raw, dict) else raw
        line = {"id": _row_id(raw, where, errors), "text": _text(text, f"{where}.text", errors, required=True)}
        if kind == DescriptionItem.Kind.DUTY:
            line["share"] = _percent(raw.get("share") if isinstance(raw, dict) else None, f"{where}.share", errors)
        lines.append(line)
    return lines


def _parse_kpis(value, errors):
    kpis = []
    for number, raw in enumerate(_rows(value, "kpis", errors), start=1):
        where = f"kpis.{number}"
        if not isinstance(raw, dict):
            errors.add(where, _("Give each KPI as an object with responsibility, weight, standard and cycle."))
            continue
        row = {
            "id": _row_id(raw, where, errors),
            "responsibility": _text(raw.get("responsibility"), f"{where}.responsibility", errors, required=True),
            "weight": _percent(raw.get("weight"), f"{where}.weight", errors),
            "standard": _text(raw.get("standard"), f"{where}.standard", errors),
            "cycle": _choice(raw.get("cycle"), f"{where}.cycle", errors, CYCLES, CYCLE_ALIASES),
        }
        # The target fields are judged together by the model: one rule for every writer and the admin.
        targets, problems = KPI.read_targets({name: raw.get(name) for name in KPI.TARGET_FIELDS})
        for name, message in problems.items():
            errors.add(f"{where}.{name}", message)
        for name in KPI.TARGET_FIELDS:
            row[name] = json_number(targets[name]) if name in NUMBER_TARGETS else targets[name]
        kpis.append(row)
    return kpis


NUMBER_TARGETS = ("target", "floor", "points")


def without_row_ids(document):
    """A document as the card and the API show it: rows without the editor's ids."""
    clean = dict(document)
    for key, kind in LINE_SECTIONS:
        if key in clean:
            if kind == DescriptionItem.Kind.DUTY:
                clean[key] = [{"text": row["text"], "share": row.get("share")} for row in clean[key]]
            else:
                clean[key] = [row["text"] if isinstance(row, dict) else row for row in clean[key]]
    if "kpis" in clean:
        clean["kpis"] = [{k: v for k, v in row.items() if k != "id"} for row in clean["kpis"]]
    return clean


# ---------------------------------------------------------------------------------------------
# 2. References and the merged document.


@dataclass
class Refs:
    """What documents refer to by code: departments, job families, grades and positions."""

    departments: dict
    families: dict
    grades: dict
    positions: dict  # code -> Position with its tree fields

    @classmethod
    def load(cls, codes):
        grades = {}
        for grade in Grade.objects.prefetch_related("categories"):
            grade.category_ids = {category.pk for category in grade.categories.all()}
            grades[grade.code] = grade
        positions = Position.objects.filter(code__in=codes).only("pk", "code", "status", "parent_id", *TREE_FIELDS)
        return cls(
            departments={d.code: d for d in Department.objects.all()},
            families={f.code: f for f in JobFamily.objects.select_related("category")},
            grades=grades,
            positions={p.code: p for p in positions},
        )


def _codes_named(values):
    codes = {values.get("code"), values.get("reports_to"), *(values.get("dotted_reports_to") or [])}
    career = values.get("career") or {}
    codes.update(career.get("promotes_to") or [], career.get("rotates_with") or [])
    return codes - {None, ""}


def _link_codes(values, key):
    if key == "dotted_reports_to":
        return values.get("dotted_reports_to")
    career = values.get("career")
    return None if career is None else career[key.split(".", 1)[1]]


def _check_references(values, refs, errors, own_code, known_codes):
    for key, table, message in (
        ("department", refs.departments, _("Unknown department %(code)s.")),
        ("job_family", refs.families, _("Unknown job family %(code)s.")),
        ("grade", refs.grades, _("Unknown grade %(code)s.")),
    ):
        if values.get(key) and values[key] not in table:
            errors.add(key, message % {"code": values[key]})
    superior = values.get("reports_to")
    if superior == own_code:
        errors.add("reports_to", _("A position cannot report to itself."))
    elif superior and superior not in known_codes:
        errors.add("reports_to", _("Unknown position %(code)s.") % {"code": superior})
    for key, kind in LINK_KEYS:
        for code in _link_codes(values, key) or []:
            if code == own_code:
                if kind == PositionLink.Kind.DOTTED:
                    errors.add(key, _("A position cannot be its own dotted-line superior."))
                else:
                    errors.add(key, _("A career path cannot lead back to the position itself."))
            elif code not in known_codes:
                errors.add(key, _("Unknown position %(code)s.") % {"code": code})


def _check_dotted_lines(document, errors):
    """A dotted line runs outside the reporting tree: not to the direct superior it already has."""
    superior = document.get("reports_to")
    if superior and superior in (document.get("dotted_reports_to") or []):
        errors.add(
            "dotted_reports_to",
            _("%(code)s is already the direct superior; a dotted line goes to someone else.") % {"code": superior},
        )


def _check_grade_fits(document, refs, errors):
    """The grade (sent or stored) applies to the job family (sent or stored)."""
    family, grade = refs.families.get(document.get("job_family")), refs.grades.get(document.get("grade"))
    if family is not None and grade is not None and not grade.applies_to(family, grade.category_ids):
        errors.add(
            "grade",
            _("Grade %(grade)s does not apply to the job family %(family)s (category %(category)s).")
            % {"grade": grade.code, "family": family.name, "category": family.category.name},
        )


def new_document():
    """The document of a position that has nothing yet."""
    document = {
        "code": "",
        "title": "",
        "department": None,
        "reports_to": None,
        "dotted_reports_to": [],
        "job_family": None,
        "grade": None,
        "headcount": 1,
        "review_months": 12,
        "status": Position.Status.DRAFT,
        "has_description": True,
        "purpose": "",
        "education": "",
        "major": "",
        "experience_years": None,
        "work_environment": "",
        "career": {"promotes_to": [], "rotates_with": []},
        "kpis": [],
    }
    document.update({key: [] for key, _kind in LINE_SECTIONS})
    return document


# Where a publishing refusal is shown: the field of the section the completeness rule names.
SECTION_FIELDS = {"relations": "internal_relations", "education": "education", "career": "career"}


def publish_problems(document, required):
    """Why `document` may not be published as it is: {field: [reasons]}, empty when it may."""
    if document.get("status") != Position.Status.PUBLISHED or not document.get("has_description", True):
        return {}
    problems = defaultdict(list)
    for section, message in judge_by_section(facts_from_document(without_row_ids(document)), required):
        problems[SECTION_FIELDS.get(section, section) or "status"].append(message)
    return dict(problems)


# ---------------------------------------------------------------------------------------------
# 3. Writing.


@dataclass
class RowWrites:
    """The row writes of one save, per model, applied in bulk in a safe order."""

    create: dict = field(default_factory=lambda: defaultdict(list))
    update: dict = field(default_factory=lambda: defaultdict(list))
    delete: dict = field(default_factory=lambda: defaultdict(list))
    step_aside: dict = field(default_factory=lambda: defaultdict(list))

    def plan(self, model, current, wanted, build, fields):
        """Queue what turns `current` rows (records read by load_positions) into `wanted` (dicts).

        Returns True when anything changes.

        Rows are matched by `id` when any wanted row has one (the editor), else by order.
        """
        if any(row.get("id") for row in wanted):
            by_id = {row.pk: row for row in current}
            pairs = [(by_id.pop(row.get("id"), None), row) for row in wanted]
            removed = list(by_id.values())
        else:
            pairs = [(current[i] if i < len(current) else None, row) for i, row in enumerate(wanted)]
            removed = current[len(wanted) :]
        self.delete[model].extend(row.pk for row in removed)
        changed = bool(removed)
        for order, (existing, row) in enumerate(pairs, start=1):
            values = {**build(row), "order": order}
            if existing is None:
                self.create[model].append(values)  # written by bulk_insert, once the new positions have ids
                changed = True
                continue
            if any(getattr(existing, name) != values[name] for name in fields):
                if existing.order != order:
                    self.step_aside[model].append(existing.pk)
                self.update[model].append(model(pk=existing.pk, **{name: values[name] for name in fields}))
                changed = True
        return changed

    def apply(self):
        for model, pks in self.delete.items():
            if pks:
                model.objects.filter(pk__in=pks).delete()
        for model, pks in self.step_aside.items():
            if pks:
                model.objects.filter(pk__in=pks).update(order=F("order") + ORDER_OFFSET)
        for model, rows in self.update.items():
            if rows:
                bulk_update(model, rows, ROW_FIELDS[model])
        for model, rows in self.create.items():
            if rows:
                bulk_insert(model, rows)


ROW_FIELDS = {
    DescriptionItem: ("text", "share", "order"),
    KPI: ("responsibility", "weight", "standard", "cycle", *KPI.TARGET_FIELDS, "order"),
    PositionLink: ("order",),  # a link row is matched by its target, so only its place can change
}
PLAIN_HEADER_KEYS = (
    "code",
    "title",
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


def _decimal(number):
    return None if number is None else Decimal(str(number))


def _header_fields(values, refs):
    """Model field values for the header keys in `values` (the superior is handled on its own)."""
    fields = {key: values[key] for key in PLAIN_HEADER_KEYS if key in values}
    for key, table in (("department", refs.departments), ("job_family", refs.families), ("grade", refs.grades)):
        if key in values:
            fields[f"{key}_id"] = table[values[key]].pk if values[key] else None
    return fields


def _plan_rows(position, values, by_code, writes):
    """Queue the row writes of one position; True when any row changes."""
    changed = False
    current_items = defaultdict(list)
    for item in getattr(position, "_doc_items", []):
        current_items[item.kind].append(item)
    for key, kind in LINE_SECTIONS:
        if key in values:
            changed |= writes.plan(
                DescriptionItem,
                current_items[kind],
                values[key],
                lambda row, kind=kind: {
                    "position": position,
                    "kind": kind,
                    "text": row["text"],
                    "share": _decimal(row.get("share")),
                },
                ROW_FIELDS[DescriptionItem],
            )
    if "kpis" in values:
        changed |= writes.plan(
            KPI,
            list(getattr(position, "_doc_kpis", [])),
            values["kpis"],
            lambda row: {
                "position": position,
                "responsibility": row["responsibility"],
                "weight": _decimal(row["weight"]),
                "standard": row["standard"],
                "cycle": row["cycle"],
                **{name: _decimal(row[name]) if name in NUMBER_TARGETS else row[name] for name in KPI.TARGET_FIELDS},
            },
            ROW_FIELDS[KPI],
        )
    current_links = defaultdict(list)
    for link in getattr(position, "_doc_link_rows", []):
        current_links[link.kind].append(link)
    for key, kind in LINK_KEYS:
        codes = _link_codes(values, key)
        if codes is None:
            continue
        # A link is identified by its target: the row that already points there stays, wherever it moves.
        existing = {link.target_id: link.pk for link in current_links[kind]}
        wanted = [{"id": existing.get(by_code[code].pk, -1), "target": by_code[code]} for code in codes]
        changed |= writes.plan(
            PositionLink,
            current_links[kind],
            wanted,
            lambda row, kind=kind: {"source": position, "target": row["target"], "kind": kind},
            ROW_FIELDS[PositionLink],
        )
    return changed


def _loops(saves, instances, superiors):
    """Superiors that would close a loop in the reporting lines: {index: message}. Holds the tree lock.

    `superiors` maps a save's index to its new superior (a Position, perhaps new in this save).
    """
    key = {index: ("new", index) if p.pk is None else p.pk for index, p in instances.items()}
    parents = dict(Position.objects.values_list("pk", "parent_id"))
    codes = {}
    new_index = {id(p): i for i, p in instances.items()}
    for index, superior in superiors.items():
        codes[key[index]] = instances[index].code
        if superior is None:
            parents[key[index]] = None
        else:
            parents[key[index]] = superior.pk if superior.pk is not None else ("new", new_index[id(superior)])
    problems, reaches_top = {}, set()
    for index, superior in superiors.items():
        if superior is None:
            continue
        chain, seen, current = [], set(), key[index]
        while current is not None and current not in seen and current not in reaches_top:
            chain.append(current)
            seen.add(current)
            current = parents.get(current)
        if current is None or current in reaches_top:
            reaches_top.update(seen)  # a later walk that meets these stops there: linear overall
        else:
            loop = chain[chain.index(current) :] + [current]
            codes.update(Position.objects.filter(pk__in=[k for k in loop if k not in codes]).values_list("pk", "code"))
            down = [str(codes.get(k, k)) for k in reversed(loop)]  # the walk went up; the message reads down
            problems[index] = loop_message(instances[index].code, superior.code, down)
    return problems


def _write(saves, parsed, stored, refs, final_codes, merged, same=frozenset()):
    """Plan every change in memory, claim the versions, then write: positions, the tree, rows.

    `merged`: each position's document after the save, whose facts are stored with it.
    `same`: indexes of saves whose documents equal the stored ones (nothing to plan).
    """
    result = SaveResult()
    instances, by_code = {}, dict(refs.positions)
    for index, save in enumerate(saves):
        if save.code is None:
            position = Position(code=final_codes[index], lft=0, rght=0, tree_id=0, level=0)
        else:
            position = stored[save.code]
        instances[index] = position
        by_code[final_codes[index]] = position

    writes, header_changes, superiors, changed = RowWrites(), {}, {}, set()
    for index, position in instances.items():
        if index in same:
            header_changes[index] = {}
            continue
        values = parsed[index]
        is_new = position.pk is None
        fields = _header_fields(values, refs)
        differs = {name: value for name, value in fields.items() if is_new or getattr(position, name) != value}
        if "reports_to" in values:
            superior = by_code[values["reports_to"]] if values["reports_to"] else None
            if (
                is_new
                or superior is None
                and position.parent_id
                or superior is not None
                and superior.pk != position.parent_id
            ):
                superiors[index] = superior
        if _plan_rows(position, values, by_code, writes) or differs or index in superiors or is_new:
            changed.add(index)
        header_changes[index] = differs

    loops = _loops(saves, instances, superiors) if superiors else {}
    if loops:
        raise DocumentInvalid({index: {"reports_to": [message]} for index, message in loops.items()})

    # Versions: a writer that started from an older version changes nothing. The conditional
    # UPDATE also holds on SQLite, where SELECT ... FOR UPDATE locks nothing.
    for index in sorted(changed):
        save, position = saves[index], instances[index]
        if position.pk is None:
            continue
        claimed = Position.objects.filter(pk=position.pk)
        if save.expected_version is not None:
            claimed = claimed.filter(version=save.expected_version)
        if not claimed.update(version=F("version") + 1):
            current = Position.objects.filter(pk=position.pk).values_list("version", flat=True).first()
            raise VersionConflict(save.code, save.expected_version, current)
        position.version = (save.expected_version or position.version) + 1

    structural = [i for i in changed if i in superiors or "code" in header_changes[i]]
    bulk_tree = len(structural) > FEW_STRUCTURAL_CHANGES
    now = timezone.now()
    for index in changed:
        for name, value in header_changes[index].items():
            setattr(instances[index], name, value)
        instances[index].updated_at = now
        instances[index].store_facts(facts_from_document(merged[index]))

    new = [i for i in changed if instances[i].pk is None]
    new_indexes = set(new)  # asked once per changed post: a list made 100,000 new posts cost minutes
    if bulk_tree:
        with Position.objects.disable_mptt_updates():
            Position.objects.bulk_create([instances[i] for i in new], batch_size=1000)
            for index, superior in superiors.items():
                instances[index].parent = superior
            names = {"version", "updated_at", "parent", *STORED_FACTS}
            for index in changed:
                names |= set(header_changes[index])
            updated = [instances[i] for i in changed if i not in new_indexes or i in superiors]
            bulk_update(Position, updated, sorted(names))
        renumber(Position)
    else:
        # Few nodes move: mptt places each under the tree lock (LockedTreeModel.save), parents first.
        for index in _parents_first(new, instances, superiors):
            instances[index].parent = superiors.get(index)
            instances[index].save()
        for index in _top_down(structural, instances, superiors):
            if index in new_indexes:
                continue
            position = instances[index]
            try:
                place(position, superiors[index] if index in superiors else position.parent)
            except MoveRefused as refusal:  # someone moved a post in between: the loop shows only now
                raise DocumentInvalid({index: {"reports_to": [str(refusal)]}}) from None
        plain = [i for i in changed if i not in new_indexes and i not in structural]
        if plain:
            names = {"version", "updated_at", *STORED_FACTS}
            for index in plain:
                names |= set(header_changes[index])
            bulk_update(Position, [instances[i] for i in plain], sorted(names))
    writes.apply()

    for index, position in instances.items():
        if position.pk is not None and saves[index].code is None:
            result.created.append(position.code)
        elif index in changed:
            result.updated.append(position.code)
        else:
            result.unchanged.append(position.code)
        result.positions[position.code] = position
    return result


def _top_down(indexes, instances, superiors):
    """Moves in the order of the final tree, shallowest first: each post then goes under a superior
    already in its final place, so posts trading places never pass through a loop."""
    final_parent = {id(instances[i]): superiors[i] for i in superiors}

    def depth(position, seen=()):
        # Through the posts that move, to one that stays (its stored level): no query.
        if id(position) not in final_parent or id(position) in seen:
            return position.level
        superior = final_parent[id(position)]
        return 0 if superior is None else depth(superior, (*seen, id(position))) + 1

    return sorted(indexes, key=lambda index: depth(instances[index]))


def _parents_first(indexes, instances, superiors):
    """New positions ordered so that a superior new in the same save is created before its reports."""
    pending, ordered, done = list(indexes), [], set()
    while pending:
        progress = False
        for index in list(pending):
            superior = superiors.get(index)
            if superior is None or superior.pk is not None or id(superior) in done:
                ordered.append(index)
                done.add(id(instances[index]))
                pending.remove(index)
                progress = True
        if not progress:  # a loop among new positions; _loops() has refused it already
            ordered.extend(pending)
            break
    return ordered


# What publishing judges: the job description itself. Moving a post, renaming it or changing its
# headcount does not re-open an already published description (the seed's DPT-YW-05 can still move).
PUBLISHING_KEYS = (
    "status",
    "has_description",
    "purpose",
    "education",
    "major",
    "experience_years",
    "work_environment",
    "career",
    "kpis",
    *(key for key, _kind in LINE_SECTIONS),
)


def _describes(values):
    """Whether the values write any text of a job description."""
    return any(values.get(key) for key in PUBLISHING_KEYS if key not in ("status", "has_description"))


def _differing(values, base):
    """The keys whose parsed values differ from the stored document `base` (row ids aside)."""
    return {
        key
        for key in values
        if key != "code"
        and values[key] != base.get(key)
        and without_row_ids({key: values[key]}) != without_row_ids({key: base.get(key)})
    }


@transaction.atomic
def save_documents(saves, *, require_complete_to_publish=True, template=None, incomplete_as_draft=False):
    """Apply the documents of one user action (a list of Save), all or nothing; returns a SaveResult.

    Raises DocumentInvalid or VersionConflict, and then nothing is written.
    `require_complete_to_publish`: refuse a published result that the completeness rule finds
    incomplete (off only for trusted loads of existing data, such as the seed).
    `incomplete_as_draft`: save such a document as a draft instead of refusing it (imports); the
    result's `drafted` says which, and why.
    """
    template = template or JDTemplate.current()
    parsed, errors = [], {}
    for index, save in enumerate(saves):
        values, problems = parse(save.document, is_new=save.code is None)
        parsed.append(values)
        errors[index] = problems

    codes = {save.code for save in saves if save.code}
    for values in parsed:
        codes |= _codes_named(values)
    if any(
        save.code is None or "reports_to" in values or "code" in values
        for save, values in zip(saves, parsed, strict=True)
    ):
        lock_tree(Position)  # before any row lock: a save that may move nodes takes the tree first
    stored_rows = Position.objects.filter(code__in=[s.code for s in saves if s.code])
    stored = {p.code: p for p in load_positions(stored_rows.select_for_update(of=("self",)).order_by("pk"))}
    refs = Refs.load(codes)

    # Codes: a new or changed code must be free, in the database and in this save.
    final_codes = {}
    for index, (save, values) in enumerate(zip(saves, parsed, strict=True)):
        if save.code is not None and save.code not in stored:
            errors[index].add("code", _("Position %(code)s no longer exists.") % {"code": save.code})
        final_codes[index] = values.get("code") or save.code
    uses = defaultdict(int)
    for code in final_codes.values():
        uses[code] += 1
    for index, save in enumerate(saves):
        code = final_codes[index]
        if code and uses[code] > 1:
            errors[index].add("code", _("Code %(code)s appears more than once.") % {"code": code})
        elif code and code != save.code and code in refs.positions:
            errors[index].add("code", _("A position with this code already exists."))
    renamed_away = {save.code for index, save in enumerate(saves) if save.code and final_codes[index] != save.code}
    known_codes = (set(refs.positions) - renamed_away) | {code for code in final_codes.values() if code}

    merged, result_before, drafted, same = [], {}, {}, set()
    required, publishing_keys = template.required, set(PUBLISHING_KEYS)
    for index, (save, values) in enumerate(zip(saves, parsed, strict=True)):
        position = stored.get(save.code)
        base = position_document(position) if position is not None else new_document()
        document = {**base, **values, "code": final_codes[index]}
        if not document.get("has_description") and "has_description" not in values and _describes(values):
            # Writing a job description for a post known only from a reporting line puts one on file.
            values["has_description"] = document["has_description"] = True
        _check_references(values, refs, errors[index], final_codes[index], known_codes)
        if "grade" in values or "job_family" in values:
            _check_grade_fits(document, refs, errors[index])
        if "dotted_reports_to" in values or "reports_to" in values:
            _check_dotted_lines(document, errors[index])
        result_before[index] = base if position is not None else None
        differing = _differing(values, base) if position is not None else set(values)
        if require_complete_to_publish and not save.keep_status and (position is None or differing & publishing_keys):
            problems = publish_problems(document, required)
            if problems and incomplete_as_draft and not errors[index]:
                values["status"] = document["status"] = Position.Status.DRAFT
                drafted[index] = problems
                if position is not None and base.get("status") == values["status"]:
                    differing.discard("status")
            elif problems:
                errors[index]["status"].append(
                    _("A published job description must be complete. Save it as a draft, or fix: %(problems)s")
                    % {"problems": " ".join(message for messages in problems.values() for message in messages)}
                )
                for key, messages in problems.items():
                    if key != "status":
                        errors[index][key].extend(messages)
        if position is not None and not differing and final_codes[index] == save.code:
            same.add(index)  # nothing to write: _write skips it
        merged.append(without_row_ids(document))
    if any(errors.values()):
        raise DocumentInvalid(errors)
    with facts.managed():
        result = _write(saves, parsed, stored, refs, final_codes, merged, same)
    result.documents = merged
    result.before, result.drafted = result_before, drafted
    history.record(result.positions[code].pk for code in (*result.created, *result.updated))
    renamed = [result.positions[final_codes[i]].pk for i, s in enumerate(saves) if s.code and final_codes[i] != s.code]
    if renamed:
        # Its reports and the posts linking to it name it by code: their documents change too.
        saved = {p.pk for p in result.positions.values()}
        naming = set(Position.objects.filter(parent__in=renamed).values_list("pk", flat=True))
        naming |= set(PositionLink.objects.filter(target__in=renamed).values_list("source_id", flat=True))
        touch(sorted(naming - saved))
    return result


def touch(position_ids):
    """Count a change made outside save_documents (Django admin, holders) as a new version, facts recounted."""
    ids = [pk for pk in position_ids if pk]
    if ids:
        Position.objects.filter(pk__in=ids).update(version=F("version") + 1, updated_at=timezone.now())
        facts.refresh_facts(Position.objects.filter(pk__in=ids))
        history.record(ids)


class DeleteRefused(Exception):
    """A position that cannot be deleted as asked; the message says why."""


@transaction.atomic
def delete_position(code, *, expected_version=None, reports_go_to=None):
    """Delete the post `code`; its direct reports move under `reports_go_to` first, in the same transaction.

    Refused while the post has current holders (end their assignments first), when it has
    direct reports and no new superior is given, and when that superior sits under the post.
    Positions that pointed at it (dotted lines, career paths) lose those links and get a new version.
    """
    from positions.models import Assignment

    lock_tree(Position)
    position = Position.objects.select_for_update().get(code=code)
    if expected_version is not None and position.version != expected_version:
        raise VersionConflict(code, expected_version, position.version)
    holders = list(Assignment.objects.current().filter(position=position).values_list("person__name", flat=True))
    if holders:
        raise DeleteRefused(
            _("%(code)s still has holders (%(names)s): end their assignments or move them first.")
            % {"code": code, "names": "、".join(holders)}
        )
    reports = list(Position.objects.filter(parent=position).order_by("lft"))
    if reports:
        if not reports_go_to:
            raise DeleteRefused(
                _("%(code)s has direct reports: choose the position they will report to.") % {"code": code}
            )
        try:
            superior = Position.objects.get(code=reports_go_to)
        except Position.DoesNotExist:
            raise DeleteRefused(_("Unknown position %(code)s.") % {"code": reports_go_to}) from None
        if superior.pk == position.pk:
            raise DeleteRefused(
                _("The reports of %(code)s cannot move under %(code)s itself: it is the position being deleted.")
                % {"code": code}
            )
        if superior.tree_id == position.tree_id and position.lft < superior.lft < position.rght:
            raise DeleteRefused(
                _("The reports of %(code)s cannot move under %(superior)s, which is itself under %(code)s.")
                % {"code": code, "superior": reports_go_to}
            )
        for report in reports:
            place(report, superior)
    pointing = set(PositionLink.objects.filter(target=position).values_list("source_id", flat=True))
    # Its ended assignments stay with their people, naming the post as it is now (it may have been renamed).
    Assignment.objects.filter(position=position).update(position_code=position.code, position_title=position.title)
    (last,) = load_positions(Position.objects.filter(pk=position.pk).order_by())
    last_document = position_document(last)
    with facts.managed():
        position.delete()
    history.record(gone=[(last, last_document)])
    touch([report.pk for report in reports] + sorted(pointing))
    return position


class RestoreRefused(Exception):
    """A version that cannot be restored; the message says why."""


def restore_save(code, version_id, *, expected_version=None):
    """(Save, comment) that makes version `version_id` of the position `code` its current job description
    again, as a new version (a deleted post comes back under its old code). The caller saves it:
    restore_version() at once (the system), services/approval.py as the user may.

    Raises RestoreRefused for an unknown version or a code taken since.
    """
    version = history.versions_of(code).filter(history_id=version_id).first()
    if version is None:
        raise RestoreRefused(_("%(code)s has no version %(id)s.") % {"code": code, "id": version_id})
    exists = Position.objects.filter(pk=version.id).values_list("code", flat=True).first()
    if exists is None and Position.objects.filter(code=version.code).exists():
        raise RestoreRefused(
            _("%(code)s was deleted, and its code is now used by another position.") % {"code": version.code}
        )
    at = timezone.localtime(version.history_date).strftime("%Y-%m-%d %H:%M:%S")
    save = Save(dict(version.document), code=exists, expected_version=expected_version if exists else None)
    return save, _("Restored the version of %(at)s.") % {"at": at}


def restore_version(code, version_id, *, expected_version=None):
    """Restore a version at once, as the system (a command, a test); returns the SaveResult.

    Raises RestoreRefused, DocumentInvalid when the old document no longer fits (its superior,
    department or linked posts are gone, or it would close a loop), and VersionConflict when
    `expected_version` is given and someone saved the post since. A user's restore goes through
    services/approval.py (restore), which may keep it as a proposal.
    """
    save, comment = restore_save(code, version_id, expected_version=expected_version)
    with history.commenting(comment):
        return save_documents([save])
