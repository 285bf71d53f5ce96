"""Build a synthetic organisation for demos and benchmarks: `manage.py synth_org --positions N`.

The organisation looks like a real Chinese company: a department tree of
company → region (华东区) → centre (运维中心) → group (网络组), positions titled after
their unit (网络组经理, 网络组高级网络工程师), every position with a full job description
and KPIs whose weights total exactly 100, except about 5% left deliberately
incomplete so the chart and the list have something to flag.

Everything synthetic has a code starting with ``SYN-`` and lives in its own tree,
apart from the real organisation (whose rows are not touched). Loading is one
transaction of bulk inserts under the tree locks, with the mptt numbers computed
while planning instead of by a rebuild, so 10,000 positions take seconds.
The same --seed always gives the same organisation.
"""

import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Max, ProtectedError

from assessments.models import KPI
from org_tree.models import Department
from portal.locking import lock_tree
from portal.models import tree_numbers
from positions.models import DescriptionItem, Holder, Position

PREFIX = "SYN-"
MIN_DEPTH, MAX_DEPTH = 6, 10
MIN_SPAN, MAX_SPAN = 3, 12
# The smallest tree of depth 6 in which every manager has at least 3 reports: one chain plus 3 per level.
MIN_POSITIONS = 1 + (MIN_DEPTH - 1) * MIN_SPAN
INCOMPLETE_SHARE = 0.05
DRAFT_SHARE = 0.03
BATCH_SIZE = 2000


class Domain(NamedTuple):
    """What one kind of unit does: its groups (with the specialist roles in each) and job-description text."""

    groups: dict
    duties: tuple
    qualifications: tuple
    training: tuple
    kpis: tuple  # (key responsibility, performance standard)


COMPANY_NAMES = ("云海科技集团", "华信通信集团", "天衡数字集团")
REGIONS = (
    "华东区",
    "华北区",
    "华南区",
    "华中区",
    "西南区",
    "西北区",
    "东北区",
    "港澳区",
    "海南区",
    "新疆区",
    "西藏区",
    "海外区",
)
CHINESE_NUMERALS = "二三四五六七八九十"

# Titles of managers by level: the top three levels are named after their unit kind,
# deeper managers are ranks inside one group.
LOWER_MANAGER_ROLES = ("主管", "组长", "副组长", "班长", "值班长")
COMPANY_STAFF_ROLES = ("总经理助理", "战略规划专员", "法务顾问", "内审专员", "董事会秘书")
REGION_STAFF_ROLES = ("区域助理", "区域行政专员", "区域财务专员", "区域督导")
CENTRE_STAFF_ROLES = ("总监助理", "计划专员", "综合管理专员")
SENIORITY = ("", "", "", "高级", "资深", "助理")

MANAGEMENT = Domain(
    groups={},
    duties=(
        "制订本部门年度工作计划及进度目标,并组织实施;",
        "合理调配部门人、财、物资源,控制部门费用支出;",
        "指导、考核下属员工的工作,提高团队工作效率;",
        "协调本部门与其他部门之间的工作关系;",
        "组织编制和完善本部门的工作制度与流程;",
        "向上级汇报部门工作进展,反映员工意见和建议;",
        "负责部门人员招聘、培养与梯队建设;",
        "处理部门内重大突发事件并及时上报。",
    ),
    qualifications=(
        "本科及以上学历,五年以上相关工作经验,其中三年以上管理经验;",
        "具有较强的组织、协调、沟通和文字表达能力;",
        "熟悉公司业务流程及相关管理制度;",
        "具有较全面的技术和管理知识;",
        "认真负责,具有良好的职业道德和团队合作精神。",
    ),
    training=("公司制度与企业文化;", "管理技能提升培训;", "绩效管理与员工辅导;", "安全生产与合规管理。"),
    kpis=(
        ("根据公司年度经营计划,制订部门工作计划并全面管理部门工作", "计划切实可行,年度任务按期完成。"),
        ("合理控制和支配部门人、财、物相关资源", "部门费用不超预算,资源调配合理。"),
        ("考核本部门员工工作,提高工作效率", "定期与员工沟通绩效,考核结果客观公正。"),
        ("协调与其他部门的关系", "跨部门协作顺畅,无重大投诉。"),
        ("部门制度与流程建设", "制度健全,流程执行率达到95%以上。"),
        ("团队建设与人才培养", "关键岗位有后备人选,员工流失率低于10%。"),
    ),
)

