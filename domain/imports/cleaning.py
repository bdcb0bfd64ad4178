"""Cleaning one legacy row: phones to E.164, names trimmed, dates read in the usual formats,
gender and tier words mapped, points checked. Nothing is invented: a value that cannot be read
is left empty (and counted in the report's `unreadable` figures), except where money or the
member's identity depends on it: a phone that is not valid, points that are negative or not a
whole number, an expiry that cannot be read reject the row, with the reason.

Phones: spaces, dashes, dots and brackets are dropped, then phonenumbers parses the number
with the default region (+86): `138 1234 5678`, `138-1234-5678`, `+86 138...`, `86138...`
and `0086138...` are all +8613812345678. phonenumbers costs about 30 us a number, so a
million-row file would spend half a minute on it alone; an 11-digit number whose first seven
digits already gave a valid mobile number is accepted without asking again (China's mobile
ranges are decided by at most the first five digits: `1740[0-5]`, `1[38]\\d`, ...). Every
other number goes through phonenumbers.

Dates: 2023-01-05, 2023/1/5, 2023.1.5, 2023年1月5日, 20230105, an Excel serial day number
(44931 = 2023-01-05; XLSX cells that are dates come as dates), with a time of day for the
registration time. Times without a zone are the chain's local time (Asia/Shanghai).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers

from domain.bounds import MAX_BALANCE
from domain.imports.reading import Mapping, header_key

LOCAL_ZONE = ZoneInfo("Asia/Shanghai")
EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0 (its 1900 leap-year bug is before day 61)
NAME_LENGTH = 120
REGION_LENGTH = 64
LEGACY_ID_LENGTH = 64

GENDERS = {
    **dict.fromkeys(("男", "男性", "先生", "m", "male", "man", "1"), "MALE"),
    **dict.fromkeys(("女", "女性", "女士", "f", "female", "woman", "2"), "FEMALE"),
    **dict.fromkeys(("其他", "other", "o"), "OTHER"),
    **dict.fromkeys(("未知", "保密", "不详", "unknown", "u", "undisclosed", "0"), "UNDISCLOSED"),
}
TIERS = {
    **dict.fromkeys(("普通", "普通会员", "普通卡", "大众会员", "regular", "normal", "basic", "member"), "REGULAR"),
    **dict.fromkeys(("银卡", "银卡会员", "银", "silver"), "SILVER"),
    **dict.fromkeys(("金卡", "金卡会员", "金", "gold"), "GOLD"),
    **dict.fromkeys(("钻石", "钻石卡", "钻石会员", "钻卡", "diamond", "vip", "platinum"), "DIAMOND"),
}

_SEPARATORS = str.maketrans("", "", " -.()\t\u3000\uff08\uff09")  # with the full-width space and brackets
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]*(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?)?")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SERIAL = re.compile(r"^\d{1,5}(?:\.\d+)?$")


@dataclass(slots=True)
class Row:
    """A cleaned row. `points` are whole points, 0 when the cell was empty."""

    line: int
    legacy_id: str | None
    phone: str | None
    name: str | None
    birthday: date | None
    gender: str | None
    points: int
    store_id: int | None
    registered_at: datetime | None
    tier_code: str | None
    expires_at: datetime | None
    region: str | None


@dataclass(slots=True)
class Rejected:
    line: int
    reason: str
    detail: str


class Cleaner:
    """Cleans rows with the chain's stores and tiers; counts the values it could not read."""

    def __init__(self, mapping: Mapping, *, stores: dict[str, int], tier_codes: set[str], default_store_id: int | None,
                 today: date) -> None:
        self.region = mapping.default_region
        self.genders = {**GENDERS, **mapping.vocabularies.get("gender", {})}
        self.tiers = {**TIERS, **{header_key(code): code for code in tier_codes}, **mapping.vocabularies.get("tier", {})}
        self.tier_codes = tier_codes
        self.stores = {header_key(key): value for key, value in stores.items()}
        self.default_store_id = default_store_id
        self.today = today
        self.unreadable: dict[str, int] = {}
        self._mobile_blocks: set[str] = set()
        self._dates: dict[Any, date | None] = {}
        self._caches: dict[str, dict] = {"birthday": {}, "gender": {}, "store": {}, "tier": {}}

    def clean(self, line: int, raw: dict[str, Any]) -> Row | Rejected:
        get = raw.get
        phone_cell = _text(get("phone"))
        phone = None
        if phone_cell:
            phone = self.phone(phone_cell)
            if phone is None:
                return Rejected(line, "INVALID_PHONE", f"{phone_cell!r} is not a valid phone number")
        points_cell = get("points")
        points = int(points_cell) if type(points_cell) is str and points_cell.isascii() and points_cell.isdigit() else _points(points_cell)
        if type(points) is str:
            return Rejected(line, points, f"points {points_cell!r}")
        if points > MAX_BALANCE:
            return Rejected(line, "POINTS_TOO_LARGE", f"points {points_cell!r}")
        expires_at = None
        expiry_cell = get("expires_at")
        if _text(expiry_cell):
            expiry = self.day(expiry_cell)
            if expiry is None:
                return Rejected(line, "INVALID_EXPIRY", f"points expiry {expiry_cell!r} is not a date")
            # Valid through that day, local time.
            expires_at = datetime.combine(expiry + timedelta(days=1), time(), LOCAL_ZONE).astimezone(UTC)
        legacy_id = _text(get("legacy_id"))
        if legacy_id is not None and len(legacy_id) > LEGACY_ID_LENGTH:
            return Rejected(line, "INVALID_LEGACY_ID", f"an old member id is at most {LEGACY_ID_LENGTH} characters")
        if legacy_id is None and phone is None:
            return Rejected(line, "MISSING_PHONE", "neither a phone nor an old member id")
        return Row(
            line=line, legacy_id=legacy_id, phone=phone, name=self.name(get("name")),
            birthday=self._cached("birthday", get("birthday"), self._birthday),
            gender=self._cached("gender", get("gender"), self._gender), points=points,
            store_id=self._cached("store", get("store"), self._store),
            registered_at=self.moment(get("registered_at")),
            tier_code=self._cached("tier", get("tier"), self._tier), expires_at=expires_at,
            region=_cut(_text(get("region")), REGION_LENGTH),
        )

    def _cached(self, field: str, cell: Any, read) -> Any:
        """`read(cell)` -> (value, readable), remembered per distinct cell; every unreadable cell is counted."""
        cache = self._caches[field]
        try:
            value, readable = cache[cell]
        except KeyError:
            value, readable = read(cell)
            if len(cache) < 100_000:
                cache[cell] = (value, readable)
        except TypeError:  # a cell that cannot be a key
            value, readable = read(cell)
        if not readable:
            self._unreadable(field)
        return value

    def _gender(self, cell: Any) -> tuple[Any, bool]:
        return self._word(self.genders, cell)

    def _tier(self, cell: Any) -> tuple[Any, bool]:
        code, readable = self._word(self.tiers, cell)
        if code is not None and code not in self.tier_codes:
            return None, False
        return code, readable

    def _store(self, cell: Any) -> tuple[Any, bool]:
        text = _text(cell)
        if text is None:
            return self.default_store_id, True
        found = self.stores.get(header_key(text))
        return (self.default_store_id, False) if found is None else (found, True)

    def _birthday(self, cell: Any) -> tuple[Any, bool]:
        if _text(cell) is None:
            return None, True
        day = _day(cell)
        if day is None or not date(1900, 1, 1) <= day <= self.today:
            return None, False
        return day, True

    def _word(self, vocabulary: dict[str, str], cell: Any) -> tuple[Any, bool]:
        text = _text(cell)
        if text is None:
            return None, True
        found = vocabulary.get(header_key(text))
        return found, found is not None

    # ---- fields ------------------------------------------------------------------------------

    def phone(self, cell: str) -> str | None:
        digits = cell.translate(_SEPARATORS)
        if digits.startswith("+"):
            digits = "+" + digits[1:]
        elif digits.startswith("0086"):
            digits = "+86" + digits[4:]
        elif digits.startswith("86") and len(digits) == 13:
            digits = "+86" + digits[2:]
        if digits.endswith(".0") and digits[:-2].isdigit():  # a number cell read as a float
            digits = digits[:-2]
        national = digits[3:] if digits.startswith("+86") else digits if not digits.startswith("+") else ""
        if len(national) == 11 and national.isdigit() and national[:7] in self._mobile_blocks and self.region == "CN":
            return "+86" + national
        try:
            parsed = phonenumbers.parse(digits, self.region)
        except phonenumbers.NumberParseException:
            return None
        if not phonenumbers.is_valid_number(parsed):
            return None
        e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        if (parsed.country_code == 86 and phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.MOBILE
                and len(e164) == 14):
            self._mobile_blocks.add(e164[3:10])
        return e164

    def name(self, cell: Any) -> str | None:
        text = _text(cell)
        if text is None:
            return None
        return _cut(" ".join(text.split()), NAME_LENGTH)

    def day(self, cell: Any) -> date | None:
        key = cell if not isinstance(cell, datetime) else cell.date()
        try:
            return self._dates[key]
        except (KeyError, TypeError):
            pass
        found = _day(cell)
        if len(self._dates) < 200_000:
            self._dates[key] = found
        return found

    def moment(self, cell: Any) -> datetime | None:
        if _text(cell) is None:
            return None
        found = _moment(cell)
        if found is None:
            self._unreadable("registered_at")
        return found

    def _unreadable(self, field: str) -> None:
        self.unreadable[field] = self.unreadable.get(field, 0) + 1


