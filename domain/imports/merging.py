"""Duplicates inside one file, merged into one record per person.

Two rows are the same person when they share an old member id or a phone (and so, step by
step, every row linked to them: rows A and B share an id, B and C a phone: A, B, C are one).

The rule for a merged record:
- rows are ordered by registration time (rows without one first), then by their line in the
  file: the last is the most recent;
- each profile field (phone, name, birthday, gender, region, home store, tier) takes the value
  of the most recent row that has one: a blank in a newer row does not erase an older value;
- the registration time is the earliest: the member joined with their first card;
- the balances of all the rows are summed (each row's points stay a lot of their own when the
  file has an expiry column), and every old member id of the rows is kept;
- every merge is listed in the report: its lines, old ids, the phones (masked) and the points.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from domain import phones
from domain.imports.cleaning import Row

_OLDEST = datetime.min.replace(tzinfo=UTC)
PROFILE_FIELDS = ("name", "birthday", "gender", "region", "store_id", "tier_code")


@dataclass(slots=True)
class Record:
    """One person of the file, after merging; `line` (their first line) identifies them in a run."""

    line: int
    lines: list[int]
    legacy_ids: list[str]
    phone: str | None
    points: int
    lots: list[tuple[int, datetime | None]]  # (points, expiry or None for the programme's rule)
    registered_at: datetime | None
    profile: Row  # the profile fields (PROFILE_FIELDS) that won: the row itself when nothing was merged

    @property
    def is_merged(self) -> bool:
        return len(self.lines) > 1


def merge(rows: list[Row]) -> tuple[list[Record], list[dict]]:
    """The records in order of their first line, and the report entry of every merge."""
    parent = list(range(len(rows)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for index, row in enumerate(rows):
        for key in (f"L{row.legacy_id}" if row.legacy_id else None, f"P{row.phone}" if row.phone else None):
            if key is None:
                continue
            seen = owner.setdefault(key, index)
            if seen != index:
                a, b = root(seen), root(index)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    groups: dict[int, list[Row]] = {}
    for index, row in enumerate(rows):
        groups.setdefault(root(index), []).append(row)
    records, merges = [], []
    for members in groups.values():
        record = _single(members[0]) if len(members) == 1 else _merged(members)
        records.append(record)
        if record.is_merged:
            merges.append(_merge_entry(record, members))
    records.sort(key=lambda r: r.line)
    merges.sort(key=lambda m: m["lines"][0])
    return records, merges


def _single(row: Row) -> Record:
    points = row.points
    return Record(row.line, [row.line], [row.legacy_id] if row.legacy_id else [], row.phone, points,
                  [(points, row.expires_at)] if points else [], row.registered_at, row)


def _merged(rows: list[Row]) -> Record:
    ordered = sorted(rows, key=lambda r: (r.registered_at or _OLDEST, r.line))
    profile = Row(line=rows[0].line, legacy_id=None, phone=None, name=None, birthday=None, gender=None, points=0,
                  store_id=None, registered_at=None, tier_code=None, expires_at=None, region=None)
    phone = None
    legacy_ids: list[str] = []
    lots: dict[datetime | None, int] = {}
    for row in ordered:
        phone = row.phone or phone
        for name in PROFILE_FIELDS:
            value = getattr(row, name)
            if value is not None:
                setattr(profile, name, value)
        if row.legacy_id and row.legacy_id not in legacy_ids:
            legacy_ids.append(row.legacy_id)
        if row.points:
            lots[row.expires_at] = lots.get(row.expires_at, 0) + row.points
    registered = [r.registered_at for r in rows if r.registered_at is not None]
    lines = sorted(r.line for r in rows)
    return Record(
        line=lines[0], lines=lines, legacy_ids=sorted(legacy_ids), phone=phone, points=sum(r.points for r in rows),
        lots=sorted(((points, expiry) for expiry, points in lots.items()), key=lambda lot: (lot[1] is None, lot[1] or _OLDEST)),
        registered_at=min(registered) if registered else None, profile=profile,
    )


def _merge_entry(record: Record, rows: list[Row]) -> dict:
    seen = sorted({r.phone for r in rows if r.phone})
    return {
        "lines": record.lines,
        "legacyIds": record.legacy_ids,
        "phones": [phones.mask(p) for p in seen],
        "keptPhone": phones.mask(record.phone) if record.phone else None,
        "points": record.points,
        "rule": "most recent profile fields win, balances summed",
    }
