"""Build a synthetic organisation for demos and benchmarks: `manage.py synth_org --positions N`.

The organisation looks like a real Chinese company: a department tree of
company → region (华东区) → centre (运维中心) → group (网络组), positions titled after
their unit (网络组经理, 网络组高级网络工程师), every position with a job description
(purpose, duties, authorities, working relations, qualifications with minimum education,
major and experience, work environment) and KPIs whose weights total exactly 100, except
about 5% left deliberately incomplete so the chart and the list have something to flag.
Around it: a job architecture (职类, 职种, 职级 M1-M5, P1-P10, O1-O5) that places every
position by its title and level, duty time shares in about 30% of the organisation,
dotted-line superiors, career paths, and people holding a concurrent post.

Everything synthetic has a code starting with ``SYN-`` and lives in its own tree,
apart from the real organisation (whose rows are not touched). Loading is one
transaction of bulk inserts under the tree locks, with the mptt numbers computed
while planning instead of by a rebuild, so 10,000 positions take seconds.
The same --seed always gives the same organisation. Its words are in _synth_vocabulary.py.
"""

import random
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import NamedTuple

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Max, ProtectedError

from assessments.models import KPI
from org_tree.models import Department, Grade, JobCategory, JobFamily
from portal.locking import lock_tree
from portal.models import tree_numbers
from positions import history
from positions.documents import load_positions, position_document
from positions.management.commands._synth_vocabulary import (
    CATEGORIES,
    CENTRE_NAMES,
    CENTRE_STAFF_ROLES,
    CENTRES,
    CHINESE_NUMERALS,
    COMPANY_HEAD_INTERNAL,
    COMPANY_NAMES,
    COMPANY_STAFF_GOAL,
    COMPANY_STAFF_ROLES,
    FAMILIES,
    GIVEN_NAME_CHARACTERS,
    GRADE_NAMES,
    HEADQUARTERS,
    LOWER_MANAGER_ROLES,
    MANAGEMENT,
    MANAGER_PURPOSE_TAILS,
    PEERS_RELATION,
    REGION_HEAD_INTERNAL,
    REGION_STAFF_GOAL,
    REGION_STAFF_ROLES,
    REGIONS,
    REPORTS_RELATION,
    ROLE_FAMILIES,
    ROLE_STEPS,
    SENIORITY,
    SENIORITY_STEPS,
    STAFF,
    STAFF_PURPOSE_TAILS,
    STAFF_WIDE_RELATION,
    STAFF_WORK,
    SUPERIOR_RELATION,
    SURNAMES,
    TOP_AUTHORITIES,
    TOP_EXTERNAL,
    TOP_FAMILY,
    Domain,
)
from positions.models import Assignment, DescriptionItem, Person, Position, PositionLink
from positions.services.facts import managed, refresh_facts

PREFIX = "SYN-"
MIN_DEPTH, MAX_DEPTH = 6, 10
MIN_SPAN, MAX_SPAN = 3, 12
# The smallest tree of depth 6 in which every manager has at least 3 reports: one chain plus 3 per level.
MIN_POSITIONS = 1 + (MIN_DEPTH - 1) * MIN_SPAN
INCOMPLETE_SHARE = 0.05
DRAFT_SHARE = 0.03
DOTTED_SHARE = 0.03  # of the positions: those with a dotted-line superior
CONCURRENT_SHARE = 0.02  # of the people: those with a concurrent post
TIMED_SHARE = 0.3  # of the positions, in whole centres: those whose duties carry time shares
PROMOTION_CHANCE, ROTATION_CHANCE = 0.2, 0.1
BATCH_SIZE = 2000
# Managers from the company's head (M5) down to level 4 (M1) are on the M ladder; team leaders
# further down stay on their family's P or O ladder, as 组长 and 班长 usually do.
M_LEVELS = len(GRADE_NAMES["M"])
LADDERS = {key: ladder for key, _name, ladder in CATEGORIES}  # the grade ladder of each category
EDUCATION = list(Position.Education.values)  # lowest first
# What qualification lines ask for, so the structured fields never ask for less than the text.
EDUCATION_WORDS = (
    ("博士", "doctor"),
    ("硕士", "master"),
    ("本科", "bachelor"),
    ("大专", "associate"),
    ("中专", "secondary"),
    ("高中", "secondary"),
)
YEARS_WORDS = re.compile(r"([一二两三四五六七八九十])年以上")
NUMERALS = {**{numeral: n for n, numeral in enumerate("一二三四五六七八九十", start=1)}, "两": 2}
# Minimum years of experience by grade, lowest grade first.
EXPERIENCE = {"M": (3, 5, 8, 10, 15), "P": (0, 0, 1, 2, 3, 5, 6, 8, 10, 12), "O": (0, 1, 2, 3, 5)}
MAX_EXPERIENCE = 15
# A KPI whose text names its period is assessed on that cycle; the rest by the holder's role.
Cycle = KPI.Cycle
CYCLE_WORDS = (
    (("年度", "全年", "每年"), Cycle.YEARLY.value),
    (("季度",), Cycle.QUARTERLY.value),
    (("每月", "月度", "按月"), Cycle.MONTHLY.value),
)
# Managers are assessed over longer periods than their staff.
MANAGER_CYCLES = (*[Cycle.QUARTERLY.value] * 3, *[Cycle.HALF_YEARLY.value] * 2, *[Cycle.YEARLY.value] * 2)
STAFF_CYCLES = (*[Cycle.MONTHLY.value] * 4, *[Cycle.QUARTERLY.value] * 3, Cycle.HALF_YEARLY.value)


def grade_rank(ladder, step):
    """One scale for every ladder: P1-P10 rank 10-100, Mn just above P(n+5), On just below Pn."""
    return {"P": 10 * step, "M": 10 * (step + 5) + 5, "O": 10 * step - 5}[ladder]


