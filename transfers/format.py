"""The organisation workbook: its sheets, their columns (Chinese headers first, English accepted), and cells.

One description serves the template, the reader, the writer and README, so the format has one
definition. Every sheet is optional on import: what a file leaves out is left alone.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from portal.formatting import FORMULA_STARTS

LIST_SEPARATORS = ("、", "，", ",", ";", "；", "\n")


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    required: bool = False
    kind: str = "text"  # text, number, codes (a list of codes), flag
    help: str = ""
    aliases: tuple = ()  # other headers HR systems use for the same column

    @property
    def names(self):
        return {normalise_header(name) for name in (self.zh, self.en, self.key, *self.aliases)}


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


CODE = Column("code", "岗位编码", "position code", required=True, aliases=("岗位编号", "岗位代码", "职位编码"))
LINE = Column("line", "序号", "line", required=True, kind="number")
TEXT = Column("text", "内容", "text", required=True)


def _line_sheet(kind, zh, en, help):
    return Sheet(kind, zh, en, (CODE, LINE, TEXT), help=help)


POSITIONS = Sheet(
    "positions",
    "岗位",
    "positions",
    (
        CODE,
        Column("title", "岗位名称", "title", required=True),
        Column("department", "部门编码", "department"),
        Column("reports_to", "直接上级编码", "superior code", help=_("empty for the top of the organisation")),
        Column("dotted_reports_to", "虚线上级编码", "dotted-line superiors", kind="codes"),
        Column("job_family", "职族编码", "job family"),
        Column("grade", "职级编码", "grade"),
        Column("headcount", "编制", "headcount", kind="number"),
        Column("status", "状态", "status", help=_("草稿 (draft) or 已发布 (published)")),
        Column("has_description", "有岗位说明书", "has job description", kind="flag", help=_("是 or 否")),
        Column("purpose", "岗位目的", "purpose"),
        Column("work_environment", "工作环境", "work environment"),
        Column("education", "学历要求", "education"),
        Column("major", "专业", "major"),
        Column("experience_years", "工作年限", "years of experience", kind="number"),
        Column("review_months", "复审周期（月）", "review interval (months)", kind="number"),
        Column("promotes_to", "晋升岗位编码", "promotes to", kind="codes"),
        Column("rotates_with", "轮岗岗位编码", "rotates with", kind="codes"),
    ),
    help=_("One row per position; codes are the key, rows may come in any order."),
)
DUTIES = Sheet(
    "duties",
    "岗位职责",
    "duties",
    (CODE, LINE, TEXT, Column("share", "时间占比", "time share", kind="number", help=_("per cent, 0–100"))),
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
        Column("responsibility", "关键职责", "key responsibility", required=True),
        Column(
            "weight", "权重", "weight", required=True, kind="number", help=_("per cent; a position's weights total 100")
        ),
        Column("standard", "绩效标准", "performance standard"),
        Column("cycle", "考核周期", "cycle", help=_("月度, 季度, 半年度 or 年度")),
    ),
    help=_("One row per KPI, numbered per position."),
)
DEPARTMENTS = Sheet(
    "departments",
    "部门",
    "departments",
    (
        Column("code", "部门编码", "department code", required=True),
        Column("name", "部门名称", "department name", required=True),
        Column("parent", "上级部门编码", "parent department"),
    ),
)
ARCHITECTURE = Sheet(
    "architecture",
    "职位体系",
    "job architecture",
    (
        Column("type", "类型", "type", required=True, help=_("类别 (category), 职族 (family) or 职级 (grade)")),
        Column("code", "编码", "code", required=True),
        Column("name", "名称", "name", required=True),
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
)
PEOPLE = Sheet(
    "people",
    "人员",
    "people",
    (
        Column("employee_number", "工号", "employee number", required=True),
        Column("name", "姓名", "name", required=True),
        Column("login", "登录名", "login"),
        Column("primary", "主岗编码", "primary post"),
        Column("concurrent", "兼岗编码", "concurrent posts", kind="codes"),
    ),
)
ROSTER = Sheet(
    "roster",
    "花名册",
    "roster",
    (
        Column("employee_number", "工号", "employee number", required=True, aliases=("员工编号", "员工工号", "员工号")),
        Column("name", "姓名", "name", required=True, aliases=("员工姓名",)),
        Column("title", "岗位", "title", required=True, aliases=("岗位名称", "职位", "职务")),
        Column("department", "部门", "department", aliases=("所属部门", "部门名称")),
        Column(
            "manager_employee_number",
            "直接上级工号",
            "manager employee number",
            aliases=("直属上级工号", "上级工号", "汇报上级工号", "直接上级编号", "manager"),
        ),
        Column("login", "登录名", "login", aliases=("账号", "用户名", "username")),
    ),
    help=_("A staff roster: positions are derived from it (see README)."),
)
SHEETS = (DEPARTMENTS, ARCHITECTURE, POSITIONS, DUTIES, *LINE_SHEETS, KPIS, PEOPLE, ROSTER)
SECTION_SHEETS = (DUTIES, *LINE_SHEETS, KPIS)
INSTRUCTIONS = {"说明", "instructions", "readme"}
TYPES = {
    "category": {"category", "类别", "职类"},
    "family": {"family", "职族", "job family"},
    "grade": {"grade", "职级"},
}
TYPE_NAMES = {"category": "类别", "family": "职族", "grade": "职级"}


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
