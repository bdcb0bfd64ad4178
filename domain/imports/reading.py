"""Reading a legacy export: the file's format and encoding, its header row, its columns.

CSV comes in UTF-8, UTF-8 with a byte-order mark, or GB18030 (what Excel on a Chinese Windows
saves): a BOM says UTF-8; otherwise text that decodes as strict UTF-8 is UTF-8 and anything
else is read as GB18030 (a superset of GBK and GB2312). XLSX is read with python-calamine (a
Rust reader, fast), or with openpyxl in read-only mode where calamine is not installed.

Columns are recognised by their header, in Chinese or English (HEADERS below, compared without
case, spaces, underscores or dashes); a mapping file (TOML) names any other header:

    [columns]
    "VIP卡号" = "legacy_id"
    "Mobile No." = "phone"

    [gender]          # more words for a field's vocabulary (gender, tier)
    "先生" = "MALE"

    [tier]
    "白金卡" = "DIAMOND"

    [options]
    default_region = "CN"   # the phone region of numbers without a country code
"""

from __future__ import annotations

import csv
import hashlib
import io
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FIELDS = ("legacy_id", "phone", "name", "birthday", "gender", "points", "store", "registered_at", "tier",
          "expires_at", "region")

HEADERS: dict[str, tuple[str, ...]] = {
    "legacy_id": ("会员卡号", "卡号", "会员号", "会员编号", "会员id", "旧会员号", "old member id", "old id", "member id",
                  "legacy id", "card no", "card number", "member no"),
    "phone": ("手机号", "手机", "手机号码", "电话", "联系电话", "phone", "mobile", "phone number", "mobile phone", "tel"),
    "name": ("姓名", "会员姓名", "名字", "name", "full name", "member name"),
    "birthday": ("生日", "出生日期", "birthday", "date of birth", "dob", "birth date"),
    "gender": ("性别", "gender", "sex"),
    "points": ("积分", "积分余额", "当前积分", "可用积分", "points", "balance", "points balance"),
    "store": ("注册门店", "门店", "所属门店", "开卡门店", "store", "home store", "registration store"),
    "registered_at": ("注册时间", "注册日期", "入会时间", "开卡时间", "registered at", "registration date", "join date",
                      "created at"),
    "tier": ("等级", "会员等级", "卡等级", "tier", "level", "member level"),
    "expires_at": ("积分有效期", "积分过期时间", "过期时间", "有效期", "expires at", "expiry", "expiry date",
                   "points expire"),
    "region": ("地区", "城市", "区域", "region", "city"),
}


class UnreadableFile(Exception):
    """The file cannot be imported as it is (format, header, mapping): a sentence for the operator."""


def header_key(text: Any) -> str:
    return "".join(ch for ch in str(text or "").strip().lower() if ch not in " _-\ufeff\u3000")


_KNOWN = {header_key(h): name for name, headers in HEADERS.items() for h in headers}


@dataclass(frozen=True)
class Mapping:
    """What a mapping file adds to the built-in headers and vocabularies."""

    columns: dict[str, str] = field(default_factory=dict)  # header key -> field
    vocabularies: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> word -> value
    default_region: str = "CN"
    digest: str = ""  # of the file's bytes: part of what a run was started with


def load_mapping(path: Path | None) -> Mapping:
    if path is None:
        return Mapping()
    raw = path.read_bytes()
    try:
        parsed = tomllib.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UnreadableFile(f"The mapping file {path} is not valid TOML: {exc}") from None
    columns = {}
    for header, target in (parsed.get("columns") or {}).items():
        if target not in FIELDS:
            raise UnreadableFile(f"The mapping file maps {header!r} to {target!r}; the fields are {', '.join(FIELDS)}.")
        columns[header_key(header)] = target
    vocabularies = {
        name: {header_key(word): str(value).upper() for word, value in (parsed.get(name) or {}).items()}
        for name in ("gender", "tier")
    }
    options = parsed.get("options") or {}
    return Mapping(columns=columns, vocabularies=vocabularies, default_region=str(options.get("default_region", "CN")),
                   digest=hashlib.sha256(raw).hexdigest())


