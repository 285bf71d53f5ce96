"""The API's shapes. The position document itself is built by positions/documents.py and checked
by services/editing.py; these serializers describe it to drf-spectacular, so the OpenAPI
description is generated from the code (a test pins that every field the API gives is here).
"""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assessments.models import KPI
from positions.models import CODE_PATTERN, Assignment, Position

TARGET_NUMBER = {
    "max_digits": 14,
    "decimal_places": 4,
    "coerce_to_string": False,
    "allow_null": True,
    "required": False,
}
PERCENT = {"max_digits": 5, "decimal_places": 2, "coerce_to_string": False, "allow_null": True, "required": False}


@extend_schema_field({"type": "string", "pattern": CODE_PATTERN, "maxLength": 40})
class CodeField(serializers.CharField):
    """A position code or an employee number: CODE_PATTERN, one pattern for both (README, "Codes").

    The description gives the pattern; the model and the saving service enforce it, on new and changed
    values (a number stored before the rule stays valid), so a PUT that repeats such a number goes through."""


def strings(help_text):
    """An optional list of strings (codes or lines); each field needs its own child."""
    return serializers.ListField(child=serializers.CharField(), required=False, help_text=help_text)


class DutySerializer(serializers.Serializer):
    text = serializers.CharField(help_text="岗位职责")
    share = serializers.DecimalField(help_text=_("Time share (时间占比), percent"), **PERCENT)


class KPISerializer(serializers.Serializer):
    responsibility = serializers.CharField(help_text="关键职责")
    weight = serializers.DecimalField(help_text=_("Weight (权重), percent; null where unknown"), **PERCENT)
    standard = serializers.CharField(help_text="绩效标准", required=False, allow_blank=True)
    cycle = serializers.ChoiceField(choices=[("", "—"), *KPI.Cycle.choices], required=False, help_text="考核周期")
    # The target and its scoring (README, "Rules worth knowing": KPI targets); all optional.
    metric = serializers.CharField(
        required=False, allow_blank=True, max_length=KPI.METRIC_LIMIT, help_text=_("Metric name (指标名称)")
    )
    unit = serializers.CharField(
        required=False, allow_blank=True, max_length=KPI.UNIT_LIMIT, help_text=_("Unit (单位), e.g. %, 天, 次")
    )
    direction = serializers.ChoiceField(
        choices=[("", "—"), *KPI.Direction.choices],
        required=False,
        help_text=_("方向: higher (≥, higher is better) or lower (≤); needs a target"),
    )
    target = serializers.DecimalField(help_text=_("Target value (目标值); null for none"), **TARGET_NUMBER)
    floor = serializers.DecimalField(
        help_text=_(
            "Floor (门槛值): scores 0 under the linear rule; below the target when higher is better, above it when lower"
        ),
        **TARGET_NUMBER,
    )
    rule = serializers.ChoiceField(
        choices=KPI.Rule.choices,
        required=False,
        help_text=_(
            "计分规则 (default direct): direct, the rater gives 0–100 (the only rule without a target); linear, "
            "100 at the target and 0 at the floor; threshold, 100 when the target is met, else 0; deduction, "
            "100 less points per occurrence, never below 0"
        ),
    )
    points = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        coerce_to_string=False,
        allow_null=True,
        required=False,
        min_value=Decimal("0.01"),
        max_value=Decimal(100),
        help_text=_("Points per occurrence (每次扣分), for the deduction rule only"),
    )


class CareerSerializer(serializers.Serializer):
    promotes_to = strings(_("Codes of the posts it can be promoted to"))
    rotates_with = strings(_("Codes of the posts it can rotate with"))


class HolderSerializer(serializers.Serializer):
    employee_number = serializers.CharField(help_text="工号")
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Assignment.Kind.choices, help_text="主岗 / 兼岗")


