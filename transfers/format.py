"""The organisation workbook: its sheets, their columns (Chinese headers first, English accepted), and cells.

One description serves the template, the reader, the writer and README, so the format has one
definition. Every sheet is optional on import: what a file leaves out is left alone.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from portal.formatting import FORMULA_STARTS

LIST_SEPARATORS = ("、", "，", ",", ";", "；", "\n")
REQUIRED_MARK = "*"  # after a required column's header; normalise_header() drops it, so it is no part of the name

# Stored values as people write them: what the export writes and the drop-downs offer (the import
# also accepts the English values and a few other spellings: positions/services/editing.py).
STATUS_NAMES = {"draft": "草稿", "published": "已发布"}
EDUCATION_NAMES = {
    "any": "不限",
    "secondary": "高中/中专",
    "associate": "大专",
    "bachelor": "本科",
    "master": "硕士",
    "doctor": "博士",
}
CYCLE_NAMES = {"monthly": "月度", "quarterly": "季度", "half-yearly": "半年度", "yearly": "年度"}
# A KPI's direction and scoring rule (the import also takes higher/lower, ≥/≤ and the English codes:
# assessments.models.DIRECTION_ALIASES and RULE_ALIASES).
DIRECTION_NAMES = {"higher": "越高越好", "lower": "越低越好"}
RULE_NAMES = {"direct": "直接评分", "linear": "线性", "threshold": "达标", "deduction": "扣分制"}
YES_NO = ("是", "否")
TYPE_NAMES = {"category": "类别", "family": "职族", "grade": "职级"}


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    required: bool = False
    kind: str = "text"  # text, number, codes (a list of codes), flag
    help: str = ""
    aliases: tuple = ()  # other headers HR systems use for the same column
    choices: tuple = ()  # the values a cell takes: the workbook offers them as a drop-down list
    width: int = 0  # the least width the workbook gives the column (long texts); the header's otherwise

    @property
    def names(self):
        return {normalise_header(name) for name in (self.zh, self.en, self.key, *self.aliases)}

    @property
    def header(self):
        """The header the workbooks write: the Chinese name, with a * when the column is required."""
        return self.zh + REQUIRED_MARK if self.required else self.zh


@dataclass(frozen=True)
class Sheet:
    kind: str
    zh: str
    en: str
    columns: tuple
    help: str = ""

    @property
    def names(self):
        return {normalise_header(self.zh), normalise_header(self.en), normalise_header(self.kind)}

    def column(self, key):
        return next(column for column in self.columns if column.key == key)


CODE = Column(
    "code",
    "岗位编码",
    "position code",
    required=True,
    aliases=("岗位编号", "岗位代码", "职位编码"),
    help=_("The position's code: rows of every sheet are matched to positions by it."),
)
LINE = Column(
    "line",
    "序号",
    "line",
    required=True,
    kind="number",
    help=_("The row's place in the position's list: 1, 2, 3…"),
)
TEXT = Column("text", "内容", "text", required=True, width=60, help=_("The text of the line."))


def _line_sheet(kind, zh, en, help):
    return Sheet(kind, zh, en, (CODE, LINE, TEXT), help=help)


POSITIONS = Sheet(
    "positions",
    "岗位",
    "positions",
    (
        Column(
            "code",
            "岗位编码",
            "position code",
            required=True,
            aliases=CODE.aliases,
            help=_("The key: a new code creates a position, a known one updates it."),
        ),
        Column("title", "岗位名称", "title", required=True, width=16, help=_("The title the chart and the card show.")),
        Column(
            "department",
            "部门编码",
            "department",
            help=_("The code of its department (from the 部门 sheet, or one on file)."),
        ),
        Column(
            "reports_to",
            "直接上级编码",
            "superior code",
            help=_(
                "The code of its direct superior; empty for the top of the organisation. A new superior moves the position with all its reports."
            ),
        ),
        Column(
            "dotted_reports_to",
            "虚线上级编码",
            "dotted-line superiors",
            kind="codes",
            help=_("Codes of its dotted-line superiors, separated by 、 or commas."),
        ),
        Column(
            "job_family",
            "职族编码",
            "job family",
            help=_("The code of its job family (from the 职位体系 sheet, or one on file)."),
        ),
        Column(
            "grade",
            "职级编码",
            "grade",
            help=_("The code of its grade; the grade must apply to the job family's category."),
        ),
        Column(
            "headcount",
            "编制",
            "headcount",
            kind="number",
            help=_("Planned headcount, a whole number; empty: 1 for a new position, unchanged for one on file."),
        ),
        Column(
            "status",
            "状态",
            "status",
            choices=tuple(STATUS_NAMES.values()),
            help=_(
                "草稿 (draft) or 已发布 (published); empty: a draft for a new position, unchanged for one on file. A job description that is not complete is imported as a draft."
            ),
        ),
        Column(
            "has_description",
            "有岗位说明书",
            "has job description",
            kind="flag",
            choices=YES_NO,
            help=_(
                "是 or 否: 否 for a post known only from a reporting line. Empty: 是 for a new position, unchanged for one on file."
            ),
        ),
        Column("purpose", "岗位目的", "purpose", width=40, help=_("Why the position exists (岗位目的).")),
        Column("work_environment", "工作环境", "work environment", width=24, help=_("Where and how the work is done.")),
        Column(
            "education",
            "学历要求",
            "education",
            choices=tuple(EDUCATION_NAMES.values()),
            help=_("The least education required: 不限, 高中/中专, 大专, 本科, 硕士 or 博士."),
        ),
        Column("major", "专业", "major", help=_("The field of study required.")),
        Column(
            "experience_years",
            "工作年限",
            "years of experience",
            kind="number",
            help=_("Years of work experience required, a whole number."),
        ),
        Column(
            "review_months",
            "复审周期（月）",
            "review interval (months)",
            kind="number",
            help=_("Months between reviews of the job description; empty: 12 for a new position."),
        ),
        Column(
            "promotes_to",
            "晋升岗位编码",
            "promotes to",
            kind="codes",
            help=_("Codes of the positions it leads to, separated by 、 or commas."),
        ),
        Column(
            "rotates_with",
            "轮岗岗位编码",
            "rotates with",
            kind="codes",
            help=_("Codes of the positions it rotates with, separated by 、 or commas."),
        ),
    ),
    help=_("One row per position; codes are the key, rows may come in any order."),
)
DUTIES = Sheet(
    "duties",
    "岗位职责",
    "duties",
    (
        CODE,
        LINE,
        TEXT,
        Column(
            "share",
            "时间占比",
            "time share",
            kind="number",
            help=_(
                "Per cent of working time, 0–100. When one duty of a position has a share, all its duties have one, and they total 100."
            ),
        ),
    ),
    help=_("One row per duty, numbered per position."),
)
LINE_SHEETS = (
    _line_sheet("qualifications", "任职条件", "qualifications", _("One row per qualification.")),
    _line_sheet("training", "培训要求", "training", _("One row per training requirement.")),
    _line_sheet("authorities", "工作权限", "authorities", _("One row per authority.")),
    _line_sheet("internal_relations", "内部关系", "internal relations", _("One row per internal relation.")),
    _line_sheet("external_relations", "外部关系", "external relations", _("One row per external relation.")),
)
KPIS = Sheet(
    "kpis",
    "考核标准",
    "KPIs",
    (
        CODE,
        LINE,
        Column(
            "responsibility",
            "关键职责",
            "key responsibility",
            required=True,
            width=30,
            help=_("The key responsibility that is assessed."),
        ),
        Column(
            "weight", "权重", "weight", required=True, kind="number", help=_("per cent; a position's weights total 100")
        ),
        Column(
            "standard",
            "绩效标准",
            "performance standard",
            width=40,
            help=_("How it is judged; a complete job description gives every KPI one."),
        ),
        Column("cycle", "考核周期", "cycle", choices=tuple(CYCLE_NAMES.values()), help=_("月度, 季度, 半年度 or 年度")),
        # The target and its scoring: optional columns (a workbook without them keeps the targets on file).
        Column(
            "metric",
            "指标名称",
            "metric",
            width=16,
            help=_("What is measured, e.g. 系统可用率; needs a target value unless the rule is 扣分制."),
        ),
        Column(
            "unit",
            "单位",
            "unit",
            help=_("The unit of the target, e.g. %, 天, 小时; for 扣分制 what is counted, e.g. 次."),
        ),
        Column(
            "direction",
            "方向",
            "direction",
            choices=tuple(DIRECTION_NAMES.values()),
            help=_("越高越好 (≥, higher) or 越低越好 (≤, lower); 线性 and 达标 need one."),
        ),
        Column("target", "目标值", "target", kind="number", help=_("The target value (a number, without its unit).")),
        Column(
            "floor",
            "门槛值",
            "floor",
            kind="number",
            help=_(
                "线性 only: the value that scores 0; below the target when higher is better, above it when lower is better."
            ),
        ),
        Column(
            "rule",
            "计分规则",
            "scoring rule",
            choices=tuple(RULE_NAMES.values()),
            help=_(
                "直接评分 (direct, the default: the rater gives 0–100; the only rule without a target), 线性 (linear: "
                "100 at the target, 0 at the floor), 达标 (threshold: 100 when the target is met, else 0) or 扣分制 "
                "(deduction: 100 less the points per occurrence, never below 0)."
            ),
        ),
        Column(
            "points",
            "每次扣分",
            "points per occurrence",
            kind="number",
            help=_("扣分制 only: the points taken off per occurrence, more than 0 and at most 100."),
        ),
    ),
    help=_(
        "One row per KPI, numbered per position. The target columns (指标名称 to 每次扣分) are optional: a file "
        "without any of them leaves the targets on file as they are, row by row of the same key responsibility."
    ),
)
DEPARTMENTS = Sheet(
    "departments",
    "部门",
    "departments",
    (
        Column("code", "部门编码", "department code", required=True, help=_("The department's code: the key.")),
        Column("name", "部门名称", "department name", required=True, width=16, help=_("The department's name.")),
        Column(
            "parent",
            "上级部门编码",
            "parent department",
            help=_("The code of the department it belongs to; empty for a department at the top."),
        ),
    ),
    help=_("One row per department; a department may come before the one it belongs to."),
)
ARCHITECTURE = Sheet(
    "architecture",
    "职位体系",
    "job architecture",
    (
        Column(
            "type",
            "类型",
            "type",
            required=True,
            choices=tuple(TYPE_NAMES.values()),
            help=_("类别 (category), 职族 (family) or 职级 (grade)"),
        ),
        Column("code", "编码", "code", required=True, help=_("The code of the category, family or grade: the key.")),
        Column("name", "名称", "name", required=True, width=16, help=_("Its name.")),
        Column(
            "category",
            "所属类别",
            "category",
            kind="codes",
            help=_("a family's category; the categories a grade applies to"),
        ),
        Column(
            "rank", "排序", "order or rank", kind="number", help=_("order of a category or family; rank of a grade")
        ),
    ),
    help=_("The job architecture: one row per job category (类别), job family (职族) and grade (职级)."),
)
PEOPLE = Sheet(
    "people",
    "人员",
    "people",
    (
        Column(
            "employee_number",
            "工号",
            "employee number",
            required=True,
            help=_("The person's employee number: the key."),
        ),
        Column("name", "姓名", "name", required=True, help=_("The person's name.")),
        Column(
            "login",
            "登录名",
            "login",
            help=_("The user name of their portal login, if they have one (the login must exist)."),
        ),
        Column("primary", "主岗编码", "primary post", help=_("The code of their primary post (one).")),
        Column(
            "concurrent",
            "兼岗编码",
            "concurrent posts",
            kind="codes",
            help=_("Codes of their concurrent posts, separated by 、 or commas."),
        ),
    ),
    help=_("One row per person, with the posts they hold: a post no longer listed ends today, a new one starts today."),
)
ROSTER = Sheet(
    "roster",
    "花名册",
    "roster",
    (
        Column(
            "employee_number",
            "工号",
            "employee number",
            required=True,
            aliases=("员工编号", "员工工号", "员工号"),
            help=_("The person's employee number: the key."),
        ),
        Column("name", "姓名", "name", required=True, aliases=("员工姓名",), help=_("The person's name.")),
        Column(
            "title",
            "岗位",
            "title",
            required=True,
            aliases=("岗位名称", "职位", "职务"),
            width=16,
            help=_(
                "The title of their post: people with the same title and department under the same post become one position."
            ),
        ),
        Column(
            "department",
            "部门",
            "department",
            aliases=("所属部门", "部门名称"),
            help=_("A department's code or name; a new name creates a department."),
        ),
        Column(
            "manager_employee_number",
            "直接上级工号",
            "manager employee number",
            aliases=("直属上级工号", "上级工号", "汇报上级工号", "直接上级编号", "manager"),
            help=_("The employee number of their direct manager; empty for the head of the organisation."),
        ),
        Column(
            "login",
            "登录名",
            "login",
            aliases=("账号", "用户名", "username"),
            help=_("The user name of their portal login, if they have one (the login must exist)."),
        ),
    ),
    help=_(
        'A staff roster: positions and people are derived from it (see "The roster" above). Import it alone, without the 岗位 and 人员 sheets.'
    ),
)
SHEETS = (DEPARTMENTS, ARCHITECTURE, POSITIONS, DUTIES, *LINE_SHEETS, KPIS, PEOPLE, ROSTER)
SECTION_SHEETS = (DUTIES, *LINE_SHEETS, KPIS)
# Sheets the reader skips: the template's instructions and its examples.
INSTRUCTIONS = {"说明", "instructions", "readme", "示例", "examples"}
EXAMPLES_TITLE = "示例"
TYPES = {
    "category": {"category", "类别", "职类"},
    "family": {"family", "职族", "job family"},
    "grade": {"grade", "职级"},
}


# The template's 示例 sheet: one small organisation, filled in as the format asks. Copied into the
# sheets of the same names it imports without a problem (tests check that); where it is, it is never read.
EXAMPLES = {
    "departments": [
        {"code": "EX", "name": "示例公司", "parent": ""},
        {"code": "EX-HR", "name": "人力资源部", "parent": "EX"},
    ],
    "architecture": [
        {"type": "类别", "code": "EX-M", "name": "管理类", "category": "", "rank": 1},
        {"type": "职族", "code": "EX-M-HR", "name": "人力资源管理", "category": "EX-M", "rank": 1},
        {"type": "职级", "code": "EX-M3", "name": "经理", "category": "EX-M", "rank": 3},
    ],
    "positions": [
        {
            "code": "EX-HR-01",
            "title": "人力资源部经理",
            "department": "EX-HR",
            "reports_to": "",
            "dotted_reports_to": "",
            "job_family": "EX-M-HR",
            "grade": "EX-M3",
            "headcount": 1,
            "status": "已发布",
            "has_description": "是",
            "purpose": "建立并完善公司人力资源管理体系，保障人才供给",
            "work_environment": "办公室",
            "education": "本科",
            "major": "人力资源管理",
            "experience_years": 5,
            "review_months": 12,
            "promotes_to": "",
            "rotates_with": "",
        },
        {
            "code": "EX-HR-02",
            "title": "招聘专员",
            "department": "EX-HR",
            "reports_to": "EX-HR-01",
            "dotted_reports_to": "",
            "job_family": "EX-M-HR",
            "grade": "",
            "headcount": 2,
            "status": "草稿",
            "has_description": "是",
            "purpose": "按计划为各部门招聘合适人员",
            "work_environment": "办公室，偶尔出差",
            "education": "大专",
            "major": "",
            "experience_years": 1,
            "review_months": 12,
            "promotes_to": "EX-HR-01",
            "rotates_with": "",
        },
    ],
    "duties": [
        {"code": "EX-HR-01", "line": 1, "text": "制订年度人力资源规划并组织实施", "share": 60},
        {"code": "EX-HR-01", "line": 2, "text": "指导本部门员工工作", "share": 40},
        {"code": "EX-HR-02", "line": 1, "text": "发布招聘信息，筛选简历，安排面试", "share": ""},
    ],
    "qualifications": [{"code": "EX-HR-01", "line": 1, "text": "人力资源管理相关专业本科及以上学历"}],
    "training": [{"code": "EX-HR-01", "line": 1, "text": "劳动法规培训"}],
    "authorities": [{"code": "EX-HR-01", "line": 1, "text": "本部门人员工作安排权"}],
    "internal_relations": [{"code": "EX-HR-01", "line": 1, "text": "公司各部门"}],
    "external_relations": [{"code": "EX-HR-01", "line": 1, "text": "劳动保障部门、招聘网站"}],
    "kpis": [
        {
            "code": "EX-HR-01",
            "line": 1,
            "responsibility": "人员按计划到岗",
            "weight": 60,
            "standard": "到岗率不低于95%",
            "cycle": "季度",
            "metric": "到岗率",
            "unit": "%",
            "direction": "越高越好",
            "target": 95,
            "floor": 80,
            "rule": "线性",
            "points": "",
        },
        {
            "code": "EX-HR-01",
            "line": 2,
            "responsibility": "组织员工培训",
            "weight": 40,
            "standard": "培训计划完成率100%",
            "cycle": "年度",
            "metric": "培训计划完成率",
            "unit": "%",
            "direction": "越高越好",
            "target": 100,
            "floor": "",
            "rule": "达标",
            "points": "",
        },
        {
            "code": "EX-HR-02",
            "line": 1,
            "responsibility": "依法合规招聘",
            "weight": 100,
            "standard": "招聘违规每次扣10分",
            "cycle": "季度",
            "metric": "招聘违规",
            "unit": "次",
            "direction": "越低越好",
            "target": "",
            "floor": "",
            "rule": "扣分制",
            "points": 10,
        },
    ],
    "people": [
        {"employee_number": "EX0001", "name": "王芳", "login": "", "primary": "EX-HR-01", "concurrent": ""},
        {"employee_number": "EX0002", "name": "李强", "login": "", "primary": "EX-HR-02", "concurrent": ""},
    ],
    "roster": [
        {
            "employee_number": "R0001",
            "name": "张伟",
            "title": "总经理",
            "department": "总经办",
            "manager_employee_number": "",
            "login": "",
        },
        {
            "employee_number": "R0002",
            "name": "刘洋",
            "title": "销售经理",
            "department": "销售部",
            "manager_employee_number": "R0001",
            "login": "",
        },
        {
            "employee_number": "R0003",
            "name": "陈静",
            "title": "销售代表",
            "department": "销售部",
            "manager_employee_number": "R0002",
            "login": "",
        },
        {
            "employee_number": "R0004",
            "name": "杨磊",
            "title": "销售代表",
            "department": "销售部",
            "manager_employee_number": "R0002",
            "login": "",
        },
    ],
}


def normalise_header(text):
    """Headers match whatever their case, spacing and brackets: "复审周期(月)" is "复审周期（月）"."""
    text = str(text or "").strip().lower().replace("（", "(").replace("）", ")")
    # A required mark (*, ＊) or note ("(必填)") that templates put beside a header is not its name.
    text = text.replace("(必填)", "").replace("(选填)", "").replace("(required)", "").replace("(optional)", "")
    return "".join(text.split()).replace("_", "").replace("-", "").replace("*", "").replace("＊", "")


def sheet_for(title):
    name = normalise_header(title)
    return next((sheet for sheet in SHEETS if name in sheet.names), None)


def neutralise(value):
    """A text cell that no spreadsheet runs as a formula: a leading ' before =, +, -, @, a tab or CR.

    A text that already begins with ' gets one more, so reading it back (`restore`) is exact.
    """
    if value is None:
        return ""
    if not isinstance(value, str):
        return value
    return "'" + value if value.startswith((*FORMULA_STARTS, "'")) else value


def restore(text):
    """The text a neutralised cell stood for (the portal's own export reads back exactly)."""
    if text.startswith("'") and text[1:].startswith((*FORMULA_STARTS, "'")):
        return text[1:]
    return text


def split_codes(text):
    text = str(text or "")
    for separator in LIST_SEPARATORS[1:]:
        text = text.replace(separator, LIST_SEPARATORS[0])
    return [part.strip() for part in text.split(LIST_SEPARATORS[0]) if part.strip()]