@dataclass
class PlannedDepartment:
    code: str
    name: str
    parent: int | None  # index into the plan's departments
    level: int


@dataclass
class PlannedKPI:
    responsibility: str
    weight: Decimal | None
    standard: str
    cycle: str = ""
    # The target and its scoring (--targets): none unless asked for.
    metric: str = ""
    unit: str = ""
    direction: str = ""
    target: Decimal | None = None
    floor: Decimal | None = None
    rule: str = KPI.Rule.DIRECT
    points: Decimal | None = None


# Plausible targets, one list per scoring rule: (metric, unit, direction, target, how far the floor lies
# from it) for linear, (metric, unit, direction, target) for threshold and for a target scored directly,
# (metric, unit, points per occurrence) for deduction. Targets are jittered a little per KPI.
LINEAR_TARGETS = (
    ("计划完成率", "%", "higher", Decimal(95), Decimal(20)),
    ("客户满意度", "分", "higher", Decimal(90), Decimal(20)),
    ("处理及时率", "%", "higher", Decimal(98), Decimal(13)),
    ("系统可用率", "%", "higher", Decimal("99.9"), Decimal("0.9")),
    ("平均处理时长", "小时", "lower", Decimal(24), Decimal(24)),
    ("成本偏差率", "%", "lower", Decimal(3), Decimal(7)),
)
THRESHOLD_TARGETS = (
    ("报表按时提交率", "%", "higher", Decimal(100)),
    ("制度执行率", "%", "higher", Decimal(100)),
    ("重大差错", "次", "lower", Decimal(0)),
)
DIRECT_TARGETS = (
    ("培训学时", "学时", "higher", Decimal(40)),
    ("改进建议", "条", "higher", Decimal(6)),
    ("预算执行偏差", "%", "lower", Decimal(5)),
)
DEDUCTION_TARGETS = (
    ("工作差错", "次", Decimal(5)),
    ("客户有效投诉", "次", Decimal(10)),
    ("违规操作", "起", Decimal(20)),
    ("迟报漏报", "次", Decimal("2.5")),
)


class Unit(NamedTuple):
    """The org unit a position belongs to, as planned."""

    department: int  # index into the plan's departments
    name: str
    domain: Domain | None  # the centre's kind of work; None for the company and the regions
    group: str | None  # the group's key in domain.groups (its name before any 二/三 numbering)


@dataclass
class PlannedPosition:
    code: str
    title: str
    parent: int | None  # index into the plan's positions; parents always come first
    level: int
    unit: Unit
    is_manager: bool
    seniority: str  # the title's 高级/资深/助理 before the role, if any
    role: str  # the title after the unit's name and the seniority
    headcount: int = 1
    status: str = Position.Status.PUBLISHED
    duties: list = field(default_factory=list)
    shares: list = field(default_factory=list)  # one time share per duty (None where missing), or none at all
    qualifications: list = field(default_factory=list)
    training: list = field(default_factory=list)
    authorities: list = field(default_factory=list)
    internal: list = field(default_factory=list)
    external: list = field(default_factory=list)
    kpis: list = field(default_factory=list)
    holders: list = field(default_factory=list)
    family: str = ""  # a key of FAMILIES
    grade: tuple = ()  # (ladder, step), e.g. ("P", 5)
    purpose: str = ""
    work_environment: str = ""
    education: str = ""
    major: str = ""
    experience_years: int | None = None
    incomplete: bool = False

    @property
    def department(self):
        return self.unit.department


@dataclass
class Plan:
    depth: int
    departments: list
    positions: list
    links: list = field(default_factory=list)  # (source, target, kind, order) with positions by index
    concurrent: list = field(default_factory=list)  # (holder's number in plan order, position index)


def plan_reporting_lines(n, rng):
    """Parents and levels of `n` positions in a tree of 6-10 levels where every manager has 3-12 reports.

    Breadth-first: each position below the last level becomes a manager with a
    probability chosen so the expected size is `n`; the leftmost chain always
    manages, with enough positions held back for it, so the tree reaches its
    target depth. Whatever is left at the end fills up existing managers.
    """
    depth = rng.randint(MIN_DEPTH, min(MAX_DEPTH, (n - 1) // MIN_SPAN + 1))
    growth = _growth_for(n, depth)
    manage_chance = min(1.0, growth / ((MIN_SPAN + MAX_SPAN) / 2))
    parents, levels, reports = [None], [0], [0]
    first_of_level = {0: 0}

    def add_reports(node, count):
        for _ in range(count):
            first_of_level.setdefault(levels[node] + 1, len(parents))
            parents.append(node)
            levels.append(levels[node] + 1)
            reports.append(0)
        reports[node] += count

    node = 0
    while node < len(parents) and len(parents) < n:
        level = levels[node]
        on_chain = first_of_level[level] == node
        if level < depth - 1 and (on_chain or rng.random() < manage_chance):
            # Hold back 3 positions for every level the leftmost chain must still reach below these reports.
            held_back = MIN_SPAN * max(0, depth - 2 - level)
            budget = n - len(parents) - held_back
            span = min(rng.randint(MIN_SPAN, MAX_SPAN), budget)
            if span >= MIN_SPAN:
                add_reports(node, span)
        node += 1

    while len(parents) < n:
        added = False
        candidates = [i for i, level in enumerate(levels) if level < depth - 1]
        rng.shuffle(candidates)
        for node in candidates:
            left = n - len(parents)
            if not left:
                break
            if reports[node] == 0 and left >= MIN_SPAN:
                add_reports(node, min(rng.randint(MIN_SPAN, MAX_SPAN), left))
                added = True
            elif 0 < reports[node] < MAX_SPAN:
                add_reports(node, min(rng.randint(1, MAX_SPAN - reports[node]), left))
                added = True
        if not added:  # cannot happen for n >= MIN_POSITIONS, but never loop forever
            raise CommandError(f"Cannot shape {n} positions into {depth} levels.")
    return parents, levels, reports


def _growth_for(n, depth):
    """The factor g with 1 + g + g² + … + g^(depth-1) = n: reports per position on average."""
    low, high = 1.0, float(MAX_SPAN)
    for _ in range(60):
        middle = (low + high) / 2
        if sum(middle**level for level in range(depth)) < n:
            low = middle
        else:
            high = middle
    return low


def _numbered(names, index):
    """The index-th unit name, repeating the list as 网络二组, 网络三组… once it runs out."""
    name = names[index % len(names)]
    round_ = index // len(names)
    if not round_:
        return name
    return name[:-1] + CHINESE_NUMERALS[min(round_, len(CHINESE_NUMERALS)) - 1] + name[-1]


def _pick(rng, pool, count):
    """`count` lines of `pool`, kept in the pool's order so numbered lists read naturally."""
    count = min(count, len(pool))
    return [pool[i] for i in sorted(rng.sample(range(len(pool)), count))]


def _weights(rng, count, step=Decimal(5)):
    """`count` percentages in steps of `step`, largest first, summing to exactly 100."""
    slots = int(100 / step)
    cuts = sorted(rng.sample(range(1, slots), count - 1))
    parts = [b - a for a, b in zip([0, *cuts], [*cuts, slots], strict=True)]
    return sorted((part * step for part in parts), reverse=True)


def _person(rng):
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN_NAME_CHARACTERS) for _ in range(rng.choice((1, 2, 2))))