# Text every non-manager shares, appended to the text of their unit.
STAFF = Domain(
    groups={},
    duties=(
        "严格遵守公司各项规章制度和操作规程;",
        "及时、准确地填写工作记录和报表;",
        "参与编写和更新本岗位的工作文档;",
        "完成上级交办的其他工作。",
    ),
    qualifications=(
        "持有相关职业资格证书者优先;",
        "具有良好的沟通能力和团队合作精神;",
        "工作认真细致,责任心强;",
        "能够承受一定的工作压力。",
    ),
    training=("公司制度与企业文化;", "信息安全意识培训;", "岗位技能培训。"),
    kpis=(
        ("遵守工作纪律和规章制度", "全年无违规违纪记录。"),
        ("工作记录与文档", "记录完整准确,按时提交。"),
        ("团队协作", "积极配合同事完成工作,无协作投诉。"),
    ),
)

CENTRES = {
    "运维中心": Domain(
        groups={
            "网络组": ("网络工程师", "网络管理员"),
            "系统组": ("系统工程师", "系统管理员"),
            "数据库组": ("数据库管理员", "数据库工程师"),
            "监控组": ("监控值班员", "监控工程师"),
            "机房组": ("机房管理员", "动力环境工程师"),
        },
        duties=(
            "负责网络、服务器及存储设备的日常运行维护;",
            "执行7×24小时值班制度,及时处理系统告警;",
            "定期巡检设备运行状态,填写巡检记录;",
            "负责故障的定位、处理及故障报告的编写;",
            "参与系统变更、升级方案的制订与实施;",
            "维护设备台账和配置文档,确保账实相符;",
        ),
        qualifications=(
            "计算机、通信等相关专业大专及以上学历;",
            "熟悉TCP/IP协议及主流网络设备配置;",
            "熟悉Linux/Windows操作系统的安装与维护;",
        ),
        training=("ITIL运维服务管理;", "网络设备厂商认证培训;"),
        kpis=(
            ("系统与网络的日常运行维护", "核心系统可用率不低于99.9%。"),
            ("故障处理", "故障平均恢复时间不超过2小时,故障报告24小时内提交。"),
            ("设备巡检", "巡检按计划完成率100%,记录完整。"),
            ("变更管理", "变更均按流程审批,无因变更引发的重大故障。"),
        ),
    ),
    "研发中心": Domain(
        groups={
            "前端组": ("前端开发工程师",),
            "后端组": ("后端开发工程师", "Java开发工程师"),
            "测试组": ("测试工程师", "自动化测试工程师"),
            "架构组": ("系统架构师",),
            "移动开发组": ("Android开发工程师", "iOS开发工程师"),
        },
        duties=(
            "参与需求分析,编写概要设计和详细设计文档;",
            "按照编码规范完成模块开发和单元测试;",
            "参与代码评审,持续改进代码质量;",
            "修复测试和生产环境发现的缺陷;",
            "编写和维护技术文档与接口文档;",
            "配合运维部门完成版本发布和上线工作;",
        ),
        qualifications=(
            "计算机相关专业本科及以上学历;",
            "熟练掌握至少一种主流编程语言;",
            "熟悉常用数据结构、算法和设计模式;",
        ),
        training=("软件开发规范与代码评审;", "信息安全编码培训;"),
        kpis=(
            ("按计划完成开发任务", "任务按期完成率不低于95%。"),
            ("代码质量", "代码评审通过率不低于90%,严重缺陷为零。"),
            ("缺陷修复", "高优先级缺陷24小时内修复。"),
            ("技术文档", "设计文档和接口文档与代码保持一致。"),
        ),
    ),
    "客服中心": Domain(
        groups={
            "热线组": ("客服代表", "热线坐席员"),
            "投诉处理组": ("投诉处理专员",),
            "质检组": ("质检专员",),
            "回访组": ("回访专员",),
        },
        duties=(
            "受理客户咨询、业务办理和投诉请求;",
            "准确记录客户信息和服务工单;",
            "跟踪工单处理进度,及时回复客户;",
            "对疑难问题进行升级并协调相关部门解决;",
            "定期回访客户,收集客户意见和建议;",
            "维护客户服务知识库;",
        ),
        qualifications=(
            "大专及以上学历,普通话标准;",
            "具有良好的沟通表达和应变能力;",
            "熟练使用办公软件,打字速度每分钟50字以上;",
        ),
        training=("客户服务礼仪与沟通技巧;", "业务知识与服务规范;"),
        kpis=(
            ("客户咨询与业务受理", "电话接通率不低于95%,一次解决率不低于85%。"),
            ("投诉处理", "投诉48小时内处理完毕,客户满意度不低于90%。"),
            ("服务工单记录", "工单记录完整准确,差错率低于1%。"),
            ("客户回访", "按计划完成回访,回访记录完整。"),
        ),
    ),
    "财务中心": Domain(
        groups={
            "会计组": ("总账会计", "成本会计"),
            "出纳组": ("出纳",),
            "税务组": ("税务专员",),
            "预算组": ("预算分析师",),
        },
        duties=(
            "负责日常会计核算,审核原始凭证并编制记账凭证;",
            "编制月度、季度和年度财务报表;",
            "办理资金收付和银行结算业务;",
            "负责纳税申报及税务相关事务;",
            "参与编制年度预算并跟踪预算执行情况;",
            "整理、保管会计档案;",
        ),
        qualifications=(
            "财务、会计相关专业本科及以上学历;",
            "持有初级及以上会计专业技术资格证书;",
            "熟悉企业会计准则和税收法规;",
        ),
        training=("企业会计准则更新;", "税收政策与纳税筹划;"),
        kpis=(
            ("会计核算", "账务处理及时准确,差错率为零。"),
            ("财务报表编制", "报表按时提交,数据准确。"),
            ("资金管理", "资金收付准确无误,无资金安全事故。"),
            ("预算执行跟踪", "按月提交预算执行分析报告。"),
        ),
    ),
    "人力资源中心": Domain(
        groups={
            "招聘组": ("招聘专员",),
            "培训组": ("培训专员",),
            "薪酬组": ("薪酬福利专员",),
            "员工关系组": ("员工关系专员",),
        },
        duties=(
            "根据用人需求组织招聘、面试和录用工作;",
            "制订并实施年度培训计划,评估培训效果;",
            "核算员工薪酬、社保和公积金;",
            "办理员工入职、转正、调动和离职手续;",
            "维护员工档案和人事信息系统;",
            "处理劳动关系事务,预防劳动争议;",
        ),
        qualifications=(
            "人力资源管理相关专业本科及以上学历;",
            "熟悉国家劳动法律法规;",
            "具有良好的沟通能力和保密意识;",
        ),
        training=("劳动法律法规;", "人力资源管理实务;"),
        kpis=(
            ("招聘计划完成", "关键岗位到岗及时率不低于90%。"),
            ("培训组织与实施", "年度培训计划完成率100%。"),
            ("薪酬核算", "薪酬核算准确,按时发放。"),
            ("员工关系管理", "人事手续办理及时,无劳动争议败诉。"),
        ),
    ),
    "市场中心": Domain(
        groups={
            "品牌组": ("品牌专员",),
            "市场推广组": ("推广专员", "新媒体运营专员"),
            "市场调研组": ("市场分析师",),
        },
        duties=(
            "制订并执行市场推广计划;",
            "策划和组织品牌宣传及市场活动;",
            "收集和分析市场、竞争对手信息;",
            "负责新媒体账号的内容策划和运营;",
            "评估市场活动效果并提出改进建议;",
            "维护与媒体和合作伙伴的关系;",
        ),
        qualifications=(
            "市场营销、广告等相关专业本科及以上学历;",
            "具有较强的策划能力和文字功底;",
            "熟悉互联网和新媒体推广方式;",
        ),
        training=("品牌管理与营销策划;", "广告法与合规宣传;"),
        kpis=(
            ("市场推广计划执行", "推广计划按期完成率不低于95%。"),
            ("品牌宣传", "品牌曝光量达到年度目标。"),
            ("市场调研分析", "每季度提交市场分析报告。"),
            ("活动效果评估", "活动结束后一周内提交评估报告。"),
        ),
    ),
    "销售中心": Domain(
        groups={
            "大客户组": ("大客户代表",),
            "渠道组": ("渠道专员",),
            "售前支持组": ("售前工程师",),
            "销售运营组": ("销售运营专员",),
        },
        duties=(
            "开发新客户,维护现有客户关系;",
            "完成个人销售指标和回款任务;",
            "编制投标文件和商务方案;",
            "跟踪合同执行情况,协调交付问题;",
            "收集客户需求并反馈给产品和研发部门;",
            "维护客户资料和销售台账;",
        ),
        qualifications=(
            "市场营销或相关专业大专及以上学历;",
            "具有较强的商务谈判和客户关系维护能力;",
            "两年以上相关行业销售经验;",
        ),
        training=("销售技巧与商务谈判;", "产品知识培训;"),
        kpis=(
            ("销售指标完成", "年度销售额完成率不低于100%。"),
            ("回款管理", "回款率不低于95%。"),
            ("客户关系维护", "重点客户流失率低于5%。"),
            ("销售台账", "客户资料和台账更新及时准确。"),
        ),
    ),
    "采购中心": Domain(
        groups={
            "采购组": ("采购专员",),
            "供应商管理组": ("供应商管理专员",),
            "仓储组": ("仓库管理员", "物资验收员"),
        },
        duties=(
            "根据需求计划编制采购计划并组织实施;",
            "开展询价、比价和招标采购工作;",
            "评估和管理供应商,建立合格供应商名录;",
            "跟踪采购订单执行和到货情况;",
            "组织物资验收、入库和出库管理;",
            "定期盘点库存,保证账实相符;",
        ),
        qualifications=(
            "物流、采购等相关专业大专及以上学历;",
            "熟悉采购流程和合同管理;",
            "具有良好的谈判能力和廉洁意识;",
        ),
        training=("采购管理与招投标法规;", "廉洁从业培训;"),
        kpis=(
            ("采购计划执行", "物资按期到货率不低于95%。"),
            ("采购成本控制", "采购成本不超过预算。"),
            ("供应商管理", "每年完成供应商评估,合格率不低于90%。"),
            ("库存管理", "盘点账实相符率100%。"),
        ),
    ),
    "安全中心": Domain(
        groups={
            "信息安全组": ("信息安全工程师",),
            "安全审计组": ("安全审计专员",),
            "应急响应组": ("应急响应工程师",),
        },
        duties=(
            "制订和完善信息安全管理制度;",
            "开展安全漏洞扫描和渗透测试;",
            "监控安全事件,组织应急响应和处置;",
            "开展安全审计,督促问题整改;",
            "组织员工信息安全意识培训;",
            "跟踪国家网络安全法规和等级保护要求;",
        ),
        qualifications=(
            "信息安全、计算机相关专业本科及以上学历;",
            "熟悉常见网络攻击手段和防护技术;",
            "持有CISP等信息安全认证者优先;",
        ),
        training=("网络安全法与等级保护;", "安全事件应急处置;"),
        kpis=(
            ("安全漏洞管理", "高危漏洞7日内修复率100%。"),
            ("安全事件处置", "重大安全事件零发生,事件响应不超过30分钟。"),
            ("安全审计", "按计划完成审计,整改闭环率不低于95%。"),
            ("安全意识培训", "员工培训覆盖率100%。"),
        ),
    ),
    "行政中心": Domain(
        groups={
            "行政组": ("行政专员", "前台接待"),
            "后勤组": ("后勤专员", "司机"),
            "档案组": ("档案管理员",),
        },
        duties=(
            "负责办公环境、办公用品和固定资产管理;",
            "组织公司会议并做好会议记录;",
            "负责来访接待和对外联络工作;",
            "管理公司车辆和后勤保障工作;",
            "负责公文收发、归档和档案借阅管理;",
            "组织公司文体活动和员工关怀;",
        ),
        qualifications=(
            "行政管理相关专业大专及以上学历;",
            "熟练使用常用办公软件;",
            "具有较强的服务意识和协调能力;",
        ),
        training=("行政事务管理;", "档案管理规范;"),
        kpis=(
            ("办公用品与固定资产管理", "资产账实相符,申领及时。"),
            ("会议组织", "会议安排有序,纪要24小时内发出。"),
            ("后勤保障", "后勤服务满意度不低于90%。"),
            ("档案管理", "档案归档及时,无遗失。"),
        ),
    ),
    "质量中心": Domain(
        groups={
            "质量管理组": ("质量工程师",),
            "体系组": ("体系专员",),
            "检验组": ("检验员",),
        },
        duties=(
            "建立和维护公司质量管理体系;",
            "组织内部质量审核和管理评审;",
            "制订检验标准并实施过程检验;",
            "分析质量问题,督促纠正和预防措施落实;",
            "统计质量数据,编制质量分析报告;",
            "配合外部认证机构的审核工作;",
        ),
        qualifications=(
            "理工科相关专业本科及以上学历;",
            "熟悉ISO 9001质量管理体系;",
            "具有内审员资格者优先;",
        ),
        training=("ISO 9001内审员培训;", "质量工具与统计方法;"),
        kpis=(
            ("质量体系运行", "外部审核无严重不符合项。"),
            ("质量检验", "检验漏检率低于0.5%。"),
            ("质量问题整改", "纠正措施按期关闭率不低于95%。"),
            ("质量分析报告", "每月按时提交质量分析报告。"),
        ),
    ),
    "数据中心": Domain(
        groups={
            "数据平台组": ("大数据工程师",),
            "数据分析组": ("数据分析师",),
            "数据治理组": ("数据治理专员",),
        },
        duties=(
            "建设和维护公司数据平台;",
            "开发和维护数据采集、清洗和加工任务;",
            "根据业务需求开展数据分析并出具报告;",
            "制订数据标准,开展数据质量检查;",
            "管理数据访问权限,保障数据安全;",
            "维护数据字典和元数据;",
        ),
        qualifications=(
            "统计、计算机相关专业本科及以上学历;",
            "熟练掌握SQL及至少一种数据分析工具;",
            "具有良好的逻辑思维和业务理解能力;",
        ),
        training=("数据安全与个人信息保护;", "大数据平台技术培训;"),
        kpis=(
            ("数据平台运行", "数据任务按时完成率不低于99%。"),
            ("数据分析支持", "分析需求按期交付率不低于95%。"),
            ("数据质量", "关键数据质量问题逐月下降。"),
            ("数据安全", "无数据泄露事件。"),
        ),
    ),
}
CENTRE_NAMES = tuple(CENTRES)
# Staff of the company and the regions do general administration.
HEADQUARTERS = CENTRES["行政中心"]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN_NAME_CHARACTERS = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏建国志海峰辉波宁晨曦雪梅琳浩宇欣怡子涵思远嘉俊佳颖文博天翔"


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