def _text(cell: Any) -> str | None:
    if cell is None:
        return None
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)  # an id or a phone an XLSX cell holds as a number
    text = str(cell).strip()
    return text or None


def _cut(text: str | None, length: int) -> str | None:
    return text[:length] if text else text


def _points(cell: Any) -> int | str:
    """Whole points, or the reason they are refused."""
    if cell is None or cell == "":
        return 0
    if isinstance(cell, bool):
        return "INVALID_POINTS"
    if isinstance(cell, int):
        value = cell
    elif isinstance(cell, float):
        if not cell.is_integer():
            return "INVALID_POINTS"
        value = int(cell)
    else:
        text = str(cell).strip().replace(",", "").replace("\uff0c", "").removesuffix("分").strip()
        if not text:
            return 0
        try:
            value = int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                return "INVALID_POINTS"
            if number != number or not number.is_integer():  # NaN, or a fraction of a point
                return "INVALID_POINTS"
            value = int(number)
    if value < 0:
        return "NEGATIVE_POINTS"
    if value > MAX_BALANCE:
        return "POINTS_TOO_LARGE"
    return value


def _serial_day(number: float) -> date | None:
    if not 1 <= number <= 2_958_465:
        return None
    return EXCEL_EPOCH + timedelta(days=int(number))


