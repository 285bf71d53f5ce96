"""The HR worklist: every post with a problem, grouped by the kind of problem, and the count in the menu.

The worklist has four sections, each in its table of contents with its count:

- job descriptions: a group per kind of problem the completeness rule gives (KINDS in
  positions/completeness.py), each post once per kind with its detail ("KPI weights total 90%"),
  then the drafts;
- staffing: more primary holders than places (超编) and places without a holder (缺编), apart from
  the job descriptions, since filling a place is recruitment rather than an edit;
- due for review (待复审);
- waiting for the holders' acknowledgement (签字确认), per department.

A post with a change waiting for approval is marked, per problem, with whether that change mends it
(the proposed job description is judged by the same rule). Every section follows the department
filter, sub-departments included. The queries are fixed in number whatever the size of the
organisation: one pass over the positions serves the first three sections.
"""

import calendar
import datetime
import hashlib
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from positions.completeness import (
    FACT_NAMES,
    KINDS,
    MISSING,
    UNDESCRIBED,
    Judgement,
    facts_from_document,
    judge_reasons,
)
from positions.models import JDTemplate, Position, Proposal
from positions.querysets import holder_counts

COUNT_CACHE_SECONDS = 600
REVIEW_NOTICE_DAYS = 30
DRAFT = "draft"  # the one kind of problem that is not the completeness rule's


@dataclass
class Entry:
    """A post in a group: its code and title, what is wrong with it there, and any change waiting for
    approval (`proposal`, its id) with whether that change mends this problem (`mended`)."""

    code: str
    title: str
    detail: str = ""
    proposal: int | None = None
    mended: bool = False


@dataclass
class Group:
    key: str  # the kind of problem; the anchor in the page
    title: str
    entries: list = field(default_factory=list)
    link: str = "positions:edit"  # where an entry leads: the editor, or the card ("positions:detail")

    @property
    def count(self):
        return len(self.entries)


@dataclass
class Section:
    key: str
    title: str
    groups: list
    count: int  # posts (or, for the acknowledgements, holders) in the section
    label: str  # `count` in words, for the table of contents ("12 posts")
    empty: str  # what the section says when nothing is in it
    headed: bool = True  # its groups have headings of their own (a section of one group has not)


@dataclass
class Worklist:
    sections: list
    department: object = None  # the department the worklist is limited to, if any

    @property
    def empty(self):
        return not any(section.groups for section in self.sections)


def staffing_gap(holders, headcount):
    """ "0 holders for 1 place": each number with its own plural (在岗 0 人，编制 1 人)."""
    return _("%(holders)s for %(places)s") % {
        "holders": ngettext("%(count)d holder", "%(count)d holders", holders) % {"count": holders},
        "places": ngettext("%(count)d place", "%(count)d places", headcount) % {"count": headcount},
    }


def _positions(department):
    positions = Position.objects.all()
    return positions.in_department(department) if department is not None else positions


def waiting_changes(positions, required):
    """{position id: (proposal id, the kinds of problem the proposed job description still has)} for the
    newest pending proposal of each of `positions` (a queryset). One query: the proposals' documents."""
    rows = (
        Proposal.objects.filter(status=Proposal.Status.PENDING, position__in=positions.order_by().values("pk"))
        .order_by("position_id", "created_at", "pk")
        .values_list("position_id", "pk", "document")
    )
    waiting = {}
    for position_id, pk, document in rows:  # the newest last, so it stays
        kinds = {reason.kind for reason in judge_reasons(facts_from_document(document), required)}
        if document.get("status") != Position.Status.PUBLISHED:
            kinds.add(DRAFT)
        waiting[position_id] = (pk, kinds)
    return waiting


def due_for_review(status, effective_on, months, horizon):
    """The day a job description falls due for review if that is on or before `horizon`, else None:
    `months` after the effective date of its last approval; only published ones, and only those
    approved in the portal (the seed and imports have no effective date yet)."""
    if status != Position.Status.PUBLISHED or effective_on is None:
        return None
    month = effective_on.month - 1 + months
    year, month = effective_on.year + month // 12, month % 12 + 1
    if year > datetime.MAXYEAR:
        return None  # an effective date far in the future: not due in any year a calendar holds
    when = datetime.date(year, month, min(effective_on.day, calendar.monthrange(year, month)[1]))
    return when if when <= horizon else None


def _review_group(due, today):
    group = Group("reviews-due", _("Due for review"))
    for code, title, when in sorted(due, key=lambda item: (item[2], item[0])):
        date = when.strftime("%Y-%m-%d")
        if when < today:
            detail = _("overdue since %(date)s") % {"date": date}
        else:
            detail = _("due on %(date)s") % {"date": date}
        group.entries.append(Entry(code, title, detail))
    return group