@dataclass
class PlannedPosition:
    code: str
    title: str
    parent: int | None  # index into the plan's positions; parents always come first
    level: int
    department: int  # index into the plan's departments
    headcount: int = 1
    status: str = Position.Status.PUBLISHED
    duties: list = field(default_factory=list)
    qualifications: list = field(default_factory=list)
    training: list = field(default_factory=list)
    kpis: list = field(default_factory=list)
    holders: list = field(default_factory=list)
    incomplete: bool = False


@dataclass
class Plan:
    depth: int
    departments: list
    positions: list


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


def _weights(rng, count):
    """`count` whole-percent weights in steps of 5, largest first, summing to exactly 100."""
    cuts = sorted(rng.sample(range(1, 20), count - 1))
    parts = [b - a for a, b in zip([0, *cuts], [*cuts, 20], strict=True)]
    return sorted((Decimal(part * 5) for part in parts), reverse=True)


def _person(rng):
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN_NAME_CHARACTERS) for _ in range(rng.choice((1, 2, 2))))


class Unit(NamedTuple):
    """The org unit a position belongs to, as planned."""

    department: int  # index into the plan's departments
    name: str
    domain: Domain | None  # the centre's kind of work; None for the company and the regions
    group: str | None  # the group's key in domain.groups (its name before any 二/三 numbering)