def plan_organisation(n, rng, targets=0.0):
    """The whole organisation in memory: departments, positions, their job descriptions and the lines between them.

    `targets`: the share of KPIs (0 to 1) given a target and a scoring rule (none by default)."""
    parents, levels, reports = plan_reporting_lines(n, rng)
    company = rng.choice(COMPANY_NAMES)
    departments = [PlannedDepartment(f"{PREFIX}D00001", company, None, 0)]
    positions = []
    manager_reports = defaultdict(int)  # per position, how many of its reports head a unit so far
    unit_names = {}  # per position, the names its reports' units take in turn
    for index, (parent, level) in enumerate(zip(parents, levels, strict=True)):
        is_manager = reports[index] > 0
        if parent is None:
            unit = Unit(0, company, None, None)
        else:
            unit = positions[parent].unit
            if is_manager and level <= 3:
                # A manager on the top levels heads a new unit one step down the department tree.
                number = manager_reports[parent]
                manager_reports[parent] += 1
                if parent not in unit_names:
                    unit_names[parent] = _sub_unit_names(rng, level, unit)
                unit = _sub_unit(unit, level, unit_names[parent], number)
                departments.append(
                    PlannedDepartment(f"{PREFIX}D{len(departments) + 1:05d}", unit.name, unit.department, level)
                )
                unit = unit._replace(department=len(departments) - 1)
        seniority, role = ("", "总经理") if parent is None else _role(rng, level, is_manager, unit)
        position = PlannedPosition(
            f"{PREFIX}{index + 1:06d}", unit.name + seniority + role, parent, level, unit, is_manager, seniority, role
        )
        _describe(rng, position)
        positions.append(position)
    plan = Plan(depth=max(levels) + 1, departments=departments, positions=positions)
    # The sections added since draw from a stream of their own, taken after everything above,
    # so each seed still gives the tree, titles and holders it gave before they existed.
    _complete(plan, random.Random(rng.getrandbits(64)))
    if targets > 0:  # drawn last, from a stream of its own: without targets a seed gives what it gave before
        _set_targets(plan, random.Random(rng.getrandbits(64)), targets)
    return plan


def _set_targets(plan, rng, share):
    """Give about `share` of the KPIs a target and a rule, the four rules in turn by chance, each valid
    (assessments.models.KPI.read_targets would accept it)."""
    for position in plan.positions:
        for kpi in position.kpis:
            if rng.random() >= share:
                continue
            rule = rng.choice(KPI.Rule.values)
            if rule == KPI.Rule.LINEAR:
                kpi.metric, kpi.unit, kpi.direction, target, spread = rng.choice(LINEAR_TARGETS)
                kpi.target = _jittered(rng, target, kpi.unit)
                kpi.floor = kpi.target - spread if kpi.direction == "higher" else kpi.target + spread
            elif rule == KPI.Rule.THRESHOLD:
                kpi.metric, kpi.unit, kpi.direction, kpi.target = rng.choice(THRESHOLD_TARGETS)
            elif rule == KPI.Rule.DEDUCTION:
                kpi.metric, kpi.unit, kpi.points = rng.choice(DEDUCTION_TARGETS)
                kpi.direction = "lower" if rng.random() < 0.5 else ""
            else:
                kpi.metric, kpi.unit, kpi.direction, target = rng.choice(DIRECT_TARGETS)
                kpi.target = _jittered(rng, target, kpi.unit)
            kpi.rule = rule


def _jittered(rng, target, unit):
    """A target a little off the usual one (a percentage never above 100): 95 becomes 93, 95 or 97."""
    step = Decimal("0.05") if target != target.to_integral_value() else Decimal(2)
    value = target + step * rng.choice((-1, 0, 0, 1))
    return min(value, Decimal(100)) if unit == "%" else max(value, Decimal(0))


def _sub_unit_names(rng, level, parent_unit):
    """The names of the units on `level` under `parent_unit`: regions in order, centres and groups shuffled.

    Shuffled so that not every region has the same first few centres.
    """
    if level == 1:
        return list(REGIONS)
    if level == 2:
        return rng.sample(CENTRE_NAMES, len(CENTRE_NAMES))
    return rng.sample(list(parent_unit.domain.groups), len(parent_unit.domain.groups))