def problems(department=None, today=None, *, staffing=True):
    """(job-description groups, staffing groups, the reviews due) for the posts of `department` (all
    when None). Job-description groups come in KINDS order, then the drafts; empty groups are left out.
    Queries: the positions with their stored facts (one pass for everything), the pending proposals'
    documents, the JD template (cached), and with `staffing` the primary holders."""
    positions = _positions(department)
    required = JDTemplate.current().required
    judge = Judgement(required)
    waiting = waiting_changes(positions, required)
    filled = holder_counts(positions) if staffing else {}
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=REVIEW_NOTICE_DAYS)
    groups = {kind: Group(kind, str(title)) for kind, title in KINDS.items()}
    groups[DRAFT] = Group(DRAFT, _("Drafts (not yet published)"))
    over = Group("over", _("Over headcount (超编)"))
    vacant = Group("vacant", _("Places without a holder (缺编)"))
    due = []
    fields = ("pk", "code", "title", "status", "headcount", "effective_on", "review_months")
    for row in positions.order_by("tree_id", "lft").values_list(*fields, *FACT_NAMES):
        pk, code, title, status, headcount, effective_on, review_months = row[: len(fields)]
        kinds = [(reason.kind, reason.message) for reason in judge.reasons(row[len(fields) :])]
        if status == Position.Status.DRAFT:
            kinds.append((DRAFT, ""))
        proposal, still = waiting.get(pk, (None, ()))
        for kind, message in kinds:
            detail = "" if kind in MISSING or kind in (UNDESCRIBED, DRAFT) else message  # else the title says it
            mended = proposal is not None and kind not in still
            groups[kind].entries.append(Entry(code, title, detail, proposal, mended))
        if staffing:
            holders = filled.get(pk, 0)
            if holders != headcount:
                gap = Entry(code, title, staffing_gap(holders, headcount))
                (over if holders > headcount else vacant).entries.append(gap)
        when = due_for_review(status, effective_on, review_months, horizon)
        if when is not None:
            due.append((code, title, when))
    descriptions = [group for group in groups.values() if group.entries]
    return descriptions, [group for group in (over, vacant) if group.entries], _review_group(due, today)


def reviews_due(today=None, department=None):
    """Published job descriptions whose review falls due within REVIEW_NOTICE_DAYS, or is overdue:
    [(code, title, due date)], the most overdue first (the worklist reads them in its one pass)."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=REVIEW_NOTICE_DAYS)
    rows = (
        _positions(department)
        .filter(status=Position.Status.PUBLISHED, effective_on__isnull=False)
        .values_list("code", "title", "status", "effective_on", "review_months")
    )
    due = [(code, title, due_for_review(*rest, horizon)) for code, title, *rest in rows]
    return sorted(((code, title, when) for code, title, when in due if when), key=lambda item: (item[2], item[0]))


def acknowledgement_groups(department=None):
    """The holders who have not acknowledged their post's job description, a group per department."""
    from positions.services import approval

    groups = []
    for n, (name, items) in enumerate(approval.pending_acknowledgements(department).items(), start=1):
        entries = [Entry(code, title, person) for code, title, person in items]
        groups.append(Group(f"unsigned-{n}", name or _("No department"), entries, link="positions:detail"))
    return groups


def _posts(groups):
    count = len({entry.code for group in groups for entry in group.entries})
    return count, ngettext("%(count)d post", "%(count)d posts", count) % {"count": count}


def worklist(department=None, today=None):
    """The whole worklist, limited to `department` and its sub-departments when one is given."""
    descriptions, staffing, reviews = problems(department, today)
    unsigned = acknowledgement_groups(department)
    people = sum(group.count for group in unsigned)
    sections = [
        Section(
            "descriptions",
            _("Job descriptions to complete or publish"),
            descriptions,
            *_posts(descriptions),
            _("Every job description is on file, complete and published."),
        ),
        Section(
            "staffing",
            _("Staffing: vacancies and over headcount"),
            staffing,
            *_posts(staffing),
            _("Every post has as many primary holders as places."),
        ),
        Section(
            "reviews",
            _("Due for review"),
            [reviews] if reviews.entries else [],
            *_posts([reviews]),
            _("No job description is due for review in the next 30 days."),
            headed=False,
        ),
        Section(
            "unsigned",
            _("Waiting for the holders' acknowledgement (签字确认)"),
            unsigned,
            people,
            ngettext("%(count)d person", "%(count)d people", people) % {"count": people},
            _("Every holder with a login has acknowledged the job description of their post."),
        ),
    ]
    return Worklist(sections, department)


def open_problems():
    """The number in the HR editor's menu: posts with a job-description problem that no change waiting
    for approval mends. Vacancies and over headcount are left out on purpose: filling places is
    recruitment that takes months, so a count that held them would rarely fall and would hide the job
    descriptions an editor can mend today; they have their own section of the worklist. Recounted
    only after a change to the positions, the proposals or the JD template."""
    state = Position.objects.aggregate(
        changed=Max("updated_at"),
        number=Count("pk", distinct=True),
        proposed=Max("proposals__pk"),
        decided=Max("proposals__decided_at"),
        pending=Count("proposals", filter=Q(proposals__status=Proposal.Status.PENDING)),
    )
    stamp = "|".join(str(state[key]) for key in sorted(state)) + f"|{JDTemplate.current().updated_at}"
    key = "positions.quality." + hashlib.sha1(stamp.encode()).hexdigest()
    count = cache.get(key)
    if count is None:
        descriptions, _staffing, _reviews = problems(staffing=False)
        count = len({entry.code for group in descriptions for entry in group.entries if not entry.mended})
        cache.set(key, count, COUNT_CACHE_SECONDS)
    return count