def plan_organisation(n, rng):
    """The whole organisation in memory: departments, positions and their job descriptions."""
    parents, levels, reports = plan_reporting_lines(n, rng)
    company = rng.choice(COMPANY_NAMES)
    departments = [PlannedDepartment(f"{PREFIX}D00001", company, None, 0)]
    positions, units = [], []
    manager_reports = defaultdict(int)  # per position, how many of its reports head a unit so far
    unit_names = {}  # per position, the names its reports' units take in turn
    for index, (parent, level) in enumerate(zip(parents, levels, strict=True)):
        is_manager = reports[index] > 0
        if parent is None:
            unit = Unit(0, company, None, None)
        else:
            unit = units[parent]
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
        units.append(unit)
        title = f"{company}总经理" if parent is None else unit.name + _role(rng, level, is_manager, unit)
        position = PlannedPosition(f"{PREFIX}{index + 1:06d}", title, parent, level, unit.department)
        _describe(rng, position, is_manager, unit.domain)
        positions.append(position)
    return Plan(depth=max(levels) + 1, departments=departments, positions=positions)


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
    """The title after the unit's name: 总监, 经理, 主管… for managers, a staff or specialist role otherwise."""
    if is_manager:
        if level <= 3:
            return ("总经理", "总经理", "总监", "经理")[level]
        return LOWER_MANAGER_ROLES[min(level - 4, len(LOWER_MANAGER_ROLES) - 1)]
    if level == 1:
        return rng.choice(COMPANY_STAFF_ROLES)
    if level == 2:
        return rng.choice(REGION_STAFF_ROLES)
    if unit.group is None:
        return rng.choice(CENTRE_STAFF_ROLES)
    return rng.choice(SENIORITY) + rng.choice(unit.domain.groups[unit.group])


