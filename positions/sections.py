"""The sections of a job description (岗位说明书), in the order of a Chinese form.

One registry for the JD template (which sections an organisation uses and which a
complete job description must fill), the completeness rule, the card and the editor.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    REQUIRED = "required", _("Used and required")
    OPTIONAL = "optional", _("Used, optional")
    OFF = "off", _("Not used")


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    default: str
    help: str = ""


SECTIONS = (
    Section("purpose", _("Purpose (岗位目的)"), State.OPTIONAL, _("Why the post exists, in one to three sentences.")),
    Section("relations", _("Working relations (工作关系)"), State.OPTIONAL, _("Internal and external contacts.")),
    Section("duties", _("Duties (岗位职责)"), State.REQUIRED, _("With an optional time share for each duty.")),
    Section("authorities", _("Authorities (工作权限)"), State.OPTIONAL),
    Section("qualifications", _("Qualifications (任职条件)"), State.REQUIRED, _("Knowledge, skills, qualities.")),
    Section(
        "education",
        _("Education, major and experience (学历、专业、经验)"),
        State.OPTIONAL,
        _("Required means the minimum education is given."),
    ),
    Section("training", _("Training requirements (培训要求)"), State.REQUIRED),
    Section("work_environment", _("Work environment (工作环境)"), State.OPTIONAL),
    Section("career", _("Career paths (职业发展)"), State.OPTIONAL, _("Promotion and rotation paths.")),
    Section("kpis", _("Assessment standards (考核标准)"), State.REQUIRED, _("Weighted KPIs totalling 100%.")),
)
SECTION_KEYS = tuple(section.key for section in SECTIONS)
DEFAULT_STATES = {section.key: str(section.default) for section in SECTIONS}