def _sub_unit(parent_unit, level, names, number):
    """The unit headed by the `number`-th manager reporting into `parent_unit`; `department` is still the parent's."""
    name = names[number % len(names)]
    if level == 1:
        return Unit(parent_unit.department, name, None, None)
    if level == 2:
        return Unit(parent_unit.department, name, CENTRES[name], None)
    return Unit(parent_unit.department, _numbered(names, number), parent_unit.domain, name)


def _role(rng, level, is_manager, unit):
    """(seniority, role): the title after the unit's name, 总监, 经理, 主管… or a staff or specialist role."""
    if is_manager:
        if level <= 3:
            return "", ("总经理", "总经理", "总监", "经理")[level]
        return "", LOWER_MANAGER_ROLES[min(level - 4, len(LOWER_MANAGER_ROLES) - 1)]
    if level == 1:
        return "", rng.choice(COMPANY_STAFF_ROLES)
    if level == 2:
        return "", rng.choice(REGION_STAFF_ROLES)
    if unit.group is None:
        return "", rng.choice(CENTRE_STAFF_ROLES)
    seniority = rng.choice(SENIORITY)
    return seniority, rng.choice(unit.domain.groups[unit.group])


def _punctuated(lines):
    """Numbered-list punctuation: a semicolon after every line, a full stop after the last."""
    if not lines:
        return []
    bare = [line.rstrip(";。") for line in lines]
    return [line + ";" for line in bare[:-1]] + [bare[-1] + "。"]


def _describe(rng, position):
    """Headcount, holders, status, duties, qualifications, training and KPIs; about 5% are left incomplete."""
    domain = position.unit.domain
    if position.is_manager:
        # Managers lead with management duties, then what their unit does (the company and regions only manage).
        pools = [MANAGEMENT] + ([domain] if domain else [])
        position.headcount = 1
        fill_chance = 0.9
    else:
        pools = [domain or HEADQUARTERS, STAFF]
        position.headcount = rng.choices((1, 2, 3, 4, 5), weights=(50, 25, 12, 8, 5))[0]
        fill_chance = 0.8

    def pool(name):
        return [line for domain_ in pools for line in getattr(domain_, name)]

    position.duties = _punctuated(_pick(rng, pool("duties"), rng.randint(3, 8)))
    position.qualifications = _punctuated(_pick(rng, pool("qualifications"), rng.randint(2, 5)))
    position.training = _punctuated(_pick(rng, pool("training"), rng.randint(1, 2)))
    rows = _pick(rng, pool("kpis"), rng.randint(3, 6))
    position.kpis = [
        PlannedKPI(responsibility, weight, standard)
        for (responsibility, standard), weight in zip(rows, _weights(rng, len(rows)), strict=True)
    ]
    position.holders = [_person(rng) for _ in range(position.headcount) if rng.random() < fill_chance]
    if position.parent is not None and rng.random() < DRAFT_SHARE:
        position.status = Position.Status.DRAFT
    if rng.random() < INCOMPLETE_SHARE:
        _spoil(rng, position)


def _spoil(rng, position):
    """Leave one KPI flaw that the completeness rule flags: a missing weight, a wrong total or no standard."""
    kpi = rng.choice(position.kpis)
    flaw = rng.choice(("no weight", "wrong total", "no standard"))
    if flaw == "no weight":
        kpi.weight = None
    elif flaw == "wrong total":
        kpi.weight += Decimal(-5 if kpi.weight > 5 and rng.random() < 0.5 else 5)
    else:
        kpi.standard = ""
    position.incomplete = True


def _complete(plan, rng):
    """Everything beyond the duties and KPIs: job architecture, the other sections, shares, links, concurrent posts."""
    for position in plan.positions:
        superior = None if position.parent is None else plan.positions[position.parent]
        _place(rng, position, superior)
        _describe_further(rng, position, superior)
    _share_time(rng, plan)
    plan.links = _dotted_lines(rng, plan) + _career_paths(rng, plan)
    plan.concurrent = _concurrent_posts(rng, plan)


def _place(rng, position, superior):
    """The job family and grade that fit the title and level, and the education, major and experience they need."""
    unit = position.unit
    if position.is_manager and unit.domain is None:
        position.family = TOP_FAMILY
    elif position.is_manager and position.level < M_LEVELS:
        position.family = unit.domain.manager_family
    elif position.is_manager:
        # A team leader belongs where the group's main role does.
        position.family = ROLE_FAMILIES[unit.domain.groups[unit.group][0]]
    else:
        position.family = ROLE_FAMILIES[position.role]
    family = FAMILIES[position.family]
    ladder = LADDERS[family.category]
    step = _grade_step(rng, position, ladder)
    if superior is not None:
        # An expert may reach their superior's rank but not pass it.
        while step > 1 and grade_rank(ladder, step) > grade_rank(*superior.grade):
            step -= 1
    position.grade = (ladder, step)

    if rng.random() < 0.1:
        return  # as in many older job descriptions, the requirements are only in the text
    stated = [_stated(line) for line in position.qualifications]
    stated_education = max(education for education, _years in stated)
    stated_years = max(years for _education, years in stated)
    education = EDUCATION.index(family.education)
    if ladder == "M" and step >= 3:
        education = max(education, EDUCATION.index(Position.Education.BACHELOR))
    if (ladder == "M" and step == M_LEVELS) or (ladder == "P" and step >= 8):
        education += rng.random() < 0.4
    position.education = EDUCATION[max(education, stated_education)]
    years = EXPERIENCE[ladder][step - 1] + rng.choice((0, 0, 1))
    position.experience_years = min(MAX_EXPERIENCE, max(years, stated_years))
    if family.majors:
        position.major = "、".join(_pick(rng, family.majors, rng.choice((1, 2, 2))))


@cache
def _stated(line):
    """(education index, years of experience) a qualification line asks for, 0 where it names none."""
    education = max((EDUCATION.index(value) for word, value in EDUCATION_WORDS if word in line), default=0)
    years = max((NUMERALS[numeral] for numeral in YEARS_WORDS.findall(line)), default=0)
    return education, years