def _punctuated(lines):
    """Numbered-list punctuation: a semicolon after every line, a full stop after the last."""
    bare = [line.rstrip(";。") for line in lines]
    return [line + ";" for line in bare[:-1]] + [bare[-1] + "。"]


def _describe(rng, position, is_manager, domain):
    """Headcount, holders, status and the job description; about 5% are left incomplete on purpose."""
    if is_manager:
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
        model.objects.bulk_create(objects, batch_size=BATCH_SIZE)
        if any(obj.pk is None for obj in objects):  # a backend that cannot return ids from a bulk insert
            by_code = dict(model.objects.filter(code__startswith=PREFIX).values_list("code", "pk"))
            for obj in objects:
                obj.pk = by_code[obj.code]
        for i, obj in zip(indices, objects, strict=True):
            pks[i] = obj.pk
    return pks


def _insert(plan):
    """Write the planned organisation with bulk inserts; returns row counts."""
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
            **tree,
        ),
    )
    owned = list(zip(position_pks, plan.positions, strict=True))
    kinds = (
        (DescriptionItem.Kind.DUTY, "duties"),
        (DescriptionItem.Kind.QUALIFICATION, "qualifications"),
        (DescriptionItem.Kind.TRAINING, "training"),
    )
    items = (
        DescriptionItem(position_id=pk, kind=kind, order=order, text=text)
        for pk, p in owned
        for kind, name in kinds
        for order, text in enumerate(getattr(p, name), start=1)
    )
    kpis = (
        KPI(position_id=pk, order=order, responsibility=k.responsibility, weight=k.weight, standard=k.standard)
        for pk, p in owned
        for order, k in enumerate(p.kpis, start=1)
    )
    holders = (Holder(position_id=pk, name=name) for pk, p in owned for name in p.holders)
    counts = {"departments": len(department_pks), "positions": len(position_pks)}
    for label, model, rows in (("items", DescriptionItem, items), ("kpis", KPI, kpis), ("holders", Holder, holders)):
        counts[label] = 0
        for chunk in _chunks(rows):
            model.objects.bulk_create(chunk)
            counts[label] += len(chunk)
    return counts


