"""The one rule that decides whether a job description is complete. Pure: facts in, reasons out.

`judge(facts, required)` takes the facts of one job description (counts of its lines,
KPI weight and duty time-share totals, which single fields are filled) and the keys of
the sections the organisation's JD template requires (`JDTemplate.required`). The facts
come from a position document (`facts_from_document`: the card, the API, history, the
editor's unsaved rows, an import preview). Each position also keeps its facts in its own
columns (`positions.models.CompletenessFacts`, written by the services whenever its rows
change), so the chart and the lists judge thousands of positions without reading their
rows; a test pins that the stored facts agree with the documents.
"""

from decimal import Decimal
from operator import itemgetter
from typing import NamedTuple

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from portal.formatting import plain_decimal

FULL = Decimal("100")

# Line sections: the document key, and the fact that counts its lines.
LINE_FACTS = {
    "duties": "n_duties",
    "qualifications": "n_qualifications",
    "training": "n_training",
    "authorities": "n_authorities",
    "internal_relations": "n_internal_relations",
    "external_relations": "n_external_relations",
}
FACT_NAMES = (
    "has_description",
    *LINE_FACTS.values(),
    "n_duties_shared",
    "duty_share_total",
    "n_kpis",
    "n_kpis_unweighted",
    "n_kpis_without_standard",
    "kpi_weight_total",
    "has_purpose",
    "has_work_environment",
    "has_education",
    "n_career",
)


class Reason(NamedTuple):
    """Why a job description is incomplete: the kind of problem (a stable key, one of KINDS), the
    section it is about (None: the whole description) and the message, with its numbers, in the
    active language."""

    kind: str
    section: str | None
    message: str


def empty_facts(has_description=True):
    facts = dict.fromkeys(FACT_NAMES, 0)
    facts.update(
        has_description=has_description,
        duty_share_total=Decimal(0),
        kpi_weight_total=Decimal(0),
        has_purpose=False,
        has_work_environment=False,
        has_education=False,
    )
    return facts


class Judgement:
    """judge() for many positions at once: the reasons are worked out once per kind of gap.

    The key holds only what judge() decides on for the required sections, so the many
    complete positions of an organisation share one entry. `values()` takes the facts as
    a tuple in FACT_NAMES order, as the chart reads them from the database.
    """

    def __init__(self, required):
        self.required = required
        index = {name: i for i, name in enumerate(FACT_NAMES)}
        presence = [index[name] for section, names, _reason in REQUIRED_FACTS if section in required for name in names]
        if not presence:
            self._presence = lambda values: ()
        elif len(presence) == 1:
            self._presence = lambda values: (bool(values[presence[0]]),)
        else:
            getter = itemgetter(*presence)
            self._presence = lambda values: tuple(map(bool, getter(values)))
        self._at = itemgetter(
            index["has_description"],
            index["n_duties_shared"],
            index["n_duties"],
            index["duty_share_total"],
            index["n_kpis"],
            index["n_kpis_unweighted"],
            index["n_kpis_without_standard"],
            index["kpi_weight_total"],
        )
        self.cache = {}

    def __call__(self, facts):
        return self.values(tuple(facts[name] for name in FACT_NAMES))

    def values(self, values):
        """The messages, as judge() gives them."""
        return self._judged(values)[1]

    def reasons(self, values):
        """The Reasons, as judge_reasons() gives them."""
        return self._judged(values)[0]

    def _judged(self, values):
        described, shared, duties, share_total, kpis, unweighted, without_standard, weight_total = self._at(values)
        key = (
            described,
            self._presence(values),
            (duties - shared, share_total) if shared else None,
            (unweighted, without_standard, weight_total) if kpis else None,
        )
        judged = self.cache.get(key)
        if judged is None:
            reasons = judge_reasons(dict(zip(FACT_NAMES, values, strict=True)), self.required)
            judged = self.cache[key] = (reasons, [reason.message for reason in reasons])
        return judged


def exact(number):
    """A JSON number or numeric string as an exact Decimal (None stays None)."""
    if number is None or number == "":
        return None
    return Decimal(str(number))


def facts_from_document(document):
    """The facts of a position document (positions/documents.py), saved or not.

    Text is judged as stored: the services strip it on the way in, as SQL compares with "".
    """
    facts = empty_facts(document.get("has_description", True))
    for key, name in LINE_FACTS.items():
        facts[name] = len(document.get(key) or [])
    shares = [exact(duty.get("share")) for duty in document.get("duties") or []]
    facts["n_duties_shared"] = sum(1 for share in shares if share is not None)
    facts["duty_share_total"] = sum((share for share in shares if share is not None), Decimal(0))
    kpis = document.get("kpis") or []
    weights = [exact(kpi.get("weight")) for kpi in kpis]
    facts["n_kpis"] = len(kpis)
    facts["n_kpis_unweighted"] = sum(1 for weight in weights if weight is None)
    facts["n_kpis_without_standard"] = sum(1 for kpi in kpis if not kpi.get("standard"))
    facts["kpi_weight_total"] = sum((weight for weight in weights if weight is not None), Decimal(0))
    facts["has_purpose"] = bool(document.get("purpose"))
    facts["has_work_environment"] = bool(document.get("work_environment"))
    facts["has_education"] = bool(document.get("education"))
    career = document.get("career") or {}
    facts["n_career"] = len(career.get("promotes_to") or []) + len(career.get("rotates_with") or [])
    return facts