@dataclass
class Sheet:
    """The rows of a file, as field -> cell value; `columns` says which column each field came from."""

    columns: dict[str, int]
    headers: list[str]
    rows: Iterator[tuple[int, dict[str, Any]]]  # (the row's line number in the file, its fields)
    encoding: str | None = None
    format: str = "csv"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def detect_format(path: Path, given: str | None = None) -> str:
    if given:
        if given not in ("csv", "xlsx"):
            raise UnreadableFile(f"Unknown format {given!r}: csv or xlsx.")
        return given
    with path.open("rb") as stream:
        magic = stream.read(4)
    if magic == b"PK\x03\x04" or path.suffix.lower() in (".xlsx", ".xlsm"):
        return "xlsx"
    return "csv"


def decode(raw: bytes) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was in."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8"), "utf-8-sig"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        raise UnreadableFile("The file is neither UTF-8 nor GB18030 text: save it as CSV UTF-8 or as XLSX.") from None


def open_sheet(path: Path, *, fmt: str | None = None, mapping: Mapping | None = None, xlsx_engine: str | None = None) -> Sheet:
    """The file's rows by field; `xlsx_engine` "openpyxl" reads a workbook without calamine."""
    mapping = mapping or Mapping()
    chosen = detect_format(path, fmt)
    if chosen == "xlsx":
        rows, encoding = (_openpyxl_rows(path) if xlsx_engine == "openpyxl" else _xlsx_rows(path)), None
    else:
        text, encoding = decode(path.read_bytes())
        rows = iter(csv.reader(io.StringIO(text, newline="")))
    header = next(rows, None)
    if header is None:
        raise UnreadableFile("The file is empty.")
    headers = [str(h if h is not None else "").strip() for h in header]
    columns: dict[str, int] = {}
    for index, text in enumerate(headers):
        key = header_key(text)
        name = mapping.columns.get(key) or _KNOWN.get(key)
        if name and name not in columns:
            columns[name] = index
    if "phone" not in columns and "legacy_id" not in columns:
        raise UnreadableFile(
            f"No phone or old member id column among the headers {headers}: name them in a mapping file (--mapping)."
        )
    return Sheet(columns=columns, headers=headers, rows=_fields(rows, columns), encoding=encoding, format=chosen)


def _fields(rows: Iterator[list], columns: dict[str, int]) -> Iterator[tuple[int, dict[str, Any]]]:
    picked = list(columns.items())
    for line, row in enumerate(rows, start=2):
        if not row or all(cell in (None, "") for cell in row):
            continue
        width = len(row)
        yield line, {name: row[index] if index < width else None for name, index in picked}


def _xlsx_rows(path: Path) -> Iterator[list]:
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:  # pragma: no cover - calamine is a dependency; openpyxl is the fallback
        return _openpyxl_rows(path)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        return iter(workbook.get_sheet_by_index(0).to_python(skip_empty_area=False))
    except Exception as exc:  # noqa: BLE001 - calamine raises its own errors for a broken workbook
        raise UnreadableFile(f"The workbook cannot be read: {exc}") from None


def _openpyxl_rows(path: Path) -> Iterator[list]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    sheet = workbook.worksheets[0]
    return (list(row) for row in sheet.iter_rows(values_only=True))


def raw_rows(path: Path, *, fmt: str | None = None, xlsx_engine: str | None = None) -> tuple[list[str], Iterator[tuple[int, list]]]:
    """The header and every row as it is in the file, numbered as `open_sheet` numbers them
    (the header is row 1): for the rejects file, which carries the rows as they were."""
    if detect_format(path, fmt) == "xlsx":
        rows = _openpyxl_rows(path) if xlsx_engine == "openpyxl" else _xlsx_rows(path)
    else:
        rows = iter(csv.reader(io.StringIO(decode(path.read_bytes())[0], newline="")))
    header = [str(h if h is not None else "").strip() for h in next(rows, [])]
    return header, ((line, list(row)) for line, row in enumerate(rows, start=2))