def _day(cell: Any) -> date | None:
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return _serial_day(cell)
    text = str(cell).strip()
    try:
        if match := _DATE.match(text):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if match := _COMPACT_DATE.match(text):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if _SERIAL.match(text):
            return _serial_day(float(text))
    except (ValueError, OverflowError):
        return None
    return None


def _moment(cell: Any) -> datetime | None:
    if isinstance(cell, datetime):
        local = cell
    elif isinstance(cell, date):
        local = datetime.combine(cell, time())
    elif isinstance(cell, int | float) and not isinstance(cell, bool):
        day = _serial_day(cell)
        if day is None:
            return None
        local = datetime.combine(day, time()) + timedelta(seconds=round((cell % 1) * 86_400))
    else:
        text = str(cell).strip()
        try:  # the most common export format, read in C: 2019-03-04 10:22:33
            local = datetime.fromisoformat(text) if len(text) == 19 and text[4] == "-" else None
        except ValueError:
            local = None
        if local is not None:
            return (local.replace(tzinfo=LOCAL_ZONE) if local.tzinfo is None else local).astimezone(UTC)
        match = _DATE.match(text)
        try:
            if match:
                local = datetime(int(match[1]), int(match[2]), int(match[3]), int(match[4] or 0), int(match[5] or 0),
                                 int(match[6] or 0))
            else:
                day = _day(text)
                if day is None:
                    return None
                local = datetime.combine(day, time())
        except ValueError:
            return None
    if local.tzinfo is None:
        local = local.replace(tzinfo=LOCAL_ZONE)
    return local.astimezone(UTC)
