"""Positions derived from a staff roster (花名册): people with a title, a department and a manager.

People with the same title in the same department whose managers sit in the same derived post
become one post, with headcount = their number; that managers' post is its superior. On a
database that has positions already, a derived post that matches one (same title, department
and superior post) is that post. New codes follow one rule (README, "Importing a roster"):

- a new department gets `D` and the next free three-digit number (`D001`, `D002`, …);
- a new post gets its department's code, `-` and the next free two-digit number under it
  (`D001-01`; `P-01`, … for a post without a department).
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from org_tree.models import Department
from positions.models import CODE_PATTERN, CODE_RULE, Assignment, Person, Position


@dataclass
class PersonRecord:
    row: int | None
    employee_number: str
    name: str
    login: str | None = None  # None: leave the login alone
    primary: str | None = None  # a post code; "" for none; None: leave alone
    concurrent: list | None = None  # codes; None: leave alone


@dataclass
class DerivedPost:
    key: tuple
    title: str
    department: str | None
    department_name: str | None
    superior_code: str | None
    code: str = ""
    existing: bool = False
    headcount: int = 0
    headcount_changed: bool = False
    people: list = field(default_factory=list)  # (employee number, name)
    rows: list = field(default_factory=list)

    def as_json(self):
        return {
            "code": self.code,
            "title": self.title,
            "department": self.department,
            "department_name": self.department_name,
            "reports_to": self.superior_code,
            "headcount": self.headcount,
            "existing": self.existing,
            "people": [f"{name} ({number})" for number, name in self.people],
        }


@dataclass
class Derived:
    sheet: str
    posts: list = field(default_factory=list)
    people: list = field(default_factory=list)
    department_records: list = field(default_factory=list)


def source_of(post, sheet):
    from transfers.importing import Source

    return Source(sheet, post.rows[0], {"title": "岗位", "department": "部门", "reports_to": "直接上级工号"})


class _Codes:
    """The codes in use, and the next free number after a prefix: `D` gives D001, D002, …; `D001-` gives D001-01.

    Codes are indexed once by their trailing number, so each new code costs a lookup rather than a scan
    of every code (a roster of 20,000 people derives thousands of posts). Prefixes end in a non-digit.
    """

    TRAILING_NUMBER = re.compile(r"^(.*\D)(\d+)$")

    def __init__(self, codes):
        self.codes = set(codes)
        self.highest = defaultdict(int)  # prefix -> the highest number after it
        for code in self.codes:
            self._note(code)

    def _note(self, code):
        if match := self.TRAILING_NUMBER.match(code):
            prefix, number = match.groups()
            self.highest[prefix] = max(self.highest[prefix], int(number))

    def next(self, prefix, width):
        number = self.highest[prefix] + 1
        while f"{prefix}{number:0{width}d}" in self.codes:
            number += 1
        code = f"{prefix}{number:0{width}d}"
        self.codes.add(code)
        self._note(code)
        return code


def derive(sheet, report):
    """Derived (posts, people, new departments) from a roster SheetIn; problems go into `report`."""
    title = sheet.title
    derived = Derived(sheet=title)

    def problem(row, key, message):
        report.error(message, title, row, sheet.header(key))

    people, order = {}, []
    refused = Person.refused_numbers(row.values.get("employee_number", "") for row in sheet.rows)
    for row in sheet.rows:
        values = row.values
        number = values.get("employee_number", "")
        if not number:
            problem(row.number, "employee_number", _("This cell is required."))
            continue
        if number in refused:
            problem(row.number, "employee_number", CODE_RULE)
            continue
        if number in people:
            problem(
                row.number,
                "employee_number",
                _("Employee number %(number)s appears twice (also on row %(row)s).")
                % {"number": number, "row": people[number].number},
            )
            continue
        for key in ("name", "title"):
            if not values.get(key):
                problem(row.number, key, _("This cell is required."))
        if len(values.get("title", "")) > 200:
            problem(row.number, "title", _("At most %(limit)d characters.") % {"limit": 200})
        people[number] = row
        order.append(number)
    if report.errors:
        return derived

    # Managers: a row of the roster, or someone on file who holds a primary post.
    outside = {}
    unknown = {r.values.get("manager_employee_number") for r in people.values()} - set(people) - {"", None}
    if unknown:
        outside = dict(
            Assignment.objects.current()
            .filter(person__employee_number__in=unknown, kind=Assignment.Kind.PRIMARY)
            .values_list("person__employee_number", "position__code")
        )
    for number in order:
        row = people[number]
        manager = row.values.get("manager_employee_number", "")
        if manager == number:
            problem(row.number, "manager_employee_number", _("A person cannot be their own manager."))
        elif manager and manager not in people and manager not in outside:
            problem(
                row.number,
                "manager_employee_number",
                _("No row has the employee number %(number)s (and no one on file with a post has it).")
                % {"number": manager},
            )
    if report.errors:
        return derived
    # Loops: follow each chain of managers; a chain that comes back to itself is named once.
    placed, depth = set(), {}
    for number in order:
        chain, index = [], {}
        current = number
        while current in people and current not in placed:
            if current in index:
                loop = [*chain[index[current] :], current]
                problem(
                    people[current].number,
                    "manager_employee_number",
                    _("Management loop: %(chain)s.") % {"chain": " → ".join(loop)},
                )
                break
            index[current] = len(chain)
            chain.append(current)
            current = people[current].values.get("manager_employee_number", "")
        else:
            base = depth.get(current, -1) if current in people else -1
            for offset, link in enumerate(reversed(chain), start=1):
                depth[link] = base + offset
                placed.add(link)
            continue
        return derived
    top_down = sorted(order, key=lambda n: (depth[n], people[n].number))

    # Departments: an existing code, an existing name, or a new department.
    departments = list(Department.objects.values_list("code", "name", "parent__code"))
    by_code = {code: name for code, name, _parent in departments}
    by_name = defaultdict(list)
    for code, name, _parent in departments:
        by_name[name].append(code)
    department_codes, new_names = {}, {}
    codes_in_use = _Codes(by_code)
    for number in top_down:
        row = people[number]
        text = row.values.get("department", "")
        if not text or text in department_codes:
            continue
        if text in by_code:
            department_codes[text] = text
        elif len(by_name.get(text, [])) == 1:
            department_codes[text] = by_name[text][0]
        elif len(by_name.get(text, [])) > 1:
            problem(
                row.number,
                "department",
                _("Several departments are called %(name)s: give the department's code (%(codes)s).")
                % {"name": text, "codes": "、".join(by_name[text])},
            )
        else:
            if len(text) > 100:
                problem(row.number, "department", _("At most %(limit)d characters.") % {"limit": 100})
                continue
            code = codes_in_use.next("D", 3)
            department_codes[text] = code
            new_names[code] = (text, row.number, number)
    if report.errors:
        return derived
    names = {**by_code, **{code: text for code, (text, _row, _n) in new_names.items()}}

    outside_departments = dict(
        Position.objects.filter(code__in=set(outside.values())).values_list("code", "department__code")
    )

    def department_of(number):
        if number in people:
            return department_codes.get(people[number].values.get("department", ""))
        return outside_departments.get(outside.get(number))  # a manager on file: their post's department

    for code, (text, row_number, first) in new_names.items():
        # A new department sits under the department of its first member's manager, when that differs.
        manager = people[first].values.get("manager_employee_number", "")
        parent = department_of(manager)
        derived.department_records.append(
            {"code": code, "name": text, "parent": parent if parent != code else None, "_row": row_number}
        )

    # Posts, top-down: a person's post is (title, department, the manager's post).
    existing = {}
    for code, title_, department, parent in Position.objects.values_list(
        "code", "title", "department__code", "parent__code"
    ):
        existing.setdefault((title_, department, parent), code)
    headcounts = dict(Position.objects.values_list("code", "headcount"))
    post_codes = _Codes(headcounts)
    posts, post_of = {}, {}
    for number in top_down:
        row = people[number]
        manager = row.values.get("manager_employee_number", "")
        superior_code = posts[post_of[manager]].code if manager in people else outside.get(manager)
        department = department_of(number)
        key = (row.values["title"], department, superior_code)
        post = posts.get(key)
        if post is None:
            post = DerivedPost(key, row.values["title"], department, names.get(department), superior_code)
            match = existing.get(key)
            if match:
                post.code, post.existing = match, True
            else:
                prefix = (
                    department if department and re.match(CODE_PATTERN, department) and len(department) <= 35 else "P"
                )
                post.code = post_codes.next(f"{prefix}-", 2)
            posts[key] = post
        post.people.append((number, row.values["name"]))
        post.rows.append(row.number)
        post_of[number] = key
    # A post on file keeps its other holders: its headcount must make room for them and the roster's.
    staying = defaultdict(int)
    for code in (
        Assignment.objects.current()
        .filter(kind=Assignment.Kind.PRIMARY, position__code__in=[p.code for p in posts.values() if p.existing])
        .exclude(person__employee_number__in=list(people))
        .values_list("position__code", flat=True)
    ):
        staying[code] += 1
    for post in posts.values():
        if post.existing:
            post.headcount = max(headcounts[post.code], len(post.people) + staying[post.code])
            post.headcount_changed = post.headcount != headcounts[post.code]
        else:
            post.headcount = len(post.people)
    derived.posts = list(posts.values())
    login_given = "login" in sheet.headers
    derived.people = [
        PersonRecord(
            row=people[number].number,
            employee_number=number,
            name=people[number].values["name"],
            login=(people[number].values.get("login") or None) if login_given else None,
            primary=posts[post_of[number]].code,
            concurrent=None,
        )
        for number in order
    ]
    return derived