def _grade_step(rng, position, ladder):
    """The step on `ladder` for the position's level, seniority and role: deeper is lower, 资深 above 高级 above plain."""
    level, top = position.level, len(GRADE_NAMES[ladder])
    if ladder == "M":
        return M_LEVELS - level
    # Team leaders (managers below the M ladder) sit above their staff: on P, two steps up but
    # under M1; on O, the top grade on the first level below the M ladder and one lower further down.
    if ladder == "P":
        base = {1: 8, 2: 7, 3: 6}.get(level, max(2, 9 - level))
        if position.is_manager:
            return min(6, base + 2)
        jitter = rng.choice((-1, 0, 0, 1))
    else:
        base = max(1, 7 - level)
        if position.is_manager:
            return top if level == M_LEVELS else top - 1
        jitter = rng.choice((0, 0, 1))
    step = base + SENIORITY_STEPS[position.seniority] + ROLE_STEPS.get(position.role, 0) + jitter
    return max(1, min(step, top))


def _describe_further(rng, position, superior):
    """Purpose, authorities, working relations, work environment and KPI cycles; the purpose always, the rest mostly."""
    position.purpose = _purpose(rng, position, superior)
    if rng.random() < (0.95 if position.is_manager else 0.7):
        position.authorities = _authorities(rng, position)
    if rng.random() < 0.85:
        position.internal = _internal_relations(rng, position, superior)
    if rng.random() < (0.7 if position.is_manager else 0.35):
        position.external = _external_relations(rng, position)
    if rng.random() < 0.6:
        position.work_environment = rng.choice(FAMILIES[position.family].environments)
    for kpi in position.kpis:
        kpi.cycle = _cycle(rng, kpi, position.is_manager)


def _purpose(rng, position, superior):
    """岗位目的 in one or two sentences, from the title, the unit and what the unit does."""
    unit, domain = position.unit, position.unit.domain
    if superior is None:
        first = f"全面负责{unit.name}的经营管理,组织制订并实施公司发展战略和年度经营计划,实现公司经营目标。"
    else:
        lead = f"在{superior.title}的领导下,"
        if position.is_manager and domain is None:
            first = f"{lead}全面负责{unit.name}的经营管理,落实公司战略和区域经营计划,完成区域经营指标。"
        elif position.role in STAFF_WORK:
            goal = domain.goal if domain else COMPANY_STAFF_GOAL if position.level == 1 else REGION_STAFF_GOAL
            first = f"{lead}负责{STAFF_WORK[position.role]},{goal}。"
        elif position.is_manager and position.level <= 3:
            first = f"{lead}全面负责{unit.name}的管理工作,组织开展{domain.work}工作,{domain.goal}。"
        elif position.is_manager:
            first = f"{lead}负责所辖班组的日常管理,带领班组成员开展{domain.work}工作,{domain.goal}。"
        else:
            first = f"{lead}按照公司制度和操作规程开展{domain.work}工作,{domain.goal}。"
    tails = MANAGER_PURPOSE_TAILS if position.is_manager else STAFF_PURPOSE_TAILS
    return first + (rng.choice(tails) if rng.random() < 0.5 else "")


def _authorities(rng, position):
    """工作权限: managers decide, approve and propose; staff mostly suggest and stop what breaks the rules."""
    domain = position.unit.domain
    if position.is_manager:
        lines = _pick(rng, MANAGEMENT.authorities, rng.randint(3, 5))
        if domain is None:
            lines = _pick(rng, TOP_AUTHORITIES, rng.randint(2, 3)) + lines
        else:
            lines += _pick(rng, domain.authorities, rng.randint(0, 1))
    else:
        lines = _pick(rng, (domain or HEADQUARTERS).authorities, rng.randint(1, 2))
        lines += _pick(rng, STAFF.authorities, rng.randint(0, 2))
    return _punctuated(lines)


def _internal_relations(rng, position, superior):
    """内部工作关系: the superior, the reports or the colleagues, and the other centres the unit works with."""
    domain = position.unit.domain
    if superior is None:
        return _punctuated(list(COMPANY_HEAD_INTERNAL))
    lines = [SUPERIOR_RELATION.format(superior=superior.title)]
    if position.is_manager:
        lines.append(REPORTS_RELATION)
    elif position.unit.group is not None:
        lines.append(PEERS_RELATION)
    if domain is not None:
        lines += _pick(rng, domain.internal, rng.randint(1, 2))
    elif position.is_manager:
        lines.append(REGION_HEAD_INTERNAL)
    else:
        lines.append(STAFF_WIDE_RELATION.format(scope="公司" if position.level == 1 else "区域"))
    return _punctuated(lines)


def _external_relations(rng, position):
    """外部工作关系 of the unit's kind of work; none for the company's and the regions' staff."""
    domain = position.unit.domain
    if domain is not None:
        pool = domain.external
    elif position.is_manager:
        pool = TOP_EXTERNAL
    else:
        return []
    return _punctuated(_pick(rng, pool, rng.randint(1, 2)))


def _cycle(rng, kpi, is_manager):
    """The assessment cycle: the one the KPI's text names, else by role; about 10% have none."""
    if rng.random() < 0.1:
        return ""
    return _named_cycle(kpi.responsibility + kpi.standard) or rng.choice(MANAGER_CYCLES if is_manager else STAFF_CYCLES)


@cache
def _named_cycle(text):
    return next((cycle for words, cycle in CYCLE_WORDS if any(word in text for word in words)), "")


def _centres(plan):
    """Per position, the index of the centre head it works under (itself for a head), None above the centres."""
    centres = []
    for index, position in enumerate(plan.positions):
        if position.level == 2 and position.is_manager:
            centres.append(index)
        elif position.level > 2:
            centres.append(centres[position.parent])
        else:
            centres.append(None)
    return centres


