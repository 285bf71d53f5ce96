"""The HR worklist: every post with a problem, grouped by reason, and the count shown in the menu.

Problems: an incomplete job description (one group per reason the completeness rule
gives), no job description on file, a draft, more primary holders than places (超编) or
places without a holder (缺编). Three queries whatever the size: the positions with their
stored facts, their primary holders, and the JD template.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, Max
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from positions.completeness import FACT_NAMES, Judgement
from positions.models import JDTemplate, Position
from positions.querysets import holder_counts

COUNT_CACHE_SECONDS = 600


@dataclass
class Group:
    key: str
    title: str
    positions: list = field(default_factory=list)  # (code, title, detail)


def staffing_gap(holders, headcount):
    """ "0 holders for 1 place": each number with its own plural (在岗 0 人，编制 1 人)."""
    return _("%(holders)s for %(places)s") % {
        "holders": ngettext("%(count)d holder", "%(count)d holders", holders) % {"count": holders},
        "places": ngettext("%(count)d place", "%(count)d places", headcount) % {"count": headcount},
    }


def worklist():
    """Groups of posts with problems, largest first within each kind; every post of every status."""
    judge = Judgement(JDTemplate.current().required)
    filled = holder_counts(Position.objects.all())
    incomplete, undescribed, drafts, over, vacant = defaultdict(list), [], [], [], []
    fields = ("code", "title", "status", "headcount", "pk")
    for row in Position.objects.order_by("tree_id", "lft").values_list(*fields, *FACT_NAMES):
        code, title, status, headcount, pk = row[: len(fields)]
        facts = row[len(fields) :]
        problems = judge.values(facts)
        if not facts[FACT_NAMES.index("has_description")]:
            undescribed.append((code, title, ""))
        else:
            for problem in problems:
                incomplete[problem].append((code, title, ""))
        if status == Position.Status.DRAFT:
            drafts.append((code, title, ""))
        holders = filled.get(pk, 0)
        if holders != headcount:
            (over if holders > headcount else vacant).append((code, title, staffing_gap(holders, headcount)))
    groups = [
        Group(f"incomplete-{n}", reason, items)
        for n, (reason, items) in enumerate(sorted(incomplete.items(), key=lambda item: -len(item[1])), start=1)
    ]
    groups += [
        Group("undescribed", _("No job description on file"), undescribed),
        Group("draft", _("Drafts (not yet published)"), drafts),
        Group("over", _("Over headcount (超编)"), over),
        Group("vacant", _("Places without a holder (缺编)"), vacant),
    ]
    return [group for group in groups if group.positions]


def open_problems():
    """How many posts have at least one problem (the HR editor's menu); recounted only after a change."""
    state = Position.objects.aggregate(changed=Max("updated_at"), number=Count("pk"))
    stamp = f"{state['changed']}|{state['number']}|{JDTemplate.current().updated_at}"
    key = "positions.quality." + hashlib.sha1(stamp.encode()).hexdigest()
    count = cache.get(key)
    if count is None:
        codes = {code for group in worklist() for code, _title, _detail in group.positions}
        count = len(codes)
        cache.set(key, count, COUNT_CACHE_SECONDS)
    return count


REVIEW_NOTICE_DAYS = 30


def reviews_due(today=None):
    """Published job descriptions whose review falls due within REVIEW_NOTICE_DAYS, or is overdue:
    [(code, title, due date)], the most overdue first. Counted from the effective date of the last
    approval; a job description never approved in the portal (the seed, an import) has no date yet."""
    import calendar
    import datetime

    from django.utils import timezone

    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=REVIEW_NOTICE_DAYS)
    due = []
    rows = Position.objects.filter(status=Position.Status.PUBLISHED, effective_on__isnull=False).values_list(
        "code", "title", "effective_on", "review_months"
    )
    for code, title, effective_on, months in rows:
        month = effective_on.month - 1 + months
        year, month = effective_on.year + month // 12, month % 12 + 1
        if year > datetime.MAXYEAR:
            continue  # an effective date far in the future: not due in any year a calendar holds
        day = min(effective_on.day, calendar.monthrange(year, month)[1])
        when = datetime.date(year, month, day)
        if when <= horizon:
            due.append((code, title, when))
    return sorted(due, key=lambda item: (item[2], item[0]))