class PositionWriteSerializer(serializers.Serializer):
    """What a writer sends: a whole document (POST, PUT) or some of its keys (PATCH)."""

    code = CodeField(help_text="岗位编号, unique")
    title = serializers.CharField(help_text="岗位名称")
    department = serializers.CharField(allow_null=True, required=False, help_text=_("Department code"))
    reports_to = serializers.CharField(allow_null=True, required=False, help_text="直接上级: the superior's code")
    dotted_reports_to = strings("虚线上级: codes")
    job_family = serializers.CharField(allow_null=True, required=False, help_text="职种: job family code")
    grade = serializers.CharField(allow_null=True, required=False, help_text="职级: grade code")
    headcount = serializers.IntegerField(min_value=0, required=False, help_text="编制")
    review_months = serializers.IntegerField(
        min_value=1,
        max_value=120,
        required=False,
        help_text="Months between reviews of the job description (default 12)",
    )
    status = serializers.ChoiceField(choices=Position.Status.choices, required=False)
    has_description = serializers.BooleanField(required=False)
    purpose = serializers.CharField(allow_blank=True, required=False, help_text="岗位目的")
    internal_relations = strings("内部协调, in order")
    external_relations = strings("外部联系, in order")
    duties = DutySerializer(many=True, required=False, help_text="岗位职责, in order")
    authorities = strings("工作权限, in order")
    qualifications = strings("任职条件, in order")
    education = serializers.ChoiceField(
        choices=[("", "—"), *Position.Education.choices], required=False, help_text="最低学历"
    )
    major = serializers.CharField(allow_blank=True, required=False, help_text="专业")
    experience_years = serializers.IntegerField(
        min_value=0, max_value=60, allow_null=True, required=False, help_text="工作经验 (years)"
    )
    training = strings("培训要求, in order")
    work_environment = serializers.CharField(allow_blank=True, required=False, help_text="工作环境")
    career = CareerSerializer(required=False, help_text="职业发展")
    kpis = KPISerializer(many=True, required=False, help_text="考核标准, in order")


class PositionSerializer(PositionWriteSerializer):
    """The position document as the API gives it: the writable keys, then what is derived."""

    department_name = serializers.CharField(allow_null=True, read_only=True)
    job_family_name = serializers.CharField(allow_null=True, read_only=True)
    job_category = serializers.CharField(allow_null=True, read_only=True, help_text="职类 code")
    job_category_name = serializers.CharField(allow_null=True, read_only=True)
    grade_name = serializers.CharField(allow_null=True, read_only=True)
    direct_reports = serializers.ListField(child=serializers.CharField(), read_only=True, help_text="直接下级")
    dotted_reports = serializers.ListField(child=serializers.CharField(), read_only=True, help_text="虚线下级")
    holders = HolderSerializer(many=True, read_only=True, help_text=_("Who holds the post: 主岗 and 兼岗"))
    filled = serializers.IntegerField(read_only=True, help_text="在岗: primary holders")
    version = serializers.IntegerField(read_only=True, help_text=_("Bumped by every change; the ETag"))
    duty_share_total = serializers.DecimalField(
        max_digits=6, decimal_places=2, coerce_to_string=False, allow_null=True, read_only=True,
        help_text=_("Sum of the time shares; null when no duty has one"),
    )  # fmt: skip
    kpi_weight_total = serializers.DecimalField(max_digits=6, decimal_places=2, coerce_to_string=False, read_only=True)
    complete = serializers.BooleanField(read_only=True)
    superior_hidden = serializers.BooleanField(
        read_only=True,
        help_text=_(
            "True when the direct superior is a post the caller may not read (a draft): reports_to then "
            "names the nearest superior they may read"
        ),
    )
    problems = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text=_("Why it is incomplete, in the user's language")
    )

    def to_representation(self, instance):
        return instance  # a judged position document (positions/documents.py): already the API's shape


class PositionPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    results = PositionSerializer(many=True)


