"""`manage.py synth_roster FILE --people N`: a made-up staff roster (花名册) to try or measure the roster import.

Everyone reports up a chain of at least five levels (general manager, department heads, section
heads, team leads, staff); some titles are shared by several people under managers of the same
post, so the import merges them. `.xlsx` writes a 花名册 sheet; `.csv` writes GB18030, as Excel
on Chinese Windows does (`--encoding utf-8-sig` for UTF-8 with a BOM).
"""

import csv
import io
import random
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from transfers.format import ROSTER

DEPARTMENTS = [
    "销售中心",
    "研发中心",
    "运维部",
    "财务部",
    "人力资源部",
    "市场部",
    "客服中心",
    "采购部",
    "法务部",
    "质量部",
]
SECTIONS = ["一部", "二部", "三部", "四部", "五部", "六部"]
STAFF_TITLES = [
    "专员",
    "助理",
    "工程师",
    "高级工程师",
    "代表",
    "分析师",
    "顾问",
    "主管",
    "文员",
    "技术员",
    "设计师",
    "测试员",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽"


def roster_rows(people, seed=1, shared=0.2):
    """[(工号, 姓名, 岗位, 部门, 直接上级工号, 登录名)]: `people` rows, `shared` the chance a staff title repeats."""
    rng = random.Random(seed)
    rows, number = [], 0

    def add(title, department, manager):
        nonlocal number
        number += 1
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        rows.append((f"E{number:05d}", name, title, department, manager, ""))
        return f"E{number:05d}"

    top = add("总经理", "总经办", "")
    departments = DEPARTMENTS[: max(2, min(len(DEPARTMENTS), people // 40))]
    heads = {d: add(f"{d}总监", d, top) for d in departments}
    sections = []
    for d in departments:
        for s in SECTIONS[: max(1, min(len(SECTIONS), people // (len(departments) * 25)))]:
            sections.append((d, f"{d}{s}", add(f"{s}经理", f"{d}{s}", heads[d])))
    leads = []
    for _d, section, manager in sections:
        for t in range(3):
            leads.append((section, add(f"{section}第{t + 1}组组长" if t else "组长", section, manager)))
    titles = {}
    while len(rows) < people:
        section, lead = leads[len(rows) % len(leads)]
        pool = titles.setdefault(lead, [])
        if pool and rng.random() < shared:
            title = rng.choice(pool)
        else:
            title = f"{section}{rng.choice(STAFF_TITLES)}{len(pool) + 1}"
            pool.append(title)
        add(title, section, lead)
    return rows


def roster_xlsx(rows):
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(ROSTER.zh)
    sheet.append([column.zh for column in ROSTER.columns])
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def roster_csv(rows, encoding="gb18030"):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([column.zh for column in ROSTER.columns])
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


class Command(BaseCommand):
    help = "Write a made-up staff roster (花名册) as .xlsx or .csv, to try or measure the roster import."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--people", type=int, default=150)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--shared", type=float, default=0.2, help="the chance a staff title is shared (0–1)")
        parser.add_argument("--encoding", default="gb18030", help="for .csv: gb18030 (default) or utf-8-sig")

    def handle(self, *args, file, people, seed, shared, encoding, **options):
        if people < 20:
            raise CommandError("--people must be at least 20.")
        path = Path(file)
        rows = roster_rows(people, seed=seed, shared=shared)
        if path.suffix.lower() == ".csv":
            path.write_bytes(roster_csv(rows, encoding))
        elif path.suffix.lower() == ".xlsx":
            path.write_bytes(roster_xlsx(rows))
        else:
            raise CommandError("The file name ends in .xlsx or .csv.")
        self.stdout.write(f"Wrote {len(rows)} people to {path}.")
