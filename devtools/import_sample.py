"""`orchard import sample`: a dirty legacy export, like a years-old cash-register system writes.

Chinese headers (会员卡号, 手机号, 姓名, 生日, 性别, 积分, 注册门店, 注册时间, 等级) and the dirt
the import must clean: phones with spaces, dashes, +86, 86 and 0086 in front (and a few
invalid ones), names with stray spaces, birthdays in four formats or Excel serial numbers or
blank, gender and tier words in both languages, balances with thousands separators, blanks,
".0" and now and then text or a negative number, unknown stores, and duplicate rows: the same
card again with another phone format, or the same phone on a second card. Repeatable for a
seed. People are numbered: person n has phone 137 + n in 8 digits and old id VIP + n.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

HEADER = ("会员卡号", "手机号", "姓名", "生日", "性别", "积分", "注册门店", "注册时间", "等级")
SURNAMES = ("王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭", "何", "林")
GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "桂英")
LATIN = ("Li Na", "Wang Fang", "Zhang Wei", "Chen Jing", "Amy Liu", "Tom Zhao")
GENDERS = ("男", "女", "男", "女", "M", "F", "male", "female", "未知", "", "")
TIERS = ("普通会员", "普通", "银卡", "金卡", "钻石", "VIP", "gold", "Silver", "", "")
EXCEL_EPOCH = date(1899, 12, 30)


@dataclass(frozen=True)
class SamplePlan:
    rows: int
    out: Path
    seed: int = 1
    encoding: str = "utf-8"  # utf-8, utf-8-sig or gb18030
    stores: tuple[str, ...] = ("ST-0001", "ST-0002", "ST-0003")
    duplicate_share: float = 0.03
    bad_share: float = 0.01  # rows with an invalid phone or unreadable points


def person_phone(n: int) -> str:
    return f"137{n:08d}"


def person_legacy_id(n: int) -> str:
    return f"VIP{n:07d}"


def write_sample(plan: SamplePlan) -> dict[str, int]:
    """Write the file; returns how many rows of each kind of dirt it holds."""
    rng = random.Random(plan.seed)
    counts = {"rows": 0, "duplicates": 0, "bad": 0}
    plan.out.parent.mkdir(parents=True, exist_ok=True)
    people = 0
    with plan.out.open("w", encoding=plan.encoding, newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for _ in range(plan.rows):
            if people and rng.random() < plan.duplicate_share:
                n = rng.randrange(1, people + 1)
                same_card = rng.random() < 0.5
                legacy = person_legacy_id(n) if same_card else f"OLD{n:07d}"
                counts["duplicates"] += 1
            else:
                people += 1
                n = people
                legacy = person_legacy_id(n)
            row = _row(rng, n, legacy, plan.stores)
            if rng.random() < plan.bad_share:
                counts["bad"] += 1
                if rng.random() < 0.5:
                    row[1] = rng.choice(("12345", f"138{n % 10**7:07d}", "not a phone", "+1 555 0100"))
                else:
                    row[5] = rng.choice(("abc", "-50", "12.5", "N/A"))
            writer.writerow(row)
            counts["rows"] += 1
    return counts


def _row(rng: random.Random, n: int, legacy: str, stores: tuple[str, ...]) -> list[str]:
    phone = person_phone(n)
    style = rng.randrange(8)
    if style == 1:
        phone = f"{phone[:3]} {phone[3:7]} {phone[7:]}"
    elif style == 2:
        phone = f"{phone[:3]}-{phone[3:7]}-{phone[7:]}"
    elif style == 3:
        phone = f"+86 {phone}"
    elif style == 4:
        phone = f"86{phone}"
    elif style == 5:
        phone = f"0086{phone}"
    name = rng.choice(SURNAMES) + rng.choice(GIVEN) if rng.random() < 0.9 else rng.choice(LATIN)
    roll = rng.random()
    if roll < 0.1:
        name = f"  {name} "
    elif roll < 0.15:
        name = ""
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 56))
    birthday = rng.choice((
        born.isoformat(), f"{born.year}/{born.month}/{born.day}", born.strftime("%Y%m%d"),
        str((born - EXCEL_EPOCH).days), "", "", "", "不详",
    ))
    points = rng.choice((0, 0, rng.randrange(1, 500), rng.randrange(500, 5_000), rng.randrange(5_000, 50_000)))
    points_text = rng.choice((str(points), str(points), f"{points:,}", f" {points} ", f"{points}.0", "" if not points else str(points)))
    store = rng.choice((*stores, *stores, "", "OLD-STORE-9"))
    joined = datetime(2012, 1, 1) + timedelta(seconds=rng.randrange(12 * 365 * 86_400))
    registered = rng.choice((joined.strftime("%Y-%m-%d %H:%M:%S"), f"{joined.year}/{joined.month}/{joined.day}", ""))
    return [legacy, phone, name, birthday, rng.choice(GENDERS), points_text, store, registered, rng.choice(TIERS)]