def delete_synthetic():
    """Delete every synthetic position and department (codes starting with SYN-); returns how many positions."""
    positions = Position.objects.filter(code__startswith=PREFIX)
    departments = Department.objects.filter(code__startswith=PREFIX)
    # The rows hanging off the positions first, in one statement each rather than through the collector.
    for model in (KPI, DescriptionItem, Holder):
        model.objects.filter(position__code__startswith=PREFIX).delete()
    # Position.parent and Department.parent are PROTECT, even within the set being deleted:
    # cut the links inside the synthetic set first. A real position that reports to a
    # synthetic one (or sits in a synthetic department) still blocks, as it should.
    positions.update(parent=None)
    try:
        _, per_model = positions.delete()
        removed = per_model.get(Position._meta.label, 0)
        departments.update(parent=None)
        departments.delete()
    except ProtectedError as exc:
        blockers = ", ".join(sorted(str(obj) for obj in exc.protected_objects)[:5])
        raise CommandError(f"Real positions still refer to the synthetic organisation: {blockers}") from None
    return removed


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

    def handle(self, *args, positions, seed, replace, **options):
        if positions < MIN_POSITIONS:
            raise CommandError(
                f"--positions must be at least {MIN_POSITIONS}: a tree of {MIN_DEPTH} levels with "
                f"{MIN_SPAN} or more reports per manager needs that many."
            )
        started = time.perf_counter()
        # Planning is pure Python and happens before the locks are taken, so the locks are held briefly.
        plan = plan_organisation(positions, random.Random(seed))
        removed = 0
        with transaction.atomic():
            # Departments before positions: the order every other writer takes the locks in.
            lock_tree(Department)
            lock_tree(Position)
            exists = (
                Position.objects.filter(code__startswith=PREFIX).exists()
                or Department.objects.filter(code__startswith=PREFIX).exists()
            )
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
        elapsed = time.perf_counter() - started
        if options["verbosity"] >= 1:
            if removed:
                self.stdout.write(f"Deleted the previous synthetic organisation ({removed} positions).")
            incomplete = sum(p.incomplete for p in plan.positions)
            self.stdout.write(
                f"Created {counts['positions']} synthetic positions, {plan.depth} levels deep, "
                f"in {counts['departments']} departments ({counts['items']} description lines, {counts['kpis']} KPIs, "
                f"{counts['holders']} holders, {incomplete} deliberately incomplete) in {elapsed:.2f} s."
            )