def _share_time(rng, plan):
    """Time shares on the duties of whole centres, picked at random to hold about 30% of the positions.

    Shares total exactly 100, in steps of 5 or 2.5; a deliberately incomplete position may get a
    wrong total or a duty without a share, which the completeness rule flags as well.
    """
    centres = _centres(plan)
    sizes = Counter(centre for centre in centres if centre is not None)
    heads = list(sizes)
    rng.shuffle(heads)
    target, chosen, covered = TIMED_SHARE * len(plan.positions), set(), 0
    for head in heads:
        if abs(covered + sizes[head] - target) < abs(covered - target):
            chosen.add(head)
            covered += sizes[head]
    for position, centre in zip(plan.positions, centres, strict=True):
        if centre not in chosen:
            continue
        position.shares = _weights(rng, len(position.duties), step=rng.choice((Decimal(5), Decimal("2.5"))))
        if position.incomplete and rng.random() < 0.5:
            index = rng.randrange(len(position.shares))
            if rng.random() < 0.5:
                position.shares[index] = None
            else:
                share = position.shares[index]
                position.shares[index] = share - 5 if share > 5 else share + 5


def _ancestors(plan, index):
    ancestors = set()
    parent = plan.positions[index].parent
    while parent is not None:
        ancestors.add(parent)
        parent = plan.positions[parent].parent
    return ancestors


def _dotted_lines(rng, plan):
    """Dotted-line superiors for about 3% of the positions below the centres.

    The line goes to a manager on a higher level outside the position's own chain of command:
    preferably one running the same kind of centre in another region (业务条线), else any.
    """
    positions = plan.positions
    centres = _centres(plan)
    managers = [i for i, p in enumerate(positions) if p.is_manager and p.parent is not None]
    by_kind = defaultdict(list)
    for i in managers:
        if centres[i] is not None:
            by_kind[positions[centres[i]].unit.name].append(i)
    sources = [i for i, p in enumerate(positions) if p.level > 2]
    rng.shuffle(sources)
    wanted, links = round(DOTTED_SHARE * len(positions)), []
    for source in sources:
        if len(links) == wanted:
            break
        level, centre = positions[source].level, centres[source]
        candidates = [
            i
            for i in by_kind[positions[centre].unit.name]
            if positions[i].level < level and positions[centres[i]].parent != positions[centre].parent
        ]
        if not candidates:
            ancestors = _ancestors(plan, source)
            candidates = [i for i in managers if positions[i].level < level and i not in ancestors]
        if candidates:
            links.append((source, rng.choice(candidates), PositionLink.Kind.DOTTED.value, 1))
    return links


def _siblings(plan):
    siblings = defaultdict(list)
    for i, position in enumerate(plan.positions):
        siblings[position.parent].append(i)
    return siblings


def _career_paths(rng, plan):
    """Promotion to the superior for about 20% of the positions; for about 10%, rotation with a peer of another title."""
    siblings = _siblings(plan)
    promotions, rotations = [], defaultdict(list)
    for i, position in enumerate(plan.positions):
        if position.parent is None:
            continue
        if rng.random() < PROMOTION_CHANCE:
            promotions.append((i, position.parent, PositionLink.Kind.PROMOTION.value, 1))
        if rng.random() < ROTATION_CHANCE:
            peers = [
                j
                for j in siblings[position.parent]
                if plan.positions[j].is_manager == position.is_manager and plan.positions[j].title != position.title
            ]
            for j in _pick(rng, peers, rng.randint(1, 2)):
                for source, target in ((i, j), (j, i)):
                    if target not in rotations[source]:
                        rotations[source].append(target)
    rotation_links = [
        (source, target, PositionLink.Kind.ROTATION.value, order)
        for source in sorted(rotations)
        for order, target in enumerate(rotations[source], start=1)
    ]
    return promotions + rotation_links


def _concurrent_posts(rng, plan):
    """A concurrent post (兼岗) for about 2% of the people: a differently titled post beside their own, vacant if any."""
    positions = plan.positions
    siblings = _siblings(plan)
    held = [i for i, position in enumerate(positions) for _name in position.holders]
    numbers = list(range(len(held)))
    rng.shuffle(numbers)
    wanted, posts = round(CONCURRENT_SHARE * len(held)), []
    for number in numbers:
        if len(posts) == wanted:
            break
        own = positions[held[number]]
        if own.parent is None:
            continue
        others = [j for j in siblings[own.parent] if positions[j].title != own.title]
        if not others:
            continue
        vacant = [j for j in others if len(positions[j].holders) < positions[j].headcount]
        posts.append((number, rng.choice(vacant or others)))
    return sorted(posts)


def _chunks(items, size=BATCH_SIZE):
    """Lists of at most `size` from an iterable, so bulk inserts never hold every row object at once."""
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _number_tree(planned, tree_id):
    """The mptt fields of each planned node, in plan order; new roots (by code) from `tree_id` on.

    Numbering while planning replaces TreeManager.rebuild(), whose update of every row
    takes over 10 s for 10,000 positions.
    """
    roots = sorted((node.code, index) for index, node in enumerate(planned) if node.parent is None)
    numbers = tree_numbers(
        ((index, node.parent, node.code) for index, node in enumerate(planned)),
        {index: tree_id + offset for offset, (_code, index) in enumerate(roots)},
    )
    return [numbers[index] for index in range(len(planned))]


def _create(model, objects, key):
    """bulk_create `objects` and make sure each has its primary key (found by `key` where the backend returns none)."""
    model.objects.bulk_create(objects, batch_size=BATCH_SIZE)
    if any(obj.pk is None for obj in objects):  # a backend that cannot return ids from a bulk insert
        by_key = dict(model.objects.filter(**{f"{key}__startswith": PREFIX}).values_list(key, "pk"))
        for obj in objects:
            obj.pk = by_key[getattr(obj, key)]