class MoveSerializer(serializers.Serializer):
    """Where the post goes: `reports_to` must be stated, a code or null for the top (never left out,
    so that no body moves a post to the top by omission)."""

    reports_to = serializers.CharField(
        allow_null=True,
        help_text=_("The new superior's code; null to make it a top-level post. Required."),
        error_messages={
            "required": _("State reports_to: the new superior's code, or null to make the post a top-level one."),
            "blank": _("Give the new superior's code, or null to make the post a top-level one."),
        },
    )


class PersonSerializer(serializers.Serializer):
    employee_number = CodeField(max_length=40, help_text="工号, unique")
    name = serializers.CharField(max_length=100)
    login = serializers.CharField(allow_null=True, required=False, help_text=_("Username of their login"))
    posts = serializers.ListField(child=serializers.DictField(), read_only=True)


class AssignmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    employee_number = serializers.CharField()
    name = serializers.CharField(read_only=True)
    position = serializers.CharField(read_only=True)
    kind = serializers.ChoiceField(choices=Assignment.Kind.choices, default=Assignment.Kind.PRIMARY)
    started_on = serializers.DateField(allow_null=True, required=False)
    ended_on = serializers.DateField(allow_null=True, read_only=True)


class EndSerializer(serializers.Serializer):
    ended_on = serializers.DateField(allow_null=True, required=False)


class TeamHolderSerializer(serializers.Serializer):
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Assignment.Kind.choices)


class TeamMemberSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    level = serializers.IntegerField(help_text=_("Levels below the post the user holds"))
    holders = TeamHolderSerializer(many=True)
    headcount = serializers.IntegerField()
    filled = serializers.IntegerField()
    vacant = serializers.IntegerField()
    complete = serializers.BooleanField()
    problems = serializers.ListField(child=serializers.CharField())
    url = serializers.CharField(allow_null=True, help_text=_("The card (null for a draft the user may not read)"))


class TeamSerializer(serializers.Serializer):
    post = serializers.CharField(help_text=_("The code of the post the user holds"))
    title = serializers.CharField()
    members = TeamMemberSerializer(many=True)


class StaffingRowSerializer(serializers.Serializer):
    department = serializers.CharField(allow_null=True)
    name = serializers.CharField(allow_null=True)
    parent = serializers.CharField(allow_null=True)
    level = serializers.IntegerField()
    positions = serializers.IntegerField()
    headcount = serializers.IntegerField(help_text="编制")
    filled = serializers.IntegerField(help_text="在岗")
    vacant = serializers.IntegerField(help_text="空缺")
    over = serializers.IntegerField(help_text="超编")
    headcount_total = serializers.IntegerField()
    filled_total = serializers.IntegerField()
    vacant_total = serializers.IntegerField()
    over_total = serializers.IntegerField()


class StaffingSerializer(serializers.Serializer):
    results = StaffingRowSerializer(many=True)
    totals = serializers.DictField(child=serializers.IntegerField())


class VersionSerializer(serializers.Serializer):
    """One version in a position's history (documentation only: the view builds the JSON)."""

    id = serializers.IntegerField(help_text="Pass to …/history/<id>/restore/, or compare on the history page")
    at = serializers.DateTimeField(help_text="When the version was saved, in the portal's time zone")
    by = serializers.CharField(allow_null=True, help_text="The login that saved it; null for the system")
    comment = serializers.CharField(allow_blank=True)
    summary = serializers.CharField(help_text="What changed since the version before it")
    version = serializers.IntegerField(allow_null=True, help_text="The position's version number (its ETag)")
    type = serializers.ChoiceField(choices=["created", "changed", "deleted"])


class ProposalSerializer(serializers.Serializer):
    """A change kept for an approver: the answer (202) to a write that needs approval."""

    proposal = serializers.IntegerField(help_text="The proposal's id; an approver decides at `url`")
    status = serializers.ChoiceField(choices=["pending", "approved", "returned"])
    position = serializers.CharField(help_text="The position's code")
    author = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    comment = serializers.CharField(allow_blank=True)
    url = serializers.CharField(help_text="The proposal's page")
    document = PositionWriteSerializer(help_text="The whole job description as proposed")