# What a required section lacks: (section, the fact that shows it is filled, the reason). The reasons
# are lazy, so judging 10,000 positions translates only the reasons it gives.
REQUIRED_FACTS = (
    ("purpose", ("has_purpose",), gettext_lazy("No purpose (岗位目的) is given.")),
    (
        "relations",
        ("n_internal_relations", "n_external_relations"),
        gettext_lazy("No working relations (工作关系) are listed."),
    ),
    ("duties", ("n_duties",), gettext_lazy("No duties (岗位职责) are listed.")),
    ("authorities", ("n_authorities",), gettext_lazy("No authorities (工作权限) are listed.")),
    ("qualifications", ("n_qualifications",), gettext_lazy("No qualifications (任职条件) are listed.")),
    ("education", ("has_education",), gettext_lazy("No minimum education (学历) is given.")),
    ("training", ("n_training",), gettext_lazy("No training requirements (培训要求) are listed.")),
    ("work_environment", ("has_work_environment",), gettext_lazy("No work environment (工作环境) is described.")),
    ("career", ("n_career",), gettext_lazy("No career paths (职业发展) are given.")),
    ("kpis", ("n_kpis",), gettext_lazy("No KPIs (考核标准) are listed.")),
)


# The kinds of problem, in the order of the card, each with what a list of posts with it is called.
# A kind whose message says no more than its title is one of MISSING; the others carry numbers
# (how many KPIs, what total) that differ from post to post.
UNDESCRIBED = "undescribed"
MISSING = {f"missing-{section}": reason for section, _names, reason in REQUIRED_FACTS}
KINDS = {
    UNDESCRIBED: gettext_lazy("No job description on file"),
    **MISSING,
    "duties-without-share": gettext_lazy("Duties without a time share"),
    "duty-share-total": gettext_lazy("Duty time shares that do not total 100%"),
    "kpis-without-weight": gettext_lazy("KPIs without a weight"),
    "kpis-without-standard": gettext_lazy("KPIs without a performance standard"),
    "kpi-weight-total": gettext_lazy("KPI weights that do not total 100%"),
}


def judge(facts, required):
    """Human-readable reasons, in the active language, why a job description is incomplete.

    `required`: the keys of the sections that must be filled (positions/sections.py).
    """
    return [reason.message for reason in judge_reasons(facts, required)]


def judge_by_section(facts, required):
    """The same reasons as judge(), each with the section it is about (None: the whole description)."""
    return [(reason.section, reason.message) for reason in judge_reasons(facts, required)]


def judge_reasons(facts, required):
    """The same reasons as judge(), each a Reason: its kind, its section and its message."""
    if not facts["has_description"]:
        return [Reason(UNDESCRIBED, None, _("No job description on file for this position."))]
    problems = []
    for section, names, reason in REQUIRED_FACTS:
        if section in required and not any(facts[name] for name in names):
            problems.append(Reason(f"missing-{section}", section, str(reason)))
        if section == "duties" and facts["n_duties_shared"]:
            problems.extend(_share_problems(facts))
    if facts["n_kpis"]:
        problems.extend(_kpi_problems(facts))
    return problems


def _share_problems(facts):
    """Time shares are optional, but once one duty has one, every duty needs one and they total 100."""
    shared = facts["n_duties_shared"]
    if not shared:
        return []
    problems = []
    unshared = facts["n_duties"] - shared
    if unshared:
        message = ngettext("%(count)d duty has no time share.", "%(count)d duties have no time share.", unshared) % {
            "count": unshared
        }
        problems.append(Reason("duties-without-share", "duties", message))
    total = facts["duty_share_total"] or Decimal(0)
    if total != FULL:
        message = _("Duty time shares total %(total)s%%, not 100%%.") % {"total": plain_decimal(total)}
        problems.append(Reason("duty-share-total", "duties", message))
    return problems


def _kpi_problems(facts):
    problems = []
    unweighted = facts["n_kpis_unweighted"]
    if unweighted:
        message = ngettext("%(count)d KPI has no weight.", "%(count)d KPIs have no weight.", unweighted) % {
            "count": unweighted
        }
        problems.append(Reason("kpis-without-weight", "kpis", message))
    without_standard = facts["n_kpis_without_standard"]
    if without_standard:
        message = ngettext(
            "%(count)d KPI has no performance standard.",
            "%(count)d KPIs have no performance standard.",
            without_standard,
        ) % {"count": without_standard}
        problems.append(Reason("kpis-without-standard", "kpis", message))
    total = facts["kpi_weight_total"] or Decimal(0)
    if total != FULL:
        message = _("KPI weights total %(total)s%%, not 100%%.") % {"total": plain_decimal(total)}
        problems.append(Reason("kpi-weight-total", "kpis", message))
    return problems