def _insert_tree(model, planned, build):
    """bulk_create a planned tree as new tree(s) after every existing one; returns the primary keys in plan order.

    One level at a time, so each parent has its primary key before its children are built.
    """
    # New trees go after the last one, as mptt numbers a new root (the caller holds the tree lock).
    tree_id = (model._tree_manager.aggregate(last=Max("tree_id"))["last"] or 0) + 1
    tree_fields = _number_tree(planned, tree_id)
    pks = [None] * len(planned)
    by_level = defaultdict(list)
    for index, item in enumerate(planned):
        by_level[item.level].append(index)
    for level in sorted(by_level):
        indices = by_level[level]
        objects = [build(planned[i], pks, **tree_fields[i]) for i in indices]
        _create(model, objects, "code")
        for i, obj in zip(indices, objects, strict=True):
            pks[i] = obj.pk
    return pks


def _insert_rows(model, names, rows):
    """INSERT plain tuples of the fields `names`, many rows a statement; returns how many rows.

    For the 200,000-odd rows that nothing refers back to: building a model instance per row
    for bulk_create costs more than the database takes to store it.
    """
    fields = [model._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    limit = connection.features.max_query_params
    size = BATCH_SIZE if limit is None else min(BATCH_SIZE, limit // len(fields))
    count = 0
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, size):
            cursor.execute(
                f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES {', '.join([placeholders] * len(chunk))}",
                [value for row in chunk for value in row],
            )
            count += len(chunk)
    return count


def _insert_architecture():
    """The synthetic job categories, families and grades; returns the families' and the grades' pks by key."""
    taken = set(JobCategory.objects.exclude(code__startswith=PREFIX).values_list("name", flat=True))
    categories = {
        # Category names are unique across the table: a real 管理类 keeps its name, the synthetic one is marked.
        key: JobCategory.objects.create(
            code=f"{PREFIX}JC-{key}", name=name if name not in taken else f"{name}(合成)", order=order
        )
        for order, (key, name, _ladder) in enumerate(CATEGORIES, start=1)
    }
    orders = Counter()
    families = {}
    for name, family in FAMILIES.items():
        orders[family.category] += 1
        order = orders[family.category]
        families[name] = JobFamily.objects.create(
            category=categories[family.category],
            code=f"{PREFIX}JF-{family.category}{order:02d}",
            name=name,
            order=order,
        ).pk
    grades = {}
    links = []
    for ladder, names in GRADE_NAMES.items():
        applies = [categories[key] for key, _name, ladder_ in CATEGORIES if ladder_ == ladder]
        for step, name in enumerate(names, start=1):
            grade = Grade.objects.create(code=f"{PREFIX}{ladder}{step}", name=name, rank=grade_rank(ladder, step))
            grades[(ladder, step)] = grade.pk
            links += [Grade.categories.through(grade=grade, jobcategory=category) for category in applies]
    Grade.categories.through.objects.bulk_create(links)
    return families, grades


def _insert(plan):
    """Write the planned organisation; returns row counts."""
    family_pks, grade_pks = _insert_architecture()
    department_pks = _insert_tree(
        Department,
        plan.departments,
        lambda d, pks, **tree: Department(
            code=d.code, name=d.name, parent_id=None if d.parent is None else pks[d.parent], **tree
        ),
    )
    position_pks = _insert_tree(
        Position,
        plan.positions,
        lambda p, pks, **tree: Position(
            code=p.code,
            title=p.title,
            department_id=department_pks[p.department],
            parent_id=None if p.parent is None else pks[p.parent],
            headcount=p.headcount,
            status=p.status,
            has_description=True,
            job_family_id=family_pks[p.family],
            grade_id=grade_pks[p.grade],
            purpose=p.purpose,
            work_environment=p.work_environment,
            education=p.education,
            major=p.major,
            experience_years=p.experience_years,
            **tree,
        ),
    )
    owned = list(zip(position_pks, plan.positions, strict=True))
    kinds = DescriptionItem.Kind
    sections = (
        (kinds.QUALIFICATION, "qualifications"),
        (kinds.TRAINING, "training"),
        (kinds.AUTHORITY, "authorities"),
        (kinds.INTERNAL, "internal"),
        (kinds.EXTERNAL, "external"),
    )

    def items():
        for pk, p in owned:
            shares = p.shares or [None] * len(p.duties)
            for order, (text, share) in enumerate(zip(p.duties, shares, strict=True), start=1):
                yield pk, kinds.DUTY.value, order, text, share
            for kind, name in sections:
                for order, text in enumerate(getattr(p, name), start=1):
                    yield pk, kind.value, order, text, None

    kpis = (
        (pk, order, k.responsibility, k.weight, k.standard, k.cycle, *(getattr(k, name) for name in KPI.TARGET_FIELDS))
        for pk, p in owned
        for order, k in enumerate(p.kpis, start=1)
    )
    links = ((position_pks[s], position_pks[t], kind, order) for s, t, kind, order in plan.links)
    counts = {
        "departments": len(department_pks),
        "positions": len(position_pks),
        "families": len(family_pks),
        "grades": len(grade_pks),
        "items": _insert_rows(DescriptionItem, ("position", "kind", "order", "text", "share"), items()),
        "kpis": _insert_rows(
            KPI, ("position", "order", "responsibility", "weight", "standard", "cycle", *KPI.TARGET_FIELDS), kpis
        ),
        "links": _insert_rows(PositionLink, ("source", "target", "kind", "order"), links),
    }
    held = [(pk, name) for pk, p in owned for name in p.holders]
    people = [Person(employee_number=f"{PREFIX}E{n:06d}", name=name) for n, (_pk, name) in enumerate(held, start=1)]
    for chunk in _chunks(people):
        _create(Person, chunk, "employee_number")
    primary = ((person.pk, pk, Assignment.Kind.PRIMARY.value) for person, (pk, _name) in zip(people, held, strict=True))
    concurrent = ((people[n].pk, position_pks[i], Assignment.Kind.CONCURRENT.value) for n, i in plan.concurrent)
    counts["holders"] = _insert_rows(Assignment, ("person", "position", "kind"), primary)
    counts["concurrent"] = _insert_rows(Assignment, ("person", "position", "kind"), concurrent)
    return counts


def delete_synthetic():
    """Delete the synthetic organisation (codes and employee numbers starting with SYN-); returns how many positions.

    Each deleted position gets its deleted version in the history, as any delete does, so the
    organisation as of a later date does not show it."""
    with managed():  # the rows go with their positions: no facts to keep up to date
        positions = Position.objects.filter(code__startswith=PREFIX)
        gone = [(position, position_document(position)) for position in load_positions(positions.order_by())]
        departments = Department.objects.filter(code__startswith=PREFIX)
        # The rows hanging off the positions first, in one statement each rather than through the collector.
        for model in (KPI, DescriptionItem, Assignment):
            model.objects.filter(position__code__startswith=PREFIX).delete()
        PositionLink.objects.filter(source__code__startswith=PREFIX).delete()
        PositionLink.objects.filter(target__code__startswith=PREFIX).delete()
        Person.objects.filter(employee_number__startswith=PREFIX).delete()
        # Position.parent and Department.parent are PROTECT, even within the set being deleted:
        # cut the links inside the synthetic set first. A real position that reports to a
        # synthetic one, sits in a synthetic department or has a synthetic family or grade
        # still blocks, as it should; so does a real family in a synthetic category.
        positions.update(parent=None)
        try:
            _, per_model = positions.delete()
            removed = per_model.get(Position._meta.label, 0)
            history.record(gone=gone)
            departments.update(parent=None)
            departments.delete()
            # After the positions, which refer to them.
            for model in (JobFamily, Grade, JobCategory):
                model.objects.filter(code__startswith=PREFIX).delete()
        except ProtectedError as exc:
            blockers = ", ".join(sorted(str(obj) for obj in exc.protected_objects)[:5])
            raise CommandError(f"Real rows still refer to the synthetic organisation: {blockers}") from None
        return removed


def _synthetic_rows_exist():
    return any(
        model.objects.filter(**{f"{key}__startswith": PREFIX}).exists()
        for model, key in (
            (Position, "code"),
            (Department, "code"),
            (Person, "employee_number"),
            (JobCategory, "code"),
            (JobFamily, "code"),
            (Grade, "code"),
        )
    )


class Command(BaseCommand):
    help = "Build a synthetic organisation of N positions (codes SYN-…) for demos and benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--positions", type=int, required=True, help="how many positions to create")
        parser.add_argument(
            "--seed", type=int, default=1, help="random seed; the same seed gives the same organisation"
        )
        parser.add_argument(
            "--replace", action="store_true", help="delete an existing synthetic organisation first instead of refusing"
        )
        parser.add_argument(
            "--targets",
            type=float,
            default=0.0,
            metavar="SHARE",
            help="the share of KPIs (0 to 1) given a target and a scoring rule, all four rules; default 0: none",
        )

    def handle(self, *args, positions, seed, replace, targets=0.0, **options):
        if positions < MIN_POSITIONS:
            raise CommandError(
                f"--positions must be at least {MIN_POSITIONS}: a tree of {MIN_DEPTH} levels with "
                f"{MIN_SPAN} or more reports per manager needs that many."
            )
        started = time.perf_counter()
        # Planning is pure Python and happens before the locks are taken, so the locks are held briefly.
        if not 0 <= targets <= 1:
            raise CommandError(f"--targets is a share from 0 to 1 (0.3: about 30% of KPIs), not {targets}.")
        plan = plan_organisation(positions, random.Random(seed), targets)
        removed = 0
        # One action of the system: the deleted versions of a replaced organisation and the new one's.
        with transaction.atomic(), history.acting(comment=f"synth_org --positions {positions} --seed {seed}"):
            # Departments before positions: the order every other writer takes the locks in.
            lock_tree(Department)
            lock_tree(Position)
            exists = _synthetic_rows_exist()
            if exists and not replace:
                raise CommandError(
                    "A synthetic organisation (codes SYN-…) already exists; use --replace to rebuild it."
                )
            if exists:
                removed = delete_synthetic()
            # bulk_create never runs mptt's save(); disabling updates keeps it that way should a save()
            # creep in. The tree fields are computed at insert time: no rebuild (11.6 s at 10,000).
            with Department.objects.disable_mptt_updates(), Position.objects.disable_mptt_updates():
                counts = _insert(plan)
            # Rows went in as bulk inserts, past the signals that keep the stored facts: count them once.
            refresh_facts(Position.objects.filter(code__startswith=PREFIX))
            # One version of each new post, as every other writer records, so that the organisation as
            # of any date from now on is the one the database holds (positions/history.py).
            history.record(Position.objects.filter(code__startswith=PREFIX).values_list("pk", flat=True))
        elapsed = time.perf_counter() - started
        if options["verbosity"] >= 1:
            if removed:
                self.stdout.write(f"Deleted the previous synthetic organisation ({removed} positions).")
            incomplete = sum(p.incomplete for p in plan.positions)
            timed = sum(bool(p.shares) for p in plan.positions)
            dotted = sum(kind == PositionLink.Kind.DOTTED for _s, _t, kind, _o in plan.links)
            self.stdout.write(
                f"Created {counts['positions']} synthetic positions, {plan.depth} levels deep, in "
                f"{counts['departments']} departments, {counts['families']} job families and {counts['grades']} "
                f"grades ({counts['items']} description lines, {timed} positions with time shares, "
                f"{counts['kpis']} KPIs, {dotted} dotted lines, {counts['links'] - dotted} career paths, "
                f"{counts['holders']} holders, {counts['concurrent']} concurrent posts, "
                f"{incomplete} deliberately incomplete) in {elapsed:.2f} s."
            )
